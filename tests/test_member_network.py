"""The member-batched network: gradients by finite differences, members apart."""

import pickle

import numpy as np
import pytest

from sknn._embeddings import InputLayer, PeriodicEmbedding
from sknn._member_network import LEARNING_RATE_FACTORS, MemberNetwork
from sknn._piecewise import PiecewiseLinearEmbedding, quantile_bin_edges

K, N, N_NUMERIC, N_PASS, CARDS = 2, 12, 2, 1, [3, 5]


def table(seed=0):
    rng = np.random.default_rng(seed)
    dense = rng.normal(size=(K, N, N_NUMERIC + N_PASS))
    codes = np.stack([rng.integers(0, c, size=(K, N)) for c in CARDS], axis=2)
    return dense, codes


def network(numeric="ple", dtype=np.float64, seed=0, **options):
    dense, codes = table(seed)
    edges = quantile_bin_edges(dense.reshape(-1, dense.shape[2])[:, :N_NUMERIC], 4)

    def embedding():
        if numeric == "ple":
            return PiecewiseLinearEmbedding(edges, 3, dtype)
        if numeric == "pbld":
            return PeriodicEmbedding(N_NUMERIC, 4, 3, 0.3, "pbld", dtype)
        return None

    layers = [
        InputLayer(N_NUMERIC, N_PASS, CARDS, embedding(), 2, dtype) for _ in range(K)
    ]
    net = MemberNetwork(
        layers, options.pop("hidden", (5, 4)), 3, dtype=dtype, **options
    )
    rng = np.random.default_rng(seed)
    net.initialize(rng, dense, codes)
    # start the parameters that begin at a constant away from it, so that
    # their gradients are tested in general position
    net.params += 0.05 * rng.normal(size=net.n_params)
    return net, dense, codes


def check_gradients(net, dense, codes, dropout=0.0, n_checked=400):
    weights = np.random.default_rng(5).normal(size=(K, N, 3))

    def loss():
        # a fresh generator of the same seed: the same dropout mask each time
        out = net.forward(dense, codes, dropout, np.random.default_rng(9), keep=True)
        return float((out * weights).sum())

    loss()
    net.backward(weights.copy())
    analytic = net.grads.copy()
    checked = np.random.default_rng(3).permutation(net.n_params)[:n_checked]
    numeric = np.empty(len(checked))
    for j, i in enumerate(checked):
        saved = net.params[i]
        net.params[i] = saved + 1e-6
        up = loss()
        net.params[i] = saved - 1e-6
        down = loss()
        net.params[i] = saved
        numeric[j] = (up - down) / 2e-6
    np.testing.assert_allclose(analytic[checked], numeric, rtol=1e-5, atol=1e-6)
    return checked


@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("numeric", ["ple", "pbld", None])
def test_the_stack_s_gradients_match_finite_differences(numeric, activation):
    net, dense, codes = network(numeric, activation=activation)
    checked = check_gradients(net, dense, codes, n_checked=net.n_params)
    assert len(checked) == net.n_params


@pytest.mark.parametrize(
    "options",
    [
        {"scale_layer": False},
        {"parametric_activation": False},
        {"scale_layer": False, "parametric_activation": False, "hidden": ()},
    ],
)
def test_gradients_without_the_scale_or_the_parametric_activation(options):
    net, dense, codes = network(activation="tanh", **options)
    check_gradients(net, dense, codes, n_checked=net.n_params)
    assert (net.scale is None) == (not options.get("scale_layer", True))


def test_the_scale_layer_s_gradient_alone():
    net, dense, codes = network(activation="tanh")
    weights = np.random.default_rng(5).normal(size=(K, N, 3))
    net.forward(dense, codes, keep=True)
    net.backward(weights.copy())
    analytic = net.grad["scale"].copy()
    for member, feature in [(0, 0), (1, 4), (0, net.sizes[0] - 1)]:
        saved = net.scale[member, feature]
        values = []
        for delta in (1e-6, -1e-6):
            net.scale[member, feature] = saved + delta
            values.append(float((net.forward(dense, codes) * weights).sum()))
        net.scale[member, feature] = saved
        numeric = (values[0] - values[1]) / 2e-6
        assert analytic[member, feature] == pytest.approx(numeric, rel=1e-5, abs=1e-7)


def test_the_parametric_activation_is_z_plus_alpha_times_f_minus_z():
    net, dense, codes = network(activation="tanh", hidden=(4,), scale_layer=False)
    net.alphas[0][...] = 0.0  # the identity: the network is linear in its input
    A = np.empty((K, N, net.sizes[0]))
    for i, layer in enumerate(net.input_layers):
        layer.forward(dense[i], codes[i], A[i])
    linear = (A @ net.coefs[0] + net.intercepts[0][:, None]) @ net.coefs[1]
    expected = linear + net.intercepts[1][:, None]
    np.testing.assert_allclose(net.forward(dense, codes), expected, rtol=1e-12)
    net.alphas[0][...] = 1.0  # the activation itself
    hidden = np.tanh(A @ net.coefs[0] + net.intercepts[0][:, None])
    expected = hidden @ net.coefs[1] + net.intercepts[1][:, None]
    np.testing.assert_allclose(net.forward(dense, codes), expected, rtol=1e-12)


def test_dropout_gradients_with_a_fixed_mask():
    net, dense, codes = network(activation="tanh", hidden=(16, 16))
    check_gradients(net, dense, codes, dropout=0.3, n_checked=net.n_params)


def test_dropout_drops_about_its_share_and_rescales_the_rest():
    net, dense, codes = network(activation="tanh", hidden=(200,))
    net.forward(dense, codes, 0.25, np.random.default_rng(0), keep=True)
    mask = net._cache[1][0][3]
    kept = mask > 0
    assert abs(kept.mean() - 0.75) < 0.03
    np.testing.assert_allclose(mask[kept], 256 / (256 - 64))


def test_no_dropout_without_a_probability_and_none_at_predict():
    net, dense, codes = network()
    first = net.forward(dense, codes).copy()
    np.testing.assert_array_equal(net.forward(dense, codes, 0.0, None), first)


def test_the_members_are_independent():
    net, dense, codes = network(activation="tanh")
    before = net.forward(dense, codes).copy()
    net.params[net.member_masks[1]] += 0.5
    after = net.forward(dense, codes)
    np.testing.assert_array_equal(after[0], before[0])
    assert not np.allclose(after[1], before[1])
    # and a member's gradient does not reach another's parameters
    weights = np.zeros((K, N, 3))
    weights[0] = 1.0
    net.forward(dense, codes, keep=True)
    net.backward(weights)
    assert np.all(net.grads[net.member_masks[1]] == 0)
    assert np.any(net.grads[net.member_masks[0]] != 0)


def test_a_shared_batch_is_every_member_s_batch():
    net, dense, codes = network()
    shared = net.forward(dense[0], codes[0]).copy()
    stacked = net.forward(np.stack([dense[0]] * K), np.stack([codes[0]] * K))
    np.testing.assert_array_equal(shared, stacked)


def test_initialisation_standardises_the_first_layer_on_its_rows():
    dense, codes = table()
    net, _, _ = network()
    net.initialize(np.random.default_rng(0), dense, codes)
    A = np.empty((K, N, net.sizes[0]))
    for i, layer in enumerate(net.input_layers):
        layer.forward(dense[i], codes[i], A[i])
    Z = A @ net.coefs[0]
    np.testing.assert_allclose(Z.std(axis=1), 1.0, rtol=1e-6)
    # he+5: each bias is minus a convex combination of the rows' values
    Z += net.intercepts[0][:, None]
    assert np.all(Z.min(axis=1) <= 1e-9) and np.all(Z.max(axis=1) >= -1e-9)
    np.testing.assert_array_equal(net.scale, 1.0)
    np.testing.assert_array_equal(net.alphas[0], 1.0)


def test_each_group_steps_at_its_factor_of_the_learning_rate():
    net, dense, codes = network()
    factors = {name: factor for name, _, factor in net.groups}
    assert factors["scale"] == LEARNING_RATE_FACTORS["scale"]
    assert factors["W0"] == pytest.approx(1 / np.sqrt(net.sizes[0]))
    assert factors["b1"] == LEARNING_RATE_FACTORS["bias"]
    net.start_training(0.01, 0.9, 0.95)
    net.grads[...] = 1.0
    before = net.params.copy()
    net.step()
    moved = before - net.params
    # Adam's first step moves every entry by its rate (the gradient's sign)
    for _, part, factor in net.groups:
        np.testing.assert_allclose(moved[part], 0.01 * factor, rtol=1e-6)


def test_float32_stays_float32_and_pickling_rebinds_the_views():
    net, dense, codes = network(dtype=np.float32)
    out = net.forward(dense.astype(np.float32), codes)
    assert out.dtype == np.float32
    loaded = pickle.loads(pickle.dumps(net))
    assert np.shares_memory(loaded.coefs[0], loaded.params)
    np.testing.assert_array_equal(loaded.forward(dense.astype(np.float32), codes), out)
