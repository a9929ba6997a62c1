"""Tests of PerceptronClassifier: its learning rules against scikit-learn and
against the rules written out by hand, and its behaviour as an estimator."""

import pickle
import warnings

import joblib
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from oracles import perceptron_reference_fit
from scipy.special import expit
from sklearn.base import clone
from sklearn.datasets import load_digits, make_blobs, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Perceptron, SGDClassifier
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import (
    check_classifiers_train,
    check_decision_proba_consistency,
    check_methods_sample_order_invariance,
    check_methods_subset_invariance,
)

from sknn import PerceptronClassifier, onnx
from sknn.activations import ACTIVATIONS, get_activation

# --------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------


def classification(n_classes, n_samples=300, n_features=10, seed=0, dtype=float):
    X, y = make_classification(
        n_samples, n_features, n_informative=6, n_classes=n_classes, random_state=seed
    )
    return X.astype(dtype), y


# --------------------------------------------------------------------------
# Parity with scikit-learn's Perceptron
# --------------------------------------------------------------------------

PARITY_PARAMS = [
    {},
    {"max_iter": 7, "tol": None},
    {"penalty": "l2", "alpha": 1e-3},
    {"penalty": "l2", "alpha": 0.05, "max_iter": 5, "tol": None},
    {"penalty": "l1", "alpha": 1e-3},
    {"penalty": "elasticnet", "alpha": 1e-3, "l1_ratio": 0.4},
    {"class_weight": "balanced"},
    {"class_weight": {0: 3.0, 1: 0.5}},
    {"fit_intercept": False},
    {"eta0": 0.1, "n_iter_no_change": 2},
]


@pytest.mark.parametrize("n_classes", [2, 3, 5])
@pytest.mark.parametrize("params", PARITY_PARAMS, ids=str)
def test_parity_with_sklearn_perceptron(n_classes, params):
    # Same data, same order: the same coefficients, epochs and step count,
    # which needs the stopping rule of every one-vs-rest neuron to match.
    X, y = classification(n_classes, seed=n_classes)
    ours = PerceptronClassifier(shuffle=False, **params).fit(X, y)
    theirs = Perceptron(shuffle=False, **params).fit(X, y)
    assert_allclose(ours.coef_, theirs.coef_, rtol=1e-10, atol=1e-10)
    assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-10, atol=1e-10)
    assert ours.n_iter_ == theirs.n_iter_
    assert ours.t_ == theirs.t_
    assert ours.coef_.shape == theirs.coef_.shape


@pytest.mark.parametrize("n_classes", [2, 4])
def test_parity_with_sample_weight(n_classes):
    X, y = classification(n_classes)
    sample_weight = np.random.RandomState(0).uniform(0, 3, len(y))
    sample_weight[::7] = 0
    for class_weight in (None, {0: 2.0, 1: 0.5}):
        ours = PerceptronClassifier(shuffle=False, class_weight=class_weight)
        theirs = Perceptron(shuffle=False, class_weight=class_weight)
        ours.fit(X, y, sample_weight=sample_weight)
        theirs.fit(X, y, sample_weight=sample_weight)
        assert_allclose(ours.coef_, theirs.coef_, rtol=1e-10, atol=1e-10)
        assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-10, atol=1e-10)
        assert ours.n_iter_ == theirs.n_iter_


@pytest.mark.parametrize("n_classes", [2, 3])
def test_parity_with_initial_weights(n_classes):
    X, y = classification(n_classes)
    n_neurons = 1 if n_classes == 2 else n_classes
    rng = np.random.RandomState(1)
    coef, intercept = rng.randn(n_neurons, X.shape[1]), rng.randn(n_neurons)
    ours = PerceptronClassifier(shuffle=False).fit(X, y, coef, intercept)
    theirs = Perceptron(shuffle=False).fit(X, y, coef, intercept)
    assert_allclose(ours.coef_, theirs.coef_, rtol=1e-10, atol=1e-10)
    assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize(
    "params",
    [
        {"average": True},
        {"average": 700},
        {"average": True, "penalty": "l2", "alpha": 1e-3},
        {"average": 2000, "penalty": "l2", "alpha": 1e-3},
    ],
    ids=str,
)
@pytest.mark.parametrize("n_classes", [2, 3])
def test_averaging_parity_with_sgd_classifier(params, n_classes):
    X, y = classification(n_classes, seed=3)
    sgd_params = {"penalty": None, **params}
    ours = PerceptronClassifier(shuffle=False, **params).fit(X, y)
    theirs = SGDClassifier(
        loss="perceptron",
        learning_rate="constant",
        eta0=1.0,
        shuffle=False,
        **sgd_params,
    ).fit(X, y)
    assert_allclose(ours.coef_, theirs.coef_, rtol=1e-10, atol=1e-10)
    assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_partial_fit_parity(n_classes):
    X, y = classification(n_classes)
    ours, theirs = PerceptronClassifier(shuffle=False), Perceptron(shuffle=False)
    for part in np.array_split(np.arange(len(y)), 4):
        ours.partial_fit(X[part], y[part], classes=np.unique(y))
        theirs.partial_fit(X[part], y[part], classes=np.unique(y))
        assert_allclose(ours.coef_, theirs.coef_, rtol=1e-10, atol=1e-10)
        assert ours.t_ == theirs.t_
    assert ours.n_iter_ == 1


@pytest.mark.parametrize("n_classes", [2, 3])
def test_float32_close_to_sklearn_and_stays_float32(n_classes):
    X, y = classification(n_classes, dtype=np.float32)
    ours = PerceptronClassifier(shuffle=False).fit(X, y)
    theirs = Perceptron(shuffle=False).fit(X, y)
    assert ours.coef_.dtype == ours.intercept_.dtype == np.float32
    assert_allclose(ours.coef_, theirs.coef_, rtol=1e-4, atol=1e-4)
    assert ours.decision_function(X).dtype == np.float32


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"batch_size": 16},
        {"activation": "tanh", "eta0": 0.01},
        {"penalty": "elasticnet"},
        {"penalty": "l2", "average": True},
        {"multi_class": "multinomial"},
    ],
    ids=str,
)
def test_float32_in_float32_out(params):
    X, y = classification(3, dtype=np.float32)
    clf = PerceptronClassifier(max_iter=5, tol=None, **params).fit(X, y)
    assert clf.coef_.dtype == clf.intercept_.dtype == np.float32
    assert clf.decision_function(X).dtype == np.float32
    assert np.isfinite(clf.coef_).all()


# --------------------------------------------------------------------------
# The rules against hand computations
# --------------------------------------------------------------------------


@pytest.mark.parametrize("n_classes, multinomial", [(2, False), (4, False), (4, True)])
def test_rules_and_errors_match_a_hand_run(n_classes, multinomial):
    X, y = classification(n_classes, n_samples=120)
    W, b, errors, _ = perceptron_reference_fit(X, y, 4, multinomial=multinomial)
    clf = PerceptronClassifier(
        shuffle=False,
        max_iter=4,
        tol=None,
        multi_class="multinomial" if multinomial else "ovr",
    ).fit(X, y)
    assert_allclose(clf.coef_, W, atol=1e-10)
    assert_allclose(clf.intercept_, b, atol=1e-10)
    assert_array_equal(clf.errors_, errors)
    assert errors[0] > errors[-1] > 0


def test_multinomial_update_by_hand():
    # Three classes, one pass. Ties count as mistakes; the rival is the first
    # best-scoring wrong class.
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    y = np.array([0, 1, 2])
    clf = PerceptronClassifier(
        multi_class="multinomial", shuffle=False, max_iter=1, tol=None
    ).fit(X, y)
    # 1: z = 0, 0, 0; rival 1 ties with 0: w0 += x1, w1 -= x1.
    # 2: z = 1, -1, 0; rival 0 beats 1: w1 += x2, w0 -= x2.
    # 3: z = 0, 0, 0; rival 0 ties with 2: w2 += x3, w0 -= x3.
    assert_array_equal(clf.coef_, [[0, -2], [-1, 1], [1, 1]])
    assert_array_equal(clf.intercept_, [-1, 0, 1])
    assert_array_equal(clf.errors_, [3])


def test_multinomial_objective_is_the_mean_loss(capsys):
    # The run of test_multinomial_update_by_hand: margins max_{k != y} z_k - z_y
    # of 0, 2 and 0, so the one objective of the rule is 2 / 3 (not once per
    # neuron), and a penalty adds the terms of all the neurons.
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    y = np.array([0, 1, 2])
    params = {"multi_class": "multinomial", "shuffle": False, "max_iter": 1}
    PerceptronClassifier(tol=None, verbose=1, **params).fit(X, y)
    assert "Avg. loss: 0.666667," in capsys.readouterr().out
    # With eta0 = 0.5 and an L2 decay of 0.75 per step the margins are 0, 1
    # and 1/8, and the weights the rows are scored with have penalty terms
    # (alpha / 2) ||W||² of 0, 1/8 and 25/128 over all neurons.
    PerceptronClassifier(
        tol=None, verbose=1, penalty="l2", alpha=0.5, eta0=0.5, **params
    ).fit(X, y)
    expected = (0 + 1 + 1 / 8 + 0 + 1 / 8 + 25 / 128) / 3
    assert f"Avg. loss: {expected:.6f}," in capsys.readouterr().out


@pytest.mark.parametrize(
    "params",
    [
        {"penalty": "l2"},
        {"penalty": "l2", "batch_size": 8},
        {"penalty": "l1"},
        {"penalty": "elasticnet", "batch_size": 4},
    ],
    ids=str,
)
def test_multinomial_with_a_penalty(params):
    X, y = load_digits(return_X_y=True)
    clf = PerceptronClassifier(multi_class="multinomial", **params).fit(X, y)
    assert 1 < clf.n_iter_ < 1000
    assert clf.score(X, y) > 0.9


def test_multinomial_matches_or_beats_ovr():
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    scores = {
        multi_class: PerceptronClassifier(multi_class=multi_class, average=True)
        .fit(X_train, y_train)
        .score(X_test, y_test)
        for multi_class in ("ovr", "multinomial")
    }
    assert scores["multinomial"] >= scores["ovr"]
    assert scores["multinomial"] > 0.95


def test_average_is_the_mean_of_the_trajectory_by_hand():
    X = np.array([[2.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    y = np.array([1, 0, 1])
    # Epoch 1: x1 mistaken -> w = (2, 0), b = 1; x2 (z = 1, y = -1) mistaken
    # -> w = (2, -1), b = 0; x3 right. Epoch 2: no mistakes. After the six
    # steps the weights were (2, 0) once and (2, -1) five times.
    clf = PerceptronClassifier(shuffle=False, max_iter=2, tol=None, average=True)
    clf.fit(X, y)
    assert_allclose(clf.coef_, [[2.0, -5 / 6]])
    assert_allclose(clf.intercept_, [1 / 6])
    assert_array_equal(clf.errors_, [2, 0])
    # Averaging from step 4 on sees only (2, -1) and bias 0.
    clf.set_params(average=4).fit(X, y)
    assert_allclose(clf.coef_, [[2.0, -1.0]])
    assert_allclose(clf.intercept_, [0.0])
    # The average continues across partial_fit calls.
    clf = PerceptronClassifier(shuffle=False, average=True)
    clf.partial_fit(X, y, classes=[0, 1]).partial_fit(X, y)
    assert_allclose(clf.coef_, [[2.0, -5 / 6]])


@pytest.mark.parametrize("n_classes", [2, 3])
def test_average_matches_a_hand_run(n_classes):
    X, y = classification(n_classes, n_samples=100)
    W_mean, b_mean, _, _ = perceptron_reference_fit(X, y, 3, average=True)
    clf = PerceptronClassifier(shuffle=False, max_iter=3, tol=None, average=True)
    clf.fit(X, y)
    assert_allclose(clf.coef_, W_mean, atol=1e-10)
    assert_allclose(clf.intercept_, b_mean, atol=1e-10)


def test_delta_rule_steps_by_hand():
    X = np.array([[1.0, 2.0], [0.0, 1.0]])
    y = np.array([1, 0])
    eta = 0.5
    clf = PerceptronClassifier(
        activation="logistic", eta0=eta, shuffle=False, max_iter=1, tol=None
    ).fit(X, y)
    # Logistic targets are 0 and 1; f'(z) = f(z) (1 - f(z)).
    w, b = np.zeros(2), 0.0
    for x, t in zip(X, [1.0, 0.0]):
        a = expit(w @ x + b)
        delta = eta * (t - a) * a * (1 - a)
        w, b = w + delta * x, b + delta
    assert_allclose(clf.coef_, [w])
    assert_allclose(clf.intercept_, [b])


@pytest.mark.parametrize("activation", ["logistic", "tanh", "identity"])
def test_delta_rule_learns_a_separable_problem(activation):
    X, y = make_blobs(200, centers=[[-2, -1], [2, 1]], cluster_std=0.5, random_state=0)
    separable = PerceptronClassifier(max_iter=100, tol=None).fit(X, y)
    assert separable.errors_[-1] == 0
    clf = PerceptronClassifier(activation=activation, eta0=0.1).fit(X, y)
    assert clf.score(X, y) == 1.0
    # The squared error it descends kept falling: errors only went down.
    assert clf.errors_[0] > clf.errors_[-1]


def test_minibatch_update_by_hand():
    # 40 samples in batches of 16: the last batch has 8, and counts as half
    # a batch, each of its samples moving the weights as much as any other's.
    # The weights reported are the mean over the epoch's steps, a batch
    # counting once per sample.
    X, y = classification(3, n_samples=40)
    clf = PerceptronClassifier(batch_size=16, shuffle=False, max_iter=1, tol=None)
    clf.fit(X, y)
    W, b = np.zeros((3, X.shape[1])), np.zeros(3)
    W_sum, b_sum = 0 * W, 0 * b
    for start in range(0, 40, 16):
        xb, yb = X[start : start + 16], y[start : start + 16]
        target = np.where(yb[:, None] == np.arange(3), 1.0, -1.0)
        step = target * (target * (xb @ W.T + b) <= 0) / 16
        W, b = W + step.T @ xb, b + step.sum(axis=0)
        W_sum, b_sum = W_sum + len(yb) * W, b_sum + len(yb) * b
    assert_allclose(clf.coef_, W_sum / 40)
    assert_allclose(clf.intercept_, b_sum / 40)
    assert_allclose(clf._standard_coef, W)  # partial_fit goes on from there


@pytest.fixture(scope="module")
def digits_split():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X / 16, y, test_size=0.2, stratify=y, random_state=0)


@pytest.fixture(scope="module")
def online_digits_scores(digits_split):
    X_train, X_test, y_train, y_test = digits_split
    return [
        PerceptronClassifier(random_state=seed)
        .fit(X_train, y_train)
        .score(X_test, y_test)
        for seed in range(10)
    ]


@pytest.mark.parametrize("batch_size", [32, 64, 128])
def test_minibatch_accuracy_stays_within_a_few_points_of_online(
    batch_size, digits_split, online_digits_scores
):
    # Issue 20: batch_size=64 scored 0.43, 0.92 and 0.84 for seeds 0, 1, 2
    # against 0.94-0.96 online. A short last batch weighed each of its rows
    # 64 / 29 times as much, and every epoch ended on it; and the last
    # iterate of a batch rule is wherever its last batch threw it.
    X_train, X_test, y_train, y_test = digits_split
    for seed, online in enumerate(online_digits_scores):
        clf = PerceptronClassifier(batch_size=batch_size, random_state=seed)
        assert clf.fit(X_train, y_train).score(X_test, y_test) > online - 0.03, seed


def test_minibatch_learns():
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    clf = PerceptronClassifier(batch_size=32).fit(X_train, y_train)
    assert clf.score(X_test, y_test) > 0.9


# --------------------------------------------------------------------------
# The compiled online loop against the sample-by-sample oracle (tests/oracles.py)
# --------------------------------------------------------------------------


def make_online_problem(rng, n_samples, n_features, n_classes, separable, exact):
    """Data for the online rule. ``exact``: small integer features, on which
    every sum the rule makes (with dyadic steps and no L2) is exact in float32
    and float64, in any order, so ties happen and must be broken alike.
    ``separable``: labels from linear scores, so mistakes become rare (the
    push path); otherwise random labels, a mistake in most rows (settle)."""
    if exact:
        X = rng.integers(-3, 4, (n_samples, n_features)).astype(float)
    else:
        X = rng.standard_normal((n_samples, n_features))
    if separable:
        scores = X @ rng.standard_normal((n_features, n_classes))
        y = (scores + rng.standard_normal(n_classes)).argmax(axis=1)
    else:
        y = rng.integers(0, n_classes, n_samples)
    y[:n_classes] = np.arange(n_classes)  # every class is present
    return X, y


@st.composite
def online_problems(draw, exact, rule="step", penalty=None, batches=False):
    """A small problem and the settings of an online fit (``batch_size=1``,
    or 2, 4 or 16 with ``batches``) with a ``penalty``: 'l2' decays by
    ``1 - rho = eta0 alpha = 1e-4``, 'strong l2' by 0.3, 'l1' and
    'elasticnet' have ``eta0 alpha = 1e-3``."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n_samples = draw(st.integers(2, 260))
    n_classes = draw(st.integers(2, min(4, n_samples)))
    X, y = make_online_problem(
        rng,
        n_samples,
        draw(st.integers(1, 6)),
        n_classes,
        separable=draw(st.booleans()),
        exact=exact,
    )
    sparse = draw(st.booleans())
    if not exact:
        X *= draw(st.sampled_from([1e-3, 1.0, 1e3] if rule == "step" else [1.0]))
        if sparse:
            # Keep feature 0 in every row: a row whose features all have zero
            # weight is scored by the bias alone, a sum of equal steps whose
            # exact zero one summation order can round and the other not.
            zeros = rng.random(X.shape) < 0.4
            zeros[:, 0] = False
            X[zeros] = 0.0
    dyadic = [0.0, 0.5, 1.0, 2.0]
    max_iter = draw(st.integers(1, 4))
    params = {
        "max_iter": max_iter,
        "fit_intercept": draw(st.booleans()),
        "average": draw(
            st.sampled_from([False, True]) | st.integers(1, n_samples * max_iter + 2)
        ),
        "activation": rule,
        "multi_class": draw(st.sampled_from(["ovr", "multinomial"]))
        if rule == "step"
        else "ovr",
        "batch_size": draw(st.sampled_from([2, 4, 16])) if batches else 1,
    }
    if exact:
        params["eta0"] = draw(st.sampled_from(dyadic[1:]))
    elif rule == "step":
        params["eta0"] = draw(st.floats(0.01, 2.0))
    else:  # small enough for the delta rule not to diverge
        params["eta0"] = draw(st.floats(0.001, 0.05))
    strength = {"l2": 1e-4, "strong l2": 0.3, "l1": 1e-3, "elasticnet": 1e-3}
    if penalty is not None:
        alpha = strength[penalty] / params["eta0"]
        params.update(penalty=penalty.split()[-1], alpha=alpha, l1_ratio=0.4)
    if draw(st.booleans()):
        params["class_weight"] = {
            c: draw(st.sampled_from(dyadic[1:])) for c in range(n_classes)
        }
    fit = {}
    if draw(st.booleans()):
        fit["sample_weight"] = (
            rng.choice(dyadic, n_samples) if exact else rng.uniform(0, 3, n_samples)
        )
        fit["sample_weight"][0] = 1.0  # all-zero weights are refused
    if draw(st.booleans()):
        n_neurons = 1 if n_classes == 2 else n_classes
        shape = (n_neurons, X.shape[1])
        fit["coef_init"] = rng.integers(-2, 3, shape) * 1.0
        fit["intercept_init"] = rng.integers(-2, 3, n_neurons) * 1.0
        if not exact:
            fit["coef_init"] = fit["coef_init"] + rng.standard_normal(shape)
    return X, y, params, fit, sparse


def assert_close_in_scale(actual, desired, rtol, scale=None):
    """``actual == desired`` to ``rtol`` relative to the largest ``|desired|``."""
    scale = np.abs(desired).max(initial=1e-300) if scale is None else scale
    assert_allclose(actual, desired, rtol=rtol, atol=rtol * scale)


def fit_against_reference(X, y, params, fit, sparse, exact, dtype=np.float64):
    """Fit with shuffle=False and tol=None and compare with the oracle:
    the mistakes, the weights and the biases. On ``exact`` data (every sum
    exact in either order) they agree bit for bit; otherwise to 1e-12 of the
    weights' scale in float64 and 1e-5 in float32."""
    clf = PerceptronClassifier(shuffle=False, tol=None, **params)
    X_fit = sp.csr_matrix(X, dtype=dtype) if sparse else X.astype(dtype)
    fit_args = {name: value.astype(dtype) for name, value in fit.items()}
    clf.fit(X_fit, y, **fit_args)
    l1_ratio = {"l1": 1.0, "elasticnet": params.get("l1_ratio", 0.15)}
    W, b, errors, _ = perceptron_reference_fit(
        X,
        y,
        params["max_iter"],
        multinomial=params["multi_class"] == "multinomial",
        activation=params["activation"],
        eta=params["eta0"],
        alpha=params.get("alpha", 0.0),
        l1_ratio=l1_ratio.get(params.get("penalty"), 0.0),
        fit_intercept=params["fit_intercept"],
        class_weight=params.get("class_weight"),
        average=int(params["average"]),
        sparse=sparse,
        batch_size=params["batch_size"],
        **fit,
    )
    assert clf.coef_.dtype == clf.intercept_.dtype == dtype
    assert_array_equal(clf.errors_, errors)
    if exact:
        assert_array_equal(clf.coef_, W.astype(dtype))
        assert_array_equal(clf.intercept_, b.astype(dtype))
        return
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    # Rounding is relative to the weights met on the way, which may all have
    # come back to zero (an L1 penalty): one step's size is their floor.
    step = params["eta0"] * np.abs(X).max()
    scale = max(np.abs(W).max(), np.abs(b).max(), step, 1e-300)
    assert_close_in_scale(clf.coef_, W, rtol, scale)
    assert_close_in_scale(clf.intercept_, b, rtol, scale)


@pytest.mark.parametrize("penalty", [None, "l2", "strong l2", "l1", "elasticnet"])
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_online_loop_equals_the_sample_by_sample_oracle(penalty, data):
    # Real-valued data agrees to rounding; integer data (possible without a
    # penalty), on which every sum is exact, agrees bit for bit, ties included.
    exact = penalty is None and data.draw(st.booleans(), label="exact")
    problem = data.draw(online_problems(exact, penalty=penalty), label="problem")
    fit_against_reference(*problem, exact)


@pytest.mark.parametrize("penalty", [None, "strong l2", "elasticnet"])
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_minibatches_equal_the_oracle(penalty, data):
    # The same pass, a batch at a time: scored with the weights at the
    # batch's start, moved by its mean update, a short last batch by its share.
    exact = penalty is None and data.draw(st.booleans(), label="exact")
    problem = online_problems(exact, penalty=penalty, batches=True)
    fit_against_reference(*data.draw(problem, label="problem"), exact)


@settings(max_examples=20, deadline=None)
@given(problem=online_problems(exact=True))
def test_online_loop_equals_the_oracle_in_float32(problem):
    # Integer data keeps every float32 sum exact, so the float32 fit makes
    # the float64 oracle's decisions and weights exactly.
    fit_against_reference(*problem, exact=True, dtype=np.float32)


@pytest.mark.parametrize("activation", sorted(set(ACTIVATIONS) - {"step"}))
@settings(max_examples=8, deadline=None)
@given(data=st.data())
def test_online_delta_rule_equals_the_oracle(activation, data):
    penalty = data.draw(st.sampled_from([None, "l2", "elasticnet"]), label="penalty")
    problem = data.draw(online_problems(False, activation, penalty), label="problem")
    fit_against_reference(*problem, exact=False)
    X, y, params, fit, sparse = problem
    fit_against_reference(X, y, params, {}, sparse, False, dtype=np.float32)


# --------------------------------------------------------------------------
# Sparse input, stopping, verbose, warm start
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"penalty": "l2"},
        {"batch_size": 8},
        {"multi_class": "multinomial"},
        {"activation": "tanh", "eta0": 0.01},
        {"average": 10},
    ],
    ids=str,
)
def test_sparse_equals_dense(params):
    X, y = classification(3)
    X[np.abs(X) < 0.5] = 0
    dense = PerceptronClassifier(max_iter=5, tol=None, **params).fit(X, y)
    sparse = PerceptronClassifier(max_iter=5, tol=None, **params)
    sparse.fit(sp.csr_matrix(X), y)
    assert_allclose(sparse.coef_, dense.coef_, atol=1e-10)
    assert_array_equal(sparse.predict(sp.csr_matrix(X)), dense.predict(X))


def test_sparse_input_with_int64_indices_and_read_only_arrays():
    # The compiled loop reads int32 indices and const memory views.
    X, y = classification(3)
    X[np.abs(X) < 0.5] = 0
    expected = PerceptronClassifier(max_iter=3, tol=None).fit(X, y).coef_
    wide = sp.csr_matrix(X)
    wide.indices, wide.indptr = (
        wide.indices.astype(np.int64),
        wide.indptr.astype(np.int64),
    )
    wide.data.flags.writeable = False
    clf = PerceptronClassifier(max_iter=3, tol=None).fit(wide, y)
    assert_allclose(clf.coef_, expected, atol=1e-12)
    assert wide.indices.dtype == np.int64
    X.flags.writeable = False
    assert_array_equal(
        PerceptronClassifier(max_iter=3, tol=None).fit(X, y).coef_, expected
    )


def test_sparse_l1_truncates_only_the_features_of_each_sample():
    X, y = classification(2)
    X[:, 0] = 0  # feature 0 never appears in the sparse rows
    coef_init = np.ones((1, X.shape[1]))
    params = {"penalty": "l1", "alpha": 0.01, "max_iter": 3, "tol": None}
    sparse = PerceptronClassifier(**params).fit(sp.csr_matrix(X), y, coef_init)
    dense = PerceptronClassifier(**params).fit(X, y, coef_init)
    assert sparse.coef_[0, 0] == 1.0
    assert dense.coef_[0, 0] < 1.0


@pytest.mark.parametrize("early_stopping", [False, True])
def test_stopping_rule_waits_n_iter_no_change_epochs(early_stopping):
    # With a huge tol no epoch counts as an improvement after the first.
    X, y = classification(3)
    clf = PerceptronClassifier(
        tol=10.0, n_iter_no_change=3, early_stopping=early_stopping
    ).fit(X, y)
    assert clf.n_iter_ == 4


def test_early_stopping_trains_on_the_rest():
    X, y = classification(2, n_samples=200)
    clf = PerceptronClassifier(
        early_stopping=True, validation_fraction=0.25, shuffle=False
    ).fit(X, y)
    assert clf.n_iter_ < 1000
    assert clf.errors_.max() <= 150
    assert clf.t_ == 1 + clf.n_iter_ * 200


def test_neurons_stop_independently():
    X, y = classification(5, seed=5)
    clf = PerceptronClassifier(shuffle=False).fit(X, y)
    n_iters = [
        Perceptron(shuffle=False).fit(X, y == label).n_iter_ for label in range(5)
    ]
    assert len(set(n_iters)) > 1
    assert clf.n_iter_ == max(n_iters)


def test_convergence_warning_when_max_iter_is_reached():
    X, y = classification(3)
    with pytest.warns(ConvergenceWarning, match="max_iter=2"):
        PerceptronClassifier(max_iter=2).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        PerceptronClassifier(max_iter=2, tol=None).fit(X, y)


def test_verbose_reports_every_epoch(capsys):
    X, y = classification(3)
    clf = PerceptronClassifier(verbose=1).fit(X, y)
    out = capsys.readouterr().out
    assert out.count("-- Epoch") == clf.n_iter_
    assert f"-- Epoch {clf.n_iter_}\n" in out
    assert "Norm: " in out and "Avg. loss: " in out and "Mistakes: " in out


def test_warm_start_continues_from_the_fitted_weights():
    X, y = classification(3)
    two = PerceptronClassifier(shuffle=False, max_iter=2, tol=None).fit(X, y)
    warm = PerceptronClassifier(shuffle=False, max_iter=1, tol=None, warm_start=True)
    warm.fit(X, y).fit(X, y)
    assert_allclose(warm.coef_, two.coef_)
    cold = PerceptronClassifier(shuffle=False, max_iter=1, tol=None)
    assert not np.allclose(cold.fit(X, y).fit(X, y).coef_, two.coef_)


def test_partial_fit_appends_errors_and_counts_steps():
    X, y = classification(2, n_samples=100)
    clf = PerceptronClassifier(shuffle=False)
    clf.partial_fit(X, y, classes=[0, 1]).partial_fit(X, y)
    assert len(clf.errors_) == 2
    assert clf.t_ == 201
    fit = PerceptronClassifier(shuffle=False, max_iter=2, tol=None).fit(X, y)
    assert_array_equal(clf.errors_, fit.errors_)


def test_n_jobs_changes_nothing():
    X, y = classification(4)
    a = PerceptronClassifier().fit(X, y)
    b = PerceptronClassifier(n_jobs=2).fit(X, y)
    assert_array_equal(a.coef_, b.coef_)


def test_shuffle_is_reproducible_and_seeded():
    X, y = classification(3)
    a = PerceptronClassifier(random_state=1).fit(X, y)
    b = PerceptronClassifier(random_state=1).fit(X, y)
    c = PerceptronClassifier(random_state=2).fit(X, y)
    assert_array_equal(a.coef_, b.coef_)
    assert not np.allclose(a.coef_, c.coef_)


# --------------------------------------------------------------------------
# Probabilities
# --------------------------------------------------------------------------


def test_predict_proba_only_for_logistic():
    X, y = classification(3)
    clf = PerceptronClassifier().fit(X, y)
    assert not hasattr(clf, "predict_proba")
    with pytest.raises(AttributeError) as error:
        clf.predict_log_proba(X)
    assert "only available with activation='logistic'" in str(error.value.__cause__)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_predict_proba_logistic(n_classes):
    X, y = classification(n_classes)
    clf = PerceptronClassifier(activation="logistic", eta0=0.1).fit(X, y)
    proba = clf.predict_proba(X)
    assert proba.shape == (len(y), n_classes)
    assert_allclose(proba.sum(axis=1), 1.0)
    assert_allclose(np.log(proba), clf.predict_log_proba(X), atol=1e-10)
    assert_array_equal(clf.classes_[proba.argmax(axis=1)], clf.predict(X))
    if n_classes == 2:
        assert_allclose(proba[:, 1], expit(clf.decision_function(X)))


def test_activation_object_equals_its_name():
    X, y = classification(3)
    by_name = PerceptronClassifier(activation="sigmoid", eta0=0.1).fit(X, y)
    logistic = get_activation("logistic")
    by_object = PerceptronClassifier(activation=logistic, eta0=0.1).fit(X, y)
    assert_array_equal(by_name.coef_, by_object.coef_)
    assert_allclose(by_name.predict_proba(X), by_object.predict_proba(X))
    assert clone(by_object).activation == logistic
    with pytest.raises(ValueError, match="needs activation='step'"):
        PerceptronClassifier(activation=logistic, multi_class="multinomial").fit(X, y)


def test_activation_objects_keep_their_parameters():
    # The compiled delta rule reads leaky_relu's slope and elu's alpha.
    X, y = classification(2)
    for name, params in [
        ("leaky_relu", {"negative_slope": 0.3}),
        ("elu", {"alpha": 2.0}),
    ]:
        coef_init = np.full((1, X.shape[1]), -0.5)
        fits = [
            PerceptronClassifier(activation=a, eta0=0.01, max_iter=2, tol=None)
            .fit(X, y, coef_init=coef_init)
            .coef_
            for a in (get_activation(name, **params), get_activation(name))
        ]
        assert not np.allclose(*fits)


def test_activation_registries_name_the_same_set():
    # Adding an activation touches three registries: sknn.activations, the
    # perceptron kernel's codes, and the ONNX converter's graphs and opsets.
    # Imported here: isort would file the compiled module among third parties.
    from sknn._perceptron_online import ActivationCode

    kernel = {name.lower() for name in ActivationCode.__members__}
    assert kernel == set(ACTIVATIONS)
    # The step needs no ONNX operator: the perceptron's outputs are the sign
    # or the argmax of its scores (onnx.ACTIVATION_OPSETS says so).
    assert set(onnx.ACTIVATION_OPSETS) == set(ACTIVATIONS) - {"step"}
    assert set(onnx._ACTIVATION_GRAPHS) == set(onnx.ACTIVATION_OPSETS)


def test_bad_activation_name_suggests_the_closest():
    X, y = classification(2)
    with pytest.raises(InvalidParameterError, match="Did you mean 'logistic'"):
        PerceptronClassifier(activation="logistc").fit(X, y)


@pytest.mark.parametrize(
    "check",
    [
        check_classifiers_train,
        check_decision_proba_consistency,
        check_methods_subset_invariance,
        check_methods_sample_order_invariance,
    ],
)
def test_sklearn_checks_with_logistic_neurons(check):
    # test_common checks the default estimator; these cover predict_proba.
    clf = PerceptronClassifier(activation="logistic", eta0=0.1)
    check(type(clf).__name__, clf)


# --------------------------------------------------------------------------
# scikit-learn tools
# --------------------------------------------------------------------------


@pytest.mark.slow
def test_pipeline_grid_search_and_cross_validation():
    X, y = load_digits(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), PerceptronClassifier())
    assert pipe.fit(X, y).score(X, y) > 0.9
    grid = GridSearchCV(
        PerceptronClassifier(),
        {"activation": ["step", "logistic"], "eta0": [0.1, 1.0]},
        n_jobs=2,
        cv=3,
    ).fit(StandardScaler().fit_transform(X), y)
    assert len(grid.cv_results_["params"]) == 4
    assert grid.best_score_ > 0.85
    scores = cross_val_score(PerceptronClassifier(), X, y, cv=3)
    assert scores.shape == (3,) and scores.min() > 0.8


def test_clone_pickle_and_joblib_round_trips(tmp_path):
    X, y = classification(3)
    clf = PerceptronClassifier(average=True).fit(X, y)
    unfitted = clone(clf)
    assert unfitted.get_params() == clf.get_params()
    assert not hasattr(unfitted, "coef_")
    assert_array_equal(pickle.loads(pickle.dumps(clf)).predict(X), clf.predict(X))
    joblib.dump(clf, tmp_path / "clf.joblib")
    assert_array_equal(joblib.load(tmp_path / "clf.joblib").predict(X), clf.predict(X))


def test_pandas_feature_names():
    pd = pytest.importorskip("pandas")
    X, y = classification(2)
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    clf = PerceptronClassifier().fit(frame, y)
    assert_array_equal(clf.feature_names_in_, frame.columns)
    plain = PerceptronClassifier().fit(X, y)
    assert not hasattr(plain, "feature_names_in_")
    assert_array_equal(clf.predict(frame), plain.predict(X))


# --------------------------------------------------------------------------
# Clear errors
# --------------------------------------------------------------------------


@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_non_finite_input(value):
    X, y = classification(2)
    X[3, 2] = value
    with pytest.raises(ValueError, match="NaN|infinity"):
        PerceptronClassifier().fit(X, y)


def test_single_class():
    X, _ = classification(2)
    clf = PerceptronClassifier()
    with pytest.raises(ValueError, match="greater than one; got 1 class"):
        clf.fit(X, np.zeros(len(X)))
    # A refused fit leaves nothing fitted behind.
    assert not hasattr(clf, "classes_") and not hasattr(clf, "t_")


def test_mismatched_lengths():
    X, y = classification(2)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        PerceptronClassifier().fit(X, y[:-1])


def test_wrong_number_of_features_at_predict():
    X, y = classification(2)
    clf = PerceptronClassifier().fit(X, y)
    with pytest.raises(ValueError, match="expecting 10 features"):
        clf.predict(X[:, :5])


@pytest.mark.parametrize(
    "params, match",
    [
        ({"activation": "sigmod"}, "activation"),
        ({"multi_class": "softmax"}, "multi_class"),
        ({"penalty": "l3"}, "penalty"),
        ({"eta0": 0.0}, "eta0"),
        ({"batch_size": 0}, "batch_size"),
        ({"average": -1}, "average"),
        ({"multi_class": "multinomial", "activation": "tanh"}, "needs activation"),
    ],
)
def test_bad_parameters(params, match):
    X, y = classification(3)
    with pytest.raises(ValueError, match=match):
        PerceptronClassifier(**params).fit(X, y)


def test_bad_initial_weights():
    X, y = classification(3)
    with pytest.raises(ValueError, match="coef_init has shape"):
        PerceptronClassifier().fit(X, y, coef_init=np.zeros((2, 10)))
    clf = PerceptronClassifier()
    with pytest.raises(ValueError, match="intercept_init has shape"):
        clf.fit(X, y, intercept_init=np.zeros(2))
    assert not hasattr(clf, "classes_") and not hasattr(clf, "t_")


def test_partial_fit_errors():
    X, y = classification(3)
    with pytest.raises(ValueError, match="classes must be passed"):
        PerceptronClassifier().partial_fit(X, y)
    # A refused first call leaves the estimator as new.
    clf = PerceptronClassifier()
    with pytest.raises(ValueError, match="classes should include all valid labels"):
        clf.partial_fit(X, y, classes=[0, 1])
    assert not hasattr(clf, "classes_")
    clf.partial_fit(X, y, classes=[0, 1, 2])
    assert clf.t_ == len(y) + 1
    clf = PerceptronClassifier().partial_fit(X[y < 2], y[y < 2], classes=[0, 1])
    with pytest.raises(ValueError, match=r"y contains \[2\], which are not among"):
        clf.partial_fit(X, y)
    with pytest.raises(
        ValueError, match="is not the same as on last call to partial_fit"
    ):
        clf.partial_fit(X[y < 2], y[y < 2], classes=[0, 1, 2])
    with pytest.raises(ValueError, match="early_stopping"):
        PerceptronClassifier(early_stopping=True).partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="balanced"):
        PerceptronClassifier(class_weight="balanced").partial_fit(
            X, y, classes=[0, 1, 2]
        )


def test_divergence_keeps_the_last_finite_weights():
    # As the MLP: a diverging epoch is undone with a warning, nothing raises,
    # and the estimator is fitted with the weights of the epoch before (the
    # delta rule at eta0=1 overflows in the second epoch here).
    X, y = classification(2)
    clf = PerceptronClassifier(activation="identity", max_iter=50)
    with pytest.warns(ConvergenceWarning, match="diverged in iteration 2"):
        clf.fit(X, y)
    assert np.isfinite(clf.coef_).all() and np.isfinite(clf.intercept_).all()
    assert np.any(clf.coef_ != 0)
    assert clf.n_iter_ == len(clf.errors_) == 1
    assert clf.t_ == 1 + clf.n_iter_ * len(y)


def test_a_fit_diverging_in_its_first_epoch_raises_scikit_learns_error():
    # As the MLP: with no epoch ended, the weights kept would be the zeros it
    # started from, which predict one class; scikit-learn's words, sknn's
    # advice naming the perceptron's learning rate.
    X, y = classification(2)
    clf = PerceptronClassifier(activation="identity", eta0=1e3, max_iter=50)
    with pytest.raises(ValueError, match="Solver produced non-finite.*lower eta0"):
        clf.fit(X * 1e100, y)
    with pytest.raises(ValueError, match="Solver produced non-finite"):
        clf.partial_fit(X * 1e100, y, classes=[0, 1])


@pytest.mark.parametrize("resume", ["warm_start", "partial_fit"])
def test_a_resumed_fit_diverging_at_once_keeps_the_earlier_fit(resume):
    # An earlier fit's weights are a model to fall back on: warn, keep them.
    X, y = classification(2)
    clf = PerceptronClassifier(activation="identity", eta0=1e-3).fit(X, y)
    before = clf.coef_.copy()
    clf.set_params(eta0=1e3, warm_start=resume == "warm_start")
    with pytest.warns(ConvergenceWarning, match="diverged in iteration 1"):
        if resume == "warm_start":
            clf.fit(X * 1e100, y)
        else:
            clf.partial_fit(X * 1e100, y)
    assert_array_equal(clf.coef_, before)


def test_multinomial_early_stopping_stops_on_the_held_out_accuracy():
    # The multinomial rule is one problem, whose validation score is the
    # multiclass accuracy on the held-out rows (it failed with an IndexError).
    X, y = make_blobs(300, centers=3, cluster_std=1.5, random_state=0)
    clf = PerceptronClassifier(
        multi_class="multinomial", early_stopping=True, n_iter_no_change=2,
        random_state=0, max_iter=100,
    ).fit(X, y)  # fmt: skip
    assert clf.n_iter_ < 100
    assert clf.score(X, y) > 0.7


def _fit_peak(estimator, X, y):
    import tracemalloc

    tracemalloc.start()
    estimator.fit(X, y)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def test_a_fit_needs_at_most_a_quarter_more_memory_than_scikit_learns():
    # The weights are the same size (10 x 30); what else a fit holds is its
    # row indices and labels, and the end-of-fit check's scores, taken a
    # piece of rows at a time (all at once they were 1.6 MB here, against
    # scikit-learn's 0.5 MB for the whole fit).
    X, y = make_classification(
        n_samples=20_000, n_features=30, n_informative=10, n_classes=10, random_state=0
    )
    settings = dict(max_iter=2, tol=None, random_state=0)
    for estimator in (Perceptron, PerceptronClassifier):  # first-use caches
        _fit_peak(estimator(**settings), X, y)
    ours = _fit_peak(PerceptronClassifier(**settings), X, y)
    assert ours <= 1.25 * _fit_peak(Perceptron(**settings), X, y)
