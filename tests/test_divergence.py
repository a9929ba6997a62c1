"""A fit that diverges ends cleanly: finite weights, or a clear error.

A diverging fit keeps the last weights whose outputs on the training data are
finite and says so with a ConvergenceWarning, or raises a ValueError with
advice when no such weights exist; the overflow along the way never reaches
the user as a numpy RuntimeWarning, so those are errors inside each test.
Most inputs here are the smallest that the fuzzing (tests/test_fuzz.py)
found for a defect, and failed before its fix.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse
from sklearn.exceptions import ConvergenceWarning

from sknn import MLPNeuronClassifier, MLPNeuronRegressor, PerceptronClassifier


def _diverging_data(seed, dtype):
    """20 samples whose columns range from 1e-3 to 1e5: unscaled input."""
    rng = np.random.RandomState(seed)
    X = rng.uniform(-1, 1, (20, 3)) * 10.0 ** rng.uniform(-3, 5, (1, 3))
    return X.astype(dtype), rng.randint(0, 3, 20)


# -- the networks ---------------------------------------------------------------


@pytest.mark.parametrize("seed", [21, 35])
def test_a_diverged_classifier_keeps_weights_that_predict_finite_values(seed):
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
def test_a_diverged_regressor_predicts_finite_values(seed):
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
def test_fit_raises_with_advice_when_no_weights_are_finite(solver):
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


def test_final_weights_that_overflow_on_the_data_are_not_kept():
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


def test_an_lbfgs_fit_whose_loss_overflows_ends_without_warnings():
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


# -- the perceptron -------------------------------------------------------------


def test_perceptron_refuses_weights_that_overflow_on_its_training_data():
    # An elu neuron on float32 input of magnitude 1e7: every weight finite,
    # yet the pre-activations on the training data overflowed, and predict
    # returned inf and NaN with numpy's warnings.
    X = (np.random.RandomState(0).standard_normal((3, 4)) * 1e7).astype(np.float32)
    clf = PerceptronClassifier(activation="elu", batch_size=1, max_iter=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(ValueError, match="finite outputs on the training data"):
            clf.fit(X, [1, 0, 1])


def test_perceptron_overflow_in_training_is_an_error_not_a_warning():
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


@pytest.mark.parametrize("sparse", [False, True])
def test_perceptron_checks_the_scores_of_every_row(sparse):
    # The check takes the rows in pieces; an overflow in the last row of the
    # last piece counts as much as one in the first.
    from sknn._perceptron_scoring import ROWS_AT_ONCE, keep_finite_neurons

    X = np.ones((ROWS_AT_ONCE + 500, 3), dtype=np.float32)
    X[-1] = 1e30
    coef = np.full((1, 3), 1e10, dtype=np.float32)
    intercept = np.zeros(1, dtype=np.float32)
    convert = scipy.sparse.csr_matrix if sparse else np.asarray
    keep_finite_neurons(convert(X[:-1]), (coef, intercept))
    with pytest.raises(ValueError, match="finite outputs on the training data"):
        keep_finite_neurons(convert(X), (coef, intercept))


def test_perceptron_trusts_the_bound_on_its_scores_far_from_overflow(monkeypatch):
    import sknn._perceptron_scoring as scoring

    def refuse(*args, **kwargs):
        raise AssertionError("the scores were computed")

    coef = np.full((2, 3), 1e3, dtype=np.float32)
    intercept = np.zeros(2, dtype=np.float32)
    monkeypatch.setattr(scoring, "safe_sparse_dot", refuse)
    scoring.keep_finite_neurons(np.ones((5, 3), dtype=np.float32), (coef, intercept))
    coef[0, 0] = 1e38  # beyond a quarter of float32's largest
    with pytest.raises(AssertionError, match="the scores were computed"):
        scoring.keep_finite_neurons(
            np.ones((5, 3), dtype=np.float32), (coef, intercept)
        )
