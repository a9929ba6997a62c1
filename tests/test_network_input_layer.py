"""The dense core with an input layer in front: embeddings trained with the rest."""

import copy
import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import sknn._network
from sknn._embeddings import InputLayer, PeriodicEmbedding
from sknn._losses import get_loss
from sknn._network import Network
from sknn.activations import get_activation


def make(kind="pbld", dtype=np.float64, n_samples=40, seed=0, loss="log_loss"):
    """A network on 3 numeric, 2 passthrough and 2 coded columns."""
    rng = np.random.RandomState(seed)
    numeric = PeriodicEmbedding(3, n_frequencies=4, n_dims=3, kind=kind, dtype=dtype)
    layer = InputLayer(
        2 + 1, 2, [4, 3], numeric=numeric, n_categorical_dims=2, dtype=dtype
    )
    network = Network(
        [layer.n_outputs, 6, 3],
        [get_activation("tanh")],
        get_loss(loss),
        dtype=dtype,
        input_layer=layer,
    )
    network.initialize(rng)
    layer.initialize(rng)
    dense = rng.normal(size=(n_samples, 5))
    codes = np.c_[rng.randint(0, 4, n_samples), rng.randint(0, 3, n_samples)]
    X = np.c_[dense, codes].astype(dtype)
    Y = np.eye(3, dtype=dtype)[rng.randint(0, 3, n_samples)]
    return network, X, Y


def numeric_gradient(network, X, Y, weights, alpha, h=1e-6):
    gradient = np.empty_like(network.params)
    for j in range(network.params.size):
        kept = network.params[j]
        network.params[j] = kept + h
        up = network.loss_and_gradient(X, Y, weights, alpha)
        network.params[j] = kept - h
        down = network.loss_and_gradient(X, Y, weights, alpha)
        network.params[j] = kept
        gradient[j] = (up - down) / (2 * h)
    return gradient


@pytest.mark.parametrize("kind", ["pbld", "plr"])
def test_every_parameter_gets_the_gradient_of_the_loss(kind):
    network, X, Y = make(kind)
    weights = np.random.RandomState(1).uniform(0.5, 2, len(X))
    network.loss_and_gradient(X, Y, weights, alpha=0.1)
    analytic = network.grads.copy()
    numeric = numeric_gradient(network, X, Y, weights, alpha=0.1)
    assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-8)
    # the input layer's parameters are the buffer's tail, and do get gradient
    tail = analytic[network.n_dense_params :]
    assert tail.size == network.input_layer.n_params and np.abs(tail).max() > 0


def test_the_penalty_leaves_the_input_layer_alone():
    network, X, Y = make()
    network.loss_and_gradient(X, Y, alpha=0.0)
    plain = network.grads.copy()
    network.loss_and_gradient(X, Y, alpha=5.0)
    tail = slice(network.n_dense_params, None)
    assert_array_equal(network.grads[tail], plain[tail])
    assert network.n_coef_params < network.n_dense_params < network.n_params


def test_pieces_add_up_to_the_whole_batch(monkeypatch):
    network, X, Y = make(n_samples=50)
    whole = network.loss_and_gradient(X, Y, alpha=0.2)
    expected = network.grads.copy()
    monkeypatch.setattr(sknn._network, "MAX_BATCH_ROWS", 16)
    assert network.loss_and_gradient(X, Y, alpha=0.2) == pytest.approx(whole)
    assert_allclose(network.grads, expected, rtol=1e-12, atol=1e-15)


def test_prediction_in_chunks_equals_one_pass(monkeypatch):
    network, X, _ = make(n_samples=30)
    whole = network.logits(X)
    monkeypatch.setattr(sknn._network, "PREDICT_CHUNK_SIZE", 7)
    assert_allclose(network.logits(X), whole, rtol=1e-13)
    assert network.finite_on(X)


def test_the_input_layer_is_rebound_after_pickling_and_copying():
    network, X, _ = make()
    expected = network.logits(X)
    for twin in (pickle.loads(pickle.dumps(network)), copy.deepcopy(network)):
        assert_array_equal(twin.logits(X), expected)
        numeric = twin.input_layer.numeric
        assert np.shares_memory(numeric.frequencies, twin.params)
        assert np.shares_memory(twin.input_layer.categorical.table, twin.params)
    # the saved network holds its parameters once, not the views again
    size = len(pickle.dumps(network))
    assert size < 2 * network.params.nbytes + 4000


def test_float32_stays_float32():
    network, X, Y = make(dtype=np.float32)
    network.loss_and_gradient(X, Y)
    assert network.grads.dtype == np.float32
    assert network.logits(X).dtype == np.float32


def test_mismatched_widths_are_refused():
    layer = InputLayer(2, 1, [])
    with pytest.raises(ValueError, match="The input layer writes 3 columns"):
        Network([4, 2], [], get_loss("log_loss"), input_layer=layer)


def test_repr_shows_the_input_layer():
    network, _, _ = make()
    assert repr(network).startswith("Network(InputLayer(")
