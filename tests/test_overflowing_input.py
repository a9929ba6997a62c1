"""Prediction on input that overflows the fitted network: a clear error, not NaN.

Every prediction method, and ``hidden_activations``, refuses input whose
outputs overflow with a ValueError that says to scale X, and no numpy
RuntimeWarning reaches the user (an error inside each test).
"""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sknn import MLPNeuronClassifier, MLPNeuronRegressor, PerceptronClassifier


def _far_larger(X):
    """Input far larger than the training data, of one sign.

    (With both signs, scikit-learn's own finiteness check warns on inf - inf.)
    """
    return np.abs(X) * np.float32(1e37) + np.float32(1e37)


def _fitted(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        estimator.fit(X, y)
    # Large weights make sure the products overflow on the large input.
    if hasattr(estimator, "coefs_"):
        estimator.coefs_ = [np.full_like(coef, 100.0) for coef in estimator.coefs_]
    else:
        estimator.coef_[...] = 100.0
    return estimator


@pytest.mark.parametrize("method", ["predict", "predict_proba", "predict_log_proba"])
def test_classifier_refuses_input_that_overflows(method):
    X = np.random.RandomState(0).randn(40, 3).astype(np.float32)
    clf = MLPNeuronClassifier((4,), solver="lbfgs", max_iter=5, random_state=0)
    clf = _fitted(clf, X, np.arange(40) % 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(ValueError, match="overflows on 40 sample.*Scale X"):
            getattr(clf, method)(_far_larger(X))


def test_regressor_refuses_input_that_overflows():
    X = np.random.RandomState(0).randn(40, 3).astype(np.float32)
    reg = MLPNeuronRegressor(hidden_layer_sizes=(4,), solver="lbfgs", max_iter=5)
    reg = _fitted(reg, X, X.sum(axis=1))
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(ValueError, match="overflows on 40 sample.*Scale X"):
            reg.predict(_far_larger(X))


@pytest.mark.parametrize(
    "method", ["decision_function", "predict", "predict_proba", "predict_log_proba"]
)
def test_perceptron_refuses_input_that_overflows(method):
    X = np.random.RandomState(0).randn(40, 3).astype(np.float32)
    clf = PerceptronClassifier(activation="logistic", random_state=0)
    clf = _fitted(clf, X, np.arange(40) % 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(ValueError, match="overflow on 40 sample.*Scale X"):
            getattr(clf, method)(_far_larger(X))


def test_hidden_activations_refuse_input_that_overflows():
    X = np.random.RandomState(0).randn(40, 3).astype(np.float32)
    clf = _fitted(MLPNeuronClassifier((4,), solver="lbfgs", max_iter=5), X, X[:, 0] > 0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(ValueError, match="overflows on 40 sample.*Scale X"):
            clf.hidden_activations(_far_larger(X))
