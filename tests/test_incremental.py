"""Streaming training: partial_fit over chunks, and sknn.incremental."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from sknn import MLPNeuronClassifier, PerceptronClassifier


@pytest.fixture(scope="module")
def three_classes():
    X, y = make_classification(
        n_samples=600, n_features=10, n_informative=5, n_classes=3, random_state=0
    )
    return StandardScaler().fit_transform(X), y


def row_chunks(n_samples, sizes):
    """Split ``range(n_samples)`` into consecutive slices of the given sizes."""
    bounds = np.cumsum([0, *sizes])
    assert bounds[-1] == n_samples
    return [slice(a, b) for a, b in zip(bounds[:-1], bounds[1:])]


# -- partial_fit over chunks is one pass over the whole ------------------------

PERCEPTRON_SETTINGS = [
    {},
    {"penalty": "l2", "alpha": 0.01},
    {"penalty": "l1", "alpha": 0.01},
    {"penalty": "elasticnet", "alpha": 0.01, "l1_ratio": 0.5},
    {"average": True},
    {"average": 250},
    {"activation": "logistic", "eta0": 0.1},
    {"multi_class": "multinomial"},
    {"class_weight": {0: 2.0, 1: 1.0, 2: 0.5}},
    {"batch_size": 25, "penalty": "l1", "alpha": 0.001},
]


@pytest.mark.parametrize("params", PERCEPTRON_SETTINGS, ids=str)
def test_perceptron_chunks_equal_one_fit(three_classes, params):
    X, y = three_classes
    weights = np.random.default_rng(0).uniform(0.5, 2.0, len(y))
    # Any chunk boundaries for the online rule; multiples of batch_size otherwise.
    sizes = [100, 175, 25, 300] if "batch_size" in params else [37, 200, 1, 362]
    n_epochs = 3
    streamed = PerceptronClassifier(shuffle=False, **params)
    for _ in range(n_epochs):
        for rows in row_chunks(len(y), sizes):
            streamed.partial_fit(
                X[rows], y[rows], classes=[0, 1, 2], sample_weight=weights[rows]
            )
    whole = PerceptronClassifier(shuffle=False, max_iter=n_epochs, tol=None, **params)
    whole.fit(X, y, sample_weight=weights)
    assert_allclose(streamed.coef_, whole.coef_, rtol=1e-10, atol=1e-10)
    assert_allclose(streamed.intercept_, whole.intercept_, rtol=1e-10, atol=1e-10)
    assert streamed.t_ == whole.t_ == n_epochs * len(y) + 1
    assert streamed.errors_.sum() == whole.errors_.sum()


@pytest.mark.parametrize("penalty", ["l1", "elasticnet"])
def test_perceptron_partial_fit_keeps_the_cumulative_l1_penalty(three_classes, penalty):
    # The truncated-gradient L1 step owes each weight the penalty accrued so
    # far; restarting that account at every call made chunks drift apart.
    X, y = three_classes
    params = {"penalty": penalty, "alpha": 0.01, "shuffle": False}
    halves = PerceptronClassifier(**params)
    halves.partial_fit(X[:300], y[:300], classes=[0, 1, 2]).partial_fit(X[300:], y[300:])
    once = PerceptronClassifier(**params).partial_fit(X, y, classes=[0, 1, 2])
    assert_allclose(halves.coef_, once.coef_, rtol=1e-12, atol=1e-12)
    # A new fit starts a new account.
    refit = PerceptronClassifier(max_iter=1, tol=None, **params).fit(X, y)
    assert_allclose(refit.coef_, once.coef_, rtol=1e-12, atol=1e-12)
