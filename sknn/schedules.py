"""Learning-rate schedules: the factor each optimizer step's rate is scaled by.

Give one to an MLP as ``learning_rate_schedule`` (with 'sgd' or 'adam'), by
name or as an object::

    MLPNeuronClassifier(learning_rate_schedule="cosine", warmup_fraction=0.05)
    MLPNeuronClassifier(learning_rate_schedule=CosineRestarts(n_cycles=3))

A schedule maps the fraction of training done, ``p`` in ``[0, 1]``, to a
factor on the learning rate; the stochastic solvers evaluate it before every
step (not once per epoch), at ``p = step / (max_iter * n_batches)``, and step
with ``learning_rate * factor``. It composes with scikit-learn's per-epoch
``learning_rate`` rules for 'sgd' ('invscaling', 'adaptive'), which move
``learning_rate`` itself. A linear warm-up, from 0 to the schedule's value
over the first ``warmup_fraction`` of training, can precede any schedule.

The schedules are small objects (:class:`Constant`, :class:`Cosine`,
:class:`OneCycle`, :class:`CosineRestarts`) that hold their parameters and
expose them to ``get_params``, so an estimator's ``learning_rate_schedule``
can be grid-searched through them (``learning_rate_schedule__n_cycles``); a
name stands for one with its default parameters, and any callable of ``p``
is a schedule too. :class:`ScheduledRate` evaluates one for a fit, and
checks that a callable's factors are finite and not negative.
"""

import math
from abc import ABC, abstractmethod
from numbers import Real

__all__ = [
    "SCHEDULES",
    "Schedule",
    "Constant",
    "Cosine",
    "CosineRestarts",
    "FlatCosine",
    "OneCycle",
    "ScheduledRate",
    "get_schedule",
]


class Schedule(ABC):
    """A learning-rate schedule: ``factor(p)`` for ``p`` the fraction done."""

    name = None

    @abstractmethod
    def __call__(self, progress):
        """Return the factor on the learning rate at the fraction ``progress``."""

    def get_params(self, deep=True):
        """Return the constructor parameters, for scikit-learn's clone and search."""
        return {}

    def set_params(self, **params):
        """Set constructor parameters, checked as the constructor checks them."""
        unknown = sorted(set(params) - set(self.get_params()))
        if unknown:
            raise ValueError(
                f"{type(self).__name__} has no parameter {unknown[0]!r}; its "
                f"parameters are {sorted(self.get_params())}."
            )
        self.__init__(**{**self.get_params(), **params})
        return self

    def __sklearn_clone__(self):
        return type(self)(**self.get_params())

    def __repr__(self):
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({params})"

    def __eq__(self, other):
        return type(self) is type(other) and self.get_params() == other.get_params()

    def __hash__(self):
        return hash((type(self), tuple(sorted(self.get_params().items()))))


def _check_fraction(value, name, low=0.0, high=1.0):
    if not isinstance(value, Real) or not low <= value <= high:
        raise ValueError(f"{name} must be a number in [{low}, {high}], got {value!r}.")
    return float(value)


class Constant(Schedule):
    """The factor 1 throughout: the rate as ``learning_rate`` sets it.

    Useful as the schedule a warm-up leads into.
    """

    name = "constant"

    def __call__(self, progress):
        return 1.0


class Cosine(Schedule):
    """Cosine decay from 1 to ``final_factor`` (Loshchilov and Hutter, 2017).

    ``factor(p) = f + (1 - f) (1 + cos(π p)) / 2``, with ``f`` the final
    factor.

    Parameters
    ----------
    final_factor : float, default=0.0
        The factor at the end of training, in ``[0, 1]``.
    """

    name = "cosine"

    def __init__(self, final_factor=0.0):
        self.final_factor = _check_fraction(final_factor, "final_factor")

    def get_params(self, deep=True):
        return {"final_factor": self.final_factor}

    def __call__(self, progress):
        low = self.final_factor
        return low + (1.0 - low) * 0.5 * (1.0 + math.cos(math.pi * progress))


class OneCycle(Schedule):
    """One cycle: up from ``1 / div`` to 1, then down to ``1 / (div * final_div)``.

    Smith and Topin's "super-convergence" policy, with cosine-shaped ramps
    as in PyTorch's ``OneCycleLR``: the peak, ``learning_rate_init``, is
    reached at ``p = peak_at``.

    Parameters
    ----------
    peak_at : float, default=0.3
        The fraction of training at which the factor peaks, in ``(0, 1)``.
    div : float, default=25.0
        The start factor is ``1 / div``.
    final_div : float, default=1e4
        The final factor is ``1 / (div * final_div)``.
    """

    name = "one_cycle"

    def __init__(self, peak_at=0.3, div=25.0, final_div=1e4):
        self.peak_at = _check_fraction(peak_at, "peak_at")
        if not 0.0 < self.peak_at < 1.0:
            raise ValueError(f"peak_at must be in (0, 1), got {peak_at!r}.")
        for name, value in (("div", div), ("final_div", final_div)):
            if not isinstance(value, Real) or not value >= 1:
                raise ValueError(f"{name} must be a number >= 1, got {value!r}.")
        self.div = float(div)
        self.final_div = float(final_div)

    def get_params(self, deep=True):
        return {"peak_at": self.peak_at, "div": self.div, "final_div": self.final_div}

    def __call__(self, progress):
        start, end = 1.0 / self.div, 1.0 / (self.div * self.final_div)
        if progress < self.peak_at:
            return _cosine_ramp(start, 1.0, progress / self.peak_at)
        return _cosine_ramp(1.0, end, (progress - self.peak_at) / (1 - self.peak_at))


class FlatCosine(Schedule):
    """Flat at 1, then a cosine decay to ``final_factor``: RealMLP's ``flat_cos``.

    ``factor(p) = 1`` for ``p < s`` and, after that, the :class:`Cosine`
    decay over the rest of training,
    ``f + (1 - f) (1 + cos(π (p - s) / (1 - s))) / 2``, with ``s`` the flat
    fraction and ``f`` the final factor. The tabular estimators scale their
    dropout probability by it: full regularisation while the network is far
    from its fit, none at its end.

    Parameters
    ----------
    flat_fraction : float, default=0.5
        The fraction of training held at 1, in ``[0, 1)``.
    final_factor : float, default=0.0
        The factor at the end of training, in ``[0, 1]``.

    Examples
    --------
    >>> from sknn.schedules import FlatCosine
    >>> schedule = FlatCosine()
    >>> schedule(0.25), schedule(0.75), schedule(1.0)
    (1.0, 0.5, 0.0)
    """

    name = "flat_cosine"

    def __init__(self, flat_fraction=0.5, final_factor=0.0):
        self.flat_fraction = _check_fraction(flat_fraction, "flat_fraction")
        if self.flat_fraction >= 1.0:
            raise ValueError(f"flat_fraction must be below 1, got {flat_fraction!r}.")
        self.final_factor = _check_fraction(final_factor, "final_factor")

    def get_params(self, deep=True):
        return {"flat_fraction": self.flat_fraction, "final_factor": self.final_factor}

    def __call__(self, progress):
        flat = self.flat_fraction
        if progress < flat:
            return 1.0
        low = self.final_factor
        t = min((progress - flat) / (1.0 - flat), 1.0)
        return low + (1.0 - low) * 0.5 * (1.0 + math.cos(math.pi * t))


def _cosine_ramp(begin, end, t):
    """From ``begin`` at ``t = 0`` to ``end`` at ``t = 1``, cosine-shaped."""
    return end + (begin - end) * 0.5 * (1.0 + math.cos(math.pi * min(t, 1.0)))


class CosineRestarts(Schedule):
    """Cosine decay restarted ``n_cycles`` times (SGDR, Loshchilov and Hutter).

    Training is split into ``n_cycles`` cycles, each ``cycle_mult`` times as
    long as the one before; within each the factor decays from 1 to
    ``final_factor`` as in :class:`Cosine`, then jumps back to 1.

    Parameters
    ----------
    n_cycles : int, default=4
        The number of cycles, at least 1.
    cycle_mult : float, default=2.0
        How much longer each cycle is than the one before, at least 1.
    final_factor : float, default=0.0
        The factor at the end of each cycle, in ``[0, 1]``.
    """

    name = "cosine_restarts"

    def __init__(self, n_cycles=4, cycle_mult=2.0, final_factor=0.0):
        if not isinstance(n_cycles, int) or n_cycles < 1:
            raise ValueError(f"n_cycles must be an integer >= 1, got {n_cycles!r}.")
        if not isinstance(cycle_mult, Real) or not cycle_mult >= 1:
            raise ValueError(f"cycle_mult must be a number >= 1, got {cycle_mult!r}.")
        self.n_cycles = n_cycles
        self.cycle_mult = float(cycle_mult)
        self.final_factor = _check_fraction(final_factor, "final_factor")

    def get_params(self, deep=True):
        return {
            "n_cycles": self.n_cycles,
            "cycle_mult": self.cycle_mult,
            "final_factor": self.final_factor,
        }

    def __call__(self, progress):
        lengths = [self.cycle_mult**k for k in range(self.n_cycles)]
        position = progress * sum(lengths)
        for length in lengths[:-1]:
            if position < length:
                break
            position -= length
        else:
            length = lengths[-1]
        low = self.final_factor
        t = min(position / length, 1.0)
        return low + (1.0 - low) * 0.5 * (1.0 + math.cos(math.pi * t))


SCHEDULES = {
    schedule.name: schedule
    for schedule in (Constant, Cosine, FlatCosine, OneCycle, CosineRestarts)
}
"""The schedules by name; a name stands for the schedule's defaults."""


def get_schedule(value, param="learning_rate_schedule"):
    """Return the schedule ``value`` names or is; None for None.

    Parameters
    ----------
    value : None, str, Schedule or callable
        A name from :data:`SCHEDULES`, a schedule object, or any callable
        mapping the fraction of training done to a factor.
    param : str, default='learning_rate_schedule'
        The parameter's name, for the message.
    """
    if value is None or callable(value):
        return value
    if isinstance(value, str) and value in SCHEDULES:
        return SCHEDULES[value]()
    raise ValueError(
        f"{param} must be None, one of {sorted(SCHEDULES)}, a schedule from "
        f"sknn.schedules or a callable of the fraction of training done, got "
        f"{value!r}."
    )


class ScheduledRate:
    """The factors of one fit's schedule, with its warm-up, step by step.

    Parameters
    ----------
    schedule : callable or None
        ``schedule(p)``, the factor at the fraction ``p`` of training done;
        None for the factor 1 (then only the warm-up scales the rate).
    warmup_fraction : float
        The fraction of the steps over which a linear warm-up rises from 0 to
        the schedule's factor, in ``[0, 1)``.
    n_steps : int
        The number of optimizer steps the fit takes at most (``max_iter``
        epochs of ``n_batches`` each).
    """

    def __init__(self, schedule, warmup_fraction, n_steps):
        self.schedule = schedule
        self.warmup_fraction = warmup_fraction
        self.n_steps = max(int(n_steps), 1)
        self._last = (None, None)  # a step's factor, asked again to record it

    @property
    def active(self):
        """Whether any step's factor may differ from 1."""
        return self.schedule is not None or self.warmup_fraction > 0

    def factor(self, step):
        """Return the factor of step ``step`` (counted from 0), checked.

        Raises
        ------
        ValueError
            When the schedule returns a factor that is not a finite number
            at least 0.
        """
        if self._last[0] == step:
            return self._last[1]
        progress = min(step / self.n_steps, 1.0)
        factor = 1.0 if self.schedule is None else self.schedule(progress)
        if not (isinstance(factor, Real) and math.isfinite(factor) and factor >= 0):
            raise ValueError(
                f"The learning-rate schedule returned {factor!r} at {progress:.4g} "
                "of training; a schedule must return a finite factor >= 0 (the "
                "learning rate is multiplied by it)."
            )
        factor = float(factor)
        if progress < self.warmup_fraction:
            # (step + 1): the first step already moves, by 1 / warm-up steps
            factor *= (step + 1) / (self.warmup_fraction * self.n_steps)
        self._last = (step, factor)
        return factor
