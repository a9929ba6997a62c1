"""Saving and loading fitted estimators: pickle, joblib and skops.

A loaded model predicts exactly as the one saved, a stochastic one goes on
training with partial_fit exactly as if it had never been saved, and the
saved payload holds the parameters and the optimizer's state, never the
batch-sized workspaces of training.
"""

import io
import pickle
import warnings

import joblib
import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sknn import MLPNeuronClassifier, MLPNeuronRegressor, PerceptronClassifier

skops_io = pytest.importorskip("skops.io")

RNG = np.random.RandomState(0)
X = RNG.randn(120, 6)
Y_CLASSES = (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 0.5)
Y_MULTILABEL = np.c_[X[:, 0] > 0, X[:, 1] > 0, X[:, 0] + X[:, 3] > 0].astype(int)
Y_REGRESSION = np.c_[X[:, 0] - X[:, 1], X[:, 2] * X[:, 3]]


def _pickle(estimator):
    return pickle.loads(pickle.dumps(estimator))


def _joblib(estimator):
    buffer = io.BytesIO()
    joblib.dump(estimator, buffer)
    buffer.seek(0)
    return joblib.load(buffer)


def _skops(estimator):
    data = skops_io.dumps(estimator)
    return skops_io.loads(data, trusted=skops_io.get_untrusted_types(data=data))


ROUND_TRIPS = {"pickle": _pickle, "joblib": _joblib, "skops": _skops}

CASES = {
    "classifier-adam": (
        MLPNeuronClassifier((5, 4), max_iter=5, random_state=0),
        Y_CLASSES,
    ),
    "classifier-sgd-dropout": (
        MLPNeuronClassifier(
            (5,), solver="sgd", dropout=0.2, diagnostics=True, random_state=0
        ),
        Y_CLASSES,
    ),
    "classifier-lbfgs": (
        MLPNeuronClassifier((5,), solver="lbfgs", max_iter=20, random_state=0),
        Y_CLASSES,
    ),
    "classifier-multilabel": (
        MLPNeuronClassifier((5,), max_iter=5, early_stopping=True, random_state=0),
        Y_MULTILABEL,
    ),
    "regressor-adam": (
        MLPNeuronRegressor(hidden_layer_sizes=(5,), max_iter=5, random_state=0),
        Y_REGRESSION,
    ),
    "regressor-poisson-lbfgs": (
        MLPNeuronRegressor(
            "poisson", hidden_layer_sizes=(4,), solver="lbfgs", max_iter=10
        ),
        np.abs(Y_REGRESSION[:, 0]),
    ),
    "perceptron-step": (PerceptronClassifier(max_iter=5), Y_CLASSES),
    "perceptron-logistic-averaged": (
        PerceptronClassifier(activation="logistic", average=True, max_iter=5),
        Y_CLASSES,
    ),
}


def _fit(estimator, y, X=X):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y)


def _outputs(estimator):
    names = ["predict", "predict_proba", "predict_log_proba", "decision_function"]
    return {
        name: getattr(estimator, name)(X) for name in names if hasattr(estimator, name)
    }


@pytest.mark.parametrize("round_trip", ROUND_TRIPS)
@pytest.mark.parametrize("case", CASES)
def test_round_trip_predicts_the_same(case, round_trip):
    estimator, y = CASES[case]
    fitted = _fit(estimator, y)
    loaded = ROUND_TRIPS[round_trip](fitted)
    assert type(loaded) is type(fitted)
    assert loaded.get_params() == fitted.get_params()
    before, after = _outputs(fitted), _outputs(loaded)
    assert before.keys() == after.keys()
    for name in before:
        np.testing.assert_array_equal(after[name], before[name], err_msg=name)
    for name in ("n_iter_", "loss_", "classes_", "n_features_in_"):
        if hasattr(fitted, name):
            np.testing.assert_array_equal(getattr(loaded, name), getattr(fitted, name))


def _parameters(estimator):
    if hasattr(estimator, "coefs_"):
        return np.concatenate(
            [a.ravel() for a in [*estimator.coefs_, *estimator.intercepts_]]
        )
    return np.concatenate([estimator.coef_.ravel(), estimator.intercept_])


INCREMENTAL = {
    "classifier-adam": lambda: MLPNeuronClassifier((5,), random_state=0),
    "classifier-sgd-dropout": lambda: MLPNeuronClassifier(
        (5,), solver="sgd", dropout=0.3, random_state=0
    ),
    "regressor-sgd": lambda: MLPNeuronRegressor(
        hidden_layer_sizes=(5,), solver="sgd", random_state=0
    ),
    "perceptron-averaged-l1": lambda: PerceptronClassifier(
        penalty="l1", average=10, random_state=0
    ),
}


@pytest.mark.parametrize("round_trip", ROUND_TRIPS)
@pytest.mark.parametrize("case", INCREMENTAL)
def test_partial_fit_after_loading_continues_the_run(case, round_trip):
    y = Y_REGRESSION[:, 0] if "regressor" in case else Y_CLASSES
    kwargs = {} if "regressor" in case else {"classes": np.unique(y)}
    chunks = np.array_split(np.arange(len(X)), 4)

    uninterrupted = INCREMENTAL[case]()
    for rows in chunks:
        uninterrupted.partial_fit(X[rows], y[rows], **kwargs)

    interrupted = INCREMENTAL[case]()
    for rows in chunks[:2]:
        interrupted.partial_fit(X[rows], y[rows], **kwargs)
    interrupted = ROUND_TRIPS[round_trip](interrupted)
    for rows in chunks[2:]:
        interrupted.partial_fit(X[rows], y[rows])

    np.testing.assert_array_equal(_parameters(interrupted), _parameters(uninterrupted))
    np.testing.assert_array_equal(interrupted.predict(X), uninterrupted.predict(X))


def _payload_sizes(estimator):
    buffer = io.BytesIO()
    joblib.dump(estimator, buffer)
    return {
        "pickle": len(pickle.dumps(estimator)),
        "joblib": len(buffer.getvalue()),
        "skops": len(skops_io.dumps(estimator)),
    }


@pytest.mark.parametrize(
    "make",
    [
        lambda n: MLPNeuronClassifier((8,), batch_size=n, max_iter=2, random_state=0),
        lambda n: MLPNeuronClassifier((8,), solver="lbfgs", max_iter=2, random_state=0),
        lambda n: MLPNeuronRegressor(
            hidden_layer_sizes=(8,), batch_size=n, dropout=0.5, max_iter=2
        ),
        lambda n: PerceptronClassifier(batch_size=n, max_iter=2),
    ],
)
def test_saved_model_holds_no_batch_sized_workspace(make):
    # Trained in one batch of every sample, the workspaces hold a few floats
    # per sample and unit: 4000 samples make them hundreds of kilobytes. The
    # payloads must not grow with the number of samples, and must stay within
    # a small multiple of the parameters (weights, gradient, optimizer state).
    rng = np.random.RandomState(1)
    sizes = {}
    for n_samples in (100, 4000):
        X_big = rng.randn(n_samples, 6)
        estimator = _fit(make(n_samples), (X_big[:, 0] > 0).astype(int), X_big)
        sizes[n_samples] = _payload_sizes(estimator)
    n_params = _parameters(estimator).size
    for name in sizes[100]:
        assert abs(sizes[4000][name] - sizes[100][name]) < 1024, (name, sizes)
        # 8 bytes each for weights, gradient, two optimizer moments, the best
        # weights and room; the rest is the fixed cost of the format.
        assert sizes[4000][name] < 8 * n_params * 8 + 60_000, (name, sizes)
    workspace_bytes = 4000 * 8 * 8  # one float64 per sample and hidden unit
    assert sizes[4000]["joblib"] < workspace_bytes


def test_a_fitted_network_rebuilds_its_workspace_after_loading():
    clf = _fit(MLPNeuronClassifier((5,), max_iter=3, random_state=0), Y_CLASSES)
    assert clf._network._workspace is not None
    loaded = _pickle(clf)
    assert loaded._network._workspace is None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        loaded.set_params(warm_start=True, max_iter=1).fit(X, Y_CLASSES)
    assert loaded._network._workspace is not None


@pytest.mark.parametrize("case", CASES)
def test_skops_asks_to_trust_only_sknn_types(case):
    # What docs/user_guide/persistence.rst tells the user to review.
    estimator, y = CASES[case]
    data = skops_io.dumps(_fit(estimator, y))
    untrusted = skops_io.get_untrusted_types(data=data)
    assert untrusted
    assert all(name.startswith("sknn.") for name in untrusted), untrusted
    assert f"sknn.{type(estimator).__module__.split('.')[-1]}." in "".join(
        name[: name.rindex(".") + 1] for name in untrusted
    )
