"""Property-based fuzzing of every estimator over its parameters and data.

Hypothesis draws legal parameter combinations (lists of activations, batch
sizes of 1 and beyond the number of samples, every solver and schedule,
early stopping, warm starts and partial_fit, class and sample weights,
extreme learning rates) and data (1 to 300 samples, 1 to 50 features,
float32 and float64, scales from 1e-8 to 1e8, constant and duplicate
columns, duplicate rows, 2 to 7 classes, multilabel and multi-output
targets, CSR input), and checks what a user is promised:

* fit completes, or raises a ValueError or TypeError that names the
  parameter or the data problem (one of :data:`EXPECTED_ERRORS`);
* predict, predict_proba, predict_log_proba and decision_function are
  finite; probabilities lie in [0, 1] and sum to 1 per sample (per label
  for multilabel targets); predict is the argmax of predict_proba;
* no numpy RuntimeWarning reaches the user (a ConvergenceWarning may).

The examples are small (a few epochs of tiny networks) so that the default
``ci`` profile, 500 derandomized examples per estimator, runs in a couple of
minutes. The ``long`` profile (tests/conftest.py) runs 5000 fresh ones::

    python -m pytest tests/test_fuzz.py --hypothesis-profile=long

A partial_fit ends with an optimizer step whose weights no loss has been
computed for (checking them would cost a forward pass per call), so after
partial_fit a prediction may instead be refused with the ValueError that
says the outputs overflow; a fit always predicts on its training data.
"""

import re
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given
from hypothesis import strategies as st
from sklearn.exceptions import ConvergenceWarning

from sknn import MLPNeuronClassifier, MLPNeuronRegressor, PerceptronClassifier
from sknn._initialization import WEIGHT_INITS
from sknn.activations import ACTIVATIONS, ALIASES, get_activation

# every name a hidden layer trained by back-propagation may use, aliases too
HIDDEN_ACTIVATIONS = [
    name
    for name in [*ACTIVATIONS, *ALIASES]
    if ACTIVATIONS[ALIASES.get(name, name)].differentiable
]

# hypothesis runs 500 examples per estimator: seconds each, for the fast loop too many.
pytestmark = pytest.mark.slow

EXPECTED_ERRORS = [
    # the early-stopping split (scikit-learn's train_test_split wording)
    r"The least populated classes? in y ha(ve|s) only 1 member",
    r"the resulting train set will be empty",
    r"The (test|train)_size = \d+ should be greater or equal to the number of classes",
    # a single class where the perceptron needs two
    r"The number of classes has to be greater than one",
    # nothing finite to keep after divergence, or nothing fitted before it
    r"Training diverged: none of the weights",
    r"Solver produced non-finite parameter weights",
    # early stopping's validation data too small to score (scikit-learn's)
    r"The validation set is too small",
    r"The weights overflowed during epoch",
    r"The weights grew so large that the neurons' pre-activations overflow",
    # parameters that exclude each other, each error naming both
    r"class_weight is not supported for multilabel",
    r"class_weight='balanced' (is not supported by|cannot be computed from)",
    r"dropout=.* needs a stochastic solver",
    r"multi_class='multinomial' is the multiclass perceptron rule",
    r"partial_fit does not support early_stopping=True",
    r"early_stopping should be False with partial_fit",
    # sample weights that are all zero (scikit-learn's check), or all zero
    # on one side of the early-stopping split
    r"Sample weights must contain at least one non-zero number",
    r"The sample weights of the (training |validation )?set .*are all zero",
    # Poisson regression on negative targets
    r"Some value\(s\) of y are negative",
]

OVERFLOW_AT_PREDICT = r"overflow.* Scale X as the training data was scaled"

LABEL_KINDS = ["int", "str"]


# -- data ----------------------------------------------------------------------


@st.composite
def feature_matrices(draw):
    """X with hypothesis's choice of shape, dtype, scales and degeneracies."""
    n_samples = draw(st.integers(1, 300))
    n_features = draw(st.integers(1, 50))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    rng = np.random.RandomState(draw(st.integers(0, 2**32 - 1)))
    X = rng.standard_normal((n_samples, n_features))
    scale = draw(st.floats(-8, 8))
    spread = draw(st.floats(0, 4))
    exponents = np.clip(scale + rng.uniform(-spread, spread, n_features), -8, 8)
    X *= 10.0**exponents
    if draw(st.booleans()):  # constant columns
        columns = rng.rand(n_features) < 0.3
        X[:, columns] = X[0, columns]
    if n_features > 1 and draw(st.booleans()):  # duplicate columns
        X[:, 1:] = X[:, rng.randint(0, n_features, n_features - 1)]
    if n_samples > 1 and draw(st.booleans()):  # duplicate rows
        X[1:] = X[rng.randint(0, n_samples, n_samples - 1)]
    X = X.astype(dtype)
    if draw(st.booleans()):
        X[rng.rand(*X.shape) < 0.5] = 0
        X = sp.csr_matrix(X)
    return X, rng


def _labels(rng, n_samples, n_classes, kind):
    y = rng.randint(0, n_classes, n_samples)
    return np.array([f"class {i}" for i in y]) if kind == "str" else y


@st.composite
def classification_targets(draw, n_samples, rng, multilabel=True):
    if multilabel and draw(st.booleans()):
        n_labels = draw(st.integers(2, 5))
        return (rng.rand(n_samples, n_labels) < 0.5).astype(int), True
    n_classes = draw(st.integers(2, 7))
    return _labels(rng, n_samples, n_classes, draw(st.sampled_from(LABEL_KINDS))), False


@st.composite
def sample_weights(draw, n_samples, rng):
    kind = draw(st.sampled_from(["none", "random", "zeros", "integers"]))
    if kind == "none":
        return None
    if kind == "integers":
        return rng.randint(0, 4, n_samples).astype(float)
    weights = rng.rand(n_samples) * 10.0 ** draw(st.floats(-3, 3))
    if kind == "zeros":
        weights[rng.rand(n_samples) < 0.5] = 0
    return weights


# -- parameters --------------------------------------------------------------


def _log_uniform(low, high):
    return st.floats(low, high).map(lambda exponent: 10.0**exponent)


@st.composite
def mlp_parameters(draw, n_samples):
    sizes = draw(st.lists(st.integers(1, 8), max_size=3))
    # names, and Activation objects with parameters of their own
    one = st.one_of(
        st.sampled_from(sorted(HIDDEN_ACTIVATIONS)),
        st.floats(0.001, 0.99).map(
            lambda a: get_activation("leaky_relu", negative_slope=a)
        ),
        st.floats(0.01, 10).map(lambda a: get_activation("elu", alpha=a)),
    )
    if sizes and draw(st.booleans()):
        activation = draw(st.lists(one, min_size=len(sizes), max_size=len(sizes)))
    else:
        activation = draw(one)
    solver = draw(st.sampled_from(["sgd", "adam", "lbfgs"]))
    batch_size = draw(st.one_of(st.just("auto"), st.integers(1, n_samples + 20)))
    dropout = draw(st.one_of(st.just(0.0), st.floats(0.0, 0.6)))
    return dict(
        hidden_layer_sizes=tuple(sizes),
        activation=activation,
        solver=solver,
        alpha=draw(st.one_of(st.just(0.0), _log_uniform(-8, 2))),
        batch_size=batch_size,
        learning_rate=draw(st.sampled_from(["constant", "invscaling", "adaptive"])),
        learning_rate_init=draw(_log_uniform(-6, 1.5)),
        power_t=draw(st.floats(0, 1)),
        max_iter=draw(st.integers(1, 4)),
        shuffle=draw(st.booleans()),
        random_state=draw(st.integers(0, 1000)),
        tol=draw(_log_uniform(-8, -1)),
        warm_start=draw(st.booleans()),
        momentum=draw(st.floats(0, 1)),
        nesterovs_momentum=draw(st.booleans()),
        early_stopping=draw(st.booleans()),
        validation_fraction=draw(st.floats(0.05, 0.5)),
        beta_1=draw(st.floats(0, 0.99)),
        beta_2=draw(st.floats(0, 0.9999)),
        epsilon=draw(_log_uniform(-10, -2)),
        n_iter_no_change=draw(st.integers(1, 5)),
        max_fun=draw(st.integers(1, 50)),
        negative_slope=draw(st.floats(0.001, 0.99)),
        weight_init=draw(st.sampled_from(sorted(WEIGHT_INITS))),
        dropout=dropout,
        diagnostics=draw(st.booleans()),
        scoring=draw(st.sampled_from([None, "loss"])),
    )


@st.composite
def class_weights(draw, y, multilabel):
    kind = draw(st.sampled_from([None, "balanced", "dict"]))
    if kind != "dict":
        return kind
    labels = np.unique(np.arange(y.shape[1]) if multilabel else y)
    values = draw(
        st.lists(_log_uniform(-2, 2), min_size=len(labels), max_size=len(labels))
    )
    return {label.item(): value for label, value in zip(labels, values)}


@st.composite
def perceptron_parameters(draw, n_samples):
    penalty = draw(st.sampled_from([None, "l2", "l1", "elasticnet"]))
    average = draw(st.one_of(st.booleans(), st.integers(1, n_samples + 5)))
    return dict(
        penalty=penalty,
        alpha=draw(_log_uniform(-8, 1)),
        l1_ratio=draw(st.floats(0, 1)),
        fit_intercept=draw(st.booleans()),
        max_iter=draw(st.integers(1, 5)),
        tol=draw(st.one_of(st.none(), _log_uniform(-6, 0))),
        shuffle=draw(st.booleans()),
        eta0=draw(_log_uniform(-4, 3)),
        random_state=draw(st.integers(0, 1000)),
        early_stopping=draw(st.booleans()),
        validation_fraction=draw(st.floats(0.05, 0.5)),
        n_iter_no_change=draw(st.integers(1, 5)),
        warm_start=draw(st.booleans()),
        activation=draw(st.sampled_from(sorted(set(HIDDEN_ACTIVATIONS) | {"step"}))),
        batch_size=draw(st.integers(1, n_samples + 5)),
        average=average,
        multi_class=draw(st.sampled_from(["ovr", "multinomial"])),
    )


# -- running and checking ----------------------------------------------------


class _Refused(Exception):
    """Fit raised one of the expected errors."""


def _train(estimator, X, y, sample_weight, how, classes=None):
    """Fit (twice for a warm start) or partial_fit twice; expected errors refused."""
    try:
        if how == "partial_fit":
            estimator.partial_fit(X, y, sample_weight=sample_weight, **classes)
            estimator.partial_fit(X, y, sample_weight=sample_weight)
        else:
            estimator.fit(X, y, sample_weight=sample_weight)
            if how == "refit":
                estimator.fit(X, y, sample_weight=sample_weight)
    except (ValueError, TypeError) as error:
        message = str(error)
        if any(re.search(pattern, message) for pattern in EXPECTED_ERRORS):
            raise _Refused from error
        raise


def _outputs(estimator, X, how):
    """The estimator's outputs on X by method name; {} where refused."""
    methods = ["predict", "predict_proba", "predict_log_proba", "decision_function"]
    results = {}
    for name in methods:
        if not hasattr(estimator, name):
            continue
        try:
            results[name] = getattr(estimator, name)(X)
        except ValueError as error:
            if how != "partial_fit" or not re.search(OVERFLOW_AT_PREDICT, str(error)):
                raise
            return {}
    return results


def _check_classifier_outputs(estimator, outputs, n_samples, multilabel):
    for name in ("predict_proba", "predict_log_proba", "decision_function"):
        if name in outputs:
            assert np.isfinite(outputs[name]).all(), name
            assert outputs[name].shape[0] == n_samples
    if "predict_proba" in outputs:
        proba = outputs["predict_proba"]
        assert ((proba >= 0) & (proba <= 1)).all()
        if not multilabel:
            assert proba.shape == (n_samples, len(estimator.classes_))
            np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-4)
            assert (outputs["predict_log_proba"] <= 0).all()
    if not outputs or multilabel:
        return
    prediction = outputs["predict"]
    if "predict_proba" in outputs:
        proba = outputs["predict_proba"]
        chosen = proba[
            np.arange(n_samples), np.searchsorted(estimator.classes_, prediction)
        ]
        # predict reads the logits, predict_proba their (rounded) probabilities:
        # allow ties within rounding
        np.testing.assert_allclose(chosen, proba.max(axis=1), rtol=1e-5, atol=1e-6)
    if "decision_function" in outputs:
        scores = outputs["decision_function"]
        if scores.ndim == 1:
            expected = estimator.classes_[(scores > 0).astype(int)]
        else:
            expected = estimator.classes_[scores.argmax(axis=1)]
        np.testing.assert_array_equal(prediction, expected)


def _guarded(check):
    """Run ``check`` with numpy's RuntimeWarnings as errors; skip refusals."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        # batch_size above n_samples is clipped with a UserWarning, as sklearn
        warnings.filterwarnings("ignore", "batch_size=", UserWarning)
        try:
            check()
        except _Refused:
            pass


def _how(draw, stochastic):
    choices = ["fit", "refit", "partial_fit"] if stochastic else ["fit", "refit"]
    return draw(st.sampled_from(choices))


# -- the properties ------------------------------------------------------------


@given(data=st.data())
def test_fuzz_mlp_classifier(data):
    X, rng = data.draw(feature_matrices())
    n_samples = X.shape[0]
    y, multilabel = data.draw(classification_targets(n_samples, rng))
    params = data.draw(mlp_parameters(n_samples))
    params["class_weight"] = data.draw(class_weights(y, multilabel))
    sample_weight = data.draw(sample_weights(n_samples, rng))
    how = _how(data.draw, params["solver"] != "lbfgs")
    classes = {"classes": np.arange(y.shape[1]) if multilabel else np.unique(y)}
    clf = MLPNeuronClassifier(**params)

    def check():
        _train(clf, X, y, sample_weight, how, classes)
        outputs = _outputs(clf, X, how)
        _check_classifier_outputs(clf, outputs, n_samples, multilabel)

    _guarded(check)


@given(data=st.data())
def test_fuzz_mlp_regressor(data):
    X, rng = data.draw(feature_matrices())
    n_samples = X.shape[0]
    n_outputs = data.draw(st.integers(1, 3))
    loss = data.draw(st.sampled_from(["squared_error", "absolute_error", "poisson"]))
    scale = 10.0 ** data.draw(st.floats(-8, 8))
    y = rng.standard_normal((n_samples, n_outputs)) * scale
    if loss == "poisson" and data.draw(st.booleans()):
        y = np.abs(y)
    if n_outputs == 1:
        y = y.ravel()
    params = data.draw(mlp_parameters(n_samples))
    sample_weight = data.draw(sample_weights(n_samples, rng))
    how = _how(data.draw, params["solver"] != "lbfgs")
    reg = MLPNeuronRegressor(loss=loss, **params)

    def check():
        _train(reg, X, y, sample_weight, how, {})
        outputs = _outputs(reg, X, how)
        if outputs:
            assert np.isfinite(outputs["predict"]).all()
            assert outputs["predict"].shape == y.shape
            if loss == "poisson":
                assert (outputs["predict"] >= 0).all()

    _guarded(check)


@given(data=st.data())
def test_fuzz_perceptron(data):
    X, rng = data.draw(feature_matrices())
    n_samples = X.shape[0]
    y, _ = data.draw(classification_targets(n_samples, rng, multilabel=False))
    params = data.draw(perceptron_parameters(n_samples))
    params["class_weight"] = data.draw(class_weights(y, False))
    sample_weight = data.draw(sample_weights(n_samples, rng))
    how = _how(data.draw, True)
    clf = PerceptronClassifier(**params)

    def check():
        _train(clf, X, y, sample_weight, how, {"classes": np.unique(y)})
        outputs = _outputs(clf, X, how)
        _check_classifier_outputs(clf, outputs, n_samples, False)

    _guarded(check)
