"""Tests for sknn._network: layout, initialisation, gradients, workspaces, parity."""

import pickle
import tracemalloc
from types import SimpleNamespace

import numpy as np
import pytest
from scipy import sparse
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.neural_network._multilayer_perceptron import _pack

import sknn._network
from sknn._losses import get_loss
from sknn._network import Network, _largest_column_abs_sum
from sknn.activations import ACTIVATIONS, get_activation

DIFFERENTIABLE = sorted(name for name in ACTIVATIONS if name != "step")
SKLEARN_ACTIVATIONS = ["identity", "logistic", "relu", "tanh"]
OUTPUTS = {
    # kind: (loss, number of output columns)
    "binary": ("binary_log_loss", 1),
    "multiclass": ("log_loss", 3),
    "multilabel": ("binary_log_loss", 3),
    "squared-1": ("squared_error", 1),
    "squared-3": ("squared_error", 3),
    "absolute-1": ("absolute_error", 1),
    "absolute-3": ("absolute_error", 3),
    "poisson-1": ("poisson", 1),
    "poisson-2": ("poisson", 2),
}
SKLEARN_KINDS = ["binary", "multiclass", "multilabel", "squared-1", "poisson-2"]
"""The kinds whose loss and gradient are scikit-learn's exactly (its squared
error back-propagates the sum over several outputs, not their mean)."""


def _targets(kind, n_samples, rng):
    loss, n_outputs = OUTPUTS[kind]
    if kind == "multiclass":
        return np.eye(n_outputs)[rng.randint(n_outputs, size=n_samples)]
    if loss == "poisson":
        return rng.poisson(1.5, size=(n_samples, n_outputs)).astype(float)
    if loss.endswith("_error"):
        return rng.randn(n_samples, n_outputs)
    return (rng.rand(n_samples, n_outputs) < 0.5).astype(float)


def _network(activation, kind, sizes=(3, 4, 3), dtype=np.float64, seed=0):
    loss, n_outputs = OUTPUTS[kind]
    activations = [get_activation(activation) for _ in sizes[1:]]
    net = Network([*sizes, n_outputs], activations, get_loss(loss), dtype)
    net.initialize(np.random.RandomState(seed))
    return net


def _batch(net, kind, n_samples=6, is_sparse=False, seed=1):
    rng = np.random.RandomState(seed)
    X = rng.randn(n_samples, net.layer_sizes[0])
    if is_sparse:
        X[rng.rand(*X.shape) < 0.4] = 0.0
        X = sparse.csr_matrix(X)
    return X, _targets(kind, n_samples, rng), rng.rand(n_samples) + 0.5


def _sklearn_backprop(net, activation, X, Y, sample_weight, alpha):
    """Loss and packed gradient from scikit-learn's MLP for ``net``'s weights."""
    sizes = net.layer_sizes[1:-1]
    if net.loss.name in ("squared_error", "poisson"):
        mlp = MLPRegressor(
            net.loss.name, hidden_layer_sizes=sizes, activation=activation, alpha=alpha
        )
    else:
        mlp = MLPClassifier(
            hidden_layer_sizes=sizes, activation=activation, alpha=alpha
        )
    mlp.coefs_ = [coef.copy() for coef in net.coefs]
    mlp.intercepts_ = [intercept.copy() for intercept in net.intercepts]
    mlp.n_layers_ = net.n_layers
    mlp.n_outputs_ = net.layer_sizes[-1]
    mlp.out_activation_ = net.loss.out_activation
    n_hidden = net.n_layers - 1
    loss, coef_grads, intercept_grads = mlp._backprop(
        X,
        Y,
        sample_weight,
        [X] + [None] * n_hidden,
        [None] * n_hidden,
        [np.empty_like(coef) for coef in net.coefs],
        [np.empty_like(intercept) for intercept in net.intercepts],
    )
    return loss, _pack(coef_grads, intercept_grads)


def _numeric_gradient(net, X, Y, sample_weight, alpha, h=1e-6):
    gradient = np.empty_like(net.params)
    for j in range(net.params.size):
        kept = net.params[j]
        net.params[j] = kept + h
        up = net.loss_and_gradient(X, Y, sample_weight, alpha)
        net.params[j] = kept - h
        down = net.loss_and_gradient(X, Y, sample_weight, alpha)
        net.params[j] = kept
        gradient[j] = (up - down) / (2 * h)
    return gradient


# -- layout -------------------------------------------------------------------


def test_params_are_one_buffer_in_sklearns_pack_order():
    net = _network("relu", "multiclass", sizes=(5, 4, 2))
    assert net.params.flags.c_contiguous and net.params.ndim == 1
    assert net.n_params == 5 * 4 + 4 * 2 + 2 * 3 + 4 + 2 + 3
    assert net.n_coef_params == 5 * 4 + 4 * 2 + 2 * 3
    assert net.n_layers == 4
    np.testing.assert_array_equal(net.params, _pack(net.coefs, net.intercepts))
    for view in net.coefs + net.intercepts:
        assert np.shares_memory(view, net.params)
    for view in net.coef_grads + net.intercept_grads:
        assert np.shares_memory(view, net.grads)
    assert [coef.shape for coef in net.coefs] == [(5, 4), (4, 2), (2, 3)]
    assert [b.shape for b in net.intercepts] == [(4,), (2,), (3,)]
    net.params[:] = 0
    assert not any(view.any() for view in net.coefs + net.intercepts)


def test_weights_are_the_first_n_coef_params():
    net = _network("relu", "multiclass")
    net.params[net.n_coef_params :] = 0
    assert all(coef.any() for coef in net.coefs)
    assert not any(intercept.any() for intercept in net.intercepts)


def test_repr_reads_like_the_architecture():
    net = Network(
        [784, 256, 128, 10],
        [get_activation("relu"), get_activation("tanh")],
        get_loss("log_loss"),
    )
    assert repr(net) == "Network(784 -> 256 relu -> 128 tanh -> 10 softmax)"
    assert repr(Network([4, 1], [], get_loss("binary_log_loss"))) == (
        "Network(4 -> 1 logistic)"
    )


def test_bad_construction_is_explained():
    with pytest.raises(ValueError, match="2 hidden layers need as many activations"):
        Network([3, 4, 4, 1], [get_activation("relu")], get_loss("binary_log_loss"))
    with pytest.raises(ValueError, match="at least the input and output"):
        Network([3], [], get_loss("binary_log_loss"))
    with pytest.raises(ValueError, match="float64 or float32"):
        Network([3, 1], [], get_loss("binary_log_loss"), dtype=np.int64)


# -- initialisation ------------------------------------------------------------


@pytest.mark.parametrize("activation", ["relu", "logistic"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_initialize_draws_sklearns_weights(activation, dtype):
    sizes = [6, 5, 4, 3]
    mlp = MLPClassifier(hidden_layer_sizes=sizes[1:-1], activation=activation)
    mlp._random_state = np.random.RandomState(42)
    mlp._label_binarizer = SimpleNamespace(y_type_="multiclass")
    mlp._initialize(np.zeros((1, sizes[-1])), sizes, dtype)

    acts = [get_activation(activation)] * 2
    net = Network(sizes, acts, get_loss("log_loss"), dtype=dtype)
    net.initialize(np.random.RandomState(42))
    for ours, theirs in zip(net.coefs + net.intercepts, mlp.coefs_ + mlp.intercepts_):
        assert ours.dtype == dtype
        np.testing.assert_array_equal(ours, theirs)


def test_initialize_accepts_a_seed_and_uses_glorot_bounds():
    net = _network("tanh", "multiclass", sizes=(30, 20))
    net.initialize(0)
    again = _network("tanh", "multiclass", sizes=(30, 20))
    again.initialize(0)
    np.testing.assert_array_equal(net.params, again.params)
    bound = np.sqrt(6 / 50)
    assert np.abs(net.coefs[0]).max() <= bound
    assert np.abs(net.coefs[0]).max() > 0.9 * bound


def test_logistic_layers_get_the_narrower_bound():
    net = _network("logistic", "multiclass", sizes=(30, 20))
    assert np.abs(net.coefs[0]).max() <= np.sqrt(2 / 50)


# -- gradients -----------------------------------------------------------------


@pytest.mark.parametrize("is_sparse", [False, True], ids=["dense", "sparse"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("kind", list(OUTPUTS))
@pytest.mark.parametrize("activation", DIFFERENTIABLE)
def test_gradient_matches_central_differences(activation, kind, weighted, is_sparse):
    net = _network(activation, kind)
    X, Y, sample_weight = _batch(net, kind, is_sparse=is_sparse)
    sample_weight = sample_weight if weighted else None
    alpha = 0.3
    net.loss_and_gradient(X, Y, sample_weight, alpha)
    analytic = net.grads.copy()
    numeric = _numeric_gradient(net, X, Y, sample_weight, alpha)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("is_sparse", [False, True], ids=["dense", "sparse"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("kind", SKLEARN_KINDS)
@pytest.mark.parametrize("activation", SKLEARN_ACTIVATIONS)
def test_loss_and_gradient_equal_sklearns_backprop(
    activation, kind, weighted, is_sparse
):
    net = _network(activation, kind, sizes=(5, 7, 4))
    X, Y, sample_weight = _batch(net, kind, n_samples=11, is_sparse=is_sparse)
    sample_weight = sample_weight if weighted else None
    alpha = 0.05
    expected_loss, expected_grads = _sklearn_backprop(
        net, activation, X, Y, sample_weight, alpha
    )
    loss = net.loss_and_gradient(X, Y, sample_weight, alpha)
    assert loss == pytest.approx(expected_loss, rel=1e-10, abs=1e-12)
    np.testing.assert_allclose(net.grads, expected_grads, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("kind", ["binary", "multiclass", "multilabel"])
def test_boolean_targets_give_the_same_loss_and_gradient(kind):
    net = _network("relu", kind)
    X, Y, sample_weight = _batch(net, kind)
    expected = net.loss_and_gradient(X, Y, sample_weight, alpha=0.1)
    grads = net.grads.copy()
    assert net.loss_and_gradient(X, Y.astype(bool), sample_weight, 0.1) == expected
    np.testing.assert_array_equal(net.grads, grads)


def test_network_without_hidden_layers_matches_sklearn():
    net = Network([4, 3], [], get_loss("log_loss"))
    net.initialize(0)
    X, Y, sample_weight = _batch(net, "multiclass")
    expected_loss, expected_grads = _sklearn_backprop(
        net, "relu", X, Y, sample_weight, 0.1
    )
    assert net.loss_and_gradient(X, Y, sample_weight, 0.1) == pytest.approx(
        expected_loss, rel=1e-10
    )
    np.testing.assert_allclose(net.grads, expected_grads, rtol=1e-10)


@pytest.mark.parametrize("layout", ["fortran", "strided"])
def test_any_memory_layout_of_X_gives_the_same_gradient(layout):
    net = _network("tanh", "multilabel")
    X, Y, sample_weight = _batch(net, "multilabel", n_samples=8)
    expected_loss = net.loss_and_gradient(X, Y, sample_weight, alpha=0.2)
    expected = net.grads.copy()
    if layout == "fortran":
        other = np.asfortranarray(X)
    else:
        other = np.repeat(X, 2, axis=1)[:, ::2]
    assert net.loss_and_gradient(other, Y, sample_weight, alpha=0.2) == pytest.approx(
        expected_loss, rel=1e-12
    )
    np.testing.assert_allclose(net.grads, expected, rtol=1e-12)


def test_the_penalty_is_half_alpha_times_the_squared_weights():
    # 170 x 130 weights: the decay is added in several cache-sized pieces
    net = _network("relu", "multiclass", sizes=(170, 130, 3))
    assert net.coefs[0].size > sknn._network._CHUNK
    X, Y, _ = _batch(net, "multiclass")
    plain = net.loss_and_gradient(X, Y)
    plain_grads = net.grads.copy()
    penalised = net.loss_and_gradient(X, Y, alpha=0.7)
    squares = sum(float((coef**2).sum()) for coef in net.coefs)
    assert penalised - plain == pytest.approx(0.5 * 0.7 * squares / len(X))
    decay = net.grads - plain_grads
    np.testing.assert_allclose(
        decay[: net.n_coef_params], 0.7 * net.params[: net.n_coef_params] / len(X)
    )
    assert not decay[net.n_coef_params :].any()


def test_sample_weights_average_rather_than_sum():
    net = _network("tanh", "multiclass")
    X, Y, sample_weight = _batch(net, "multiclass")
    # (the penalty is divided by the weight sum, so it is left out here)
    loss = net.loss_and_gradient(X, Y, sample_weight)
    grads = net.grads.copy()
    assert net.loss_and_gradient(X, Y, 3 * sample_weight) == pytest.approx(loss)
    np.testing.assert_allclose(net.grads, grads)
    unit = net.loss_and_gradient(X, Y, np.ones(len(Y)))
    assert net.loss_and_gradient(X, Y) == pytest.approx(unit)


def test_zero_weights_give_zero_loss_and_gradient():
    net = _network("relu", "binary")
    X, Y, _ = _batch(net, "binary")
    assert net.loss_and_gradient(X, Y, np.zeros(len(Y)), alpha=0.1) == 0.0
    assert not net.grads.any()


# -- workspaces and dtypes -------------------------------------------------------


def test_workspaces_are_reused_for_smaller_batches():
    net = _network("elu", "multiclass")
    X, Y, _ = _batch(net, "multiclass", n_samples=10)
    grads = net.grads
    net.loss_and_gradient(X, Y)
    workspace = net._workspace
    first = net.fill_workspace(X).outputs[-1]
    second = net.fill_workspace(X[:7]).outputs[-1]
    assert np.shares_memory(first, second)
    net.loss_and_gradient(X[:4], Y[:4])
    assert net._workspace is workspace
    assert np.shares_memory(net._workspace.outputs[0], workspace.outputs[0])
    assert net.grads is grads
    assert np.shares_memory(net.coef_grads[0], grads)
    # a larger batch grows the workspaces once
    X_big, Y_big, _ = _batch(net, "multiclass", n_samples=20)
    net.loss_and_gradient(X_big, Y_big)
    assert net._workspace.outputs[0].shape[0] == 20


def test_a_small_batch_gives_the_same_result_in_reused_workspaces():
    net = _network("tanh", "multiclass")
    X, Y, sample_weight = _batch(net, "multiclass", n_samples=9)
    fresh = _network("tanh", "multiclass")
    expected = fresh.loss_and_gradient(X[:5], Y[:5], sample_weight[:5], 0.1)
    net.loss_and_gradient(X, Y, sample_weight, 0.1)
    assert net.loss_and_gradient(X[:5], Y[:5], sample_weight[:5], 0.1) == expected
    np.testing.assert_array_equal(net.grads, fresh.grads)


@pytest.mark.parametrize("activation", DIFFERENTIABLE)
def test_only_input_based_activations_keep_the_pre_activation(activation):
    net = _network(activation, "binary")
    X, Y, _ = _batch(net, "binary")
    net.loss_and_gradient(X, Y)
    kept = [z is not None for z in net._workspace.pre_activations]
    assert kept == [get_activation(activation).uses == "input"] * 2 + [False]


def test_training_step_allocates_nothing_large():
    # numpy's ufunc machinery may take a fixed 64 KiB cast/broadcast buffer;
    # nothing that grows with the weights or the batch is allowed.
    net = _network("relu", "multiclass", sizes=(500, 400, 100))
    X, Y, sample_weight = _batch(net, "multiclass", n_samples=64)
    net.loss_and_gradient(X, Y, sample_weight, alpha=1e-4)
    tracemalloc.start()
    try:
        net.loss_and_gradient(X, Y, sample_weight, alpha=1e-4)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < net.params.nbytes / 10


def test_finite_on_checks_all_rows_in_the_training_workspace():
    # The end-of-fit check reads every training row a batch at a time through
    # the workspace training holds: no memory in proportion to the data.
    net = _network("relu", "multiclass", sizes=(20, 100))
    X, Y, sample_weight = _batch(net, "multiclass", n_samples=2000)
    net.loss_and_gradient(X[:50], Y[:50], sample_weight[:50], alpha=0.0)
    tracemalloc.start()
    try:
        assert net.finite_on(X)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < X.shape[0] * 100 * X.itemsize / 10
    X[-1, 0] = np.inf  # the last row, in the last piece, is not finite
    assert not net.finite_on(X)


@pytest.mark.parametrize("is_sparse", [False, True], ids=["dense", "sparse"])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_float32_stays_float32(activation, is_sparse):
    net64 = _network(activation, "multiclass")
    net32 = _network(activation, "multiclass", dtype=np.float32)
    X, Y, sample_weight = _batch(net64, "multiclass", is_sparse=is_sparse)
    X32, Y32 = X.astype(np.float32), Y.astype(np.float32)
    loss64 = net64.loss_and_gradient(X, Y, sample_weight, 0.1)
    loss32 = net32.loss_and_gradient(X32, Y32, sample_weight.astype(np.float32), 0.1)
    assert net32.params.dtype == net32.grads.dtype == np.float32
    assert all(ws.dtype == np.float32 for ws in net32._workspace.outputs)
    assert net32.fill_workspace(X32).outputs[-1].dtype == np.float32
    assert net32.logits(X32).dtype == np.float32
    assert all(a.dtype == np.float32 for a in net32.hidden_activations(X32))
    assert loss32 == pytest.approx(loss64, rel=1e-5)
    np.testing.assert_allclose(net32.grads, net64.grads, rtol=1e-3, atol=1e-5)


# -- prediction ------------------------------------------------------------------


@pytest.mark.parametrize("is_sparse", [False, True], ids=["dense", "sparse"])
def test_logits_go_through_in_chunks_and_agree_with_training(monkeypatch, is_sparse):
    net = _network("softplus", "multiclass")
    X, Y, _ = _batch(net, "multiclass", n_samples=10, is_sparse=is_sparse)
    expected = net.fill_workspace(X).outputs[-1].copy()
    monkeypatch.setattr(sknn._network, "PREDICT_CHUNK_SIZE", 4)
    logits = net.logits(X)
    assert logits.shape == (10, 3)
    np.testing.assert_allclose(logits, expected, rtol=1e-12)


@pytest.mark.parametrize("activation", DIFFERENTIABLE)
def test_prediction_paths_agree_for_every_activation(activation):
    # logits() and hidden_activations() transform their buffers in place;
    # the training pass keeps Z apart where the derivative needs it.
    net = _network(activation, "multiclass")
    X, _, _ = _batch(net, "multiclass")
    act = get_activation(activation)
    a1 = act.forward(X @ net.coefs[0] + net.intercepts[0])
    a2 = act.forward(a1 @ net.coefs[1] + net.intercepts[1])
    logits = a2 @ net.coefs[2] + net.intercepts[2]
    hidden = net.hidden_activations(X)
    np.testing.assert_allclose(hidden[0], a1, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(hidden[1], a2, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(net.logits(X), logits, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(
        net.fill_workspace(X).outputs[-1], logits, rtol=1e-12, atol=1e-15
    )


def test_logits_leave_the_training_workspaces_alone():
    net = _network("relu", "multiclass")
    X, Y, _ = _batch(net, "multiclass", n_samples=4)
    net.loss_and_gradient(X, Y)
    X_big, _, _ = _batch(net, "multiclass", n_samples=50)
    first, second = net.logits(X_big), net.logits(X_big)
    assert not np.shares_memory(first, second)
    assert net._workspace.capacity == 4


def test_prediction_memory_is_bounded_by_the_chunk():
    net = _network("relu", "multiclass", sizes=(20, 300))
    X = np.random.RandomState(0).randn(30_000, 20)
    tracemalloc.start()
    try:
        logits = net.logits(X)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    chunk_buffers = 2 * sknn._network.PREDICT_CHUNK_SIZE * 300 * 8
    assert peak < logits.nbytes + 1.1 * chunk_buffers
    assert peak < 0.5 * X.shape[0] * 300 * 8  # less than one unchunked layer


def test_hidden_activations_are_each_layers_output():
    net = _network("tanh", "multiclass", sizes=(3, 5, 4))
    X, _, _ = _batch(net, "multiclass")
    hidden = net.hidden_activations(X)
    assert [a.shape for a in hidden] == [(6, 5), (6, 4)]
    np.testing.assert_allclose(hidden[0], np.tanh(X @ net.coefs[0] + net.intercepts[0]))
    np.testing.assert_allclose(
        hidden[1], np.tanh(hidden[0] @ net.coefs[1] + net.intercepts[1])
    )
    logits = hidden[1] @ net.coefs[2] + net.intercepts[2]
    np.testing.assert_allclose(net.logits(X), logits)


def test_pickling_keeps_the_views_and_drops_the_workspaces():
    net = _network("relu", "multiclass")
    X, Y, _ = _batch(net, "multiclass")
    loss = net.loss_and_gradient(X, Y)
    clone = pickle.loads(pickle.dumps(net))
    assert clone._workspace is None
    assert all(np.shares_memory(coef, clone.params) for coef in clone.coefs)
    assert clone.loss_and_gradient(X, Y) == loss
    np.testing.assert_array_equal(clone.grads, net.grads)


def test_weight_decay_in_pieces_of_a_small_delta_buffer():
    # A batch of 2 rows leaves a 6-element delta buffer as the decay's
    # scratch for 162 weights: the decay goes through in 27 pieces.
    net = _network("relu", "multiclass", sizes=(50, 3, 4))
    X, Y, _ = _batch(net, "multiclass", n_samples=2)
    net.loss_and_gradient(X, Y, alpha=0.0)
    plain = net.grads.copy()
    net.loss_and_gradient(X, Y, alpha=0.6)
    assert np.shares_memory(net._workspace.scratch, net._workspace.deltas[0])
    expected = plain.copy()
    expected[: net.n_coef_params] += 0.6 / 2 * net.params[: net.n_coef_params]
    np.testing.assert_allclose(net.grads, expected, rtol=1e-12, atol=1e-15)


# -- batches larger than the workspaces ------------------------------------------


@pytest.mark.parametrize("is_sparse", [False, True], ids=["dense", "sparse"])
@pytest.mark.parametrize("kind", ["multiclass", "squared-3", "poisson-2"])
def test_a_large_batch_goes_through_in_pieces_with_the_same_result(
    monkeypatch, kind, is_sparse
):
    net = _network("tanh", kind)
    X, Y, sample_weight = _batch(net, kind, n_samples=23, is_sparse=is_sparse)
    whole_loss = net.loss_and_gradient(X, Y, sample_weight, alpha=0.2)
    whole = net.grads.copy()
    monkeypatch.setattr(sknn._network, "MAX_BATCH_ROWS", 5)
    net._workspace = None
    grads = net.grads
    loss = net.loss_and_gradient(X, Y, sample_weight, alpha=0.2)
    assert loss == pytest.approx(whole_loss, rel=1e-12)
    np.testing.assert_allclose(net.grads, whole, rtol=1e-12, atol=1e-15)
    assert net.grads is grads
    # the workspaces hold one piece, not the batch
    assert net._workspace.capacity == 5


def test_full_batch_memory_is_bounded_by_the_piece():
    net = _network("relu", "multiclass", sizes=(20, 300, 200))
    rng = np.random.RandomState(0)
    X = rng.randn(40_000, 20)
    Y = np.eye(3)[rng.randint(3, size=40_000)]
    tracemalloc.start()
    try:
        net.loss_and_gradient(X, Y, alpha=1e-4)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # in one piece: every layer's output and two delta buffers for every row
    whole = X.shape[0] * 8 * (300 + 200 + 3 + 2 * 300)
    assert peak < 0.25 * whole
    assert net._workspace.capacity == sknn._network.MAX_BATCH_ROWS


def test_finite_on_trusts_a_bound_far_from_overflow(monkeypatch):
    # Sound weights on bounded input need no forward pass: the bound from
    # the weights alone settles it. Weights near overflow get the full check.
    net = _network("tanh", "multiclass", sizes=(20, 100))
    X, *_ = _batch(net, "multiclass", n_samples=500)
    calls = []
    forward = net._forward
    monkeypatch.setattr(
        net, "_forward", lambda *a, **k: calls.append(1) or forward(*a, **k)
    )
    assert net.finite_on(X) and not calls
    net.coefs[-1][...] = 1e307
    with np.errstate(over="ignore", invalid="ignore"):
        expected = np.isfinite(net.logits(X)).all()
    assert net.finite_on(X) == expected and calls


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_bound_reads_the_weights_through_the_workspace(dtype):
    # At a fit's end the bound takes the weights' magnitudes a block of rows
    # at a time in the workspace's scratch: no copy of a weight matrix, and
    # the same bound as from the whole matrix at once.
    net = _network("relu", "multiclass", sizes=(300, 40), dtype=dtype)
    X, Y, _ = _batch(net, "multiclass", n_samples=20)
    net.loss_and_gradient(X, Y)
    exact = max(np.abs(c).sum(axis=0, dtype=np.float64).max() for c in net.coefs)
    tracemalloc.start()
    net._outputs_bound(X)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < net.coefs[0].nbytes / 4
    scratch = net._workspace.scratch
    largest = max(_largest_column_abs_sum(c, scratch) for c in net.coefs)
    assert largest == pytest.approx(exact, rel=1e-5)
