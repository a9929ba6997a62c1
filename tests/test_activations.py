import re
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from oracles import numpy_add_bias_and_apply, numpy_backprop_and_sum
from scipy import special, stats
from sklearn.base import clone

from sknn.activations import ACTIVATIONS, Activation, check_activation, get_activation

NAMES = sorted(ACTIVATIONS)
SMOOTH = [name for name in NAMES if ACTIVATIONS[name].differentiable]

# Independent oracles for the values: scipy and numpy, never sknn's own code.
REFERENCE = {
    "step": lambda z: (z > 0).astype(float),
    "identity": lambda z: z,
    "logistic": special.expit,
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
    "elu": lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0))),
    "softplus": lambda z: np.log1p(np.exp(-np.abs(z))) + np.maximum(z, 0),
    "gelu": lambda z: z * stats.norm.cdf(z),
    "silu": lambda z: z * special.expit(z),
}


def _derivative(act, z):
    return act.derivative(z=z, a=act.forward(z))


def test_registry_covers_the_required_names():
    required = {"step", "identity", "logistic", "tanh", "relu", "leaky_relu"}
    required |= {"elu", "softplus", "gelu", "silu"}
    assert required <= set(ACTIVATIONS)
    assert set(REFERENCE) == set(ACTIVATIONS)


@pytest.mark.parametrize("name", NAMES)
def test_forward_matches_reference(name):
    z = np.linspace(-6, 6, 241)
    np.testing.assert_allclose(
        get_activation(name).forward(z), REFERENCE[name](z), rtol=1e-12, atol=1e-14
    )


@pytest.mark.parametrize("name", SMOOTH)
def test_derivative_matches_central_differences(name):
    act = get_activation(name)
    # Stay off the kinks of relu-like functions, where f' jumps.
    z = np.linspace(-4, 4, 160) + 0.0125
    h = 1e-6
    numeric = (act.forward(z + h) - act.forward(z - h)) / (2 * h)
    np.testing.assert_allclose(_derivative(act, z), numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", SMOOTH)
def test_backprop_multiplies_delta_in_place(name):
    act = get_activation(name)
    rng = np.random.default_rng(0)
    z = rng.normal(size=(7, 5))
    a = act.forward(z)
    delta = rng.normal(size=z.shape)
    expected = delta * act.derivative(z=z, a=a)
    result = act.backprop(delta, z=z, a=a)
    assert result is delta
    np.testing.assert_allclose(delta, expected, rtol=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_forward_can_write_into_its_input(name):
    act = get_activation(name)
    z = np.linspace(-3, 3, 13)
    expected = act.forward(z)
    out = act.forward(z, out=z)
    assert out is z
    np.testing.assert_array_equal(z, expected)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept(name, dtype):
    act = get_activation(name)
    z = np.linspace(-3, 3, 11, dtype=dtype)
    a = act.forward(z)
    assert a.dtype == dtype
    assert act.derivative(z=z, a=a).dtype == dtype
    delta = np.ones_like(z)
    assert act.backprop(delta, z=z, a=a).dtype == dtype


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_extreme_inputs_are_finite_and_silent(name, dtype):
    act = get_activation(name)
    z = np.array([-1e4, -1e3, -88.0, -30.0, 0.0, 30.0, 88.0, 1e3, 1e4], dtype=dtype)
    # Overflow, division by zero or NaN fail; underflow to zero is harmless.
    with warnings.catch_warnings(), np.errstate(all="raise", under="ignore"):
        warnings.simplefilter("error")
        a = act.forward(z)
        d = act.derivative(z=z, a=a)
        act.backprop(np.ones_like(z), z=z, a=a)
    assert np.all(np.isfinite(a)) and np.all(np.isfinite(d))


@settings(max_examples=60, deadline=None)
@given(
    name=st.sampled_from(NAMES),
    z=hnp.arrays(
        np.float64,
        hnp.array_shapes(max_dims=2, max_side=6),
        elements=st.floats(-1e4, 1e4, allow_nan=False),
    ),
)
def test_output_stays_in_declared_range(name, z):
    act = get_activation(name)
    a = act.forward(z)
    low, high = act.output_range
    tolerance = 1e-12 * np.maximum(1, np.abs(a))
    assert np.all(a >= low - tolerance) and np.all(a <= high + tolerance)


@pytest.mark.parametrize("name", ["gelu", "silu"])
def test_declared_minimum_is_attained(name):
    act = get_activation(name)
    z = np.linspace(-3, 0, 300001)
    assert act.forward(z).min() == pytest.approx(act.output_range[0], abs=1e-9)


def test_targets_are_the_clipped_ends_of_the_range():
    assert get_activation("logistic").targets == (0.0, 1.0)
    assert get_activation("tanh").targets == (-1.0, 1.0)
    assert get_activation("relu").targets == (0.0, 1.0)
    assert get_activation("identity").targets == (-1.0, 1.0)
    assert get_activation("elu", alpha=0.5).targets == (-0.5, 1.0)


def test_sigmoid_is_an_alias_of_logistic():
    assert get_activation("sigmoid") == get_activation("logistic")


def test_leaky_relu_slope_is_a_parameter():
    act = get_activation("leaky_relu", negative_slope=0.2)
    np.testing.assert_allclose(act.forward(np.array([-1.0, 2.0])), [-0.2, 2.0])
    np.testing.assert_allclose(act.derivative(a=np.array([-0.2, 2.0])), [0.2, 1.0])
    assert get_activation("leaky_relu").negative_slope == 0.01


@pytest.mark.parametrize("slope", [0, -0.1, 1.0, 2.0])
def test_leaky_relu_rejects_slopes_outside_unit_interval(slope):
    with pytest.raises(ValueError, match="negative_slope"):
        get_activation("leaky_relu", negative_slope=slope)


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match="Valid names are") as info:
        get_activation("swish2")
    for name in [*NAMES, "sigmoid"]:
        assert repr(name) in str(info.value)


def test_an_instance_passes_through():
    act = get_activation("tanh")
    assert get_activation(act) is act
    assert isinstance(act, Activation)


def test_output_based_derivative_needs_the_output():
    with pytest.raises(ValueError, match="output"):
        get_activation("tanh").derivative(z=np.zeros(3))
    with pytest.raises(ValueError, match="input"):
        get_activation("gelu").derivative(a=np.zeros(3))


def test_step_has_no_useful_derivative():
    step = get_activation("step")
    assert not step.differentiable
    z = np.array([-1.0, 0.0, 2.0])
    np.testing.assert_array_equal(step.forward(z), [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(step.derivative(z=z), 0.0)


def test_repr_and_equality_follow_parameters():
    assert repr(get_activation("leaky_relu", negative_slope=0.3)) == (
        "LeakyReLU(negative_slope=0.3)"
    )
    assert get_activation("leaky_relu") != get_activation(
        "leaky_relu", negative_slope=0.2
    )
    assert len({get_activation("relu"), get_activation("relu")}) == 1


# -- check_activation: one message wherever a name is checked --------------------


def test_unknown_name_suggests_the_closest_and_sorts_the_rest():
    with pytest.raises(ValueError) as info:
        check_activation("rleu")
    message = str(info.value)
    assert "Did you mean 'relu'?" in message
    listed = re.findall(r"'(\w+)'", message.split("Valid names are")[1])
    names = listed[: len([*NAMES, "sigmoid"])]
    assert names == sorted([*NAMES, "sigmoid"])


def test_capitalised_name_gets_a_case_hint():
    with pytest.raises(ValueError, match="lower case: did you mean 'relu'"):
        check_activation("ReLU")


def test_step_where_gradients_train_says_why():
    with pytest.raises(ValueError, match="zero almost everywhere") as info:
        check_activation("step", differentiable=True, param="activation[2]")
    assert str(info.value).startswith("activation[2]='step' cannot train a hidden")
    assert "'step'" not in str(info.value).split("Valid names are")[1]
    with pytest.raises(ValueError, match="zero almost everywhere"):
        check_activation(get_activation("step"), differentiable=True)
    assert check_activation("step").name == "step"


def test_check_activation_builds_names_and_passes_instances():
    assert check_activation("leaky_relu", negative_slope=0.2).negative_slope == 0.2
    elu = get_activation("elu", alpha=0.5)
    assert check_activation(elu, differentiable=True) is elu
    with pytest.raises(ValueError, match="neither an activation name"):
        check_activation(3)


def test_activation_params_are_nested_parameters():
    leaky = get_activation("leaky_relu", negative_slope=0.1)
    copy = clone(leaky, safe=False)
    assert copy == leaky and copy is not leaky
    assert leaky.set_params(negative_slope=0.3).negative_slope == 0.3
    with pytest.raises(ValueError, match="negative_slope"):
        leaky.set_params(negative_slope=2.0)
    with pytest.raises(ValueError, match="no parameter 'alpha'"):
        leaky.set_params(alpha=1.0)


# -- the layer passes: compiled kernels against the numpy sequences ----------

# The kernels compute these with the numpy sequence's operations in its order;
# tanh and the logistic call the C library's tanh and exp instead.
SAME_OPERATIONS = {"identity", "relu", "leaky_relu"}
TOLERANCE = {np.float64: 1e-12, np.float32: 1e-5}


def _layer(dtype, seed=0, n=37, width=29):
    rng = np.random.RandomState(seed)
    z = (3 * rng.randn(n, width)).astype(dtype)
    bias = rng.randn(width).astype(dtype)
    delta = rng.randn(n, width).astype(dtype)
    return z, bias, delta


def _agree(actual, expected, name, dtype, exact):
    if exact:
        np.testing.assert_array_equal(actual, expected)
    else:
        np.testing.assert_allclose(actual, expected, rtol=TOLERANCE[dtype], atol=0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", NAMES)
def test_add_bias_and_apply_agrees_with_add_then_forward(name, dtype):
    act = get_activation(name)
    z, bias, _ = _layer(dtype)
    expected = numpy_add_bias_and_apply(act, z.copy(), bias)
    result = act.add_bias_and_apply(z, bias)
    assert result is z and z.dtype == dtype
    _agree(z, expected, name, dtype, name in SAME_OPERATIONS)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", SMOOTH)
def test_backprop_and_sum_agrees_with_backprop_then_column_sums(name, dtype):
    act = get_activation(name)
    z, _, delta = _layer(dtype)
    a = act.forward(z)
    expected_sums = np.empty(z.shape[1], dtype=dtype)
    expected = numpy_backprop_and_sum(act, delta.copy(), expected_sums, z=z, a=a)
    sums = np.full(z.shape[1], np.nan, dtype=dtype)
    result = act.backprop_and_sum(delta, sums, z=z, a=a)
    assert result is delta
    _agree(delta, expected, name, dtype, name != "identity" and name in ACTIVATIONS)
    # the same product with a vector of ones
    np.testing.assert_array_equal(sums, expected_sums)


def test_relu_passes_keep_nan_forward_as_numpy_does():
    z = np.array([[np.nan, -1.0, 2.0]])
    get_activation("relu").add_bias_and_apply(z, np.zeros(3))
    np.testing.assert_array_equal(z, [[np.nan, 0.0, 2.0]])


def test_logistic_pass_saturates_without_nan_or_warning():
    z = np.array([[-1e4, 0.0, 1e4]], dtype=np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        get_activation("logistic").add_bias_and_apply(z, np.zeros(3, np.float32))
    np.testing.assert_array_equal(z, [[0.0, 0.5, 1.0]])


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@pytest.mark.parametrize("b", [0.5, 3.0, 40.0, 1e6])
def test_bound_holds_over_the_interval(name, b):
    activation = get_activation(name)
    z = np.linspace(-b, b, 20001)
    with np.errstate(over="ignore"):
        assert np.abs(activation.forward(z)).max() <= activation.bound(b)
