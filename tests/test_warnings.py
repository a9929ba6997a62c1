"""Every warning sknn raises points at the caller's line, through every fit path."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknn import MLPNeuronClassifier, MLPNeuronRegressor, PerceptronClassifier
from sknn._warnings import user_stacklevel


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(n_samples=120, n_features=6, random_state=0)
    return StandardScaler().fit_transform(X), y


FIT_PATHS = {
    "adam": lambda X, y: MLPNeuronClassifier((4,), max_iter=2).fit(X, y),
    "sgd early stopping": lambda X, y: MLPNeuronClassifier(
        (4,), solver="sgd", early_stopping=True, max_iter=2
    ).fit(X, y),
    "lbfgs": lambda X, y: MLPNeuronClassifier((4,), solver="lbfgs", max_iter=2).fit(
        X, y
    ),
    "regressor": lambda X, y: MLPNeuronRegressor(
        hidden_layer_sizes=(4,), max_iter=2
    ).fit(X, y),
    "perceptron": lambda X, y: PerceptronClassifier(max_iter=2, tol=None).fit(X, y),
    "perceptron tol": lambda X, y: PerceptronClassifier(max_iter=1).fit(X, y),
    "diverging sgd": lambda X, y: MLPNeuronClassifier(
        (4,), solver="sgd", learning_rate_init=10.0, max_iter=30
    ).fit(X * 1e50, y),
    "partial_fit batch_size": lambda X, y: MLPNeuronClassifier(
        (4,), batch_size=1000
    ).partial_fit(X, y, classes=[0, 1]),
}


@pytest.mark.parametrize("path", list(FIT_PATHS))
def test_warnings_point_at_the_callers_line(data, path):
    # A perceptron with tol=None trains max_iter epochs and never warns.
    if path == "perceptron":
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            FIT_PATHS[path](*data)
        assert not record
        return
    with pytest.warns(Warning) as record:
        FIT_PATHS[path](*data)
    assert record
    for warning in record:
        assert warning.filename == __file__, (warning.filename, str(warning.message))


def test_user_stacklevel_skips_sknn_frames():
    # Called from a test, the first frame outside sknn is the caller itself.
    assert user_stacklevel() == 1


# -- the scale advice --------------------------------------------------------------


def test_scale_advice_only_for_unscaled_features():
    X, y = load_digits(return_X_y=True)
    X, y = X[:300], y[:300]
    raw = MLPNeuronClassifier((8,), max_iter=2, random_state=0)
    with pytest.warns(ConvergenceWarning, match="scale the input") as record:
        raw.fit(X, y)
    assert "StandardScaler" in str(record[0].message)
    scaled = make_pipeline(
        StandardScaler(), MLPNeuronClassifier((8,), max_iter=2, random_state=0)
    )
    with pytest.warns(ConvergenceWarning, match="Increase max_iter") as record:
        scaled.fit(X, y)
    assert "scale" not in str(record[0].message)


def test_lbfgs_scale_advice_only_for_unscaled_features(data):
    X, y = data
    with pytest.warns(ConvergenceWarning) as record:
        MLPNeuronClassifier((4,), solver="lbfgs", max_iter=2).fit(X, y)
    assert "scale" not in str(record[0].message)
    with pytest.warns(ConvergenceWarning, match="range from 0.001") as record:
        MLPNeuronClassifier((4,), solver="lbfgs", max_iter=2).fit(X * 1e-3, y)


def test_divergence_advice_depends_on_the_scale():
    from sknn._divergence import divergence_advice, scale_advice

    rng = np.random.RandomState(0)
    X = rng.standard_normal((50, 3))
    assert scale_advice(X) == ""
    assert divergence_advice(X) == "Lower learning_rate_init."
    X[:, 1] *= 100
    assert "range from" in scale_advice(X)
    assert divergence_advice(X).startswith("Scale the input")
    # all-zero columns cannot be scaled and do not count
    X = np.hstack([rng.standard_normal((50, 2)), np.zeros((50, 1))])
    assert scale_advice(X) == ""
    from scipy import sparse

    assert "range from" in scale_advice(sparse.csr_matrix(X * 50))
    # one rarely non-zero column (a corner pixel) is no reason to scale
    X[:3, 2] = 0.01
    assert scale_advice(X) == ""


@pytest.mark.parametrize("is_sparse", [False, True])
def test_scale_advice_reads_a_bounded_sample_of_rows(is_sparse):
    from scipy import sparse

    from sknn._divergence import ADVICE_ROWS, scale_advice

    rng = np.random.RandomState(0)
    X = rng.standard_normal((3 * ADVICE_ROWS, 4)) * [1.0, 1.0, 1e3, 1.0]
    sample = X[::3]
    if is_sparse:
        X, sample = sparse.csr_matrix(X), sparse.csr_matrix(sample)
    advice = scale_advice(X)
    assert "range from" in advice
    assert advice == scale_advice(sample)
