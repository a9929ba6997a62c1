"""The learning-rate schedules, against their formulas; the warm-up; the checks."""

import math

import numpy as np
import pytest
from sklearn.base import clone

from sknn.schedules import (
    SCHEDULES,
    Constant,
    Cosine,
    CosineRestarts,
    FlatCosine,
    OneCycle,
    ScheduledRate,
    get_schedule,
)

GRID = np.linspace(0, 1, 101)


def test_constant_is_one_throughout():
    assert [Constant()(p) for p in GRID] == [1.0] * len(GRID)


@pytest.mark.parametrize("final", [0.0, 0.1])
def test_cosine_decays_from_one_to_the_final_factor(final):
    cosine = Cosine(final_factor=final)
    assert cosine(0.0) == 1.0
    assert cosine(0.5) == pytest.approx((1 + final) / 2)
    assert cosine(1.0) == pytest.approx(final)
    assert np.all(np.diff([cosine(p) for p in GRID]) <= 0)


@pytest.mark.parametrize("flat, final", [(0.5, 0.0), (0.2, 0.1), (0.0, 0.0)])
def test_flat_cosine_holds_one_then_decays_as_the_cosine(flat, final):
    schedule = FlatCosine(flat_fraction=flat, final_factor=final)
    cosine = Cosine(final_factor=final)
    held = GRID[GRID < flat]
    assert [schedule(p) for p in held] == [1.0] * len(held)
    rest = GRID[GRID >= flat]
    expected = [cosine((p - flat) / (1 - flat)) for p in rest]
    assert [schedule(p) for p in rest] == pytest.approx(expected)
    assert schedule(1.0) == pytest.approx(final)


def test_flat_cosine_refuses_an_all_flat_schedule():
    with pytest.raises(ValueError, match="flat_fraction must be below 1"):
        FlatCosine(flat_fraction=1.0)


def test_one_cycle_rises_to_one_at_its_peak_then_falls():
    cycle = OneCycle(peak_at=0.3, div=25, final_div=1e4)
    values = np.array([cycle(p) for p in GRID])
    assert cycle(0.0) == pytest.approx(1 / 25)
    assert cycle(0.3) == pytest.approx(1.0)
    assert cycle(1.0) == pytest.approx(1 / 25e4)
    peak = values.argmax()
    assert GRID[peak] == pytest.approx(0.3)
    assert np.all(np.diff(values[: peak + 1]) >= 0)
    assert np.all(np.diff(values[peak:]) <= 0)


def test_cosine_restarts_jump_back_to_one_at_each_cycle():
    # cycles of length 1, 2, 4 (of 7): restarts at 1/7 and 3/7
    restarts = CosineRestarts(n_cycles=3, cycle_mult=2.0)
    assert restarts(0.0) == 1.0
    assert restarts(1 / 7 - 1e-9) == pytest.approx(0.0, abs=1e-6)
    assert restarts(1 / 7) == pytest.approx(1.0)
    assert restarts(2 / 7) == pytest.approx(0.5)  # half-way through the second
    assert restarts(3 / 7) == pytest.approx(1.0)
    assert restarts(1.0) == pytest.approx(0.0, abs=1e-12)


def test_one_cycle_of_restarts_is_the_cosine():
    one, cosine = CosineRestarts(n_cycles=1), Cosine()
    assert [one(p) for p in GRID] == pytest.approx([cosine(p) for p in GRID])


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: Cosine(final_factor=1.5), "final_factor must be a number in"),
        (lambda: OneCycle(peak_at=1.0), r"peak_at must be in \(0, 1\)"),
        (lambda: OneCycle(div=0.5), "div must be a number >= 1"),
        (lambda: CosineRestarts(n_cycles=0), "n_cycles must be an integer >= 1"),
        (lambda: CosineRestarts(cycle_mult=0.5), "cycle_mult must be a number >= 1"),
    ],
)
def test_bad_parameters_are_refused(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_names_give_the_default_schedules():
    for name, kind in SCHEDULES.items():
        assert get_schedule(name) == kind()
    assert get_schedule(None) is None
    function = lambda p: 1 - p  # noqa: E731
    assert get_schedule(function) is function
    with pytest.raises(ValueError, match="one_cycle"):
        get_schedule("linear")


def test_schedules_clone_and_set_params_like_estimators():
    restarts = CosineRestarts(n_cycles=2)
    copy = clone(restarts)
    assert copy == restarts and copy is not restarts
    assert restarts.set_params(n_cycles=5).n_cycles == 5
    with pytest.raises(ValueError, match="has no parameter 'cycles'"):
        restarts.set_params(cycles=3)
    assert repr(Cosine()) == "Cosine(final_factor=0.0)"


def test_warmup_rises_linearly_then_hands_over_to_the_schedule():
    rate = ScheduledRate(Cosine(), warmup_fraction=0.1, n_steps=100)
    factors = [rate.factor(step) for step in range(100)]
    for step in range(10):
        assert factors[step] == pytest.approx((step + 1) / 10 * Cosine()(step / 100))
    assert factors[10:] == pytest.approx([Cosine()(s / 100) for s in range(10, 100)])


def test_without_a_schedule_only_the_warmup_scales():
    rate = ScheduledRate(None, warmup_fraction=0.5, n_steps=4)
    assert [rate.factor(step) for step in range(6)] == [0.5, 1.0, 1.0, 1.0, 1.0, 1.0]
    assert not ScheduledRate(None, 0.0, 10).active
    assert ScheduledRate(Constant(), 0.0, 10).active


def test_steps_past_the_horizon_stay_at_the_end():
    rate = ScheduledRate(Cosine(), 0.0, n_steps=10)
    assert rate.factor(10) == rate.factor(25) == pytest.approx(0.0)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -1e-3, None, "1"])
def test_a_factor_that_is_not_a_finite_non_negative_number_is_refused(bad):
    rate = ScheduledRate(lambda p: bad, 0.0, 10)
    with pytest.raises(ValueError, match="at 0.3 of training"):
        rate.factor(3)
