"""Probabilities at the edges of floating point stay valid, finite and silent.

Scores so large or so small that a sigmoid or an exponential underflows or
overflows still give probabilities that sum to one and finite
log-probabilities, in the input's dtype, with no numpy RuntimeWarning (an
error inside the tests where it reached the user before).
"""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sknn import MLPNeuronClassifier, PerceptronClassifier


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_one_vs_rest_probabilities_when_every_sigmoid_underflows(dtype):
    # Scores around -5000 (an unscaled fit on data of magnitude 1e3 to 1e4):
    # every sigmoid of the row is 0, and the old normalisation divided 0 by 0.
    X = np.random.RandomState(0).randn(30, 4).astype(dtype)
    y = np.arange(30) % 3
    clf = PerceptronClassifier(activation="logistic", random_state=0).fit(X, y)
    clf.coef_[...] = 0
    clf.intercept_[...] = np.array([-5000.0, -5001.0, -5000.0], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        proba = clf.predict_proba(X[:2])
        log_proba = clf.predict_log_proba(X[:2])
    # sigmoid(s) ~ exp(s) down there: the shares are a softmax of the scores
    # (to float32's spacing at 5000, 5e-4, times the few operations on it)
    expected = np.exp([0.0, -1.0, 0.0]) / np.exp([0.0, -1.0, 0.0]).sum()
    rtol = 2e-3 if dtype == np.float32 else 1e-9
    np.testing.assert_allclose(proba, [expected, expected], rtol=rtol)
    np.testing.assert_allclose(log_proba, np.log([expected, expected]), rtol=rtol)
    assert proba.dtype == dtype


def test_one_vs_rest_probabilities_sum_to_one_for_large_float32_scores():
    # Normalising with logsumexp added the row maximum back: scores of 1e5
    # in float32 (spacing 0.008) left rows summing to 1 only within 1%.
    X = np.random.RandomState(0).randn(30, 4).astype(np.float32)
    y = np.arange(30) % 3
    clf = PerceptronClassifier(activation="logistic", random_state=0).fit(X, y)
    clf.coef_[...] = 0
    clf.intercept_[...] = np.array([-1e5, -1e5 + 3, -1e5 + 1.5], dtype=np.float32)
    proba = clf.predict_proba(X[:3])
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-6)
    expected = np.exp([0.0, 3.0, 1.5]) / np.exp([0.0, 3.0, 1.5]).sum()
    np.testing.assert_allclose(proba[0], expected, rtol=1e-5)


def test_log_probabilities_of_huge_finite_logits_are_finite():
    # float32 logits near 3e38 are finite, but the log-softmax's shift by the
    # row maximum overflowed to -inf (and warned).
    X = np.random.RandomState(0).randn(30, 2).astype(np.float32)
    y = np.arange(30) % 3
    clf = MLPNeuronClassifier((), solver="lbfgs", max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    clf.coefs_ = [np.zeros((2, 3), dtype=np.float32)]
    clf.intercepts_ = [np.array([3e38, -3e38, 0.0], dtype=np.float32)]
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        log_proba = clf.predict_log_proba(X[:2])
        proba = clf.predict_proba(X[:2])
    assert np.isfinite(log_proba).all()
    np.testing.assert_array_equal(proba, [[1, 0, 0], [1, 0, 0]])
    assert (log_proba[:, 1] < log_proba[:, 2]).all()
