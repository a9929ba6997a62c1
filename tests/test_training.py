"""Tests of the training loop's steps, on a real network and a stand-in estimator."""

import math
from types import SimpleNamespace

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import gen_batches, shuffle

from sknn._losses import get_loss
from sknn._network import Network
from sknn._optimizers import SGD, Adam
from sknn._training import (
    MIN_LEARNING_RATE,
    EpochInfo,
    MiniBatches,
    check_patience,
    fit_lbfgs,
    fit_stochastic,
    print_progress,
    resolve_batch_size,
    run_epoch,
    update_no_improvement_count,
)
from sknn.activations import get_activation


def make_estimator(**params):
    """A stand-in with the hyper-parameters and records the loop uses."""
    defaults = dict(
        max_iter=20,
        shuffle=True,
        alpha=1e-4,
        tol=1e-4,
        n_iter_no_change=10,
        solver="adam",
        learning_rate="constant",
        max_fun=15000,
        t_=0,
        loss_curve_=[],
        best_loss_=np.inf,
        _no_improvement_count=0,
        validation_scores_=None,
        best_validation_score_=None,
    )
    return SimpleNamespace(**{**defaults, **params})


def make_problem(n_samples=90, n_features=5, dtype=np.float64, seed=0, hidden="tanh"):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, n_features)).astype(dtype)
    labels = (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 1)
    Y = np.eye(3, dtype=dtype)[labels]
    network = Network(
        [n_features, 7, 3], [get_activation(hidden)], get_loss("softmax"), dtype
    )
    network.initialize(np.random.RandomState(seed))
    return X, Y, network


# -- batches --------------------------------------------------------------------


def test_resolve_batch_size():
    assert resolve_batch_size("auto", 1000) == 200
    assert resolve_batch_size("auto", 50) == 50
    assert resolve_batch_size(32, 50) == 32
    with pytest.warns(UserWarning, match="clipped to 50"):
        assert resolve_batch_size(64, 50) == 50


def test_batches_in_order_are_views_of_the_data():
    X, Y, _ = make_problem(n_samples=25)
    weights = np.arange(25.0)
    batches = list(MiniBatches(X, Y, weights, batch_size=10))
    assert [len(b[0]) for b in batches] == [10, 10, 5]
    for (X_batch, Y_batch, w_batch), rows in zip(batches, gen_batches(25, 10)):
        assert np.shares_memory(X_batch, X) and np.shares_memory(Y_batch, Y)
        assert np.shares_memory(w_batch, weights)
        assert_array_equal(X_batch, X[rows])


def test_shuffled_batches_reuse_one_buffer():
    X, Y, _ = make_problem(n_samples=25)
    weights = np.arange(25.0)
    batches = MiniBatches(X, Y, weights, batch_size=10)
    batches.shuffle(np.random.RandomState(0))
    seen, buffers = [], []
    for X_batch, Y_batch, w_batch in batches:
        assert not np.shares_memory(X_batch, X)
        buffers.append((X_batch, Y_batch, w_batch))
        seen.extend(w_batch.astype(int))
        rows = w_batch.astype(int)
        assert_array_equal(X_batch, X[rows])
        assert_array_equal(Y_batch, Y[rows])
    assert sorted(seen) == list(range(25))  # every sample exactly once
    first, last = buffers[0], buffers[-1]
    for a, b in zip(first, last):
        # The short last batch is the leading rows of the same buffer.
        assert np.shares_memory(a, b)
        assert a.ctypes.data == b.ctypes.data
    # A second epoch allocates nothing new.
    batches.shuffle(np.random.RandomState(1))
    again = next(iter(batches))
    assert again[0].ctypes.data == first[0].ctypes.data


def test_boolean_targets_are_widened_into_one_buffer():
    X, Y, _ = make_problem(n_samples=25, dtype=np.float32)
    compact = Y.astype(bool)
    for shuffled in (False, True):
        batches = MiniBatches(X, compact, None, batch_size=10)
        if shuffled:
            batches.shuffle(np.random.RandomState(0))
        order = np.arange(25) if batches.order is None else batches.order
        targets, addresses = [], set()
        for _, Y_batch, _ in batches:
            assert Y_batch.dtype == np.float32
            addresses.add(Y_batch.ctypes.data)
            targets.append(Y_batch.copy())
        assert_array_equal(np.vstack(targets), Y[order])
        assert len(addresses) == 1


def test_shuffled_order_is_sklearns():
    # MLPClassifier re-shuffles its running index array with
    # sklearn.utils.shuffle each epoch; the same draws give the same order.
    n = 37
    ours, theirs = np.random.RandomState(5), np.random.RandomState(5)
    X, Y, _ = make_problem(n_samples=n)
    batches = MiniBatches(X, Y, None, batch_size=8)
    order = np.arange(n)
    for _ in range(3):
        batches.shuffle(ours)
        order = shuffle(order, random_state=theirs)
        assert_array_equal(batches.order, order)


def test_csr_batches_hold_the_right_rows():
    X, Y, _ = make_problem(n_samples=20)
    X[np.abs(X) < 0.7] = 0
    batches = MiniBatches(sparse.csr_matrix(X), Y, None, batch_size=6)
    batches.shuffle(np.random.RandomState(0))
    stacked = np.vstack([b[0].toarray() for b in batches])
    assert_array_equal(stacked, X[batches.order])


# -- one epoch ------------------------------------------------------------------


def test_run_epoch_returns_the_sample_weighted_mean_of_batch_losses():
    X, Y, network = make_problem(n_samples=25)
    reference = Network(
        network.layer_sizes, network.activations, network.loss, network.dtype
    )
    reference.params[...] = network.params
    optimizer = SGD(network.params, learning_rate_init=0.0, momentum=0.0)
    loss = run_epoch(network, optimizer, MiniBatches(X, Y, None, 10), alpha=0.0)
    # With a zero learning rate nothing moves, so the epoch loss is the
    # mean loss of the whole data.
    assert loss == pytest.approx(reference.loss_and_gradient(X, Y), rel=1e-12)


def test_run_epoch_steps_once_per_batch():
    X, Y, network = make_problem(n_samples=25)
    optimizer = Adam(network.params)
    run_epoch(network, optimizer, MiniBatches(X, Y, None, 10), alpha=0.0)
    assert optimizer.t == 3


def test_run_epoch_stops_at_a_non_finite_loss():
    X, Y, network = make_problem(n_samples=30, hidden="relu")
    X[15] = 1e308  # overflows in the first product
    optimizer = Adam(network.params)
    loss = run_epoch(network, optimizer, MiniBatches(X, Y, None, 10), alpha=0.0)
    assert not math.isfinite(loss)
    assert optimizer.t == 1  # the batch with the bad row took no step


# -- stopping rules -------------------------------------------------------------


def test_no_improvement_count_on_the_training_loss():
    est = make_estimator(tol=0.1)
    counts = []
    for loss in [1.0, 0.95, 0.5, 0.45, 0.6, 0.2]:
        est.loss_curve_.append(loss)
        assert update_no_improvement_count(est) is False
        counts.append(est._no_improvement_count)
    assert counts == [0, 1, 0, 1, 2, 0]
    assert est.best_loss_ == 0.2


def test_no_improvement_count_on_the_validation_score():
    est = make_estimator(
        tol=0.05, validation_scores_=[], best_validation_score_=-np.inf
    )
    news, counts = [], []
    for score in [0.5, 0.52, 0.6, 0.6, 0.58, 0.7]:
        news.append(update_no_improvement_count(est, score))
        counts.append(est._no_improvement_count)
    assert news == [True, True, True, False, False, True]
    assert counts == [0, 1, 0, 1, 2, 0]
    assert est.validation_scores_ == [0.5, 0.52, 0.6, 0.6, 0.58, 0.7]
    assert est.best_validation_score_ == 0.7


def test_patience_stops_or_divides_the_adaptive_rate():
    optimizer = SGD(np.zeros(3), learning_rate_init=0.1)
    est = make_estimator(n_iter_no_change=2, _no_improvement_count=2)
    assert check_patience(est, optimizer, False) == (False, None)

    est._no_improvement_count = 3
    stop, message = check_patience(est, optimizer, False)
    assert stop and message.startswith("Training loss did not improve")
    assert message.endswith("Stopping.")

    est = make_estimator(
        solver="sgd",
        learning_rate="adaptive",
        n_iter_no_change=2,
        _no_improvement_count=3,
    )
    stop, message = check_patience(est, optimizer, True)
    assert not stop and est._no_improvement_count == 0
    assert optimizer.learning_rate == pytest.approx(0.02)
    assert message.startswith("Validation score") and "0.020000" in message

    optimizer.learning_rate = MIN_LEARNING_RATE
    est._no_improvement_count = 3
    stop, message = check_patience(est, optimizer, False)
    assert stop and message.endswith("Learning rate too small. Stopping.")


# -- the stochastic loop ---------------------------------------------------------


def test_fit_stochastic_records_progress_and_calls_the_hook():
    X, Y, network = make_problem()
    est = make_estimator(max_iter=4)
    infos = []
    with pytest.warns(ConvergenceWarning, match=r"maximum number of iterations \(4\)"):
        fit_stochastic(
            est,
            network,
            Adam(network.params, learning_rate_init=0.01),
            MiniBatches(X, Y, None, 32),
            np.random.RandomState(0),
            on_epoch_end=lambda est, info: infos.append(info),
        )
    assert est.n_iter_ == 4 and est.t_ == 4 * 90
    assert [info.epoch for info in infos] == [1, 2, 3, 4]
    assert [info.loss for info in infos] == est.loss_curve_
    assert est.loss_ == est.loss_curve_[-1]
    assert est.loss_curve_[-1] < est.loss_curve_[0]
    assert all(info.validation_score is None for info in infos)
    assert all(
        b >= a
        for a, b in zip([i.elapsed for i in infos], [i.elapsed for i in infos][1:])
    )


def test_the_hook_can_stop_training():
    X, Y, network = make_problem()
    est = make_estimator(max_iter=50)
    fit_stochastic(
        est,
        network,
        Adam(network.params),
        MiniBatches(X, Y, None, 32),
        np.random.RandomState(0),
        on_epoch_end=lambda est, info: info.epoch == 3,
    )
    assert est.n_iter_ == 3


def test_incremental_runs_one_epoch():
    X, Y, network = make_problem()
    est = make_estimator(max_iter=50)
    fit_stochastic(
        est,
        network,
        Adam(network.params),
        MiniBatches(X, Y, None, 32),
        np.random.RandomState(0),
        incremental=True,
    )
    assert est.n_iter_ == 1 and len(est.loss_curve_) == 1


def test_validation_keeps_the_best_weights():
    X, Y, network = make_problem()
    snapshots = []
    scores = iter([0.5, 0.8, 0.7, 0.6, 0.75])

    def validation():
        snapshots.append(network.params.copy())
        return next(scores)

    est = make_estimator(
        max_iter=5,
        validation_scores_=[],
        best_validation_score_=-np.inf,
        _best_params=network.params.copy(),
    )
    with pytest.warns(ConvergenceWarning):
        fit_stochastic(
            est,
            network,
            Adam(network.params, learning_rate_init=0.01),
            MiniBatches(X, Y, None, 32),
            np.random.RandomState(0),
            validation=validation,
        )
    assert est.validation_scores_ == [0.5, 0.8, 0.7, 0.6, 0.75]
    assert_array_equal(network.params, snapshots[1])
    assert not np.array_equal(network.params, snapshots[-1])


def test_divergence_restores_the_last_finite_weights():
    X, Y, network = make_problem(hidden="relu")
    X *= 1e40
    kept = []
    est = make_estimator(max_iter=30, solver="sgd")
    with pytest.warns(ConvergenceWarning, match="diverged") as record:
        fit_stochastic(
            est,
            network,
            SGD(network.params, learning_rate_init=10.0),
            MiniBatches(X, Y, None, 32),
            np.random.RandomState(0),
            on_epoch_end=lambda est, info: kept.append(network.params.copy()),
        )
    assert "Scale the input" in str(record[0].message)
    assert 0 < est.n_iter_ < 30 and len(kept) == est.n_iter_
    assert np.isfinite(network.params).all()
    assert_array_equal(network.params, kept[-1])


def test_print_progress(capsys):
    print_progress(None, EpochInfo(3, 0.123456789, None, 1.5))
    print_progress(None, EpochInfo(4, 0.1, 0.75, 2.0, "Stopping."))
    assert capsys.readouterr().out.splitlines() == [
        "Iteration 3, loss = 0.12345679, time = 1.50s",
        "Iteration 4, loss = 0.10000000, time = 2.00s",
        "Validation score: 0.750000",
        "Stopping.",
    ]


# -- L-BFGS -------------------------------------------------------------------------


def test_fit_lbfgs_minimises_in_the_parameter_buffer():
    X, Y, network = make_problem()
    params = network.params
    start_loss = network.loss_and_gradient(X, Y)
    est = make_estimator(max_iter=200, tol=1e-6)
    infos = []
    fit_lbfgs(est, network, X, Y, on_epoch_end=lambda est, info: infos.append(info))
    assert network.params is params
    assert est.loss_ < start_loss / 5
    assert est.n_iter_ == len(infos) > 5
    # The network holds the optimum, and the reported loss is its loss.
    assert network.loss_and_gradient(X, Y, alpha=est.alpha) == pytest.approx(est.loss_)
    assert_allclose([i.epoch for i in infos], np.arange(1, len(infos) + 1))


def test_fit_lbfgs_honours_max_fun_and_max_iter():
    X, Y, network = make_problem()
    calls = []
    evaluate = network.loss_and_gradient

    def counted(*args, **kwargs):
        calls.append(1)
        return evaluate(*args, **kwargs)

    network.loss_and_gradient = counted
    est = make_estimator(max_fun=10)
    with pytest.warns(ConvergenceWarning, match="lbfgs failed to converge"):
        fit_lbfgs(est, network, X, Y)
    assert 10 <= len(calls) <= 12  # scipy checks the budget between line searches

    X, Y, network = make_problem()
    est = make_estimator(max_iter=3)
    with pytest.warns(ConvergenceWarning, match="after 3 iteration"):
        fit_lbfgs(est, network, X, Y)
    assert est.n_iter_ == 3


def test_fit_lbfgs_hook_can_stop_the_search():
    X, Y, network = make_problem()
    est = make_estimator(max_iter=100)
    fit_lbfgs(est, network, X, Y, on_epoch_end=lambda est, info: info.epoch == 4)
    assert est.n_iter_ == 4
    assert np.isfinite(network.params).all()


def test_fit_lbfgs_keeps_float32():
    X, Y, network = make_problem(dtype=np.float32)
    est = make_estimator(max_iter=20)
    with pytest.warns(ConvergenceWarning):
        fit_lbfgs(est, network, X, Y)
    assert network.params.dtype == np.float32 and np.isfinite(est.loss_)
