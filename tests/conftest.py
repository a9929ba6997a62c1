"""Hypothesis profiles for the property-based tests.

``ci`` is the default: derandomized, so every run tries the same examples and
a failure in CI reproduces anywhere; the fuzz suite (tests/test_fuzz.py) runs
500 examples per estimator under it. ``long`` runs ten times as many, with
fresh random examples every time::

    python -m pytest tests/test_fuzz.py --hypothesis-profile=long

Tests that set ``max_examples`` themselves keep their own number under both.
"""

from hypothesis import HealthCheck, settings

_FUZZ_HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large]

settings.register_profile(
    "ci",
    max_examples=500,
    derandomize=True,
    deadline=None,
    suppress_health_check=_FUZZ_HEALTH,
    print_blob=True,
)
settings.register_profile(
    "long",
    max_examples=5000,
    deadline=None,
    suppress_health_check=_FUZZ_HEALTH,
    print_blob=True,
)
settings.load_profile("ci")
