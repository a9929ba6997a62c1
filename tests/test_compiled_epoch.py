"""Tests of the compiled epoch: which fits it runs, and that it is the numpy epoch.

The compiled epoch makes the BLAS calls ``np.matmul`` makes, through scipy's
BLAS; numpy ships its own BLAS, whose kernels round some shapes differently.
So the numpy path is run here with its products through scipy's BLAS
(``oracles.blas_matmul``): the two must then agree bit for bit.
"""

import tracemalloc
import warnings

import numpy as np
import pytest
from oracles import blas_dot, blas_matmul
from scipy import sparse
from sklearn.datasets import load_diabetes, load_digits

import sknn._training
from sknn import MLPNeuronClassifier, MLPNeuronRegressor
from sknn._batches import MiniBatches
from sknn._compiled_epoch import CompiledEpochs, numpy_reason
from sknn._diagnostics import DiagnosticsRecorder
from sknn._history import TrainingConfig
from sknn._losses import get_loss
from sknn._network import MAX_BATCH_ROWS, Network
from sknn._optimizers import SGD, Adam
from sknn._training import epoch_runner, one_epoch
from sknn.activations import get_activation
from sknn.schedules import Cosine, ScheduledRate

_X, _y = load_digits(return_X_y=True)
DIGITS = (_X[:400] / 16, _y[:400])
_Xr, _yr = load_diabetes(return_X_y=True)
DIABETES = ((_Xr - _Xr.mean(0)) / _Xr.std(0), (_yr - _yr.mean()) / _yr.std())


@pytest.fixture
def same_blas(monkeypatch):
    """np.matmul and np.dot through scipy's BLAS, as the compiled epoch calls it."""
    monkeypatch.setattr(np, "matmul", blas_matmul)
    monkeypatch.setattr(np, "dot", blas_dot)


def _fit(estimator, X, y, compiled, monkeypatch, calls=1, **fit_params):
    """Fit on the compiled epoch or, forced, on the numpy path."""
    with monkeypatch.context() as patch:
        if not compiled:
            patch.setattr(sknn._training, "numpy_reason", lambda *args: "forced")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for _ in range(calls):
                if calls > 1:
                    estimator.partial_fit(X, y, **fit_params)
                else:
                    estimator.fit(X, y, **fit_params)
    return estimator


def _classifier(hidden_layer_sizes=(24,), **params):
    return MLPNeuronClassifier(
        hidden_layer_sizes, **{"max_iter": 6, "random_state": 0, **params}
    )


def _regressor(**params):
    return MLPNeuronRegressor(
        **{"hidden_layer_sizes": (24,), "max_iter": 6, "random_state": 0, **params}
    )


def _weights(n):
    return np.random.RandomState(0).uniform(0.2, 2.0, n)


X, y = DIGITS
Xr, yr = DIABETES
CASES = {
    "adam relu": (_classifier(), X, y, {}),
    "sgd nesterov": (_classifier(solver="sgd", learning_rate_init=0.1), X, y, {}),
    "sgd classic invscaling": (
        _classifier(
            solver="sgd",
            nesterovs_momentum=False,
            learning_rate="invscaling",
            learning_rate_init=0.5,
        ),
        X,
        y,
        {},
    ),
    "sgd adaptive": (
        _classifier(
            (8,),
            solver="sgd",
            learning_rate="adaptive",
            n_iter_no_change=1,
            tol=10.0,
            max_iter=8,
        ),
        X,
        y,
        {},
    ),
    "leaky and identity layers": (
        _classifier((16, 12), activation=["leaky_relu", "identity"]),
        X,
        y,
        {},
    ),
    "no hidden layer": (_classifier(()), X, y, {}),
    "binary": (_classifier(), X, y % 2, {}),
    "multilabel": (_classifier(), X, np.stack([y % 2, y > 4], axis=1), {}),
    "sample weights": (_classifier(), X, y, {"sample_weight": _weights(len(y))}),
    "class weights": (_classifier(class_weight="balanced"), X, y % 2, {}),
    "in order, penalised": (_classifier(shuffle=False, alpha=0.1), X, y, {}),
    "a short last batch": (_classifier(batch_size=150), X, y, {}),
    "a batch of one row last": (_classifier(batch_size=57), X, y, {}),
    "Fortran-ordered X": (_classifier(), np.asfortranarray(X), y, {}),
    "in order, Fortran-ordered X": (
        _classifier(shuffle=False),
        np.asfortranarray(X),
        y,
        {},
    ),
    "in order, every other column of X": (_classifier(shuffle=False), X[:, ::2], y, {}),
    "early stopping": (_classifier(early_stopping=True, max_iter=8), X, y, {}),
    # float32 diverges in epoch 2, float64 not
    "large steps": (
        _classifier(solver="sgd", learning_rate_init=1e6, momentum=0.0),
        X * 1e3,
        y,
        {},
    ),
    # float64 diverges in epoch 4; float32 at once, which raises
    "diverging": (
        _classifier(solver="sgd", learning_rate_init=1e30, momentum=0.0),
        X * 10,
        y,
        {},
    ),
    "regression, two outputs": (
        _regressor(alpha=1.0),
        Xr,
        np.stack([yr, Xr[:, 1] * yr], axis=1),
        {},
    ),
    "regression, sgd, in order": (
        _regressor(solver="sgd", learning_rate_init=0.01, shuffle=False),
        Xr,
        yr,
        {},
    ),
    "regression, integer targets": (_regressor(), Xr, np.round(3 * yr), {}),
    "regression, sample weights": (
        _regressor(),
        Xr,
        yr,
        {"sample_weight": _weights(len(yr))},
    ),
    # the training procedure's options (issue 21), each alone, then together
    "cosine schedule with a warm-up": (
        _classifier(learning_rate_schedule="cosine", warmup_fraction=0.3),
        X,
        y,
        {},
    ),
    "one-cycle schedule, sgd": (
        _classifier(
            solver="sgd", learning_rate_schedule="one_cycle", learning_rate_init=0.1
        ),
        X,
        y,
        {},
    ),
    "weight decay, adam": (_classifier(weight_decay=0.05), X, y, {}),
    "weight decay, sgd, penalised": (
        _classifier(solver="sgd", weight_decay=0.05, alpha=0.01),
        X,
        y,
        {},
    ),
    "clipped gradients": (_classifier(max_grad_norm=0.5, alpha=0.01), X, y, {}),
    "clipped sgd, in order": (
        _classifier(solver="sgd", max_grad_norm=0.2, shuffle=False),
        X,
        y,
        {},
    ),
    "label smoothing": (_classifier(label_smoothing=0.1), X, y, {}),
    "label smoothing, binary": (_classifier(label_smoothing=0.2), X, y % 2, {}),
    "label smoothing, multilabel": (
        _classifier(label_smoothing=0.1),
        X,
        np.stack([y % 2, y > 4], axis=1),
        {},
    ),
    "validation data": (
        _classifier(early_stopping=True, n_iter_no_change=2),
        X,
        y,
        {"X_val": _X[400:600] / 16, "y_val": _y[400:600]},
    ),
    "every option, weighted, with validation data": (
        _classifier(
            learning_rate_schedule="cosine",
            warmup_fraction=0.2,
            weight_decay=0.01,
            max_grad_norm=1.0,
            label_smoothing=0.05,
            class_weight="balanced",
            early_stopping=True,
        ),
        X,
        y,
        {
            "sample_weight": _weights(len(y)),
            "X_val": _X[400:600] / 16,
            "y_val": _y[400:600],
            "sample_weight_val": _weights(200),
        },
    ),
    "regression, every option": (
        _regressor(
            solver="sgd",
            learning_rate_init=0.01,
            learning_rate_schedule="cosine",
            warmup_fraction=0.2,
            weight_decay=0.01,
            max_grad_norm=0.5,
            early_stopping=True,
        ),
        Xr,
        yr,
        {"X_val": Xr[::3], "y_val": yr[::3]},
    ),
}


def _estimator(case):
    from sklearn.base import clone

    estimator, X, y, fit_params = CASES[case]
    return clone(estimator), X, y, fit_params


def _assert_same_fit(a, b):
    np.testing.assert_array_equal(a._network.params, b._network.params)
    assert a.loss_curve_ == b.loss_curve_
    assert a.n_iter_ == b.n_iter_
    assert getattr(a, "validation_scores_", None) == getattr(
        b, "validation_scores_", None
    )


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", sorted(CASES))
def test_compiled_epochs_are_the_numpy_epochs_bit_for_bit(
    case, dtype, same_blas, monkeypatch
):
    fits = []
    for compiled in (True, False):
        estimator, X, y, fit_params = _estimator(case)
        X = X.astype(dtype, order="K")
        if "X_val" in fit_params:
            fit_params = {**fit_params, "X_val": fit_params["X_val"].astype(dtype)}
        try:
            fits.append(_fit(estimator, X, y, compiled, monkeypatch, **fit_params))
        except ValueError as error:  # diverged at once
            fits.append(str(error))
    if isinstance(fits[0], str):
        assert fits[0] == fits[1]
    else:
        _assert_same_fit(*fits)


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_case_runs_the_compiled_epoch(case, monkeypatch):
    # else the comparison above would compare the numpy epoch with itself
    reasons = []
    original = sknn._training.numpy_reason

    def spy(*args):
        reasons.append(original(*args))
        return reasons[-1]

    monkeypatch.setattr(sknn._training, "numpy_reason", spy)
    estimator, X, y, fit_params = _estimator(case)
    try:
        _fit(estimator, X, y, True, monkeypatch, **fit_params)
    except ValueError:  # diverged at once
        pass
    assert reasons and set(reasons) == {None}


@pytest.mark.parametrize(
    "options",
    [{}, {"learning_rate_schedule": "cosine", "warmup_fraction": 0.3}],
    ids=["plain", "scheduled"],
)
@pytest.mark.parametrize("incremental", [False, True])
def test_partial_fit_and_warm_start_go_on_bit_for_bit(
    incremental, options, same_blas, monkeypatch
):
    # a schedule goes on from the steps the earlier calls took
    X, y = DIGITS
    fits = []
    for compiled in (True, False):
        estimator = _classifier(max_iter=3, warm_start=not incremental, **options)
        if incremental:
            _fit(estimator, X, y, compiled, monkeypatch, calls=3, classes=np.unique(y))
        else:
            _fit(estimator, X, y, compiled, monkeypatch)
            _fit(estimator, X, y, compiled, monkeypatch)
        fits.append(estimator)
    _assert_same_fit(*fits)
    assert fits[0]._optimizer.t == fits[1]._optimizer.t > 0


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_compiled_epochs_agree_with_numpys_own_blas_to_rounding(dtype, monkeypatch):
    X, y = DIGITS
    X = X.astype(dtype)
    compiled = _fit(_classifier((64,)), X, y, True, monkeypatch)
    plain = _fit(_classifier((64,)), X, y, False, monkeypatch)
    rtol = 1e-4 if dtype == np.float32 else 1e-10
    scale = np.abs(plain._network.params).max()
    np.testing.assert_allclose(
        compiled._network.params, plain._network.params, rtol=0, atol=rtol * scale
    )
    np.testing.assert_allclose(compiled.loss_curve_, plain.loss_curve_, rtol=rtol)


# -- the epoch's arguments: schedule, clipping, smoothing ------------------------


def _parts(optimizer="adam", dtype=np.float64, loss="log_loss", smoothing=None):
    X, y = DIGITS
    X = X.astype(dtype)
    if loss == "log_loss":
        Y = np.eye(10, dtype=bool)[y]
    else:
        Y = np.stack([y % 2, y > 4], axis=1).astype(bool)
    network = Network(
        [64, 20, 12, Y.shape[1]],
        [get_activation("relu"), get_activation("leaky_relu", negative_slope=0.2)],
        get_loss(loss),
        dtype,
    )
    network.initialize(np.random.RandomState(0))
    if optimizer == "adam":
        optimizer = Adam(network.params, 0.01, weight_decay=0.1)
    else:
        optimizer = SGD(network.params, 0.05, momentum=0.8, weight_decay=0.1)
    batches = MiniBatches(X, Y, None, 64, smoothing=smoothing)
    batches.shuffle(np.random.RandomState(0))
    return network, optimizer, batches


@pytest.mark.parametrize("loss", ["log_loss", "binary_log_loss"])
@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_schedule_clipping_and_smoothing_are_the_numpy_steps(
    dtype, optimizer, loss, same_blas
):
    # a cosine schedule with a warm-up over two epochs of 7 steps, clipping
    # to a norm the gradients exceed, and smoothed labels
    def config():
        rate = ScheduledRate(Cosine(final_factor=0.1), 0.3, 14)
        return TrainingConfig(alpha=1e-3, rate=rate, max_grad_norm=0.5)

    smoothing = (0.9, 0.05)
    network, opt, batches = _parts(optimizer, dtype, loss, smoothing)
    assert numpy_reason(network, opt, batches) is None
    run = epoch_runner(network, opt, batches, config())
    compiled = [run(0), run(7)]
    twin, twin_opt, twin_batches = _parts(optimizer, dtype, loss, smoothing)
    twin_config = config()
    plain = [
        one_epoch(
            twin, twin_opt, twin_batches, 1e-3, None, twin_config.rate, first, 0.5
        )
        for first in (0, 7)
    ]
    assert compiled == plain
    np.testing.assert_array_equal(network.params, twin.params)
    for state, twin_state in zip(opt.state_arrays, twin_opt.state_arrays):
        np.testing.assert_array_equal(state, twin_state)


def test_clipping_shrinks_the_steps():
    runs = []
    for max_norm in (None, 1e-3):
        network, optimizer, batches = _parts("sgd")
        optimizer.weight_decay = 0.0
        start = network.params.copy()
        CompiledEpochs(network, optimizer, batches, True).run(0.0, max_norm=max_norm)
        runs.append(np.abs(network.params - start).max())
    assert runs[1] < 0.1 * runs[0]


def test_rate_factors_need_one_per_batch():
    network, optimizer, batches = _parts()
    epochs = CompiledEpochs(network, optimizer, batches, True)
    with pytest.raises(ValueError, match="one factor per batch"):
        epochs.run(0.0, rate_factors=np.ones(3))


def test_shuffled_batches_need_the_buffers():
    network, optimizer, batches = _parts()
    epochs = CompiledEpochs(network, optimizer, batches, shuffled=False)
    with pytest.raises(ValueError, match="need the batch buffers"):
        epochs.run(0.0)


def test_adam_counts_the_steps_of_the_epoch():
    network, optimizer, batches = _parts()
    CompiledEpochs(network, optimizer, batches, True).run(0.0)
    assert optimizer.t == 7  # 400 rows in batches of 64


def test_an_epoch_allocates_nothing():
    network, optimizer, batches = _parts()
    epochs = CompiledEpochs(network, optimizer, batches, True)
    epochs.run(1e-4)
    tracemalloc.start()
    epochs.run(1e-4)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 2048


def test_in_order_batches_are_read_in_place():
    network, optimizer, batches = _parts()
    batches.order = None
    Xs = batches.X
    epochs = CompiledEpochs(network, optimizer, batches, False)
    # no buffer for the rows: only the boolean targets are widened
    tracemalloc.start()
    CompiledEpochs(network, optimizer, batches, False)
    built = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert built < Xs[:64].nbytes
    assert np.isfinite(epochs.run(0.0))


# -- which fits compile, and why the others do not -------------------------------


def _setting(
    activation="relu",
    loss="log_loss",
    dtype=np.float64,
    n_samples=50,
    batch_size=10,
    dropout=0.0,
    optimizer=Adam,
    X=None,
):
    X = np.ones((n_samples, 3), dtype=dtype) if X is None else X
    n_outputs = 2
    network = Network(
        [3, 4, n_outputs], [get_activation(activation)], get_loss(loss), dtype
    )
    if dropout:
        network.set_dropout(dropout, np.random.default_rng(0))
    Y = np.zeros((X.shape[0], n_outputs), dtype=bool)
    batches = MiniBatches(X, Y, None, batch_size)
    return network, optimizer(network.params), batches


@pytest.mark.parametrize("activation", ["relu", "identity", "leaky_relu"])
@pytest.mark.parametrize("loss", ["log_loss", "binary_log_loss", "squared_error"])
@pytest.mark.parametrize("optimizer", [SGD, Adam])
def test_these_settings_compile(activation, loss, optimizer):
    assert numpy_reason(*_setting(activation, loss, optimizer=optimizer)) is None


@pytest.mark.parametrize(
    "setting, reason",
    [
        (dict(activation="tanh"), "tanh activation has no compiled pass"),
        (dict(activation="logistic"), "logistic activation has no compiled pass"),
        (dict(activation="elu"), "elu activation"),
        (dict(activation="gelu"), "gelu activation"),
        (dict(activation="softplus"), "softplus activation"),
        (dict(activation="silu"), "silu activation"),
        (dict(loss="absolute_error"), "absolute_error loss has no compiled"),
        (dict(loss="poisson"), "poisson loss has no compiled"),
        (dict(dropout=0.2), "dropout draws its masks"),
        (
            dict(n_samples=MAX_BATCH_ROWS + 1, batch_size=MAX_BATCH_ROWS + 1),
            "in pieces",
        ),
        (dict(X=sparse.csr_matrix(np.ones((5, 3)))), "sparse input"),
        (dict(X=np.ones((5, 3), dtype=np.float32)), "network's dtype"),
    ],
)
def test_the_others_say_why_they_stay_on_numpy(setting, reason):
    assert reason in numpy_reason(*_setting(**setting))


def test_an_input_layer_stays_on_numpy():
    from sknn._embeddings import InputLayer

    layer = InputLayer(3, 0, [], n_categorical_dims=0)
    network = Network(
        [layer.n_outputs, 4, 2],
        [get_activation("relu")],
        get_loss("log_loss"),
        input_layer=layer,
    )
    batches = MiniBatches(np.ones((5, 3)), np.zeros((5, 2), bool), None, 5)
    reason = numpy_reason(network, Adam(network.params), batches)
    assert "input layer" in reason


def test_label_smoothing_compiles_for_boolean_targets_only():
    network, optimizer, batches = _setting()
    batches.smoothing = (0.9, 0.05)
    assert numpy_reason(network, optimizer, batches) is None
    batches.Y = batches.Y.astype(np.float64)
    assert "boolean targets only" in numpy_reason(network, optimizer, batches)


def test_diagnostics_stay_on_numpy():
    network, optimizer, batches = _setting()
    recorder = DiagnosticsRecorder(network)
    assert "diagnostics" in numpy_reason(network, optimizer, batches, recorder)


def test_a_fit_takes_the_compiled_epoch_where_it_can(monkeypatch):
    built = []
    original = CompiledEpochs.__init__

    def spy(self, *args, **kwargs):
        built.append(True)
        original(self, *args, **kwargs)

    monkeypatch.setattr(CompiledEpochs, "__init__", spy)
    X, y = DIGITS
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _classifier(max_iter=1).fit(X, y)
        assert built == [True]
        _classifier(max_iter=1, activation="tanh").fit(X, y)
    assert built == [True]


# -- memory ------------------------------------------------------------------


def _peak(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tracemalloc.start()
        estimator.fit(X, y)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


@pytest.mark.parametrize("solver", ["sgd", "adam"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_fit_needs_no_more_memory_than_scikit_learns(solver, dtype):
    from sklearn.neural_network import MLPClassifier

    X, y = load_digits(return_X_y=True)
    X = (X / 16).astype(dtype)
    params = dict(hidden_layer_sizes=(100,), solver=solver, max_iter=4, tol=0.0)
    # A first fit in a process fills caches (scikit-learn's, and sknn's
    # BLAS-thread controller): what a fit needs is measured after it.
    for estimator in (MLPClassifier, MLPNeuronClassifier):
        _peak(estimator(random_state=0, **params), X, y)
    ours = _peak(MLPNeuronClassifier(random_state=0, **params), X, y)
    assert ours <= _peak(MLPClassifier(random_state=0, **params), X, y)
