"""Continuous targets and quantities mistaken for labels, in both classifiers."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_diabetes, load_digits, load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from sknn import MLPNeuronClassifier, PerceptronClassifier

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

CLASSIFIERS = {
    "MLPNeuronClassifier": lambda: MLPNeuronClassifier((4,), max_iter=2),
    "PerceptronClassifier": lambda: PerceptronClassifier(max_iter=2),
}


@pytest.fixture(scope="module")
def diabetes_split():
    X, y = load_diabetes(return_X_y=True)
    X_train, _, y_train, _ = train_test_split(X, y, random_state=0)
    return X_train, y_train


@pytest.mark.parametrize("name", list(CLASSIFIERS))
def test_continuous_target_names_the_regressor(diabetes_split, name):
    X, y = diabetes_split
    y = y + 0.25  # not whole numbers: continuous
    with pytest.raises(ValueError) as info:
        CLASSIFIERS[name]().fit(X, y)
    message = str(info.value)
    assert message.startswith("Unknown label type: continuous.")
    assert name in message and "MLPNeuronRegressor" in message
    # short, and no dump of the target's values
    assert len(message) < 400 and f"{y[0]:.2f}" not in message


@pytest.mark.parametrize("name", list(CLASSIFIERS))
def test_whole_numbered_quantity_warns(diabetes_split, name):
    X, y = diabetes_split
    assert (len(y), len(np.unique(y))) == (331, 187)
    with pytest.warns(UserWarning, match="187 classes for 331 samples") as record:
        CLASSIFIERS[name]().fit(X, y)
    quantity = [w for w in record if "quantity" in str(w.message)]
    assert "MLPNeuronRegressor" in str(quantity[0].message)
    assert quantity[0].filename == __file__


@pytest.mark.parametrize("name", list(CLASSIFIERS))
@pytest.mark.parametrize("load", [load_iris, load_digits])
def test_real_labels_do_not_warn(name, load):
    X, y = load(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        CLASSIFIERS[name]().fit(X / X.max(), y)


@pytest.mark.parametrize("name", list(CLASSIFIERS))
def test_whole_diabetes_target_warns_as_a_quantity(name):
    # 442 samples of 214 values from 25 to 346: 2.07 per class, above the
    # rule of fewer than two, but numbers with gaps between them.
    X, y = load_diabetes(return_X_y=True)
    with pytest.warns(UserWarning, match="214 classes for 442 samples, 2.1") as record:
        CLASSIFIERS[name]().fit(X, y)
    message = str(next(w for w in record if "quantity" in str(w.message)).message)
    assert "from 25 to 346 with gaps" in message and "MLPNeuronRegressor" in message


@pytest.mark.parametrize(
    "n_classes, per_class",
    [
        (100, 50),  # many classes, many samples each
        (40, 10),  # a face data set: consecutive identities
        (300, 3),  # few samples per class, but consecutive codes
    ],
)
def test_many_real_classes_do_not_warn(n_classes, per_class):
    rng = np.random.RandomState(0)
    y = np.repeat(np.arange(n_classes), per_class)
    X = rng.randn(len(y), 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        PerceptronClassifier(max_iter=1).fit(X, y)


def test_few_samples_do_not_warn():
    # Ten samples of ten classes say nothing about the labels.
    X = np.arange(20.0).reshape(10, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        PerceptronClassifier(max_iter=2).fit(X, np.arange(10))
