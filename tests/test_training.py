"""Tests of the training loop's steps, on a real network with no estimator."""

import math
import tracemalloc

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import gen_batches, shuffle

from sknn._batches import MiniBatches, resolve_batch_size
from sknn._divergence import Snapshots, keep_finite_weights
from sknn._history import EpochInfo, History, TrainingConfig, print_progress
from sknn._lbfgs import minimize_lbfgs
from sknn._losses import get_loss
from sknn._network import Network
from sknn._optimizers import SGD, Adam
from sknn._training import minimize_stochastic, one_epoch
from sknn.activations import get_activation


def make_config(**params):
    """The loop's hyper-parameters: scikit-learn's defaults, fewer epochs."""
    return TrainingConfig(**{"max_iter": 20, **params})


def make_problem(n_samples=90, n_features=5, dtype=np.float64, seed=0, hidden="tanh"):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, n_features)).astype(dtype)
    labels = (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 1)
    Y = np.eye(3, dtype=dtype)[labels]
    network = Network(
        [n_features, 7, 3], [get_activation(hidden)], get_loss("log_loss"), dtype
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
    loss = one_epoch(network, optimizer, MiniBatches(X, Y, None, 10), alpha=0.0)
    # With a zero learning rate nothing moves, so the epoch loss is the
    # mean loss of the whole data.
    assert loss == pytest.approx(reference.loss_and_gradient(X, Y), rel=1e-12)


def test_run_epoch_steps_once_per_batch():
    X, Y, network = make_problem(n_samples=25)
    optimizer = Adam(network.params)
    one_epoch(network, optimizer, MiniBatches(X, Y, None, 10), alpha=0.0)
    assert optimizer.t == 3


def test_run_epoch_stops_at_a_non_finite_loss():
    X, Y, network = make_problem(n_samples=30, hidden="relu")
    X[15] = 1e308  # overflows in the first product
    optimizer = Adam(network.params)
    loss = one_epoch(network, optimizer, MiniBatches(X, Y, None, 10), alpha=0.0)
    assert not math.isfinite(loss)
    assert optimizer.t == 1  # the batch with the bad row took no step


def test_a_history_gains_only_the_records_it_lacks():
    params = np.arange(3.0)
    history = History()
    history.prepare_stochastic(False, params)
    assert history.best_loss == np.inf and history.validation_scores is None
    history.best_loss = 0.5
    history.prepare_stochastic(False, params)
    assert history.best_loss == 0.5
    history.prepare_stochastic(True, params)
    assert history.best_loss is None and history.validation_scores == []
    assert history.best_validation_score == -np.inf
    assert_array_equal(history.best_params, params)
    assert not np.shares_memory(history.best_params, params)


# -- the stochastic loop ---------------------------------------------------------


def test_fit_stochastic_records_progress_and_calls_the_hook():
    X, Y, network = make_problem()
    infos = []
    with pytest.warns(ConvergenceWarning, match=r"maximum number of iterations \(4\)"):
        history = minimize_stochastic(
            network,
            Adam(network.params, learning_rate_init=0.01),
            MiniBatches(X, Y, None, 32),
            make_config(max_iter=4),
            History(),
            np.random.RandomState(0),
            on_epoch_end=infos.append,
        )
    assert history.n_iter == 4 and history.t == 4 * 90
    assert [info.epoch for info in infos] == [1, 2, 3, 4]
    assert [info.loss for info in infos] == history.loss_curve
    assert history.loss == history.loss_curve[-1]
    assert history.loss_curve[-1] < history.loss_curve[0]
    assert history.best_loss == min(history.loss_curve)
    assert all(info.validation_score is None for info in infos)
    assert all(
        b >= a
        for a, b in zip([i.elapsed for i in infos], [i.elapsed for i in infos][1:])
    )


def test_a_history_continues_where_it_stopped():
    X, Y, network = make_problem()
    optimizer = Adam(network.params, learning_rate_init=0.01)
    batches = MiniBatches(X, Y, None, 32)
    history = History()
    for _ in range(3):
        minimize_stochastic(
            network,
            optimizer,
            batches,
            make_config(),
            history,
            np.random.RandomState(0),
            incremental=True,
        )
    assert history.n_iter == 1 and history.t == 3 * 90
    assert len(history.loss_curve) == 3


def test_the_hook_can_stop_training():
    X, Y, network = make_problem()
    history = minimize_stochastic(
        network,
        Adam(network.params),
        MiniBatches(X, Y, None, 32),
        make_config(max_iter=50),
        History(),
        np.random.RandomState(0),
        on_epoch_end=lambda info: info.epoch == 3,
    )
    assert history.n_iter == 3


def test_incremental_runs_one_epoch():
    X, Y, network = make_problem()
    history = minimize_stochastic(
        network,
        Adam(network.params),
        MiniBatches(X, Y, None, 32),
        make_config(max_iter=50),
        History(),
        np.random.RandomState(0),
        incremental=True,
    )
    assert history.n_iter == 1 and len(history.loss_curve) == 1


def test_validation_keeps_the_best_weights():
    X, Y, network = make_problem()
    snapshots = []
    scores = iter([0.5, 0.8, 0.7, 0.6, 0.75])

    def validation():
        snapshots.append(network.params.copy())
        score = next(scores)
        return score, 1 - score  # the score, and a validation loss

    with pytest.warns(ConvergenceWarning):
        history = minimize_stochastic(
            network,
            Adam(network.params, learning_rate_init=0.01),
            MiniBatches(X, Y, None, 32),
            make_config(max_iter=5),
            History(),
            np.random.RandomState(0),
            validation=validation,
        )
    assert history.validation_scores == [0.5, 0.8, 0.7, 0.6, 0.75]
    assert history.validation_losses == pytest.approx([0.5, 0.2, 0.3, 0.4, 0.25])
    assert history.best_validation_score == 0.8 and history.best_loss is None
    assert_array_equal(network.params, snapshots[1])
    assert not np.array_equal(network.params, snapshots[-1])


def test_divergence_restores_the_last_finite_weights():
    X, Y, network = make_problem(hidden="relu")
    X *= 1e40
    kept = []
    with pytest.warns(ConvergenceWarning, match="diverged") as record:
        history = minimize_stochastic(
            network,
            SGD(network.params, learning_rate_init=10.0),
            MiniBatches(X, Y, None, 32),
            make_config(max_iter=30),
            History(),
            np.random.RandomState(0),
            on_epoch_end=lambda info: kept.append(network.params.copy()),
        )
    assert "Scale the input" in str(record[0].message)
    assert 0 < history.n_iter < 30 and len(kept) == history.n_iter
    assert np.isfinite(network.params).all()
    assert_array_equal(network.params, kept[-1])


def test_print_progress(capsys):
    print_progress(EpochInfo(3, 0.123456789, None, 1.5))
    print_progress(EpochInfo(4, 0.1, 0.75, 2.0, "Stopping."))
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
    config = make_config(max_iter=200, tol=1e-6)
    infos = []
    history = minimize_lbfgs(
        network, X, Y, config, History(), on_epoch_end=infos.append
    )
    assert network.params is params
    assert history.loss < start_loss / 5
    assert history.n_iter == len(infos) > 5
    # The network holds the optimum, and the reported loss is its loss.
    loss = network.loss_and_gradient(X, Y, alpha=config.alpha)
    assert loss == pytest.approx(history.loss)
    assert_allclose([i.epoch for i in infos], np.arange(1, len(infos) + 1))
    # one loss per iteration, the accepted point's
    assert history.loss_curve == [info.loss for info in infos]
    assert history.loss_curve[-1] == pytest.approx(history.loss)


def test_fit_lbfgs_honours_max_fun_and_max_iter():
    X, Y, network = make_problem()
    calls = []
    evaluate = network.loss_and_gradient

    def counted(*args, **kwargs):
        calls.append(1)
        return evaluate(*args, **kwargs)

    network.loss_and_gradient = counted
    with pytest.warns(ConvergenceWarning, match="lbfgs failed to converge"):
        minimize_lbfgs(network, X, Y, make_config(max_fun=10), History())
    assert 10 <= len(calls) <= 12  # scipy checks the budget between line searches

    X, Y, network = make_problem()
    with pytest.warns(ConvergenceWarning, match="after 3 iteration"):
        history = minimize_lbfgs(network, X, Y, make_config(max_iter=3), History())
    assert history.n_iter == 3 == len(history.loss_curve)


def test_fit_lbfgs_hook_can_stop_the_search():
    X, Y, network = make_problem()
    history = minimize_lbfgs(
        network,
        X,
        Y,
        make_config(max_iter=100),
        History(),
        on_epoch_end=lambda info: info.epoch == 4,
    )
    assert history.n_iter == 4
    assert np.isfinite(network.params).all()


def test_fit_lbfgs_keeps_float32():
    X, Y, network = make_problem(dtype=np.float32)
    with pytest.warns(ConvergenceWarning):
        history = minimize_lbfgs(network, X, Y, make_config(), History())
    assert network.params.dtype == np.float32 and np.isfinite(history.loss)


@pytest.mark.parametrize("keep_start", [True, False])
def test_snapshots_offer_the_last_two_epochs_then_the_start(keep_start):
    params = np.zeros(3)
    snapshots = Snapshots(params, keep_start)
    assert snapshots.candidates() == []
    for value in range(1, 5):
        snapshots.remember(np.full(3, float(value)))
        firsts = [candidate[0] for candidate in snapshots.candidates()]
        # newest first; the call's start (1) last once it is not among them,
        # where it is kept
        start = [1] if keep_start else []
        expected = {1: [1], 2: [2, 1], 3: [3, 2, *start], 4: [4, 3, *start]}
        assert firsts == expected[value]


@pytest.mark.parametrize("warm", [False, True])
def test_only_a_continued_fit_keeps_its_start_among_the_fallbacks(warm, monkeypatch):
    made = []
    original = Snapshots.__init__

    def spy(self, params, keep_start=True):
        made.append(keep_start)
        original(self, params, keep_start)

    monkeypatch.setattr(Snapshots, "__init__", spy)
    X, Y, network = make_problem()
    history = History()
    config = make_config(max_iter=2)
    for _ in range(2 if warm else 1):
        with pytest.warns(ConvergenceWarning):
            minimize_stochastic(
                network,
                Adam(network.params),
                MiniBatches(X, Y, None, 30),
                config,
                history,
                np.random.RandomState(0),
            )
    assert made == ([False, True] if warm else [False])


def test_keep_finite_weights_takes_the_first_finite_candidate():
    network = Network([1, 1], [], get_loss("squared_error"))
    X = np.array([[1e300]])
    huge, small = np.array([1e10, 0.0]), np.array([2.0, 1.0])
    keep_finite_weights(network, X, [huge, small, np.zeros(2)])
    np.testing.assert_array_equal(network.params, small)
    with pytest.raises(ValueError, match="Scale the input"):
        keep_finite_weights(network, X, [huge])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_epochs_finiteness_check_makes_no_copy(dtype):
    from sknn._divergence import all_finite

    params = np.linspace(-1e30, 1e30, 100_000).astype(dtype)
    tracemalloc.start()
    assert all_finite(params)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 1000
    for bad in (np.nan, np.inf, -np.inf):
        for where in (0, 50_000, -1):
            broken = params.copy()
            broken[where] = bad
            assert not all_finite(broken)


def test_the_epochs_run_with_one_blas_thread():
    from threadpoolctl import threadpool_info, threadpool_limits

    def blas_threads():
        return [
            pool["num_threads"]
            for pool in threadpool_info()
            if pool["user_api"] == "blas"
        ]

    X, Y, network = make_problem(hidden="relu")
    seen = []
    with threadpool_limits(2, user_api="blas"):
        with pytest.warns(ConvergenceWarning):
            minimize_stochastic(
                network,
                Adam(network.params),
                MiniBatches(X, Y, None, 30),
                make_config(max_iter=2),
                History(),
                np.random.RandomState(0),
                on_epoch_end=lambda info: seen.append(blas_threads()),
            )
        after = blas_threads()
    assert seen and all(counts and set(counts) == {1} for counts in seen)
    assert set(after) == {2}
