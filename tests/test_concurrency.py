"""Concurrent prediction and reproducible training.

A fitted estimator is shared between threads (a web server, joblib's
threading backend): its predictions must not depend on what other threads
are doing, so prediction may not write into buffers kept on the estimator.
And a fit is a function of its data and ``random_state``: with one BLAS
thread (whose sums are then always made in the same order) two fits are
identical to the bit.
"""

import threading
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

from sknn import MLPNeuronClassifier, MLPNeuronRegressor, PerceptronClassifier
from sknn._network import PREDICT_CHUNK_SIZE

RNG = np.random.RandomState(0)
X = RNG.randn(400, 8)
Y = (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 0.5)
# Bigger than one prediction chunk, so that each call loops over several.
X_PREDICT = RNG.randn(PREDICT_CHUNK_SIZE + 1000, 8)

N_THREADS = 8


def _fit(estimator, y=Y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y)


FITTED = {
    "classifier": lambda: _fit(
        MLPNeuronClassifier((16, 8), max_iter=20, random_state=0)
    ),
    "classifier-float32": lambda: _fit(
        MLPNeuronClassifier((16,), activation="tanh", max_iter=20, random_state=0)
    ).fit(X.astype(np.float32), Y),
    "regressor": lambda: _fit(
        MLPNeuronRegressor(hidden_layer_sizes=(16,), max_iter=20, random_state=0),
        X[:, 0] * X[:, 1],
    ),
    "perceptron": lambda: _fit(PerceptronClassifier(activation="logistic")),
}


def _methods(estimator):
    names = ["predict", "predict_proba", "predict_log_proba", "decision_function"]
    return [name for name in names if hasattr(estimator, name)]


@pytest.mark.parametrize("case", FITTED)
def test_concurrent_predictions_are_identical(case):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        estimator = FITTED[case]()
    methods = _methods(estimator)
    expected = {name: getattr(estimator, name)(X_PREDICT) for name in methods}
    results = [None] * N_THREADS
    start = threading.Barrier(N_THREADS)

    def work(index):
        start.wait()  # all threads predict at once
        # Each thread calls the methods in its own order, so that different
        # methods also overlap.
        order = methods[index % len(methods) :] + methods[: index % len(methods)]
        results[index] = {
            name: [getattr(estimator, name)(X_PREDICT) for _ in range(3)]
            for name in order
        }

    threads = [threading.Thread(target=work, args=(i,)) for i in range(N_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for result in results:
        for name in methods:
            for output in result[name]:
                np.testing.assert_array_equal(output, expected[name], err_msg=name)


SEEDED = {
    "adam": lambda: MLPNeuronClassifier((8, 4), max_iter=15, random_state=3),
    "sgd-nesterov-adaptive": lambda: MLPNeuronClassifier(
        (8,), solver="sgd", learning_rate="adaptive", max_iter=15, random_state=3
    ),
    "lbfgs": lambda: MLPNeuronClassifier(
        (8,), solver="lbfgs", max_iter=30, random_state=3
    ),
    "dropout-early-stopping": lambda: MLPNeuronClassifier(
        (8,), dropout=0.3, early_stopping=True, max_iter=15, random_state=3
    ),
    "regressor": lambda: MLPNeuronRegressor(
        hidden_layer_sizes=(8,), batch_size=32, max_iter=15, random_state=3
    ),
    "perceptron": lambda: PerceptronClassifier(
        activation="logistic", average=True, early_stopping=True, random_state=3
    ),
}


def _state(estimator):
    if hasattr(estimator, "coefs_"):
        arrays = [*estimator.coefs_, *estimator.intercepts_]
        return arrays + [np.array(estimator.loss_curve_)]
    return [estimator.coef_, estimator.intercept_]


@pytest.mark.parametrize("case", SEEDED)
def test_same_random_state_gives_bit_identical_fits(case):
    y = X[:, 0] * X[:, 1] if case == "regressor" else Y
    with threadpool_limits(limits=1, user_api="blas"):
        first = _fit(SEEDED[case](), y)
        second = _fit(SEEDED[case](), y)
    assert first.n_iter_ == second.n_iter_
    for a, b in zip(_state(first), _state(second)):
        np.testing.assert_array_equal(a, b)
    # and not by accident: another seed trains another network
    with threadpool_limits(limits=1, user_api="blas"):
        other = _fit(SEEDED[case]().set_params(random_state=4), y)
    assert not all(np.array_equal(a, b) for a, b in zip(_state(first), _state(other)))
