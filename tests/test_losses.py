"""Tests for sknn._losses: values against independent oracles, stability, deltas."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oracles import NUMPY_VALUE_AND_DELTA
from scipy.special import expit, log_expit, log_softmax, softmax, xlogy
from sklearn.metrics import log_loss
from sklearn.neural_network._base import poisson_loss, squared_loss

from sknn._losses import (
    AbsoluteError,
    BinaryLogLoss,
    PoissonDeviance,
    SoftmaxLogLoss,
    SquaredError,
    get_loss,
)

LOSSES = [
    BinaryLogLoss(),
    SoftmaxLogLoss(),
    SquaredError(),
    AbsoluteError(),
    PoissonDeviance(),
]
PROBABILISTIC = [BinaryLogLoss(), SoftmaxLogLoss()]
REGRESSION = [SquaredError(), AbsoluteError(), PoissonDeviance()]


def _problem(loss, n_samples=7, n_outputs=3, scale=2.0, seed=0):
    rng = np.random.RandomState(seed)
    logits = scale * rng.randn(n_samples, n_outputs)
    if isinstance(loss, SoftmaxLogLoss):
        Y = np.eye(n_outputs)[rng.randint(n_outputs, size=n_samples)]
    elif isinstance(loss, BinaryLogLoss):
        Y = (rng.rand(n_samples, n_outputs) < 0.5).astype(float)
    elif isinstance(loss, PoissonDeviance):
        Y = rng.poisson(2.0, size=(n_samples, n_outputs)).astype(float)
    else:
        Y = rng.randn(n_samples, n_outputs)
    return logits, Y, rng.rand(n_samples) + 0.1


@pytest.mark.parametrize(
    "name, cls, out_activation",
    [
        ("binary_log_loss", BinaryLogLoss, "logistic"),
        ("log_loss", SoftmaxLogLoss, "softmax"),
        ("squared_error", SquaredError, "identity"),
        ("absolute_error", AbsoluteError, "identity"),
        ("poisson", PoissonDeviance, "exp"),
    ],
)
def test_get_loss_by_name_with_its_output(name, cls, out_activation):
    loss = get_loss(name)
    assert isinstance(loss, cls)
    assert loss.name == name
    assert loss.out_activation == out_activation
    assert repr(loss) == f"{cls.__name__}()"


def test_get_loss_rejects_unknown_names_and_lists_valid_ones():
    with pytest.raises(ValueError, match="absolute_error.*binary_log_loss.*poisson"):
        get_loss("softmax")


def test_outputs_match_scipy():
    logits, _, _ = _problem(SoftmaxLogLoss())
    np.testing.assert_allclose(SoftmaxLogLoss().output(logits), softmax(logits, axis=1))
    np.testing.assert_allclose(BinaryLogLoss().output(logits), expit(logits))
    np.testing.assert_array_equal(SquaredError().output(logits), logits)
    np.testing.assert_array_equal(AbsoluteError().output(logits), logits)
    np.testing.assert_allclose(PoissonDeviance().output(logits), np.exp(logits))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_poisson_output_never_overflows(dtype):
    logits = np.array([[0.0], [80.0], [1e4], [-1e4]], dtype=dtype)
    with (
        warnings.catch_warnings(),
        np.errstate(over="raise", invalid="raise", divide="raise"),
    ):
        warnings.simplefilter("error")
        mean = PoissonDeviance().output(logits)
    assert mean.dtype == dtype
    assert np.isfinite(mean).all()
    assert mean[2, 0] > 0.99 * np.finfo(dtype).max
    assert mean[3, 0] == 0.0


def test_log_outputs_match_scipy():
    logits, _, _ = _problem(SoftmaxLogLoss())
    np.testing.assert_allclose(
        SoftmaxLogLoss().log_output(logits), log_softmax(logits, axis=1), rtol=1e-12
    )
    np.testing.assert_allclose(
        BinaryLogLoss().log_output(logits), log_expit(logits), rtol=1e-12
    )


@pytest.mark.parametrize("loss", REGRESSION, ids=repr)
def test_regression_outputs_have_no_log_output(loss):
    with pytest.raises(ValueError, match="no probability"):
        loss.log_output(np.zeros((2, 1)))


@pytest.mark.parametrize("loss", LOSSES, ids=repr)
def test_output_can_be_computed_in_place(loss):
    logits, _, _ = _problem(loss)
    expected = loss.output(logits)
    result = loss.output(logits, out=logits)
    assert result is logits
    np.testing.assert_allclose(result, expected)


@pytest.mark.parametrize("loss", PROBABILISTIC, ids=repr)
def test_log_output_can_be_computed_in_place(loss):
    logits, _, _ = _problem(loss)
    expected = loss.log_output(logits)
    result = loss.log_output(logits, out=logits)
    assert result is logits
    np.testing.assert_allclose(result, expected)


@pytest.mark.parametrize("weighted", [False, True])
def test_softmax_log_loss_matches_xlogy_and_sklearn(weighted):
    loss = SoftmaxLogLoss()
    logits, Y, sample_weight = _problem(loss)
    weights = sample_weight if weighted else np.ones(len(Y))
    per_sample = -xlogy(Y, softmax(logits, axis=1)).sum(axis=1)
    expected = np.dot(per_sample, weights)
    value = loss.value(logits, Y, sample_weight if weighted else None)
    assert value == pytest.approx(expected, rel=1e-12)
    # sklearn.metrics.log_loss is the weighted mean.
    mean = log_loss(
        Y.argmax(axis=1),
        softmax(logits, axis=1),
        sample_weight=weights,
        labels=range(Y.shape[1]),
    )
    assert value / weights.sum() == pytest.approx(mean, rel=1e-10)


@pytest.mark.parametrize("weighted", [False, True])
def test_binary_log_loss_sums_columns_like_sklearn(weighted):
    loss = BinaryLogLoss()
    logits, Y, sample_weight = _problem(loss)
    weights = sample_weight if weighted else np.ones(len(Y))
    p = expit(logits)
    per_sample = -(xlogy(Y, p) + xlogy(1 - Y, 1 - p)).sum(axis=1)
    value = loss.value(logits, Y, sample_weight if weighted else None)
    assert value == pytest.approx(np.dot(per_sample, weights), rel=1e-12)
    column_means = [
        log_loss(Y[:, k], p[:, k], sample_weight=weights) for k in range(Y.shape[1])
    ]
    assert value / weights.sum() == pytest.approx(sum(column_means), rel=1e-10)


@pytest.mark.parametrize("weighted", [False, True])
def test_squared_error_is_sklearns_half_square_averaged_over_outputs(weighted):
    loss = SquaredError()
    logits, Y, sample_weight = _problem(loss)
    weights = sample_weight if weighted else None
    mean = loss.value(logits, Y, weights) / (
        len(Y) if weights is None else weights.sum()
    )
    assert mean == pytest.approx(squared_loss(Y, logits, weights), rel=1e-12)


@pytest.mark.parametrize("weighted", [False, True])
def test_poisson_is_sklearns_half_deviance(weighted):
    loss = PoissonDeviance()
    logits, Y, sample_weight = _problem(loss)
    weights = sample_weight if weighted else None
    mean = loss.value(logits, Y, weights) / (
        len(Y) if weights is None else weights.sum()
    )
    expected = poisson_loss(Y, np.exp(logits), weights)
    assert mean == pytest.approx(expected, rel=1e-12)
    # a perfect prediction of the mean costs nothing
    Y_mean = np.exp(logits)
    assert loss.value(logits, Y_mean) == pytest.approx(0.0, abs=1e-12)


def test_absolute_error_is_the_mean_absolute_residual():
    loss = AbsoluteError()
    logits, Y, sample_weight = _problem(loss)
    expected = np.dot(np.abs(logits - Y).mean(axis=1), sample_weight)
    assert loss.value(logits, Y, sample_weight) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("loss", LOSSES, ids=repr)
@pytest.mark.parametrize("weighted", [False, True])
def test_value_and_delta_gives_value_and_weighted_residual(loss, weighted):
    logits, Y, sample_weight = _problem(loss)
    sample_weight = sample_weight if weighted else None
    expected_value = loss.value(logits, Y, sample_weight)
    residual = loss.output(logits) - Y
    if isinstance(loss, AbsoluteError):
        residual = np.sign(residual)
    if loss.averages_outputs:
        residual /= Y.shape[1]
    expected_delta = residual * 0.25
    if weighted:
        expected_delta *= sample_weight[:, None]
    delta = logits.copy()
    value = loss.value_and_delta(delta, Y, sample_weight, scale=0.25)
    assert value == pytest.approx(expected_value, rel=1e-12)
    np.testing.assert_allclose(delta, expected_delta, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("loss", LOSSES, ids=repr)
def test_delta_is_the_gradient_of_the_value(loss):
    logits, Y, sample_weight = _problem(loss, n_samples=4)
    delta = logits.copy()
    loss.value_and_delta(delta, Y, sample_weight)
    numeric = np.zeros_like(logits)
    h = 1e-6
    for index in np.ndindex(*logits.shape):
        up, down = logits.copy(), logits.copy()
        up[index] += h
        down[index] -= h
        numeric[index] = (
            loss.value(up, Y, sample_weight) - loss.value(down, Y, sample_weight)
        ) / (2 * h)
    np.testing.assert_allclose(delta, numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("loss", PROBABILISTIC, ids=repr)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_extreme_logits_give_finite_losses_silently(loss, dtype):
    logits = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 3.0], [0.0, 0.0, 0.0]], dtype)
    Y = np.array([[0, 1, 0], [0, 1, 0], [0, 0, 1]], dtype)
    with (
        warnings.catch_warnings(),
        np.errstate(over="raise", invalid="raise", divide="raise"),
    ):
        warnings.simplefilter("error")
        value = loss.value(logits, Y)
        log_p = loss.log_output(logits)
        p = loss.output(logits)
        delta = logits.copy()
        value_too = loss.value_and_delta(delta, Y)
    assert np.isfinite(value)
    assert value == pytest.approx(value_too, rel=1e-6)
    # The wrong label at logit -1e4 costs about 1e4, not -log(eps).
    assert value > 1e4
    assert np.isfinite(log_p).all()
    assert np.isfinite(delta).all()
    assert log_p.dtype == p.dtype == delta.dtype == dtype


@pytest.mark.parametrize("loss", PROBABILISTIC, ids=repr)
def test_log_output_is_finite_where_probabilities_saturate(loss):
    logits = np.array([[-800.0, 0.0, 800.0]])
    with np.errstate(divide="ignore"):
        naive = np.log(loss.output(logits))
    assert not np.isfinite(naive).all()
    log_p = loss.log_output(logits)
    assert np.isfinite(log_p).all()
    # same ordering as log(p), and exact where p is representable
    assert (np.argsort(log_p, axis=1) == np.argsort(loss.output(logits), axis=1)).all()
    assert log_p.min() == pytest.approx(
        -800.0 if loss.name == "binary_log_loss" else -1600
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("loss", LOSSES, ids=repr)
def test_float32_stays_float32(loss, dtype):
    logits, Y, sample_weight = _problem(loss)
    logits, Y = logits.astype(dtype), Y.astype(dtype)
    assert loss.output(logits).dtype == dtype
    delta = logits.copy()
    loss.value_and_delta(delta, Y, sample_weight.astype(np.float64), scale=0.5)
    assert delta.dtype == dtype


@settings(max_examples=50, deadline=None)
@given(
    shift=st.floats(-1e3, 1e3),
    row=st.lists(st.floats(-50, 50), min_size=2, max_size=6),
)
def test_softmax_log_loss_ignores_a_common_shift(shift, row):
    logits = np.array([row])
    Y = np.zeros_like(logits)
    Y[0, 0] = 1.0
    loss = SoftmaxLogLoss()
    assert loss.value(logits + shift, Y) == pytest.approx(
        loss.value(logits, Y), rel=1e-9, abs=1e-9
    )


@pytest.mark.parametrize("loss", PROBABILISTIC, ids=repr)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_boolean_targets_act_like_float_ones(loss, dtype):
    logits, Y, sample_weight = _problem(loss)
    logits = logits.astype(dtype)
    expected_delta, delta = logits.copy(), logits.copy()
    expected = loss.value_and_delta(expected_delta, Y.astype(dtype), sample_weight, 0.5)
    value = loss.value_and_delta(delta, Y.astype(bool), sample_weight, 0.5)
    assert value == pytest.approx(expected, rel=1e-6)
    assert loss.value(logits, Y.astype(bool)) == pytest.approx(
        loss.value(logits, Y), rel=1e-6
    )
    assert delta.dtype == dtype
    np.testing.assert_array_equal(delta, expected_delta)


# -- the compiled value_and_delta against the numpy sequences ---------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("name", sorted(NUMPY_VALUE_AND_DELTA))
def test_compiled_value_and_delta_agrees_with_numpy(name, weighted, dtype):
    rng = np.random.RandomState(0)
    logits = (4 * rng.randn(57, 7)).astype(dtype)
    if name == "log_loss":
        Y = np.eye(7, dtype=dtype)[rng.randint(0, 7, 57)]
    elif name == "binary_log_loss":
        Y = (rng.rand(57, 7) < 0.5).astype(dtype)
    else:
        Y = rng.randn(57, 7).astype(dtype)
    weights = rng.rand(57).astype(dtype) if weighted else None
    expected_delta = logits.copy()
    expected = NUMPY_VALUE_AND_DELTA[name](expected_delta, Y, weights, 0.1)
    total = get_loss(name).value_and_delta(logits, Y, weights, 0.1)
    rtol = 1e-12 if dtype == np.float64 else 1e-5
    assert total == pytest.approx(expected, rel=rtol)
    # Deltas near 0 carry the rounding of p - y on the scale of 1 (or of y).
    atol = rtol * 0.1 * max(1.0, float(np.abs(Y).max()))
    np.testing.assert_allclose(logits, expected_delta, rtol=rtol, atol=atol)
