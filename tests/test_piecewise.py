"""The piecewise-linear embedding: its codes by hand, its gradients by differences."""

import pickle

import numpy as np
import pytest

from sknn._embeddings import InputLayer
from sknn._piecewise import PiecewiseLinearEmbedding, quantile_bin_edges


def bound(layer, seed=0):
    params = np.empty(layer.n_params, dtype=layer.dtype)
    grads = np.empty_like(params)
    layer.bind(params, grads)
    layer.initialize(seed)
    # the piecewise part starts at 0; give it values so that it is tested
    layer.coefs[...] = np.random.default_rng(seed).normal(size=layer.coefs.shape)
    return params, grads


def test_the_encoding_reads_one_left_of_x_zero_right_and_the_fraction_inside():
    layer = PiecewiseLinearEmbedding([np.array([0.0, 1.0, 3.0, 4.0])], n_dims=2)
    codes = layer.encode(np.array([[-1.0], [0.5], [2.0], [3.5], [6.0]]))[0]
    expected = [
        [-1.0, 0.0, 0.0],  # the first bin extrapolates below
        [0.5, 0.0, 0.0],
        [1.0, 0.5, 0.0],
        [1.0, 1.0, 0.5],
        [1.0, 1.0, 3.0],  # the last bin extrapolates above
    ]
    np.testing.assert_allclose(codes, expected)


def test_features_with_fewer_bins_use_the_first_slots_and_the_last():
    edges = [np.array([0.0, 1.0, 2.0, 3.0]), np.array([0.0, 2.0]), np.array([5.0])]
    layer = PiecewiseLinearEmbedding(edges, n_dims=1)
    assert layer.n_bins == 3
    codes = layer.encode(np.array([[1.5, 1.0, 5.0]]))
    np.testing.assert_allclose(codes[1, 0], [0.0, 0.0, 0.5])  # one bin: the last
    np.testing.assert_allclose(codes[2, 0], [0.0, 0.0, 0.0])  # constant: nothing


def test_quantile_edges_merge_repeated_quantiles():
    X = np.c_[np.arange(100.0), np.repeat([0.0, 1.0], [70, 30])]
    edges = quantile_bin_edges(X, 4)
    np.testing.assert_allclose(edges[0], [0, 24.75, 49.5, 74.25, 99])
    np.testing.assert_allclose(edges[1], [0, 1])


def test_bad_edges_are_refused():
    with pytest.raises(ValueError, match="increasing, distinct"):
        PiecewiseLinearEmbedding([np.array([1.0, 1.0])])


def test_forward_is_the_linear_map_of_the_codes_plus_the_linear_embedding():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2))
    layer = PiecewiseLinearEmbedding(quantile_bin_edges(X, 5), n_dims=3)
    bound(layer)
    out = np.empty((30, layer.n_outputs))
    layer.forward(X, out)
    codes = layer.encode(X)
    for j in range(2):
        expected = (
            codes[j] @ layer.coefs[j]
            + X[:, [j]] * layer.linear[j]
            + layer.intercepts[j]
        )
        np.testing.assert_allclose(out[:, 3 * j : 3 * j + 3], expected, rtol=1e-12)


def test_the_gradients_match_finite_differences():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 3))
    layer = PiecewiseLinearEmbedding(quantile_bin_edges(X[:20], 6), n_dims=4)
    params, grads = bound(layer, seed=2)
    weights = rng.normal(size=(40, layer.n_outputs))

    def loss():
        out = np.empty((40, layer.n_outputs))
        layer.forward(X, out)
        return float((out * weights).sum())

    loss()
    layer.backward(weights.copy())
    analytic = grads.copy()
    numeric = np.empty_like(analytic)
    for i in range(params.size):
        saved = params[i]
        params[i] = saved + 1e-6
        up = loss()
        params[i] = saved - 1e-6
        down = loss()
        params[i] = saved
        numeric[i] = (up - down) / 2e-6
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-6)


def test_an_input_layer_takes_it_as_its_numeric_part():
    X = np.random.default_rng(0).normal(size=(10, 2))
    ple = PiecewiseLinearEmbedding(quantile_bin_edges(X, 4), n_dims=3)
    layer = InputLayer(2, 1, [4], numeric=ple, n_categorical_dims=2)
    assert layer.n_outputs == 2 * 3 + 1 + 2
    params, grads = np.empty(layer.n_params), np.empty(layer.n_params)
    layer.bind(params, grads)
    layer.initialize(0)
    out = np.empty((10, layer.n_outputs))
    layer.forward(np.c_[X, np.ones(10)], np.zeros((10, 1), dtype=int), out)
    np.testing.assert_array_equal(out[:, 6], 1.0)


def test_pickling_drops_the_views_and_keeps_the_bins():
    X = np.random.default_rng(0).normal(size=(10, 2)).astype(np.float32)
    layer = PiecewiseLinearEmbedding(quantile_bin_edges(X, 4), 3, np.float32)
    bound(layer)
    loaded = pickle.loads(pickle.dumps(layer))
    assert not hasattr(loaded, "coefs")
    np.testing.assert_array_equal(loaded.left, layer.left)
    assert loaded.encode(X).dtype == np.float32
