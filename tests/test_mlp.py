"""Tests of MLPNeuronClassifier, most of them against scikit-learn's MLPClassifier."""

import pickle
import re
import warnings

import joblib
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from sklearn.base import clone
from sklearn.datasets import (
    load_digits,
    load_iris,
    make_classification,
    make_multilabel_classification,
)
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from sknn import MLPNeuronClassifier, MLPNeuronRegressor
from sknn._base import validation_split
from sknn._mlp_base import _stratification_labels
from sknn.activations import get_activation

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def multiclass():
    X, y = make_classification(
        n_samples=300, n_features=12, n_informative=6, n_classes=3, random_state=0
    )
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def binary():
    X, y = make_classification(n_samples=300, n_features=10, random_state=1)
    return StandardScaler().fit_transform(X), y


def both(**params):
    """The sknn estimator and scikit-learn's, with the same parameters."""
    return MLPNeuronClassifier(**params), MLPClassifier(**params)


def max_weight_difference(a, b):
    pairs = list(zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_))
    return max(np.abs(p - q).max() for p, q in pairs)


# -- the worked example --------------------------------------------------------


@pytest.mark.parametrize("classes", [[0, 1], [0, 1, 2]])
@pytest.mark.parametrize("activation", ["logistic", "tanh", "relu"])
def test_one_sgd_step_on_one_sample_matches_sklearn(classes, activation):
    X = np.array([[0.6, 0.8, 0.7]])
    y = np.array([1])
    params = dict(
        hidden_layer_sizes=(2,),
        activation=activation,
        solver="sgd",
        learning_rate_init=0.1,
        alpha=0.1,
        momentum=0.0,
        random_state=0,
    )
    ours, theirs = both(**params)
    ours.partial_fit(X, y, classes=classes)
    theirs.partial_fit(X, y, classes=classes)
    n_out = 1 if len(classes) == 2 else len(classes)
    coefs = [
        np.array([[0.1, -0.2], [0.3, 0.4], [-0.5, 0.25]]),
        np.linspace(-0.6, 0.7, 2 * n_out).reshape(2, n_out),
    ]
    intercepts = [np.array([0.1, -0.1]), np.linspace(0.2, -0.3, n_out)]
    for model in (ours, theirs):
        model.coefs_ = [c.copy() for c in coefs]
        model.intercepts_ = [b.copy() for b in intercepts]

    ours.partial_fit(X, y)
    theirs.partial_fit(X, y)

    for mine, sklearns in zip(
        ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_
    ):
        assert_allclose(mine, sklearns, rtol=0, atol=1e-10)
    # The step did move the weights, so the comparison is not vacuous.
    assert np.abs(ours.coefs_[0] - coefs[0]).max() > 1e-4


def test_one_sgd_step_matches_the_textbook_formula():
    # Back-propagation written out for a 3-2-1 logistic network.
    X = np.array([[0.6, 0.8, 0.7]])
    W1 = np.array([[0.1, -0.2], [0.3, 0.4], [-0.5, 0.25]])
    b1 = np.array([0.1, -0.1])
    W2 = np.array([[0.5], [-0.3]])
    b2 = np.array([0.2])
    rate, alpha, target = 0.1, 0.1, 1.0

    h = 1 / (1 + np.exp(-(X @ W1 + b1)))
    p = 1 / (1 + np.exp(-(h @ W2 + b2)))
    delta2 = p - target
    delta1 = (delta2 @ W2.T) * h * (1 - h)
    expected = [
        W1 - rate * (X.T @ delta1 + alpha * W1),
        W2 - rate * (h.T @ delta2 + alpha * W2),
        b1 - rate * delta1.ravel(),
        b2 - rate * delta2.ravel(),
    ]

    clf = MLPNeuronClassifier(
        hidden_layer_sizes=(2,),
        activation="logistic",
        solver="sgd",
        learning_rate_init=rate,
        alpha=alpha,
        momentum=0.0,
        random_state=0,
    )
    clf.partial_fit(X, [1], classes=[0, 1])
    clf.coefs_, clf.intercepts_ = [W1, W2], [b1, b2]
    clf.partial_fit(X, [1])
    for got, want in zip(clf.coefs_ + clf.intercepts_, expected):
        assert_allclose(got, want, rtol=1e-12)


# -- parity with scikit-learn ----------------------------------------------------


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_fit_matches_sklearn(multiclass, solver):
    X, y = multiclass
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    ours, theirs = both(
        solver=solver, hidden_layer_sizes=(30,), random_state=3, max_iter=60
    )
    ours.fit(X_train, y_train)
    theirs.fit(X_train, y_train)

    assert abs(ours.score(X_test, y_test) - theirs.score(X_test, y_test)) <= 0.02
    assert ours.n_iter_ == theirs.n_iter_
    assert_allclose(ours.loss_, theirs.loss_, rtol=1e-6)
    if solver != "lbfgs":
        # Same initial weights and batch order: the same path, up to rounding.
        assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-8)
        assert ours.t_ == theirs.t_
    assert max_weight_difference(ours, theirs) < 1e-6


@pytest.mark.parametrize(
    "params",
    [
        dict(solver="sgd", learning_rate="invscaling", learning_rate_init=0.5),
        dict(solver="sgd", nesterovs_momentum=False, batch_size=32),
        dict(solver="sgd", shuffle=False, activation="tanh"),
        dict(solver="adam", alpha=1.0, activation="logistic", beta_1=0.5),
    ],
    ids=["invscaling", "classical-momentum", "no-shuffle", "adam-logistic"],
)
def test_stochastic_settings_match_sklearn(binary, params):
    X, y = binary
    ours, theirs = both(
        hidden_layer_sizes=(8, 6), random_state=0, max_iter=15, **params
    )
    ours.fit(X, y)
    theirs.fit(X, y)
    assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-8)
    assert max_weight_difference(ours, theirs) < 1e-8


def test_adaptive_learning_rate_matches_sklearn(binary, capsys):
    X, y = binary
    params = dict(
        solver="sgd",
        learning_rate="adaptive",
        learning_rate_init=0.5,
        n_iter_no_change=2,
        tol=0.05,
        hidden_layer_sizes=(5,),
        random_state=0,
        max_iter=200,
    )
    ours, theirs = both(**params)
    ours.set_params(verbose=True).fit(X, y)
    out = capsys.readouterr().out
    theirs.fit(X, y)
    assert "Setting learning rate to 0.100000" in out
    assert "Learning rate too small. Stopping." in out
    assert ours._optimizer.learning_rate <= 1e-6
    assert ours.n_iter_ == theirs.n_iter_ < 200
    assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-8)


def test_stops_after_n_iter_no_change_like_sklearn(binary):
    X, y = binary
    ours, theirs = both(hidden_layer_sizes=(5,), tol=0.01, random_state=0)
    ours.fit(X, y)
    theirs.fit(X, y)
    assert ours.n_iter_ == theirs.n_iter_ < 200
    assert ours.best_loss_ == pytest.approx(theirs.best_loss_, rel=1e-10)
    assert ours._history.no_improvement_count == theirs._no_improvement_count == 11


def test_max_iter_warns(binary):
    X, y = binary
    with pytest.warns(ConvergenceWarning, match=r"maximum number of iterations \(3\)"):
        MLPNeuronClassifier(max_iter=3, random_state=0).fit(X, y)


def test_lbfgs_honours_max_fun_and_warns(binary):
    X, y = binary
    clf = MLPNeuronClassifier(solver="lbfgs", max_fun=7, random_state=0)
    with pytest.warns(ConvergenceWarning, match="lbfgs failed to converge"):
        clf.fit(X, y)
    assert clf.n_iter_ <= 7


def test_lbfgs_writes_the_one_parameter_buffer(binary):
    X, y = binary
    clf = MLPNeuronClassifier(solver="lbfgs", max_iter=5, random_state=0).fit(X, y)
    params = clf._network.params
    for view in clf.coefs_ + clf.intercepts_:
        assert np.shares_memory(view, params)
    assert clf.n_iter_ == 5


# -- partial_fit, warm_start, early stopping -------------------------------------


def test_partial_fit_matches_sklearn_over_several_calls(multiclass):
    X, y = multiclass
    ours, theirs = both(hidden_layer_sizes=(10,), random_state=0, solver="sgd")
    for part in np.array_split(np.arange(len(y)), 4):
        ours.partial_fit(X[part], y[part], classes=[0, 1, 2])
        theirs.partial_fit(X[part], y[part], classes=[0, 1, 2])
    assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-10)
    assert ours.t_ == theirs.t_ == len(y)
    assert max_weight_difference(ours, theirs) < 1e-10


def test_partial_fit_needs_classes_first(multiclass):
    X, y = multiclass
    clf = MLPNeuronClassifier()
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        clf.partial_fit(X, y)
    clf.partial_fit(X[:10], y[:10], classes=np.unique(y))
    with pytest.raises(ValueError, match="is not the same as on last call"):
        clf.partial_fit(X, y, classes=[0, 1])
    with pytest.raises(ValueError, match="has classes not in"):
        clf.partial_fit(X[:10], np.full(10, 7))


def test_partial_fit_classes_absent_from_the_first_batch(multiclass):
    X, y = multiclass
    first = y != 2
    clf = MLPNeuronClassifier(random_state=0).partial_fit(
        X[first], y[first], classes=[0, 1, 2]
    )
    assert clf.n_outputs_ == 3
    assert clf.predict_proba(X).shape == (len(y), 3)


def test_partial_fit_is_not_available_for_lbfgs():
    clf = MLPNeuronClassifier(solver="lbfgs")
    assert not hasattr(clf, "partial_fit")
    with pytest.raises(AttributeError) as error:
        getattr(clf, "partial_fit")  # noqa: B009  (the access is what is tested)
    assert "only available for the stochastic" in str(error.value.__cause__)
    assert hasattr(MLPNeuronClassifier(solver="sgd"), "partial_fit")


def test_partial_fit_rejects_early_stopping(multiclass):
    X, y = multiclass
    with pytest.raises(ValueError, match="partial_fit does not support early_stopping"):
        MLPNeuronClassifier(early_stopping=True).partial_fit(X, y, classes=[0, 1, 2])


@pytest.mark.parametrize("solver", ["sgd", "lbfgs"])
def test_warm_start_matches_sklearn(binary, solver):
    X, y = binary
    ours, theirs = both(solver=solver, warm_start=True, max_iter=5, random_state=0)
    for _ in range(3):
        ours.fit(X, y)
        theirs.fit(X, y)
    assert max_weight_difference(ours, theirs) < 1e-8
    if solver == "sgd":
        assert len(ours.loss_curve_) == 15
        assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-8)


def test_warm_start_continues_and_cold_start_does_not(binary):
    X, y = binary
    warm = MLPNeuronClassifier(warm_start=True, max_iter=5, random_state=0).fit(X, y)
    first = [c.copy() for c in warm.coefs_]
    warm.fit(X, y)
    cold = MLPNeuronClassifier(max_iter=5, random_state=0).fit(X, y).fit(X, y)
    assert_allclose(cold.coefs_[0], first[0])
    assert not np.allclose(warm.coefs_[0], first[0])


def test_warm_start_needs_the_same_classes_and_network(multiclass):
    X, y = multiclass
    clf = MLPNeuronClassifier(warm_start=True, max_iter=2).fit(X, y)
    with pytest.raises(ValueError, match="same classes as in the previous call to fit"):
        clf.fit(X[y < 2], y[y < 2])
    clf.set_params(hidden_layer_sizes=(7,))
    with pytest.raises(ValueError, match="cannot change the architecture"):
        clf.fit(X, y)


def test_early_stopping_matches_sklearn_on_binary_targets(binary):
    X, y = binary
    for solver in ("sgd", "adam"):
        ours, theirs = both(solver=solver, early_stopping=True, random_state=0)
        ours.fit(X, y)
        theirs.fit(X, y)
        assert ours.validation_scores_ == theirs.validation_scores_
        assert ours.best_validation_score_ == theirs.best_validation_score_
        assert ours.best_loss_ is None
        assert max_weight_difference(ours, theirs) < 1e-10


def test_early_stopping_restores_the_best_weights(multiclass):
    X, y = multiclass
    params = dict(
        early_stopping=True,
        learning_rate_init=0.02,
        n_iter_no_change=5,
        hidden_layer_sizes=(40,),
        random_state=0,
    )
    clf = MLPNeuronClassifier(**params).fit(X, y)
    scores = clf.validation_scores_
    best_epoch = int(np.argmax(scores)) + 1
    assert clf.best_validation_score_ == max(scores)
    assert clf.n_iter_ > best_epoch  # the last epoch was not the best one
    # The same seed replays the same split and batches: stopping at the best
    # epoch gives the weights that early stopping should have kept.
    replay = MLPNeuronClassifier(**params, max_iter=best_epoch).fit(X, y)
    assert max_weight_difference(clf, replay) == 0


def test_early_stopping_split_is_stratified(multiclass):
    X, y = multiclass
    # A rare class of 20 in 220 samples: a 10% stratified split always
    # holds out exactly 2 of them, a plain one any number.
    keep = (y != 2) | (np.cumsum(y == 2) <= 20)
    X, y = X[keep], y[keep]
    clf = MLPNeuronClassifier(early_stopping=True, max_iter=1).fit(X, y)
    Y = clf._label_binarizer.transform(y).astype(float)
    held_out = []
    for seed in range(20):
        _, Y_train, _, _ = clf._hold_out(X, Y, y, None, np.random.RandomState(seed))
        held_out.append(20 - int(Y_train[:, 2].sum()))
    assert held_out == [2] * 20


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


# -- targets, inputs and dtypes -------------------------------------------------


def test_multilabel_matches_sklearn():
    X, Y = make_multilabel_classification(n_samples=120, n_classes=4, random_state=0)
    ours, theirs = both(hidden_layer_sizes=(15,), random_state=0, max_iter=30)
    ours.fit(X, Y)
    theirs.fit(X, Y)
    assert ours.out_activation_ == "logistic" and ours.n_outputs_ == 4
    assert_array_equal(ours.predict(X), theirs.predict(X))
    assert ours.predict_proba(X).shape == (120, 4)
    assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-8)
    clf = MLPNeuronClassifier(early_stopping=True, max_iter=5, random_state=0).fit(X, Y)
    assert len(clf.validation_scores_) == 5


def test_binary_and_multiclass_outputs(binary, multiclass):
    clf = MLPNeuronClassifier(max_iter=5, random_state=0).fit(*binary)
    assert (clf.n_outputs_, clf.out_activation_, clf.n_layers_) == (1, "logistic", 3)
    clf = MLPNeuronClassifier((4, 3), max_iter=5, random_state=0).fit(*multiclass)
    assert (clf.n_outputs_, clf.out_activation_, clf.n_layers_) == (3, "softmax", 4)
    assert [c.shape for c in clf.coefs_] == [(12, 4), (4, 3), (3, 3)]


def test_a_single_class_gets_one_column_of_probabilities():
    X = np.random.RandomState(0).randn(20, 3)
    y = np.full(20, "only")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = MLPNeuronClassifier((3,), max_iter=5, random_state=0).fit(X, y)
    np.testing.assert_array_equal(clf.classes_, ["only"])
    np.testing.assert_array_equal(clf.predict(X[:4]), ["only"] * 4)
    np.testing.assert_array_equal(clf.predict_proba(X[:4]), np.ones((4, 1)))
    np.testing.assert_array_equal(clf.predict_log_proba(X[:4]), np.zeros((4, 1)))


def test_string_labels(binary):
    X, y = binary
    labels = np.array(["no", "yes"])[y]
    clf = MLPNeuronClassifier(solver="lbfgs", random_state=0).fit(X, labels)
    assert set(clf.predict(X)) <= {"no", "yes"}
    assert_array_equal(clf.classes_, ["no", "yes"])


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_csr_input_trains_like_dense(multiclass, solver):
    X, y = multiclass
    X = np.where(np.abs(X) < 0.5, 0.0, X)
    dense = MLPNeuronClassifier(solver=solver, max_iter=20, random_state=0).fit(X, y)
    for container in (sparse.csr_matrix, sparse.csc_matrix, sparse.csr_array):
        sparse_fit = MLPNeuronClassifier(solver=solver, max_iter=20, random_state=0)
        sparse_fit.fit(container(X), y)
        assert max_weight_difference(dense, sparse_fit) < 1e-8
        assert_allclose(sparse_fit.predict_proba(container(X)), dense.predict_proba(X))


def test_float32_end_to_end(multiclass):
    X, y = multiclass
    X32 = X.astype(np.float32)
    for solver in ("sgd", "adam", "lbfgs"):
        clf = MLPNeuronClassifier(solver=solver, max_iter=20, random_state=0).fit(
            X32, y
        )
        assert clf._network.params.dtype == np.float32
        assert all(c.dtype == np.float32 for c in clf.coefs_ + clf.intercepts_)
        assert clf.predict_proba(X32).dtype == np.float32
        assert clf.predict_log_proba(X32).dtype == np.float32
        wide = MLPNeuronClassifier(solver=solver, max_iter=20, random_state=0).fit(X, y)
        assert wide.coefs_[0].dtype == np.float64
        assert_allclose(clf.loss_, wide.loss_, rtol=1e-3)
    clf = MLPNeuronClassifier(max_iter=2).fit(X.astype(np.int64), y)
    assert clf.coefs_[0].dtype == np.float64


def test_predict_log_proba_stays_finite_where_sklearn_gives_minus_inf(
    binary, multiclass
):
    for X, y in (binary, multiclass):
        ours, theirs = both(solver="lbfgs", random_state=0, max_iter=50)
        ours.fit(X, y)
        theirs.fit(X, y)
        far = 1e4 * X[:20]
        with np.errstate(divide="ignore"):
            assert np.isneginf(theirs.predict_log_proba(far)).any()
        log_proba = ours.predict_log_proba(far)
        assert np.isfinite(log_proba).all()
        assert (log_proba < -30).any()  # saturated, and still finite
        # Same ordering as log(predict_proba) wherever that is finite.
        proba = ours.predict_proba(far)
        assert_array_equal(log_proba.argmax(axis=1), proba.argmax(axis=1))
        near = X[:50]
        assert_allclose(np.exp(ours.predict_log_proba(near)), ours.predict_proba(near))
        assert_allclose(ours.predict_proba(near).sum(axis=1), 1)


def test_predict_agrees_with_predict_proba(binary, multiclass):
    for X, y in (binary, multiclass):
        clf = MLPNeuronClassifier(max_iter=10, random_state=0).fit(X, y)
        proba = clf.predict_proba(X)
        assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])


@pytest.mark.parametrize(
    "solver, scale, rate", [("adam", 1e150, 1e150), ("lbfgs", 1e200, 1.0)]
)
def test_divergence_before_any_epoch_raises_scikit_learns_error(
    multiclass, solver, scale, rate
):
    # Nothing was fitted: the only finite weights are the random initial
    # ones, which would predict nonsense (the old policy kept them).
    X, y = multiclass
    clf = MLPNeuronClassifier(
        solver=solver, learning_rate_init=rate, max_iter=30, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(ValueError) as error:
            clf.fit(X * scale, y)
    message = str(error.value)
    assert message.startswith(
        "Solver produced non-finite parameter weights. The input data may "
        "contain large values and need to be preprocessed. Scale the input"
    )
    assert "learning_rate_init" in message


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_regressor_on_overflowing_input_raises_scikit_learns_error(solver):
    rng = np.random.RandomState(0)
    X = np.finfo(np.float64).max * rng.uniform(size=(10, 2))
    y = rng.standard_normal(size=10)
    with pytest.raises(ValueError, match="Solver produced non-finite parameter"):
        MLPNeuronRegressor(solver=solver).fit(X, y)


@pytest.mark.parametrize("solver, scale, rate", [("sgd", 1e50, 1.0)])
def test_divergence_leaves_no_nan(multiclass, solver, scale, rate):
    X, y = multiclass
    X = X * scale
    clf = MLPNeuronClassifier(
        solver=solver, learning_rate_init=rate, max_iter=30, random_state=0
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clf.fit(X, y)
    assert not [w for w in caught if issubclass(w.category, RuntimeWarning)]
    assert all(np.isfinite(c).all() for c in clf.coefs_ + clf.intercepts_)
    assert not np.isnan(clf.predict_proba(X)).any()
    assert not np.isnan(clf.predict_log_proba(X)).any()
    diverged = [str(w.message) for w in caught if "diverged" in str(w.message)]
    assert len(diverged) == 1
    assert "Scale the input" in diverged[0]
    assert "learning_rate_init" in diverged[0]
    if solver != "lbfgs":
        assert np.isfinite(clf.loss_curve_).all()


# -- weights ----------------------------------------------------------------------


def test_sample_weight_matches_sklearn(binary):
    X, y = binary
    weights = np.random.RandomState(0).uniform(0, 3, len(y))
    ours, theirs = both(
        solver="sgd", hidden_layer_sizes=(6,), random_state=0, max_iter=10
    )
    ours.fit(X, y, sample_weight=weights)
    theirs.fit(X, y, sample_weight=weights)
    assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-8)
    unweighted = MLPNeuronClassifier(
        solver="sgd", hidden_layer_sizes=(6,), random_state=0
    )
    unweighted.set_params(max_iter=10).fit(X, y)
    assert not np.allclose(unweighted.loss_curve_, ours.loss_curve_)


def test_zero_sample_weight_drops_the_sample_for_lbfgs(multiclass):
    X, y = multiclass
    weights = np.ones(len(y))
    weights[::3] = 0
    params = dict(solver="lbfgs", hidden_layer_sizes=(8,), random_state=0, max_iter=40)
    weighted = MLPNeuronClassifier(**params).fit(X, y, sample_weight=weights)
    dropped = MLPNeuronClassifier(**params).fit(X[weights > 0], y[weights > 0])
    assert_allclose(weighted.loss_, dropped.loss_, rtol=1e-6)
    assert max_weight_difference(weighted, dropped) < 1e-5


def test_integer_sample_weight_repeats_the_sample_for_lbfgs(multiclass):
    X, y = multiclass
    counts = np.random.RandomState(0).randint(0, 4, len(y))
    params = dict(solver="lbfgs", hidden_layer_sizes=(8,), random_state=0, max_iter=40)
    weighted = MLPNeuronClassifier(**params).fit(X, y, sample_weight=counts)
    repeated = MLPNeuronClassifier(**params).fit(
        X.repeat(counts, axis=0), y.repeat(counts)
    )
    assert_allclose(weighted.loss_, repeated.loss_, rtol=1e-6)
    assert max_weight_difference(weighted, repeated) < 1e-5


def test_class_weight_dict_equals_sample_weight(multiclass):
    X, y = multiclass
    class_weight = {0: 1.0, 1: 3.0, 2: 0.5}
    params = dict(solver="lbfgs", hidden_layer_sizes=(8,), random_state=0, max_iter=30)
    by_class = MLPNeuronClassifier(class_weight=class_weight, **params).fit(X, y)
    by_sample = MLPNeuronClassifier(**params).fit(
        X, y, sample_weight=np.vectorize(class_weight.get)(y)
    )
    assert max_weight_difference(by_class, by_sample) < 1e-12
    # Class weights multiply the sample weights.
    sample_weight = np.random.RandomState(0).uniform(0.5, 2, len(y))
    combined = MLPNeuronClassifier(class_weight=class_weight, **params)
    combined.fit(X, y, sample_weight=sample_weight)
    by_product = MLPNeuronClassifier(**params).fit(
        X, y, sample_weight=sample_weight * np.vectorize(class_weight.get)(y)
    )
    assert max_weight_difference(combined, by_product) < 1e-12
    assert max_weight_difference(combined, by_class) > 1e-3


def test_class_weight_balanced_helps_a_rare_class():
    X, y = make_classification(
        n_samples=600, weights=[0.95, 0.05], flip_y=0, class_sep=0.4, random_state=0
    )
    params = dict(solver="lbfgs", hidden_layer_sizes=(5,), random_state=0, max_iter=100)
    plain = MLPNeuronClassifier(**params).fit(X, y)
    balanced = MLPNeuronClassifier(class_weight="balanced", **params).fit(X, y)
    assert (balanced.predict(X) == 1).sum() > (plain.predict(X) == 1).sum()
    with pytest.raises(ValueError, match="not supported by partial_fit"):
        MLPNeuronClassifier(class_weight="balanced").partial_fit(X, y, classes=[0, 1])


def test_class_weight_rejects_multilabel():
    X, Y = make_multilabel_classification(n_samples=30, random_state=0)
    with pytest.raises(ValueError, match="not supported for multilabel"):
        MLPNeuronClassifier(class_weight="balanced").fit(X, Y)


# -- activations ------------------------------------------------------------------


def test_activation_list_per_layer(multiclass):
    X, y = multiclass
    clf = MLPNeuronClassifier(
        (6, 5, 4),
        activation=["tanh", "leaky_relu", "sigmoid"],
        max_iter=5,
        random_state=0,
    ).fit(X, y)
    assert [a.name for a in clf._network.activations] == [
        "tanh",
        "leaky_relu",
        "logistic",
    ]
    assert (
        repr(clf._network)
        == "Network(12 -> 6 tanh -> 5 leaky_relu -> 4 logistic -> 3 softmax)"
    )


@pytest.mark.parametrize("name", ["leaky_relu", "elu", "softplus", "gelu", "silu"])
def test_every_new_activation_learns(multiclass, name):
    X, y = multiclass
    clf = MLPNeuronClassifier(
        (20,), activation=name, solver="lbfgs", random_state=0, max_iter=100
    )
    assert clf.fit(X, y).score(X, y) > 0.9


def test_sigmoid_is_logistic_and_negative_slope_is_used(binary):
    X, y = binary
    params = dict(max_iter=5, random_state=0)
    sigmoid = MLPNeuronClassifier(activation="sigmoid", **params).fit(X, y)
    logistic = MLPNeuronClassifier(activation="logistic", **params).fit(X, y)
    assert max_weight_difference(sigmoid, logistic) == 0
    leaky = MLPNeuronClassifier(
        activation="leaky_relu", negative_slope=0.3, **params
    ).fit(X, y)
    assert leaky._network.activations[0].negative_slope == 0.3


@pytest.mark.parametrize(
    "activation, match",
    [
        (["relu"], "activation lists 1 names for 2 hidden layers"),
        (["relu", "nope"], r"activation\[1\]='nope' is not an activation"),
        ("step", "'step' cannot train a hidden layer"),
        ("nope", "'nope' is not an activation"),
    ],
)
def test_bad_activation(binary, activation, match):
    with pytest.raises(ValueError, match=match):
        MLPNeuronClassifier((3, 3), activation=activation).fit(*binary)


@pytest.mark.parametrize(
    "activation, match",
    [
        ("rleu", "Did you mean 'relu'"),
        ("ReLU", "lower case: did you mean 'relu'"),
        ("step", "zero almost everywhere"),
        (["relu", "step"], r"activation\[1\]='step' .* zero almost everywhere"),
        (["relu", "Tanh"], r"activation\[1\]='Tanh' .* did you mean 'tanh'"),
    ],
)
def test_bad_activation_names_teach(binary, activation, match):
    # sklearn's own parameter errors are InvalidParameterError; sknn's are too.
    with pytest.raises(InvalidParameterError, match=match):
        MLPNeuronClassifier((3, 3), activation=activation).fit(*binary)


def test_bad_activation_is_caught_without_hidden_layers(binary):
    with pytest.raises(InvalidParameterError, match="Did you mean 'tanh'"):
        MLPNeuronClassifier((), activation="tnah").fit(*binary)


def test_activation_objects_train_like_their_names(binary):
    params = dict(hidden_layer_sizes=(5, 4), solver="lbfgs", max_iter=20)
    by_name = MLPNeuronClassifier(
        activation="leaky_relu", negative_slope=0.2, random_state=0, **params
    ).fit(*binary)
    leaky = get_activation("leaky_relu", negative_slope=0.2)
    by_object = MLPNeuronClassifier(activation=leaky, random_state=0, **params)
    assert max_weight_difference(by_name, by_object.fit(*binary)) == 0
    per_layer = MLPNeuronClassifier(
        activation=[leaky, "tanh"], random_state=0, **params
    ).fit(*binary)
    assert [a.name for a in per_layer._network.activations] == ["leaky_relu", "tanh"]


def test_activation_objects_clone_and_grid_search(binary):
    leaky = get_activation("leaky_relu", negative_slope=0.1)
    clf = MLPNeuronClassifier((4,), activation=leaky, solver="lbfgs", max_iter=20)
    copy = clone(clf)
    assert copy.activation == leaky and copy.activation is not leaky
    assert clf.get_params()["activation__negative_slope"] == 0.1
    assert clone(clf.set_params(activation=[leaky])).activation == [leaky]
    grid = GridSearchCV(
        clf,
        {"activation": [leaky, [get_activation("elu", alpha=0.5)]]},
        cv=2,
        error_score="raise",
    ).fit(*binary)
    assert len(grid.cv_results_["params"]) == 2
    grid = GridSearchCV(
        MLPNeuronClassifier((4,), activation=leaky, solver="lbfgs", max_iter=20),
        {"activation__negative_slope": [0.05, 0.5]},
        cv=2,
        error_score="raise",
    ).fit(*binary)
    slopes = [e.activation.negative_slope for e in [grid.best_estimator_]]
    assert slopes[0] == grid.best_params_["activation__negative_slope"]


# -- the scikit-learn ecosystem -------------------------------------------------------


def test_pipeline_and_grid_search_over_activation_lists():
    X, y = load_digits(return_X_y=True)
    X, y = X[:300], y[:300]
    grid = GridSearchCV(
        make_pipeline(
            StandardScaler(),
            MLPNeuronClassifier(solver="lbfgs", max_iter=30, random_state=0),
        ),
        {
            "mlpneuronclassifier__activation": ["relu", ["tanh", "relu"]],
            "mlpneuronclassifier__hidden_layer_sizes": [(20, 10), (10, 10)],
        },
        cv=2,
    )
    grid.fit(X, y)
    assert len(grid.cv_results_["params"]) == 4
    assert grid.best_score_ > 0.8
    best = grid.best_estimator_[-1]
    assert best.n_layers_ == 4


def test_clone_keeps_parameters_and_drops_weights(binary):
    clf = MLPNeuronClassifier(
        activation=["tanh"], class_weight={0: 2, 1: 1}, max_iter=3
    )
    clf.fit(*binary)
    copy = clone(clf)
    assert copy.get_params() == clf.get_params()
    assert not hasattr(copy, "coefs_")
    with pytest.raises(NotFittedError):
        copy.predict(binary[0])


@pytest.mark.parametrize("dump", ["pickle", "joblib"])
def test_pickle_round_trip_keeps_views_and_predictions(tmp_path, multiclass, dump):
    X, y = multiclass
    clf = MLPNeuronClassifier(max_iter=5, random_state=0).fit(X, y)
    if dump == "pickle":
        restored = pickle.loads(pickle.dumps(clf))
    else:
        joblib.dump(clf, tmp_path / "clf.joblib")
        restored = joblib.load(tmp_path / "clf.joblib")
    assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    params = restored._network.params
    assert all(
        np.shares_memory(v, params) for v in restored.coefs_ + restored.intercepts_
    )
    # Training after loading moves the weights the network predicts with.
    before = restored.coefs_[0].copy()
    restored.partial_fit(X, y)
    assert not np.array_equal(before, restored.coefs_[0])
    assert np.array_equal(restored.coefs_[0], restored._network.coefs[0])


def test_coefs_are_views_of_one_buffer_and_assignment_copies_in(binary):
    X, y = binary
    clf = MLPNeuronClassifier((4,), max_iter=3, random_state=0).fit(X, y)
    params = clf._network.params
    assert all(np.shares_memory(v, params) for v in clf.coefs_ + clf.intercepts_)
    clf.coefs_ = [np.zeros((10, 4)), np.zeros((4, 1))]
    clf.intercepts_ = [np.zeros(4), np.array([2.0])]
    assert_allclose(clf.predict_proba(X)[:, 1], 1 / (1 + np.exp(-2.0)))
    with pytest.raises(ValueError, match=re.escape("shapes [(10, 4), (4, 1)]")):
        clf.coefs_ = [np.zeros((3, 4)), np.zeros((4, 1))]
    with pytest.raises(AttributeError, match="call fit first"):
        getattr(MLPNeuronClassifier(), "coefs_")  # noqa: B009


def test_pandas_feature_names(binary):
    pd = pytest.importorskip("pandas")
    X, y = binary
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    clf = MLPNeuronClassifier(max_iter=3, random_state=0).fit(frame, pd.Series(y))
    assert_array_equal(clf.feature_names_in_, frame.columns)
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        assert_array_equal(clf.predict(frame), clf.predict(X))
    renamed = frame.rename(columns={"f0": "other"})
    with pytest.raises(ValueError, match="feature names"):
        clf.predict(renamed)


def test_clear_errors_on_bad_input(binary):
    X, y = binary
    clf = MLPNeuronClassifier(max_iter=3).fit(X, y)
    with pytest.raises(ValueError, match="10 features"):
        clf.predict(X[:, :4])
    bad = X.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        MLPNeuronClassifier().fit(bad, y)
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        MLPNeuronClassifier(hidden_layer_sizes=(3, 0)).fit(X, y)
    with pytest.raises(ValueError, match="'solver' parameter"):
        MLPNeuronClassifier(solver="newton").fit(X, y)
    with pytest.raises(ValueError, match="'negative_slope' parameter"):
        MLPNeuronClassifier(negative_slope=2.0).fit(X, y)
    with pytest.raises(ValueError, match="Unknown label type"):
        MLPNeuronClassifier().fit(X, np.linspace(0, 1, len(y)))
    with pytest.raises(ValueError, match="sample_weight"):
        MLPNeuronClassifier().fit(X, y, sample_weight=-np.ones(len(y)))


def test_batch_size_larger_than_the_data_is_clipped(binary):
    X, y = binary
    with pytest.warns(UserWarning, match="clipped to 300"):
        clf = MLPNeuronClassifier(batch_size=1000, max_iter=2).fit(X, y)
    assert clf.t_ == 600


# -- verbose ------------------------------------------------------------------------


def test_verbose_prints_sklearns_lines_and_the_time(binary, capsys):
    X, y = binary
    MLPNeuronClassifier(max_iter=3, verbose=True).fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    for n, line in enumerate(lines, start=1):
        assert re.fullmatch(
            rf"Iteration {n}, loss = \d+\.\d{{8}}, time = \d+\.\d\ds", line
        )

    MLPNeuronClassifier(
        early_stopping=True, n_iter_no_change=1, tol=1.0, verbose=True
    ).fit(X, y)
    out = capsys.readouterr().out
    assert re.search(r"Validation score: \d\.\d{6}", out)
    assert (
        "Validation score did not improve more than tol=1.000000 for 1 "
        "consecutive epochs. Stopping." in out
    )

    MLPNeuronClassifier(solver="lbfgs", max_iter=4, verbose=True).fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Iteration 1, loss = ") and len(lines) == 4

    MLPNeuronClassifier(max_iter=3).fit(X, y)
    assert capsys.readouterr().out == ""


# -- early stopping's edges, as scikit-learn ------------------------------------


def test_binary_single_member_class_is_named_as_scikit_learn_names_it():
    # scikit-learn stratifies two classes by their indicator column, which
    # its split reads as the strings 'True' and 'False'; sknn uses the same
    # words and says which class 'True' is.
    X = [[1, 2], [2, 3], [3, 4], [4, 5]]
    with pytest.raises(ValueError) as theirs:
        MLPClassifier(early_stopping=True).fit(X, [0, 0, 0, 1])
    with pytest.raises(ValueError) as ours:
        MLPNeuronClassifier(early_stopping=True).fit(X, ["no", "no", "no", "yes"])
    assert str(ours.value).startswith(str(theirs.value))
    assert "'True' is that class, 'False' the class 'no'" in str(ours.value)


def test_binary_stratification_splits_as_the_class_labels_do():
    # The boolean column names the classes as scikit-learn does; the split
    # it gives is the one the labels themselves give.
    y = np.r_[np.zeros(30), np.ones(10)].astype(int)
    column = _stratification_labels(np.array([0, 1]), y)
    assert column.shape == (40, 1) and column.dtype == bool
    rows = np.arange(40)
    by_column = validation_split(0.2, 0, column, rows)
    by_label = validation_split(0.2, 0, y, rows)
    for ours, theirs in zip(by_column, by_label):
        assert_array_equal(ours[0], theirs[0])


@pytest.mark.parametrize("n_samples", [2, 3])
def test_validation_set_too_small_to_score_is_refused(n_samples):
    # scikit-learn's check: one held-out sample cannot be scored (R² is
    # undefined), and a NaN score must never be recorded silently.
    X = np.random.RandomState(0).randn(n_samples, 2)
    reg = MLPNeuronRegressor(early_stopping=True, random_state=0)
    with pytest.raises(ValueError, match="The validation set is too small"):
        reg.fit(X, X[:, 0])


def test_nan_validation_score_warns_and_is_recorded():
    X, y = load_iris(return_X_y=True)
    calls = []

    def nan_after_two(estimator, X_val, y_val):
        calls.append(1)
        return 0.5 if len(calls) <= 2 else np.nan

    clf = MLPNeuronClassifier(
        (8,),
        early_stopping=True,
        scoring=nan_after_two,
        n_iter_no_change=3,
        max_iter=50,
        random_state=0,
    )
    with pytest.warns(UserWarning, match="validation score after epoch 3 is NaN"):
        clf.fit(X / 8, y)
    # the NaN epochs counted as no improvement: patience ran out after the
    # third of them following the best (epoch 1), not after 50 epochs
    assert clf.n_iter_ == 5
    assert np.isnan(clf.validation_scores_[2:]).all()
    assert clf.best_validation_score_ == 0.5
