"""Tests for sknn._optimizers: hand-written update rules, in-place, no allocation.

The compiled steps are checked against the numpy sequences they replaced
(``numpy_sgd_step`` and ``numpy_adam_step`` in ``tests/oracles.py``), bit for
bit: both take the same operations in the same order.
"""

import pickle
import tracemalloc

import numpy as np
import pytest
from oracles import numpy_adam_step, numpy_sgd_step
from sklearn.neural_network._stochastic_optimizers import AdamOptimizer, SGDOptimizer

from sknn._optimizers import SGD, Adam, gradient_norm


def _params_and_grads(n=6, dtype=np.float64, seed=0):
    rng = np.random.RandomState(seed)
    return rng.randn(n).astype(dtype), rng.randn(n).astype(dtype)


def test_plain_sgd_step_is_minus_rate_times_gradient():
    params, grads = _params_and_grads()
    expected = params - 0.3 * grads
    sgd = SGD(params, learning_rate_init=0.3, momentum=0.0)
    sgd.step(params, grads)
    np.testing.assert_allclose(params, expected, rtol=1e-15)


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_steps_follow_the_written_rule(nesterov):
    params, g1 = _params_and_grads(seed=0)
    _, g2 = _params_and_grads(seed=1)
    lr, mu = 0.1, 0.8
    theta = params.copy()
    v = np.zeros_like(theta)
    for g in (g1, g2):
        v = mu * v - lr * g
        theta = theta + (mu * v - lr * g if nesterov else v)
    sgd = SGD(params, learning_rate_init=lr, momentum=mu, nesterov=nesterov)
    sgd.step(params, g1)
    sgd.step(params, g2)
    np.testing.assert_allclose(params, theta, rtol=1e-14)
    np.testing.assert_allclose(sgd.velocity, v, rtol=1e-14)


def test_invscaling_divides_the_rate_by_a_power_of_time():
    params, _ = _params_and_grads()
    sgd = SGD(params, learning_rate_init=0.2, lr_schedule="invscaling", power_t=0.25)
    sgd.iteration_ends(15)
    assert sgd.learning_rate == pytest.approx(0.2 / 16**0.25)
    constant = SGD(params, learning_rate_init=0.2)
    constant.iteration_ends(15)
    assert constant.learning_rate == 0.2


def test_learning_rate_is_settable_and_used():
    params, grads = _params_and_grads()
    expected = params - 0.02 * grads
    sgd = SGD(params, learning_rate_init=0.1, momentum=0.0)
    sgd.learning_rate /= 5
    sgd.step(params, grads)
    np.testing.assert_allclose(params, expected, rtol=1e-14)


def test_adam_steps_follow_the_written_rule_with_bias_correction():
    params, g1 = _params_and_grads(seed=0)
    _, g2 = _params_and_grads(seed=1)
    lr, b1, b2, eps = 0.01, 0.8, 0.99, 1e-7
    theta, m, v = params.copy(), np.zeros_like(params), np.zeros_like(params)
    for t, g in enumerate((g1, g2), start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        m_hat, v_hat_root = m / (1 - b1**t), np.sqrt(v) / np.sqrt(1 - b2**t)
        theta = theta - lr * m_hat / (v_hat_root + eps / np.sqrt(1 - b2**t))
    adam = Adam(params, learning_rate_init=lr, beta_1=b1, beta_2=b2, epsilon=eps)
    adam.step(params, g1)
    adam.step(params, g2)
    np.testing.assert_allclose(params, theta, rtol=1e-13)
    np.testing.assert_allclose(adam.first_moment, m, rtol=1e-14)
    np.testing.assert_allclose(adam.second_moment, v, rtol=1e-14)
    assert adam.t == 2
    assert adam.learning_rate == lr


def test_adam_first_step_has_size_learning_rate():
    # With bias correction the first step is lr * sign(g), up to epsilon.
    params, grads = _params_and_grads()
    start = params.copy()
    Adam(params, learning_rate_init=0.05).step(params, grads)
    np.testing.assert_allclose(start - params, 0.05 * np.sign(grads), rtol=1e-5)


@pytest.mark.parametrize(
    "ours, theirs",
    [
        (
            lambda p: SGD(p, 0.1, "constant", 0.9, True),
            lambda p: SGDOptimizer([p], 0.1, "constant", 0.9, True),
        ),
        (
            lambda p: SGD(p, 0.1, "constant", 0.5, False),
            lambda p: SGDOptimizer([p], 0.1, "constant", 0.5, False),
        ),
        (
            lambda p: Adam(p, 0.01, 0.9, 0.999, 1e-8),
            lambda p: AdamOptimizer([p], 0.01, 0.9, 0.999, 1e-8),
        ),
    ],
    ids=["nesterov", "momentum", "adam"],
)
def test_steps_match_sklearns_optimizers(ours, theirs):
    params, _ = _params_and_grads(n=20)
    reference = params.copy()
    ours, theirs = ours(params), theirs(reference)
    rng = np.random.RandomState(3)
    for _ in range(5):
        grads = rng.randn(20)
        ours.step(params, grads)
        theirs.update_params([reference], [grads])
    np.testing.assert_allclose(params, reference, rtol=1e-12)


@pytest.mark.parametrize("make", [SGD, Adam], ids=["sgd", "adam"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_step_updates_in_place_and_keeps_the_dtype(make, dtype):
    params, grads = _params_and_grads(dtype=dtype)
    before = params.copy()
    optimizer = make(params)
    address = params.__array_interface__["data"][0]
    assert optimizer.step(params, grads) is None
    assert params.__array_interface__["data"][0] == address
    assert params.dtype == dtype
    assert not np.array_equal(params, before)
    state = [getattr(optimizer, name, None) for name in ("velocity", "first_moment")]
    assert all(array.dtype == dtype for array in state if array is not None)


@pytest.mark.parametrize("make", [SGD, Adam], ids=["sgd", "adam"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_step_allocates_nothing_the_size_of_the_parameters(make, dtype):
    params, grads = _params_and_grads(n=200_000, dtype=dtype)
    optimizer = make(params)
    optimizer.step(params, grads)  # any lazy set-up happens here
    tracemalloc.start()
    try:
        optimizer.step(params, grads)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < params.nbytes / 50


def test_a_zero_learning_rate_leaves_params_alone():
    params, grads = _params_and_grads()
    before = params.copy()
    for make in (SGD, Adam):
        optimizer = make(params, learning_rate_init=0.0)
        optimizer.step(params, grads)
        np.testing.assert_array_equal(params, before)


@pytest.mark.parametrize(
    "params",
    [
        np.zeros(12)[::2],
        np.zeros(5),
        np.zeros(6, dtype=np.float32),
    ],
    ids=["strided", "wrong-size", "wrong-dtype"],
)
def test_step_rejects_buffers_it_cannot_update_in_place(params):
    optimizer = Adam(np.zeros(6))
    with pytest.raises(ValueError, match="contiguous array of shape"):
        optimizer.step(params, np.zeros(6))


def test_non_flat_buffers_are_rejected():
    with pytest.raises(ValueError, match="flat 1-D"):
        SGD(np.zeros((2, 3)))


@pytest.mark.parametrize("make", [SGD, Adam], ids=["sgd", "adam"])
def test_optimizers_survive_pickling(make):
    params, grads = _params_and_grads()
    optimizer = make(params)
    optimizer.step(params, grads)
    clone = pickle.loads(pickle.dumps(optimizer))
    twin = params.copy()
    optimizer.step(params, grads)
    clone.step(twin, grads)
    np.testing.assert_array_equal(params, twin)


def test_reprs_name_the_settings():
    params, _ = _params_and_grads()
    assert repr(SGD(params)) == (
        "SGD(learning_rate=0.1, lr_schedule='constant', momentum=0.9, nesterov=True)"
    )
    assert repr(Adam(params)) == (
        "Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-08)"
    )


@pytest.mark.parametrize("make", [SGD, Adam], ids=["sgd", "adam"])
def test_state_is_allocated_once(make):
    params, grads = _params_and_grads()
    optimizer = make(params)
    state = {k: v for k, v in vars(optimizer).items() if isinstance(v, np.ndarray)}
    assert len(state) == (1 if make is SGD else 2)
    for _ in range(3):
        optimizer.step(params, grads)
    assert all(vars(optimizer)[key] is array for key, array in state.items())


def test_step_leaves_the_gradient_alone():
    params, grads = _params_and_grads(n=50)
    kept = grads.copy()
    for make in (SGD, Adam):
        make(params).step(params, grads, decay=0.1, n_decayed=30)
    np.testing.assert_array_equal(grads, kept)


def test_n_decayed_is_checked():
    params, grads = _params_and_grads()
    with pytest.raises(ValueError, match="n_decayed must be in"):
        SGD(params).step(params, grads, decay=0.1, n_decayed=7)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("nesterov", [False, True])
@pytest.mark.parametrize("decay, n_decayed", [(0.0, 0), (0.03, 700), (0.5, 1000)])
def test_sgd_kernel_agrees_bit_for_bit_with_numpy(dtype, nesterov, decay, n_decayed):
    params, _ = _params_and_grads(n=1000, dtype=dtype)
    twin, velocity = params.copy(), np.zeros_like(params)
    sgd = SGD(params, learning_rate_init=0.05, momentum=0.8, nesterov=nesterov)
    rng = np.random.RandomState(1)
    for _ in range(4):
        grads = rng.randn(1000).astype(dtype)
        sgd.step(params, grads, decay, n_decayed)
        numpy_sgd_step(twin, grads, velocity, 0.05, 0.8, nesterov, decay, n_decayed)
    np.testing.assert_array_equal(params, twin)
    np.testing.assert_array_equal(sgd.velocity, velocity)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("decay, n_decayed", [(0.0, 0), (0.03, 700), (0.5, 1000)])
def test_adam_kernel_agrees_bit_for_bit_with_numpy(dtype, decay, n_decayed):
    params, _ = _params_and_grads(n=1000, dtype=dtype)
    twin = params.copy()
    m, v = np.zeros_like(params), np.zeros_like(params)
    adam = Adam(params, learning_rate_init=0.01)
    rng = np.random.RandomState(1)
    for _ in range(4):
        grads = rng.randn(1000).astype(dtype)
        adam.step(params, grads, decay, n_decayed)
        numpy_adam_step(twin, grads, m, v, adam, decay, n_decayed)
    np.testing.assert_array_equal(params, twin)
    np.testing.assert_array_equal(adam._m_scaled, m)
    np.testing.assert_array_equal(adam._v_scaled, v)


def test_decay_adds_the_penalty_gradient_to_the_leading_entries():
    params, grads = _params_and_grads(n=10)
    fused, plain = params.copy(), params.copy()
    SGD(fused, 0.1, momentum=0.0).step(fused, grads, decay=0.2, n_decayed=4)
    by_hand = grads.copy()
    by_hand[:4] += 0.2 * params[:4]
    SGD(plain, 0.1, momentum=0.0).step(plain, by_hand)
    np.testing.assert_allclose(fused, plain, rtol=1e-15)


# -- schedules' factor, decoupled weight decay, clipping ---------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_kernel_with_weight_decay_and_clipping_agrees_with_numpy(dtype, nesterov):
    params, _ = _params_and_grads(n=1000, dtype=dtype)
    twin, velocity = params.copy(), np.zeros_like(params)
    sgd = SGD(params, 0.05, momentum=0.8, nesterov=nesterov, weight_decay=0.3)
    rng = np.random.RandomState(1)
    for factor, scale in [(1.0, 1.0), (0.5, 0.25), (0.1, 0.9)]:
        grads = rng.randn(1000).astype(dtype)
        sgd.step(params, grads, 0.03, 700, rate_factor=factor, grad_scale=scale)
        rate = 0.05 * factor
        numpy_sgd_step(
            twin,
            grads,
            velocity,
            rate,
            0.8,
            nesterov,
            0.03,
            700,
            shrink=dtype(1 - rate * 0.3),
            grad_scale=scale,
        )
    np.testing.assert_array_equal(params, twin)
    np.testing.assert_array_equal(sgd.velocity, velocity)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_adam_kernel_with_weight_decay_and_clipping_agrees_with_numpy(dtype):
    params, _ = _params_and_grads(n=1000, dtype=dtype)
    twin = params.copy()
    m, v = np.zeros_like(params), np.zeros_like(params)
    adam = Adam(params, learning_rate_init=0.01, weight_decay=0.05)
    rng = np.random.RandomState(1)
    for factor, scale in [(1.0, 1.0), (0.5, 0.25), (0.1, 0.9)]:
        grads = rng.randn(1000).astype(dtype)
        adam.step(params, grads, 0.03, 700, rate_factor=factor, grad_scale=scale)
        numpy_adam_step(
            twin,
            grads,
            m,
            v,
            adam,
            0.03,
            700,
            shrink=dtype(1 - 0.01 * factor * 0.05),
            grad_scale=scale,
            rate_factor=factor,
        )
    np.testing.assert_array_equal(params, twin)
    np.testing.assert_array_equal(adam._m_scaled, m)


def test_adamw_step_by_hand():
    # AdamW, step 1: θ ← θ (1 - η λ) - η_t m / (√v + ε), with scikit-learn's
    # placement of ε and η_t = η √(1 - β₂) / (1 - β₁); at t = 1, m = (1 - β₁) g
    # and v = (1 - β₂) g², so the move is η √(1 - β₂) g / (√(1 - β₂) |g| + ε).
    params = np.array([1.0, -2.0, 3.0])
    grads = np.array([0.5, 0.5, -1.0])
    adam = Adam(params, learning_rate_init=0.1, weight_decay=0.2, epsilon=1e-3)
    adam.step(params, grads, n_decayed=2, rate_factor=0.5)
    rate, root = 0.05, np.sqrt(1 - 0.999)
    expected = np.array([1.0, -2.0, 3.0]) * [1 - rate * 0.2, 1 - rate * 0.2, 1]
    expected -= rate * root * grads / (root * np.abs(grads) + 1e-3)
    np.testing.assert_allclose(params, expected, rtol=1e-12)


def test_weight_decay_leaves_the_biases_alone():
    params = np.ones(6)
    sgd = SGD(params, 0.1, momentum=0.0, weight_decay=0.5)
    sgd.step(params, np.zeros(6), n_decayed=4)
    np.testing.assert_array_equal(params, [0.95] * 4 + [1.0] * 2)


def test_unit_factors_leave_the_step_exactly_as_without_them():
    params, grads = _params_and_grads(n=100)
    twin = params.copy()
    Adam(params, 0.01).step(params, grads, 0.1, 60)
    Adam(twin, 0.01, weight_decay=0.0).step(
        twin, grads, 0.1, 60, rate_factor=1.0, grad_scale=1.0
    )
    np.testing.assert_array_equal(params, twin)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gradient_norm_includes_the_penalty_on_the_weights(dtype):
    params, grads = _params_and_grads(n=50, dtype=dtype)
    expected = grads.astype(np.float64)
    expected[:30] += 0.2 * params[:30].astype(np.float64)
    assert gradient_norm(params, grads, 0.2, 30) == pytest.approx(
        np.linalg.norm(expected), rel=1e-6 if dtype == np.float32 else 1e-13
    )


def test_gradient_norm_of_float32_does_not_overflow():
    grads = np.full(4, 3e20, dtype=np.float32)  # squares overflow float32
    assert gradient_norm(np.zeros(4, np.float32), grads) == pytest.approx(6e20)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("n", "n_decayed"), [(0, 0), (5, 3), (16, 16), (47, 33)])
def test_gradient_norm_adds_every_entry_once(n, n_decayed, dtype):
    # Integers square and add exactly in double precision, whatever the
    # order of the running sums: each entry, its tail included, counts once.
    rng = np.random.RandomState(n)
    params = rng.randint(-50, 50, n).astype(dtype)
    grads = rng.randint(-50, 50, n).astype(dtype)
    penalised = grads.astype(np.int64) + 2 * params.astype(np.int64) * (
        np.arange(n) < n_decayed
    )
    expected = np.sqrt(float(np.sum(penalised**2)))
    assert gradient_norm(params, grads, 2.0, n_decayed) == expected
