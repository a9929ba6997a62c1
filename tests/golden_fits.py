"""A fixed set of fits whose results were recorded before a refactor.

Each entry of :data:`FITS` names a small fit that exercises one path of the
training code (a solver, a loss, a dtype, early stopping, sample weights,
dropout, sparse input, partial_fit, warm start, the perceptron's rules). Its
:func:`fingerprint` is every array the fit leaves behind: the weights, the
loss curve, the validation scores, the counters. ``tests/test_golden_fits.py``
compares today's fingerprints with the ones stored in
``tests/data/golden_fits.npz``.

A refactor must leave them unchanged. On the machine that recorded them they
are compared bit for bit (``SKNN_GOLDEN_EXACT=1``); elsewhere a different BLAS
kernel may round differently, so the default comparison allows rounding (the
fits are a few epochs long, so rounding cannot grow into a different fit).

To record them anew, after a change that alters fits *on purpose*::

    python tests/golden_fits.py

and say in the commit which fits changed and why.
"""

import warnings
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.datasets import load_diabetes, load_digits

from sknn import MLPNeuronClassifier, MLPNeuronRegressor, PerceptronClassifier

STORE = Path(__file__).parent / "data" / "golden_fits.npz"


def _digits(dtype=np.float64, n=300):
    X, y = load_digits(return_X_y=True)
    return (X[:n] / 16).astype(dtype), y[:n]


def _diabetes(dtype=np.float64):
    X, y = load_diabetes(return_X_y=True)
    X = (X - X.mean(0)) / X.std(0)
    return X.astype(dtype), (y - y.mean()) / y.std()


def _fit(estimator, X, y, **fit_params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return estimator.fit(X, y, **fit_params)


def _partial(estimator, X, y, n_calls=3, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(n_calls):
            estimator.partial_fit(X, y, **kwargs)
    return estimator


def _warm(estimator, X, y):
    _fit(estimator, X, y)
    estimator.set_params(warm_start=True, max_iter=3)
    return _fit(estimator, X, y)


def _weights(n, seed=0):
    return np.random.RandomState(seed).uniform(0.2, 2.0, n)


def _mlp(**params):
    return MLPNeuronClassifier(
        **{"hidden_layer_sizes": (16,), "max_iter": 5, "random_state": 0, **params}
    )


def _reg(**params):
    return MLPNeuronRegressor(
        **{"hidden_layer_sizes": (16,), "max_iter": 5, "random_state": 0, **params}
    )


def _perceptron(**params):
    return PerceptronClassifier(**{"max_iter": 5, "random_state": 0, **params})


def _fits():
    X, y = _digits()
    X32, _ = _digits(np.float32)
    Xs = sparse.csr_matrix(np.where(X > 0.5, X, 0.0))
    Xr, yr = _diabetes()
    Xr32, _ = _diabetes(np.float32)
    binary = (y % 2).astype(bool)
    multilabel = np.stack([y % 2, y % 3 == 0, y > 4], axis=1).astype(int)
    counts = np.random.RandomState(0).poisson(np.exp(0.3 * Xr[:, 0]))
    two_outputs = np.stack([yr, Xr[:, 1] * yr], axis=1)
    fits = {
        "mlp_adam_relu": lambda: _fit(_mlp(), X, y),
        "mlp_adam_f32": lambda: _fit(_mlp(), X32, y),
        "mlp_sgd_tanh_nesterov": lambda: _fit(
            _mlp(solver="sgd", activation="tanh", learning_rate_init=0.1), X, y
        ),
        "mlp_sgd_classic_invscaling_f32": lambda: _fit(
            _mlp(
                solver="sgd",
                nesterovs_momentum=False,
                learning_rate="invscaling",
                learning_rate_init=0.5,
            ),
            X32,
            y,
        ),
        "mlp_sgd_adaptive": lambda: _fit(
            MLPNeuronClassifier(
                (8,),
                solver="sgd",
                learning_rate="adaptive",
                n_iter_no_change=1,
                tol=10.0,
                max_iter=12,
                random_state=0,
            ),
            X,
            y,
        ),
        "mlp_lbfgs_logistic": lambda: _fit(
            _mlp(solver="lbfgs", activation="logistic", max_iter=20), X, y
        ),
        "mlp_two_layers_per_layer": lambda: _fit(
            MLPNeuronClassifier(
                (12, 8),
                activation=["elu", "gelu"],
                weight_init=["he_normal", "lecun_normal", "glorot_uniform"],
                max_iter=5,
                random_state=0,
            ),
            X,
            y,
        ),
        "mlp_early_stopping": lambda: _fit(_mlp(early_stopping=True, max_iter=8), X, y),
        "mlp_scoring_loss": lambda: _fit(
            _mlp(early_stopping=True, scoring="loss", max_iter=8), X, y
        ),
        "mlp_sample_weight": lambda: _fit(_mlp(), X, y, sample_weight=_weights(len(y))),
        "mlp_class_weight": lambda: _fit(_mlp(class_weight="balanced"), X, binary),
        "mlp_dropout": lambda: _fit(_mlp(dropout=0.3), X, y),
        "mlp_sparse": lambda: _fit(_mlp(), Xs, y),
        "mlp_multilabel": lambda: _fit(_mlp(), X, multilabel),
        "mlp_partial_fit": lambda: _partial(_mlp(), X, y, classes=np.unique(y)),
        "mlp_warm_start": lambda: _warm(_mlp(), X, y),
        "mlp_diagnostics": lambda: _fit(_mlp(diagnostics=True), X, y),
        "mlp_no_hidden": lambda: _fit(
            MLPNeuronClassifier((), max_iter=5, random_state=0), X, y
        ),
        "reg_adam": lambda: _fit(_reg(), Xr, yr),
        "reg_adam_f32": lambda: _fit(_reg(), Xr32, yr),
        "reg_sgd": lambda: _fit(_reg(solver="sgd", learning_rate_init=0.01), Xr, yr),
        "reg_lbfgs": lambda: _fit(_reg(solver="lbfgs", max_iter=20), Xr, yr),
        "reg_poisson": lambda: _fit(_reg(loss="poisson"), Xr, counts),
        "reg_absolute": lambda: _fit(_reg(loss="absolute_error"), Xr, yr),
        "reg_two_outputs": lambda: _fit(_reg(alpha=1.0), Xr, two_outputs),
        "reg_early_stopping": lambda: _fit(
            _reg(early_stopping=True, max_iter=8), Xr, yr
        ),
        "reg_sample_weight": lambda: _fit(
            _reg(), Xr, yr, sample_weight=_weights(len(yr))
        ),
        "reg_partial_fit": lambda: _partial(_reg(), Xr, yr),
        "perceptron_step": lambda: _fit(_perceptron(), X, y),
        "perceptron_step_f32": lambda: _fit(_perceptron(), X32, y),
        "perceptron_binary": lambda: _fit(_perceptron(), X, binary),
        "perceptron_no_shuffle": lambda: _fit(_perceptron(shuffle=False), X, y),
        "perceptron_multinomial": lambda: _fit(
            _perceptron(multi_class="multinomial"), X, y
        ),
        "perceptron_logistic": lambda: _fit(
            _perceptron(activation="logistic", eta0=0.1), X, y
        ),
        "perceptron_tanh_average": lambda: _fit(
            _perceptron(activation="tanh", average=True, eta0=0.1), X, y
        ),
        "perceptron_l2": lambda: _fit(_perceptron(penalty="l2", alpha=1e-3), X, y),
        "perceptron_l1": lambda: _fit(_perceptron(penalty="l1", alpha=1e-3), X, y),
        "perceptron_elasticnet_average": lambda: _fit(
            _perceptron(penalty="elasticnet", alpha=1e-3, average=True), X, y
        ),
        "perceptron_sparse": lambda: _fit(_perceptron(), Xs, y),
        "perceptron_sparse_l2_average": lambda: _fit(
            _perceptron(penalty="l2", alpha=1e-3, average=True), Xs, y
        ),
        "perceptron_early_stopping": lambda: _fit(
            _perceptron(early_stopping=True, max_iter=20), X, y
        ),
        "perceptron_weights": lambda: _fit(
            _perceptron(class_weight="balanced"),
            X,
            binary,
            sample_weight=_weights(len(y)),
        ),
        "perceptron_partial_fit": lambda: _partial(
            _perceptron(), X, y, classes=np.unique(y)
        ),
    }
    return fits


FITS = _fits()


def fingerprint(estimator):
    """Every array a fitted estimator leaves behind, by name."""
    arrays = {}
    if hasattr(estimator, "coefs_"):
        for i, (coef, intercept) in enumerate(
            zip(estimator.coefs_, estimator.intercepts_)
        ):
            arrays[f"coef{i}"] = coef
            arrays[f"intercept{i}"] = intercept
        arrays["loss_curve"] = np.asarray(estimator.loss_curve_, dtype=np.float64)
        scores = getattr(estimator, "validation_scores_", None)
        if scores is not None:
            arrays["validation_scores"] = np.asarray(scores, dtype=np.float64)
        arrays["counters"] = np.array([estimator.n_iter_, estimator.t_], dtype=float)
        diagnostics = getattr(estimator, "diagnostics_", None)
        if diagnostics:
            for key, value in diagnostics.items():
                arrays[f"diagnostics_{key}"] = np.asarray(value, dtype=np.float64)
    else:
        arrays["coef"] = estimator.coef_
        arrays["intercept"] = estimator.intercept_
        arrays["counters"] = np.array([estimator.n_iter_, estimator.t_], dtype=float)
    return arrays


def record(names=None):
    """Fit every entry (or ``names``) and return ``{f'{name}/{key}': array}``."""
    stored = {}
    for name, make in FITS.items():
        if names is not None and name not in names:
            continue
        for key, array in fingerprint(make()).items():
            stored[f"{name}/{key}"] = np.asarray(array)
    return stored


if __name__ == "__main__":
    STORE.parent.mkdir(exist_ok=True)
    np.savez_compressed(STORE, **record())
    print(f"recorded {len(FITS)} fits in {STORE}")
