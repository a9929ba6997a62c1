"""The errors sknn shares with scikit-learn use scikit-learn's wording.

Code and tests written against MLPClassifier, MLPRegressor or Perceptron
match these messages, so each test raises the same error from both
libraries on the same input and compares the messages: sknn's starts with
scikit-learn's, word for word (with sknn's class name in place of
scikit-learn's), and may add a sentence of advice after it. Where
``exact`` is set nothing is added.
"""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Perceptron
from sklearn.neural_network import MLPClassifier, MLPRegressor

from sknn import MLPNeuronClassifier, MLPNeuronRegressor, PerceptronClassifier

PEERS = {
    MLPNeuronClassifier: MLPClassifier,
    MLPNeuronRegressor: MLPRegressor,
    PerceptronClassifier: Perceptron,
}

RNG = np.random.RandomState(0)
X = RNG.randn(30, 3)
Y3 = np.arange(30) % 3
Y2 = Y3 % 2


def _error(call, estimator_class):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        with pytest.raises(Exception) as info:
            call(estimator_class)
    return info.type, str(info.value)


def assert_same_error(call, sknn_class, exact=False):
    """Raise the error of ``call(cls)`` with both libraries and compare."""
    peer = PEERS[sknn_class]
    expected_type, expected = _error(call, peer)
    error_type, message = _error(call, sknn_class)
    assert issubclass(error_type, expected_type)
    expected = expected.replace(peer.__name__, sknn_class.__name__)
    if exact:
        assert message == expected
    else:
        assert message.startswith(expected.rstrip(". ")), (message, expected)


CLASSIFIERS = [MLPNeuronClassifier, PerceptronClassifier]
MLPS = [MLPNeuronClassifier, MLPNeuronRegressor]
ALL = [MLPNeuronClassifier, MLPNeuronRegressor, PerceptronClassifier]


@pytest.mark.parametrize("cls", ALL)
def test_wrong_number_of_features_at_predict(cls):
    def call(c):
        c(max_iter=5).fit(X, Y3).predict(X[:, :2])

    assert_same_error(call, cls, exact=True)


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_wrong_number_of_features_in_partial_fit(cls):
    def call(c):
        c(max_iter=5).fit(X, Y3).partial_fit(X[:, :2], Y3)

    assert_same_error(call, cls, exact=True)


def test_warm_start_with_changed_classes():
    def call(c):
        c(warm_start=True, max_iter=5).fit(X, Y2).fit(X, Y3)

    assert_same_error(call, MLPNeuronClassifier, exact=True)


def test_warm_start_with_changed_features():
    def call(c):
        c(warm_start=True, max_iter=5).fit(X, Y3).fit(X[:, :2], Y3)

    assert_same_error(call, MLPNeuronClassifier, exact=True)


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_partial_fit_classes_mismatch(cls):
    def call(c):
        c().partial_fit(X, Y3, classes=[0, 1, 2]).partial_fit(X, Y2, classes=[0, 1])

    assert_same_error(call, cls, exact=True)


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_partial_fit_without_classes(cls):
    def call(c):
        c().partial_fit(X, Y3)

    assert_same_error(call, cls, exact=True)


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_partial_fit_with_unseen_labels(cls):
    def call(c):
        c().partial_fit(X, Y2, classes=[0, 1]).partial_fit(X, Y3)

    assert_same_error(call, cls, exact=cls is MLPNeuronClassifier)


@pytest.mark.parametrize("sizes", [(0,), (-1,), (3, 0), 0, "a"])
def test_bad_hidden_layer_sizes(sizes):
    def call(c):
        c(hidden_layer_sizes=sizes, max_iter=5).fit(X, Y3)

    assert_same_error(call, MLPNeuronClassifier)
    assert_same_error(call, MLPNeuronRegressor)


@pytest.mark.parametrize("cls", [MLPNeuronClassifier])
def test_lbfgs_has_no_partial_fit(cls):
    def call(c):
        c(solver="lbfgs").partial_fit(X, Y3, classes=[0, 1, 2])

    assert_same_error(call, cls, exact=True)


@pytest.mark.parametrize("cls", ALL)
def test_early_stopping_with_partial_fit(cls):
    def call(c):
        kwargs = (
            {} if c in (MLPRegressor, MLPNeuronRegressor) else {"classes": [0, 1, 2]}
        )
        c(early_stopping=True).partial_fit(X, Y3, **kwargs)

    assert_same_error(call, cls)


@pytest.mark.parametrize("cls", ALL)
def test_early_stopping_with_an_empty_training_set(cls):
    def call(c):
        c(early_stopping=True, validation_fraction=0.99, max_iter=5).fit(X, Y2)

    assert_same_error(call, cls, exact=True)


@pytest.mark.parametrize("cls", MLPS)
def test_early_stopping_with_validation_fraction_zero(cls):
    def call(c):
        c(early_stopping=True, validation_fraction=0.0, max_iter=5).fit(X, Y2)

    assert_same_error(call, cls, exact=True)


def test_early_stopping_with_a_single_member_class():
    # scikit-learn 1.9's MLPClassifier stratifies binary targets only (and
    # names the class True): the two tests after this one compare it.
    y = np.r_[np.zeros(14), np.ones(15), 2].astype(int)

    def call(c):
        c(early_stopping=True, max_iter=5, random_state=0).fit(X, y)

    assert_same_error(call, PerceptronClassifier, exact=True)


def _message(estimator, X, y):
    with pytest.raises(ValueError) as error:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            estimator.fit(X, y)
    return str(error.value)


def test_early_stopping_with_a_single_member_class_binary_mlp():
    X = np.random.RandomState(0).randn(30, 3)
    y = np.r_[np.zeros(29), 1].astype(int)
    params = dict(early_stopping=True, max_iter=3, random_state=0)
    expected = _message(MLPClassifier(**params), X, y)
    message = _message(MLPNeuronClassifier(**params), X, y)
    # scikit-learn stratifies its boolean indicator column and so names the
    # class 'True'; sknn does the same and says which class that is.
    assert message.startswith(expected)
    assert message.endswith("'True' is that class, 'False' the class 0.)")


def test_early_stopping_with_a_single_member_class_multiclass():
    # scikit-learn's Perceptron stratifies multiclass targets too.
    X = np.random.RandomState(0).randn(30, 3)
    y = np.r_[np.zeros(14), np.ones(15), 2].astype(int)
    params = dict(early_stopping=True, random_state=0)
    expected = _message(Perceptron(**params), X, y)
    assert _message(PerceptronClassifier(**params), X, y) == expected
    assert _message(MLPNeuronClassifier(max_iter=3, **params), X, y) == expected


def test_single_class_perceptron():
    def call(c):
        c().fit(X, np.zeros(30))

    assert_same_error(call, PerceptronClassifier)


@pytest.mark.parametrize("cls", ALL)
def test_sample_weight_of_the_wrong_length(cls):
    def call(c):
        c(max_iter=5).fit(X, Y3, sample_weight=np.ones(3))

    assert_same_error(call, cls, exact=True)


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_class_weight_with_unknown_class(cls):
    def call(c):
        params = {"max_iter": 5, "class_weight": {7: 1.0}}
        if c is MLPClassifier:  # no class_weight: ask its neighbour
            c = Perceptron
        c(**params).fit(X, Y3)

    assert_same_error(call, cls, exact=True)


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_continuous_target_for_a_classifier(cls):
    def call(c):
        c(max_iter=5).fit(X, X[:, 0])

    # scikit-learn words it two ways, with the target's type or its values;
    # Perceptron and PerceptronClassifier each use one of them.
    expected_type, expected = _error(call, PEERS[cls])
    error_type, message = _error(call, cls)
    assert error_type is expected_type
    assert expected.startswith("Unknown label type: ")
    assert message.startswith("Unknown label type: ")


@pytest.mark.parametrize("name", ["coef_init", "intercept_init"])
def test_perceptron_initial_weights_of_the_wrong_shape(name):
    wrong = {"coef_init": np.zeros((2, 3)), "intercept_init": np.zeros(2)}

    def call(c):
        c().fit(X, Y3, **{name: wrong[name]})

    assert_same_error(call, PerceptronClassifier)
