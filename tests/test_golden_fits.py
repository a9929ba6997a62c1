"""Fits stay what they were: the fingerprints recorded before a refactor.

See ``tests/golden_fits.py`` for what is recorded, how to record anew, and
why the comparison is exact only where ``SKNN_GOLDEN_EXACT=1`` says so.
"""

import os

import numpy as np
import pytest
from golden_fits import FITS, STORE, fingerprint

EXACT = os.environ.get("SKNN_GOLDEN_EXACT") == "1"


@pytest.fixture(scope="module")
def stored():
    with np.load(STORE) as data:
        return dict(data)


@pytest.mark.parametrize("name", sorted(FITS))
def test_fit_matches_the_recorded_one(name, stored):
    arrays = fingerprint(FITS[name]())
    recorded = {key.split("/", 1)[1] for key in stored if key.startswith(name + "/")}
    assert set(arrays) == recorded
    for key, array in arrays.items():
        expected = stored[f"{name}/{key}"]
        array = np.asarray(array)
        assert array.dtype == expected.dtype, key
        if EXACT:
            np.testing.assert_array_equal(array, expected, err_msg=key)
        else:
            rtol = 2e-3 if array.dtype == np.float32 else 1e-7
            np.testing.assert_allclose(
                array, expected, rtol=rtol, atol=rtol * 1e-3, err_msg=key
            )
