"""Regression tests for defects found by fuzzing (issue 11).

Each test reproduces a defect on the smallest input found, and failed before
its fix. Warnings are errors inside each test where the defect was a numpy
RuntimeWarning reaching the user.
"""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Perceptron
from sklearn.neural_network import MLPClassifier

from sknn import MLPNeuronClassifier, MLPNeuronRegressor, PerceptronClassifier


def _diverging_data(seed, dtype):
    """20 samples whose columns range from 1e-3 to 1e5: unscaled input."""
    rng = np.random.RandomState(seed)
    X = rng.uniform(-1, 1, (20, 3)) * 10.0 ** rng.uniform(-3, 5, (1, 3))
    return X.astype(dtype), rng.randint(0, 3, 20)


# -- 1. one-vs-rest sigmoids normalised in log space -------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_perceptron_logistic_proba_when_every_sigmoid_underflows(dtype):
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


# -- 2. divergence keeps weights that predict finite values ------------------


@pytest.mark.parametrize("seed", [21, 35])
def test_diverged_classifier_predicts_finite(seed):
    # float32 leaky_relu on unscaled input: the old fit kept the weights from
    # before the diverging epoch, which already overflowed in the forward pass
    # (NaN probabilities, -inf log-probabilities, overflow warnings).
    X, y = _diverging_data(seed, np.float32)
    clf = MLPNeuronClassifier(
        (5,),
        activation="leaky_relu",
        solver="sgd",
        learning_rate_init=7.0,
        max_iter=20,
        random_state=seed,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.simplefilter("error", RuntimeWarning)
        clf.fit(X, y)
        outputs = [clf.predict_proba(X), clf.predict_log_proba(X), clf.predict(X)]
    assert any("diverged" in str(w.message) for w in caught)
    assert all(w.category is ConvergenceWarning for w in caught)
    assert np.isfinite(outputs[0]).all() and np.isfinite(outputs[1]).all()
    np.testing.assert_allclose(outputs[0].sum(axis=1), 1, rtol=1e-5)
    np.testing.assert_array_equal(outputs[2], clf.classes_[outputs[0].argmax(1)])


@pytest.mark.parametrize("seed", [2, 4])
def test_diverged_regressor_predicts_finite(seed):
    X, _ = _diverging_data(seed, np.float32)
    reg = MLPNeuronRegressor(
        hidden_layer_sizes=(5,),
        activation="identity",
        solver="sgd",
        learning_rate_init=0.1,
        max_iter=20,
        random_state=seed,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("error", RuntimeWarning)
        prediction = reg.fit(X, X[:, 0]).predict(X)
    assert np.isfinite(prediction).all()


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_fit_raises_when_no_weights_are_finite(solver):
    # float32 input near the dtype's largest value: even the initial weights
    # overflow, so there is nothing finite to keep. (All positive: with both
    # signs, scikit-learn's own finiteness check warns on inf - inf.)
    rng = np.random.RandomState(0)
    X = (1e38 * (1 + rng.rand(10, 50))).astype(np.float32)
    y = np.arange(10) % 2
    clf = MLPNeuronClassifier(
        (10,), activation="identity", solver=solver, max_iter=3, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(ValueError, match="Scale the input.*learning_rate_init"):
            clf.fit(X, y)


def test_last_step_overflow_is_not_kept():
    # A fit that ends without a non-finite epoch loss can still end on a step
    # whose weights overflow: the final weights are checked on the data too.
    X, y = _diverging_data(21, np.float32)
    for max_iter in range(1, 8):
        clf = MLPNeuronClassifier(
            (5,),
            activation="leaky_relu",
            solver="sgd",
            learning_rate_init=7.0,
            max_iter=max_iter,
            random_state=21,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            warnings.simplefilter("error", RuntimeWarning)
            clf.fit(X, y)
            assert np.isfinite(clf._network.logits(X)).all()


# -- 3. prediction never overflows silently ----------------------------------


def _far_larger(X):
    """Input far larger than the training data, of one sign (see above)."""
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


def test_log_proba_of_huge_finite_logits_is_finite():
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


# -- 4. early stopping's stratified split, as scikit-learn -------------------


def _message(estimator, X, y):
    with pytest.raises(ValueError) as error:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            estimator.fit(X, y)
    return str(error.value)


def test_early_stopping_single_member_class_mlp():
    X = np.random.RandomState(0).randn(30, 3)
    y = np.r_[np.zeros(29), 1].astype(int)
    params = dict(early_stopping=True, max_iter=3, random_state=0)
    expected = _message(MLPClassifier(**params), X, y)
    message = _message(MLPNeuronClassifier(**params), X, y)
    # scikit-learn stratifies its boolean indicator column and so names the
    # class 'True'; sknn does the same and says which class that is.
    assert message.startswith(expected)
    assert message.endswith("'True' is that class, 'False' the class 0.)")


def test_early_stopping_single_member_class_multiclass():
    # scikit-learn's Perceptron stratifies multiclass targets too.
    X = np.random.RandomState(0).randn(30, 3)
    y = np.r_[np.zeros(14), np.ones(15), 2].astype(int)
    params = dict(early_stopping=True, random_state=0)
    expected = _message(Perceptron(**params), X, y)
    assert _message(PerceptronClassifier(**params), X, y) == expected
    assert _message(MLPNeuronClassifier(max_iter=3, **params), X, y) == expected


# -- 5. a single class ---------------------------------------------------------


def test_single_class_probabilities_have_one_column():
    X = np.random.RandomState(0).randn(20, 3)
    y = np.full(20, "only")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = MLPNeuronClassifier((3,), max_iter=5, random_state=0).fit(X, y)
    np.testing.assert_array_equal(clf.classes_, ["only"])
    np.testing.assert_array_equal(clf.predict(X[:4]), ["only"] * 4)
    np.testing.assert_array_equal(clf.predict_proba(X[:4]), np.ones((4, 1)))
    np.testing.assert_array_equal(clf.predict_log_proba(X[:4]), np.zeros((4, 1)))


# -- found by the fuzz suite (tests/test_fuzz.py) -----------------------------


def test_perceptron_proba_sums_to_one_for_large_float32_scores():
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


def test_failed_lbfgs_reports_its_loss_without_warnings():
    # L-BFGS on unscaled float32 input with a Poisson loss: the loss at the
    # weights kept is infinite, and computing it warned "overflow". A fit
    # from scratch now refuses (nothing was fitted); a warm start keeps the
    # earlier fit's weights and computes their loss.
    X = np.array([[1764.0524]], dtype=np.float32)
    reg = MLPNeuronRegressor(
        loss="poisson", hidden_layer_sizes=(), solver="lbfgs", max_iter=3
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(ValueError, match="Solver produced non-finite"):
            reg.set_params(random_state=0).fit(X, [3.0])
        assert not hasattr(reg, "n_features_in_")  # a refused fit leaves nothing
        reg.set_params(warm_start=True).fit(X / 1000, [3.0])
        reg.fit(X, [3.0])
        assert np.isfinite(reg.predict(X)).all()


def test_perceptron_refuses_weights_that_overflow_on_its_training_data():
    # An elu neuron on float32 input of magnitude 1e7: every weight finite,
    # yet the pre-activations on the training data overflowed, and predict
    # returned inf and NaN with numpy's warnings.
    X = (np.random.RandomState(0).standard_normal((3, 4)) * 1e7).astype(np.float32)
    clf = PerceptronClassifier(activation="elu", batch_size=1, max_iter=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(ValueError, match="overflow on the training data"):
            clf.fit(X, [1, 0, 1])


def test_scorer_on_diverging_weights_scores_nan_instead_of_failing():
    # A scorer calls predict, which refuses outputs that overflow; mid-fit,
    # on diverging weights, that must count as a failed epoch (NaN), as the
    # built-in accuracy counts it, not end the fit with predict's error.
    rng = np.random.RandomState(21)
    X = (rng.uniform(-1, 1, (60, 3)) * 10.0 ** rng.uniform(-3, 5, (1, 3))).astype(
        np.float32
    )
    y = rng.randint(0, 3, 60)
    clf = MLPNeuronClassifier(
        (5,),
        activation="leaky_relu",
        solver="sgd",
        learning_rate_init=7.0,
        max_iter=20,
        early_stopping=True,
        scoring="accuracy",
        random_state=21,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("error", RuntimeWarning)
        clf.fit(X, y)
        proba = clf.predict_proba(X)
    assert np.isnan(clf.validation_scores_[-1])
    assert np.isfinite(proba).all()


def test_hidden_activations_refuse_input_that_overflows():
    X = np.random.RandomState(0).randn(40, 3).astype(np.float32)
    clf = _fitted(MLPNeuronClassifier((4,), solver="lbfgs", max_iter=5), X, X[:, 0] > 0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(ValueError, match="overflows on 40 sample.*Scale X"):
            clf.hidden_activations(_far_larger(X))


# -- found by the long fuzz run (--hypothesis-profile=long) -------------------


@pytest.mark.parametrize("scoring", [None, "loss"])
def test_early_stopping_refuses_a_part_whose_weights_are_all_zero(scoring):
    # A ZeroDivisionError (accuracy) or a 0/0 RuntimeWarning (loss) before.
    X = np.random.RandomState(0).randn(20, 3)
    y = np.arange(20) % 2
    sample_weight = np.zeros(20)
    sample_weight[0] = 1.0
    clf = MLPNeuronClassifier(
        (), early_stopping=True, validation_fraction=0.5, scoring=scoring
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(ValueError, match="sample weights of the .* all zero"):
            clf.fit(X, y, sample_weight=sample_weight)


@pytest.mark.parametrize("scoring, seed", [(None, 4), ("loss", 9)])
def test_validation_score_that_overflows_is_not_a_warning(scoring, seed):
    # Poisson with a large learning rate: the logits are finite, but exp of them
    # (the validation loss) and their squares (R²) overflowed, with warnings.
    rng = np.random.RandomState(seed)
    X = rng.randn(30, 2) * 2
    y = np.abs(rng.randn(30))
    reg = MLPNeuronRegressor(
        "poisson",
        hidden_layer_sizes=(),
        solver="sgd",
        learning_rate_init=1.0,
        early_stopping=True,
        scoring=scoring,
        max_iter=1,
        random_state=seed,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("error", RuntimeWarning)
        reg.fit(X, y)
        assert np.isfinite(reg.predict(X)).all()


def test_perceptron_training_overflow_is_not_a_warning():
    # elu neurons on float32 input, early stopping: the validation products
    # overflowed inside training, and numpy warned.
    scales = [6.07, 0.13, 1.89, 2.65, 66.11, 0.05, 0.14, 49.5, 7.29, 0.5, 11.01, 0.39]
    rng = np.random.RandomState(0)
    X = (rng.standard_normal((273, 12)) * scales).astype(np.float32)
    y = rng.randint(0, 2, 273)
    clf = PerceptronClassifier(
        activation="elu",
        alpha=1.0,
        fit_intercept=False,
        max_iter=1,
        tol=None,
        early_stopping=True,
        validation_fraction=0.375,
        n_iter_no_change=1,
        batch_size=14,
        shuffle=False,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(ValueError, match="Scale the input"):
            clf.fit(X, y)


FLOAT32_CASE = dict(
    X=np.array([[1624.3453], [-611.7564], [-528.17175], [-1072.9686], [865.40765]]),
    y=np.array([0, 0, 1, 0, 0]),
    activation="elu",
    sample_weight=np.array([22.96, 53.44, 91.40, 45.72, 43.07]),
    dtype=np.float32,
    threshold=1.9e19,
)
FLOAT64_CASE = dict(
    X=np.array(
        [
            [4136518.0],
            [-1557883.9],
            [-1345029.2],
            [-2732395.6],
            [2203825.8],
            [-5861042.0],
            [4443294.8],
            [-1938470.8],
            [812457.1],
            [-635040.5],
            [3723368.2],
            [-5246303.8],
            [-821059.7],
        ]
    ),  # fmt: skip
    y=np.array([1, 1, 1, 1, 0, 1, 1, 0, 0, 1, 0, 0, 1]),
    activation="identity",
    sample_weight=None,
    dtype=np.float64,
    threshold=1.4e154,
)


@pytest.mark.parametrize("case", [FLOAT32_CASE, FLOAT64_CASE], ids=["f32", "f64"])
def test_perceptron_resumes_from_weights_whose_square_overflows(case):
    # A first partial_fit left a weight beyond 1.8e19 in float32 (1.3e154 in
    # float64): finite, but its square (kept for the penalty's norms)
    # overflowed when the next call started, and numpy warned.
    X, y = case["X"].astype(case["dtype"]), case["y"]
    clf = PerceptronClassifier(
        activation=case["activation"], fit_intercept=False, shuffle=False,
        batch_size=1,
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)  # the divergence
        clf.partial_fit(X, y, classes=[0, 1], sample_weight=case["sample_weight"])
        assert np.abs(clf.coef_).max() > case["threshold"]
        clf.partial_fit(X, y, sample_weight=case["sample_weight"])
    assert np.isfinite(clf.coef_).all()
