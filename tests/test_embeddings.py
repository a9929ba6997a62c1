"""Tests for sknn._embeddings and its kernel: values, gradients, layout, buffers."""

import numpy as np
import pytest

from sknn import _periodic_kernels
from sknn._embeddings import CategoricalEmbedding, InputLayer, PeriodicEmbedding
from sknn._losses import get_loss
from sknn._network import Network
from sknn.activations import get_activation

KINDS = ["pbld", "plr"]


def _bound(layer, dtype=np.float64, seed=0):
    params = np.empty(layer.n_params, dtype=dtype)
    grads = np.empty(layer.n_params, dtype=dtype)
    layer.bind(params, grads)
    layer.initialize(np.random.RandomState(seed))
    return params, grads


def _periodic_oracle(layer, X):
    """The embedding written out with numpy's cos and sin, feature by feature."""
    turns = X[:, :, None] * layer.frequencies[None]
    if layer.kind == "pbld":
        turns = turns + layer.phases[None]
        features = np.cos(2 * np.pi * turns)
    else:
        features = np.concatenate(
            [np.sin(2 * np.pi * turns), np.cos(2 * np.pi * turns)], axis=2
        )
    hidden = np.einsum("nfk,fkd->nfd", features, layer.coefs) + layer.intercepts
    if layer.kind == "plr":
        return np.maximum(hidden, 0).reshape(len(X), -1)
    return np.hstack([hidden.reshape(len(X), -1), X])


def _numeric_gradient(loss, params, h=1e-6):
    gradient = np.empty_like(params)
    for j in range(params.size):
        kept = params[j]
        params[j] = kept + h
        up = loss()
        params[j] = kept - h
        down = loss()
        params[j] = kept
        gradient[j] = (up - down) / (2 * h)
    return gradient


# -- the kernel ------------------------------------------------------------------


@pytest.mark.parametrize("dtype, tol", [(np.float64, 2e-14), (np.float32, 2e-6)])
def test_the_kernel_agrees_with_numpys_cos_and_sin(dtype, tol):
    rng = np.random.RandomState(0)
    X = rng.uniform(-3, 3, size=(50, 4)).astype(dtype)
    frequencies = rng.normal(0, 2, size=(4, 7)).astype(dtype)
    phases = rng.uniform(-0.5, 0.5, size=(4, 7)).astype(dtype)
    # exact quarter and half turns, where the reduction switches quadrant
    X[:8, 0] = [0, 0.125, 0.25, 0.375, 0.5, -0.125, -0.25, -0.5]
    frequencies[0], phases[0] = 1, 0
    cos = np.empty((4, 50, 7), dtype=dtype)
    sin = np.empty_like(cos)
    _periodic_kernels.periodic_features(X, frequencies, phases, cos, sin)
    turns = (X.T[:, :, None] * frequencies[:, None] + phases[:, None]).astype(
        np.float64
    )
    np.testing.assert_allclose(cos, np.cos(2 * np.pi * turns), rtol=0, atol=tol)
    np.testing.assert_allclose(sin, np.sin(2 * np.pi * turns), rtol=0, atol=tol)
    assert cos.dtype == sin.dtype == dtype


def test_the_kernel_reduces_large_arguments_exactly():
    turns = np.array([[1e3 + 0.1], [-1e6 + 0.25], [12345.5], [-7.75]])
    cos = np.empty((1, 4, 1))
    sin = np.empty_like(cos)
    _periodic_kernels.periodic_features(
        turns, np.ones((1, 1)), np.zeros((1, 1)), cos, sin
    )
    fractional = np.array([0.1, 0.25, 0.5, 0.25])
    np.testing.assert_allclose(cos.ravel(), np.cos(2 * np.pi * fractional), atol=1e-12)
    np.testing.assert_allclose(sin.ravel(), np.sin(2 * np.pi * fractional), atol=1e-12)


def test_the_kernel_writes_into_views_and_checks_shapes():
    X = np.random.RandomState(0).randn(5, 2)
    both = np.zeros((2, 5, 6))
    frequencies, phases = np.ones((2, 3)), np.zeros((2, 3))
    _periodic_kernels.periodic_features(
        X, frequencies, phases, both[:, :, 3:], both[:, :, :3]
    )
    np.testing.assert_allclose(
        both[:, :, 3:], np.cos(2 * np.pi * X.T)[:, :, None] * np.ones(3)
    )
    with pytest.raises(ValueError, match="shape"):
        _periodic_kernels.periodic_features(
            X, frequencies, phases, np.empty((2, 4, 3)), both[:, :, :3]
        )
    with pytest.raises(ValueError, match="contiguous"):
        _periodic_kernels.periodic_features(
            X, frequencies, phases, both[:, :, ::2], both[:, :, 1::2]
        )


# -- numeric embeddings ------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_periodic_embedding_is_its_formula(kind, dtype):
    layer = PeriodicEmbedding(
        3, n_frequencies=5, n_dims=4, sigma=0.5, kind=kind, dtype=dtype
    )
    _bound(layer, dtype)
    X = np.random.RandomState(1).uniform(-3, 3, size=(9, 3)).astype(dtype)
    out = np.empty((9, layer.n_outputs), dtype=dtype)
    layer.forward(X, out)
    expected = _periodic_oracle(layer, X.astype(np.float64))
    np.testing.assert_allclose(
        out, expected, rtol=0, atol=1e-12 if dtype == np.float64 else 2e-5
    )
    assert out.dtype == dtype


@pytest.mark.parametrize("kind", KINDS)
def test_periodic_gradients_match_central_differences(kind):
    layer = PeriodicEmbedding(3, n_frequencies=4, n_dims=3, sigma=0.7, kind=kind)
    params, grads = _bound(layer)
    rng = np.random.RandomState(2)
    X = rng.uniform(-3, 3, size=(7, 3))
    G = rng.randn(7, layer.n_outputs)
    out = np.empty((7, layer.n_outputs))

    def loss():
        layer.forward(X, out)
        return float(np.sum(out * G))

    expected = _numeric_gradient(loss, params)
    loss()
    layer.backward(G)
    np.testing.assert_allclose(grads, expected, rtol=1e-6, atol=1e-8)
    # every parameter takes part: none of the gradients is identically zero
    for name in ("frequencies", "coefs", "intercepts"):
        assert np.abs(getattr(layer.grad, name)).max() > 1e-6


def test_float32_gradients_are_float32_and_agree_with_float64():
    rng = np.random.RandomState(3)
    X = rng.uniform(-3, 3, size=(6, 2))
    G = rng.randn(6, 8)
    grads = {}
    for dtype in (np.float64, np.float32):
        layer = PeriodicEmbedding(2, n_frequencies=3, n_dims=4, dtype=dtype)
        _, grads[dtype] = _bound(layer, dtype)
        out = np.empty((6, 8), dtype=dtype)
        layer.forward(X.astype(dtype), out)
        layer.backward(G.astype(dtype))
    assert grads[np.float32].dtype == np.float32
    np.testing.assert_allclose(
        grads[np.float32], grads[np.float64], rtol=1e-4, atol=1e-5
    )


def test_backward_overwrites_rather_than_adds():
    layer = PeriodicEmbedding(2, n_frequencies=3, n_dims=4)
    _, grads = _bound(layer)
    X = np.random.RandomState(4).randn(5, 2)
    out = np.empty((5, layer.n_outputs))
    layer.forward(X, out)
    layer.backward(np.ones_like(out))
    first = grads.copy()
    layer.backward(np.ones_like(out))
    np.testing.assert_array_equal(grads, first)


def test_workspaces_are_reused_for_smaller_batches():
    layer = PeriodicEmbedding(3, n_frequencies=4, n_dims=4)
    _bound(layer)
    X = np.random.RandomState(5).randn(20, 3)
    out = np.empty((20, layer.n_outputs))
    layer.forward(X, out)
    trig = layer._buffers._flat["trig"]
    small = np.empty((7, layer.n_outputs))
    layer.forward(X[:7], small)
    assert layer._buffers._flat["trig"] is trig
    np.testing.assert_allclose(small, out[:7], rtol=1e-15)


def test_initialisation_follows_the_scheme():
    layer = PeriodicEmbedding(40, n_frequencies=50, n_dims=5, sigma=0.1)
    _bound(layer)
    assert abs(layer.frequencies.std() - 0.1) < 0.01
    assert np.all(np.abs(layer.phases) <= 0.5)
    assert np.all(np.abs(layer.coefs) <= 1 / np.sqrt(50))


def test_bad_views_and_settings_are_refused():
    layer = PeriodicEmbedding(2)
    with pytest.raises(ValueError, match="contiguous 1-D view"):
        layer.bind(np.empty(layer.n_params + 1), np.empty(layer.n_params + 1))
    with pytest.raises(ValueError, match="contiguous 1-D view"):
        layer.bind(np.empty(layer.n_params, np.float32), np.empty(layer.n_params))
    with pytest.raises(ValueError, match="kind"):
        PeriodicEmbedding(2, kind="ple")
    with pytest.raises(ValueError, match="n_dims"):
        PeriodicEmbedding(2, n_dims=1, kind="pbld")


# -- categorical embeddings ---------------------------------------------------------


def test_the_gather_reads_each_columns_own_table():
    layer = CategoricalEmbedding([3, 4], n_dims=2)
    params, _ = _bound(layer)
    codes = np.array([[0, 3], [2, 0], [2, 1]])
    out = np.empty((3, 4))
    layer.forward(codes, out)
    table = params.reshape(7, 2)
    expected = np.hstack([table[codes[:, 0]], table[3 + codes[:, 1]]])
    np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_scatter_adds_every_use_of_a_row(dtype):
    rng = np.random.RandomState(6)
    cardinalities = [5, 9, 2]
    layer = CategoricalEmbedding(cardinalities, n_dims=3, dtype=dtype)
    _, grads = _bound(layer, dtype)
    codes = np.column_stack([rng.randint(c, size=40) for c in cardinalities])
    out = np.empty((40, layer.n_outputs), dtype=dtype)
    layer.forward(codes, out)
    d_out = rng.randn(40, layer.n_outputs).astype(dtype)
    layer.backward(d_out)
    expected = np.zeros((16, 3))
    rows = codes + layer.offsets
    np.add.at(expected, rows.ravel(), d_out.reshape(-1, 3))
    assert grads.dtype == dtype
    np.testing.assert_allclose(layer.grad.table, expected, rtol=1e-6, atol=1e-6)


def test_out_of_range_codes_are_refused():
    layer = CategoricalEmbedding([3, 4], n_dims=2)
    _bound(layer)
    with pytest.raises(ValueError, match="out of range"):
        layer.forward(np.array([[3, 0]]), np.empty((1, 4)))


# -- the input layer ------------------------------------------------------------------


def _input_layer(kind="pbld", dtype=np.float64):
    numeric = PeriodicEmbedding(
        2, n_frequencies=3, n_dims=3, sigma=0.5, kind=kind, dtype=dtype
    )
    return InputLayer(2, 3, [4, 6], numeric=numeric, n_categorical_dims=2, dtype=dtype)


def _batch(n=6, seed=7):
    rng = np.random.RandomState(seed)
    X = np.hstack([rng.uniform(-3, 3, (n, 2)), rng.randint(2, size=(n, 3))])
    codes = np.column_stack([rng.randint(4, size=n), rng.randint(6, size=n)])
    return X, codes


def test_the_input_layer_lays_out_numeric_passthrough_categorical():
    layer = _input_layer()
    _bound(layer)
    X, codes = _batch()
    out = np.empty((6, layer.n_outputs))
    layer.forward(X, codes, out)
    assert layer.n_outputs == 2 * 3 + 3 + 2 * 2
    numeric = np.empty((6, 6))
    layer.numeric.forward(X[:, :2], numeric)
    np.testing.assert_array_equal(out[:, :6], numeric)
    np.testing.assert_array_equal(out[:, 6:9], X[:, 2:])
    table = layer.categorical.table
    np.testing.assert_array_equal(out[:, 9:11], table[codes[:, 0]])
    np.testing.assert_array_equal(out[:, 11:], table[4 + codes[:, 1]])


def test_without_a_numeric_embedding_the_numbers_pass_through():
    layer = InputLayer(2, 1, [], dtype=np.float32)
    assert layer.n_params == 0 and layer.n_outputs == 3
    layer.bind(np.empty(0, np.float32), np.empty(0, np.float32))
    X = np.arange(6, dtype=np.float32).reshape(2, 3)
    out = np.empty((2, 3), np.float32)
    layer.forward(X, np.empty((2, 0), dtype=np.intp), out)
    np.testing.assert_array_equal(out, X)


@pytest.mark.parametrize("kind", KINDS)
def test_input_layer_gradients_match_central_differences(kind):
    layer = _input_layer(kind)
    params, grads = _bound(layer)
    X, codes = _batch()
    G = np.random.RandomState(8).randn(6, layer.n_outputs)
    out = np.empty((6, layer.n_outputs))

    def loss():
        layer.forward(X, codes, out)
        return float(np.sum(out * G))

    expected = _numeric_gradient(loss, params)
    loss()
    layer.backward(G)
    np.testing.assert_allclose(grads, expected, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("kind", KINDS)
def test_gradients_through_the_dense_network_match_central_differences(kind):
    """The input path: embeddings -> the dense core -> the loss, end to end.

    The gradient of the loss with respect to the network's input is the
    first hidden layer's delta times the first weight matrix transposed; the
    network leaves that delta in its first delta workspace.
    """
    layer = _input_layer(kind)
    params, grads = _bound(layer)
    net = Network(
        [layer.n_outputs, 5, 3],
        [get_activation("tanh")],
        get_loss("log_loss"),
    )
    net.initialize(np.random.RandomState(9))
    X, codes = _batch()
    Y = np.eye(3)[np.random.RandomState(10).randint(3, size=6)]
    inputs = np.empty((6, layer.n_outputs))

    def loss():
        layer.forward(X, codes, inputs)
        return net.loss_and_gradient(inputs, Y)

    expected = _numeric_gradient(loss, params)
    loss()
    delta = net.workspace(6).deltas[0]
    layer.backward(delta @ net.coefs[0].T)
    np.testing.assert_allclose(grads, expected, rtol=1e-5, atol=1e-9)


def test_the_input_layer_refuses_a_mismatched_numeric_embedding():
    with pytest.raises(ValueError, match="takes 3 features"):
        InputLayer(2, 0, numeric=PeriodicEmbedding(3))
