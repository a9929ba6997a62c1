"""Tests of the remedies scikit-learn's MLP lacks: weight_init, dropout, scoring."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import load_digits, make_moons, make_regression
from sklearn.metrics import log_loss
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from sknn import MLPNeuronClassifier, MLPNeuronRegressor
from sknn._initialization import WEIGHT_INITS, draw_layer
from sknn._losses import get_loss
from sknn._network import Network
from sknn.activations import get_activation

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    return train_test_split(X, y, stratify=y, random_state=0)


def weights(est):
    return np.concatenate([np.ravel(a) for a in est.coefs_ + est.intercepts_])


# -- weight_init ----------------------------------------------------------------


def test_glorot_is_the_default_and_sklearns_draw(digits):
    X, _, y, _ = digits
    params = dict(hidden_layer_sizes=(20, 10), max_iter=3, random_state=0)
    default = MLPNeuronClassifier(**params).fit(X, y)
    glorot = MLPNeuronClassifier(weight_init="glorot_uniform", **params).fit(X, y)
    sklearn = MLPClassifier(**params).fit(X, y)
    assert_array_equal(weights(default), weights(glorot))
    assert_allclose(weights(default), weights(sklearn), atol=1e-10)


@pytest.mark.parametrize(
    "scheme, variance",
    [
        ("he_uniform", lambda n_in, n_out: 2 / n_in),
        ("he_normal", lambda n_in, n_out: 2 / n_in),
        ("lecun_normal", lambda n_in, n_out: 1 / n_in),
        ("glorot_uniform", lambda n_in, n_out: 2 / (n_in + n_out)),
    ],
)
def test_each_scheme_draws_its_variance(scheme, variance):
    n_in, n_out = 400, 300
    coef, intercept = draw_layer(scheme, n_in, n_out, np.random.RandomState(0))
    assert coef.shape == (n_in, n_out) and intercept.shape == (n_out,)
    assert coef.var() == pytest.approx(variance(n_in, n_out), rel=0.02)
    assert abs(coef.mean()) < 0.01
    if scheme != "glorot_uniform":
        assert_array_equal(intercept, 0.0)


def test_unknown_scheme_is_named():
    with pytest.raises(ValueError, match="he_normal"):
        draw_layer("xavier", 3, 2, np.random.RandomState(0))


def test_one_scheme_per_layer_drawn_from_random_state():
    net = Network(
        [50, 40, 30, 2],
        [get_activation("relu"), get_activation("tanh")],
        get_loss("binary_log_loss"),
    )
    net.initialize(
        np.random.RandomState(0), ["he_normal", "lecun_normal", "he_uniform"]
    )
    again = Network(net.layer_sizes, net.activations, net.loss)
    again.initialize(
        np.random.RandomState(0), ["he_normal", "lecun_normal", "he_uniform"]
    )
    assert_array_equal(net.params, again.params)
    assert net.coefs[0].std() == pytest.approx(np.sqrt(2 / 50), rel=0.1)
    assert net.coefs[1].std() == pytest.approx(np.sqrt(1 / 40), rel=0.1)
    with pytest.raises(ValueError, match="weight_init lists 2 values for 3 layers"):
        net.initialize(0, ["he_normal", "he_normal"])


@pytest.mark.slow
def test_he_keeps_a_deep_relu_networks_gradient_where_glorot_lets_it_shrink(digits):
    X_train, X_test, y_train, y_test = digits
    deep = dict(hidden_layer_sizes=(64,) * 10, solver="sgd", learning_rate_init=0.01)
    shrink, accuracy = {}, {}
    for init in ("glorot_uniform", "he_uniform"):
        ratios, scores = [], []
        for seed in range(3):
            first = MLPNeuronClassifier(
                weight_init=init,
                max_iter=1,
                diagnostics=True,
                random_state=seed,
                **deep,
            ).fit(X_train, y_train)
            rms = first.diagnostics_["grad_rms"][0]
            # the last hidden layer's weight gradient over the first's
            ratios.append(rms[-2] / rms[0])
            trained = MLPNeuronClassifier(
                weight_init=init, max_iter=10, random_state=seed, **deep
            ).fit(X_train, y_train)
            scores.append(trained.score(X_test, y_test))
        shrink[init], accuracy[init] = np.mean(ratios), np.mean(scores)
    # measured: Glorot 2.3-4.6 (mean 3.3), He 1.3-1.5; accuracy 0.23 vs 0.89
    assert shrink["glorot_uniform"] > 2.5
    assert shrink["he_uniform"] < 1.8
    assert accuracy["he_uniform"] > accuracy["glorot_uniform"] + 0.3


# -- dropout ----------------------------------------------------------------------


class FixedMasks:
    """A stand-in generator whose 'random' draws are the same every call."""

    def __init__(self, seed=0):
        self.seed = seed

    def random(self, out, dtype):
        out[...] = np.random.RandomState(self.seed).random_sample(out.shape)
        return out


@pytest.mark.parametrize("activation", ["relu", "logistic", "tanh", "gelu"])
@pytest.mark.parametrize("loss", ["log_loss", "squared_error"])
def test_dropout_gradient_matches_central_differences_with_a_fixed_mask(
    activation, loss
):
    rng = np.random.RandomState(0)
    net = Network(
        [4, 6, 5, 3], [get_activation(activation)] * 2, get_loss(loss), np.float64
    )
    net.initialize(rng)
    net.set_dropout([0.5, 0.3], FixedMasks())
    X = rng.randn(7, 4)
    Y = np.eye(3)[rng.randint(3, size=7)] if loss == "log_loss" else rng.randn(7, 3)
    net.loss_and_gradient(X, Y, None, 0.1)
    analytic = net.grads.copy()
    numeric = np.empty_like(analytic)
    h = 1e-6
    for j in range(net.params.size):
        kept = net.params[j]
        net.params[j] = kept + h
        up = net.loss_and_gradient(X, Y, None, 0.1)
        net.params[j] = kept - h
        down = net.loss_and_gradient(X, Y, None, 0.1)
        net.params[j] = kept
        numeric[j] = (up - down) / (2 * h)
    assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-8)
    # the masks did drop units: the gradient differs from the full network's
    net.set_dropout(0.0, None)
    net.loss_and_gradient(X, Y, None, 0.1)
    assert not np.allclose(net.grads, analytic)


def test_a_dropped_unit_passes_nothing_and_kept_ones_are_scaled():
    net = Network([3, 1000, 1], [get_activation("identity")], get_loss("squared_error"))
    net.initialize(0)
    net.set_dropout(0.25, np.random.default_rng(0))
    X = np.ones((2, 3))
    net.loss_and_gradient(X, np.zeros((2, 1)))
    views = net.workspace(2)
    mask, dropped = views.masks[0], views.dropped[0]
    assert set(np.unique(mask)) == {0.0, 1 / 0.75}
    assert np.mean(mask == 0) == pytest.approx(0.25, abs=0.03)
    assert_allclose(dropped, views.outputs[0] * mask)


def test_dropout_zero_draws_nothing_and_changes_nothing(digits):
    X, _, y, _ = digits
    params = dict(hidden_layer_sizes=(16,), max_iter=3, random_state=0)
    plain = MLPNeuronClassifier(**params).fit(X, y)
    zero = MLPNeuronClassifier(dropout=0.0, **params).fit(X, y)
    zeros = MLPNeuronClassifier(dropout=[0.0], **params).fit(X, y)
    assert_array_equal(weights(plain), weights(zero))
    assert_array_equal(weights(plain), weights(zeros))
    assert zero._network._dropout_rng is None
    assert zero._network.workspace(5).masks is None


def test_dropout_is_reproducible_and_prediction_deterministic(digits):
    X, X_test, y, _ = digits
    params = dict(hidden_layer_sizes=(16, 8), dropout=[0.5, 0.2], max_iter=3)
    one = MLPNeuronClassifier(random_state=0, **params).fit(X, y)
    two = MLPNeuronClassifier(random_state=0, **params).fit(X, y)
    other = MLPNeuronClassifier(random_state=1, **params).fit(X, y)
    assert_array_equal(weights(one), weights(two))
    assert not np.array_equal(weights(one), weights(other))
    assert_array_equal(one.predict_proba(X_test), one.predict_proba(X_test))
    # prediction uses the whole network: the plain forward pass, no masks
    hidden = np.maximum(X_test @ one.coefs_[0] + one.intercepts_[0], 0)
    assert_allclose(one.hidden_activations(X_test)[0], hidden, rtol=1e-12)


def test_dropout_with_lbfgs_is_a_clear_error(digits):
    X, _, y, _ = digits
    with pytest.raises(ValueError, match="dropout.*stochastic solver.*lbfgs|L-BFGS"):
        MLPNeuronClassifier(solver="lbfgs", dropout=0.2).fit(X, y)
    with pytest.raises(ValueError, match="in \\[0, 1\\)"):
        MLPNeuronClassifier((4, 4), dropout=[0.2, 1.5], max_iter=1).fit(X, y)
    with pytest.raises(ValueError, match="dropout lists 1 values for 2 layers"):
        MLPNeuronClassifier((4, 4), dropout=[0.2], max_iter=1).fit(X, y)


def test_partial_fit_with_dropout_goes_on_with_its_generator(digits):
    X, _, y, _ = digits
    clf = MLPNeuronClassifier((16,), dropout=0.3, random_state=0)
    clf.partial_fit(X, y, classes=np.arange(10))
    generator = clf._network._dropout_rng
    clf.partial_fit(X, y)
    assert clf._network._dropout_rng is generator


@pytest.mark.slow
def test_dropout_narrows_the_generalisation_gap_of_a_wide_network():
    # 100 noisy moons, two layers of 256 units trained for 300 epochs:
    # without dropout the boundary wraps round the noise.
    gaps, held_out = {0.0: [], 0.5: []}, {0.0: [], 0.5: []}
    for seed in range(3):
        X, y = make_moons(n_samples=2100, noise=0.35, random_state=seed)
        X_train, y_train, X_test, y_test = X[:100], y[:100], X[100:], y[100:]
        for rate in (0.0, 0.5):
            clf = MLPNeuronClassifier(
                (256, 256),
                dropout=rate,
                alpha=0.0,
                batch_size=20,
                learning_rate_init=0.003,
                tol=0.0,
                max_iter=300,
                random_state=seed,
            ).fit(X_train, y_train)
            test = clf.score(X_test, y_test)
            gaps[rate].append(clf.score(X_train, y_train) - test)
            held_out[rate].append(test)
    # measured: gap 0.117 -> 0.032, held-out accuracy 0.840 -> 0.872
    assert np.mean(gaps[0.5]) < np.mean(gaps[0.0]) - 0.04
    assert np.mean(held_out[0.5]) > np.mean(held_out[0.0]) + 0.015


# -- scoring ------------------------------------------------------------------------


def test_scoring_loss_stops_on_the_validation_loss_and_keeps_its_best(digits):
    X, _, y, _ = digits
    params = dict(
        hidden_layer_sizes=(64,),
        early_stopping=True,
        scoring="loss",
        n_iter_no_change=3,
        learning_rate_init=0.01,
        max_iter=200,
        random_state=0,
    )
    clf = MLPNeuronClassifier(**params).fit(X, y)
    scores = clf.validation_scores_
    assert all(score < 0 for score in scores)  # negated losses
    assert clf.best_validation_score_ == max(scores)
    assert clf.n_iter_ < 200
    # the validation split replayed: the kept weights have the best loss
    X_train, X_val, y_train, y_val = train_test_split(
        X, y, test_size=0.1, random_state=_AfterInit(0), stratify=y
    )
    best_loss = log_loss(y_val, clf.predict_proba(X_val), labels=clf.classes_)
    assert -best_loss == pytest.approx(clf.best_validation_score_, rel=1e-6)
    # it is a true minimum: a replay stopped at the best epoch has the same weights
    best_epoch = int(np.argmax(scores)) + 1
    assert best_epoch < clf.n_iter_
    replay = MLPNeuronClassifier(**{**params, "max_iter": best_epoch}).fit(X, y)
    assert_array_equal(weights(replay), weights(clf))


class _AfterInit(np.random.RandomState):
    """The fit's generator as the split finds it: past the initial weights."""

    def __init__(self, seed):
        super().__init__(seed)
        for n_in, n_out in [(64, 64), (64, 10)]:
            self.uniform(size=(n_in, n_out))
            self.uniform(size=n_out)


@pytest.mark.parametrize("scoring", ["balanced_accuracy", "neg_log_loss"])
def test_any_scorer_name_scores_the_held_out_data(digits, scoring):
    X, _, y, _ = digits
    clf = MLPNeuronClassifier(
        (16,), early_stopping=True, scoring=scoring, max_iter=5, random_state=0
    ).fit(X, y)
    assert len(clf.validation_scores_) == 5
    if scoring == "neg_log_loss":
        assert all(score < 0 for score in clf.validation_scores_)
    else:
        assert all(0 < score <= 1 for score in clf.validation_scores_)


def test_a_callable_scorer_and_the_regressor():
    X, y = make_regression(n_samples=200, n_features=5, noise=1.0, random_state=0)
    calls = []

    def negative_max_error(est, X, y):
        calls.append(X.shape)
        return -np.abs(est.predict(X) - y).max()

    reg = MLPNeuronRegressor(
        hidden_layer_sizes=(8,),
        early_stopping=True,
        scoring=negative_max_error,
        max_iter=4,
    ).fit(X, y / y.std())
    assert calls == [(20, 5)] * 4
    assert all(score <= 0 for score in reg.validation_scores_)
    loss_scored = MLPNeuronRegressor(
        hidden_layer_sizes=(8,),
        early_stopping=True,
        scoring="loss",
        max_iter=4,
        random_state=0,
    ).fit(X, y / y.std())
    assert all(score < 0 for score in loss_scored.validation_scores_)


def test_grid_search_over_dropout_and_weight_init(digits):
    X, _, y, _ = digits
    grid = GridSearchCV(
        MLPNeuronClassifier((16,), max_iter=5, random_state=0),
        {"dropout": [0.0, 0.3], "weight_init": ["glorot_uniform", "he_normal"]},
        cv=2,
        error_score="raise",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        grid.fit(X[:300], y[:300])
    assert len(grid.cv_results_["params"]) == 4
    assert set(grid.best_params_) == {"dropout", "weight_init"}


def test_every_scheme_is_accepted_by_both_estimators(digits):
    X, _, y, _ = digits
    for scheme in WEIGHT_INITS:
        MLPNeuronClassifier((8,), weight_init=scheme, max_iter=1).fit(X, y)
        MLPNeuronRegressor(hidden_layer_sizes=(8,), weight_init=scheme, max_iter=1).fit(
            X, y * 1.0
        )
