"""Tests of MLPNeuronRegressor, most of them against scikit-learn's MLPRegressor."""

import pickle
import warnings

import joblib
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from sklearn.base import clone
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import make_regression
from sklearn.exceptions import (
    ConvergenceWarning,
    DataConversionWarning,
    NotFittedError,
)
from sklearn.linear_model import Ridge
from sklearn.metrics import mean_poisson_deviance, r2_score
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.neural_network import MLPRegressor
from sklearn.neural_network._base import squared_loss
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknn import MLPNeuronRegressor, fit_incremental

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def single():
    X, y = make_regression(
        n_samples=300, n_features=8, n_informative=5, noise=5.0, random_state=0
    )
    return StandardScaler().fit_transform(X), y / y.std()


@pytest.fixture(scope="module")
def multi():
    X, Y = make_regression(
        n_samples=300, n_features=8, n_targets=3, noise=5.0, random_state=1
    )
    return StandardScaler().fit_transform(X), Y / Y.std(axis=0)


@pytest.fixture(scope="module")
def counts():
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, size=(400, 4))
    mean = np.exp(0.8 * X[:, 0] - 0.5 * X[:, 1] + 0.3 * X[:, 2] * X[:, 3] + 0.5)
    return X, rng.poisson(mean).astype(float)


def both(**params):
    """The sknn estimator and scikit-learn's, with the same parameters."""
    return MLPNeuronRegressor(**params), MLPRegressor(**params)


def max_weight_difference(a, b):
    pairs = list(zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_))
    return max(np.abs(p - q).max() for p, q in pairs)


# -- one step by hand ------------------------------------------------------------


@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
@pytest.mark.parametrize("activation", ["logistic", "tanh", "relu", "identity"])
def test_one_sgd_step_on_one_sample_matches_sklearn(loss, activation):
    X = np.array([[0.6, 0.8, 0.7]])
    y = np.array([1.5])
    params = dict(
        loss=loss,
        hidden_layer_sizes=(2,),
        activation=activation,
        solver="sgd",
        learning_rate_init=0.1,
        alpha=0.1,
        momentum=0.0,
        random_state=0,
    )
    ours, theirs = both(**params)
    ours.partial_fit(X, y)
    theirs.partial_fit(X, y)
    coefs = [
        np.array([[0.1, -0.2], [0.3, 0.4], [-0.5, 0.25]]),
        np.array([[0.6], [-0.7]]),
    ]
    intercepts = [np.array([0.1, -0.1]), np.array([0.2])]
    for model in (ours, theirs):
        model.coefs_ = [c.copy() for c in coefs]
        model.intercepts_ = [b.copy() for b in intercepts]
    ours.partial_fit(X, y)
    theirs.partial_fit(X, y)
    for mine, sklearns in zip(
        ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_
    ):
        assert_allclose(mine, sklearns, rtol=0, atol=1e-10)
    assert np.abs(ours.coefs_[1] - coefs[1]).max() > 1e-4
    assert ours.out_activation_ == theirs.out_activation_


def test_one_sgd_step_matches_the_textbook_formula():
    # Back-propagation written out for a 3-2-1 tanh network with a linear output.
    X = np.array([[0.6, 0.8, 0.7]])
    W1 = np.array([[0.1, -0.2], [0.3, 0.4], [-0.5, 0.25]])
    b1 = np.array([0.1, -0.1])
    W2 = np.array([[0.5], [-0.3]])
    b2 = np.array([0.2])
    rate, alpha, target = 0.1, 0.1, 2.0

    h = np.tanh(X @ W1 + b1)
    z = h @ W2 + b2
    delta2 = z - target
    delta1 = (delta2 @ W2.T) * (1 - h**2)
    expected = [
        W1 - rate * (X.T @ delta1 + alpha * W1),
        W2 - rate * (h.T @ delta2 + alpha * W2),
        b1 - rate * delta1.ravel(),
        b2 - rate * delta2.ravel(),
    ]
    reg = MLPNeuronRegressor(
        hidden_layer_sizes=(2,),
        activation="tanh",
        solver="sgd",
        learning_rate_init=rate,
        alpha=alpha,
        momentum=0.0,
    )
    reg.partial_fit(X, [target])
    reg.coefs_, reg.intercepts_ = [W1, W2], [b1, b2]
    reg.partial_fit(X, [target])
    for got, want in zip(reg.coefs_ + reg.intercepts_, expected):
        assert_allclose(got, want, rtol=1e-12)


# -- parity with scikit-learn ----------------------------------------------------


@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_fit_matches_sklearn(single, counts, solver, loss):
    X, y = counts if loss == "poisson" else single
    params = dict(
        loss=loss, solver=solver, hidden_layer_sizes=(20,), random_state=3, max_iter=40
    )
    if solver == "sgd":
        params["learning_rate_init"] = 0.01
    ours, theirs = both(**params)
    ours.fit(X, y)
    theirs.fit(X, y)
    assert ours.n_iter_ == theirs.n_iter_
    assert_allclose(ours.loss_, theirs.loss_, rtol=1e-6)
    if solver != "lbfgs":
        assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-8)
        assert ours.t_ == theirs.t_
        assert ours.best_loss_ == pytest.approx(theirs.best_loss_, rel=1e-8)
    assert max_weight_difference(ours, theirs) < 1e-6
    assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-6, atol=1e-8)
    assert ours.score(X, y) == pytest.approx(theirs.score(X, y), abs=1e-6)


def test_multi_output_loss_is_sklearns_mean_over_outputs(multi):
    X, Y = multi
    ours, theirs = both(hidden_layer_sizes=(10,), random_state=0, max_iter=5)
    ours.fit(X, Y)
    theirs.fit(X, Y)
    # The reported loss is scikit-learn's formula: half the squared error
    # averaged over the samples and the outputs, plus the penalty.
    network = ours._network
    penalty = 0.5 * ours.alpha * sum((c**2).sum() for c in ours.coefs_) / len(X)
    expected = squared_loss(Y, ours.predict(X)) + penalty
    assert network.loss_and_gradient(X, Y, None, ours.alpha) == pytest.approx(
        expected, rel=1e-10
    )
    # Adam's steps do not depend on the gradient's scale: nearly the same path.
    assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-4)
    assert ours.predict(X).shape == Y.shape


def test_early_stopping_matches_sklearn(single):
    X, y = single
    params = dict(
        hidden_layer_sizes=(15,),
        early_stopping=True,
        random_state=0,
        max_iter=60,
        n_iter_no_change=4,
    )
    ours, theirs = both(**params)
    ours.fit(X, y)
    theirs.fit(X, y)
    assert ours.n_iter_ == theirs.n_iter_
    assert_allclose(ours.validation_scores_, theirs.validation_scores_, rtol=1e-8)
    assert ours.best_validation_score_ == pytest.approx(
        theirs.best_validation_score_, rel=1e-8
    )
    assert ours.best_loss_ is None
    assert max_weight_difference(ours, theirs) < 1e-8


def test_early_stopping_restores_the_weights_with_the_best_r2(single):
    X, y = single
    params = dict(
        hidden_layer_sizes=(30,),
        early_stopping=True,
        random_state=0,
        max_iter=80,
        learning_rate_init=0.05,
        n_iter_no_change=5,
    )
    reg = MLPNeuronRegressor(**params).fit(X, y)
    best_epoch = int(np.argmax(reg.validation_scores_)) + 1
    assert best_epoch < reg.n_iter_
    assert reg.best_validation_score_ == max(reg.validation_scores_)
    # The same seed replays the same split and batches.
    replay = MLPNeuronRegressor(**{**params, "max_iter": best_epoch}).fit(X, y)
    assert max_weight_difference(reg, replay) == 0


def test_partial_fit_matches_sklearn_over_several_calls(single):
    X, y = single
    ours, theirs = both(solver="sgd", hidden_layer_sizes=(7,), random_state=0)
    for start in range(0, 300, 100):
        ours.partial_fit(X[start : start + 100], y[start : start + 100])
        theirs.partial_fit(X[start : start + 100], y[start : start + 100])
    assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-8)
    assert max_weight_difference(ours, theirs) < 1e-10


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_warm_start_matches_sklearn(single, solver):
    X, y = single
    params = dict(solver=solver, hidden_layer_sizes=(6,), random_state=0, max_iter=5)
    ours, theirs = both(warm_start=True, **params)
    for _ in range(2):
        ours.fit(X, y)
        theirs.fit(X, y)
    assert max_weight_difference(ours, theirs) < 1e-8


# -- what a network can approximate ---------------------------------------------


def test_one_tanh_layer_fits_a_sine_where_a_linear_network_cannot():
    x = np.linspace(-2 * np.pi, 2 * np.pi, 500).reshape(-1, 1)
    y = np.sin(x).ravel()
    tanh = MLPNeuronRegressor(
        hidden_layer_sizes=(20,),
        activation="tanh",
        solver="lbfgs",
        max_iter=3000,
        random_state=0,
    ).fit(x, y)
    linear = MLPNeuronRegressor(
        hidden_layer_sizes=(20,),
        activation="identity",
        solver="lbfgs",
        max_iter=3000,
        random_state=0,
    ).fit(x, y)
    line = Ridge(alpha=1e-6).fit(x, y)
    assert tanh.score(x, y) > 0.99
    assert linear.score(x, y) < 0.3
    # a stack of linear layers is one line: the same as the best line's fit
    assert linear.score(x, y) == pytest.approx(line.score(x, y), abs=0.01)
    assert 0.1 < line.score(x, y) < 0.2


def test_widening_the_hidden_layer_lowers_the_training_error():
    x = np.linspace(-2 * np.pi, 2 * np.pi, 400).reshape(-1, 1)
    y = np.sin(x).ravel() + 0.5 * np.sin(3 * x).ravel()
    errors = []
    for width in (1, 3, 12):
        reg = MLPNeuronRegressor(
            hidden_layer_sizes=(width,),
            activation="tanh",
            solver="lbfgs",
            max_iter=3000,
            random_state=0,
        ).fit(x, y)
        errors.append(np.mean((reg.predict(x) - y) ** 2))
    assert errors[0] > errors[1] > errors[2]
    assert errors[2] < 0.1 * errors[0]


@pytest.mark.parametrize("n_outputs", [1, 2])
def test_the_network_without_hidden_layers_is_ridge(n_outputs):
    X, y = make_regression(
        n_samples=120, n_features=6, n_targets=n_outputs, noise=1.0, random_state=0
    )
    alpha = 3.0
    reg = MLPNeuronRegressor(
        hidden_layer_sizes=(),
        solver="lbfgs",
        alpha=alpha,
        tol=1e-12,
        max_iter=5000,
        max_fun=50000,
    ).fit(X, y)
    ridge = Ridge(alpha=alpha * n_outputs).fit(X, y)
    assert reg.n_layers_ == 2
    assert_allclose(
        reg.coefs_[0].reshape(ridge.coef_.T.shape), ridge.coef_.T, rtol=1e-5
    )
    assert_allclose(
        reg.intercepts_[0], np.ravel(ridge.intercept_), rtol=1e-5, atol=1e-5
    )


def test_poisson_beats_squared_error_on_counts(counts):
    X, y = counts
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    deviances = {}
    for loss in ("poisson", "squared_error"):
        reg = MLPNeuronRegressor(
            loss, hidden_layer_sizes=(10,), solver="lbfgs", max_iter=500, random_state=0
        ).fit(X_train, y_train)
        prediction = reg.predict(X_test)
        if loss == "squared_error":
            prediction = np.clip(prediction, 1e-3, None)  # the deviance needs mu > 0
        deviances[loss] = mean_poisson_deviance(y_test, prediction)
    assert deviances["poisson"] < deviances["squared_error"]


def test_absolute_error_is_robust_to_outliers():
    rng = np.random.RandomState(0)
    x = rng.uniform(-1, 1, size=(300, 1))
    y = 2 * x.ravel() + 0.1 * rng.randn(300)
    y_dirty = y.copy()
    y_dirty[:30] += 50.0  # a tenth of the targets far off
    params = dict(hidden_layer_sizes=(), learning_rate_init=0.05, max_iter=300)
    median = MLPNeuronRegressor("absolute_error", random_state=0, **params)
    mean = MLPNeuronRegressor("squared_error", random_state=0, **params)
    median.fit(x, y_dirty)
    mean.fit(x, y_dirty)
    clean = np.linspace(-1, 1, 50).reshape(-1, 1)
    median_error = np.abs(median.predict(clean) - 2 * clean.ravel()).max()
    mean_error = np.abs(mean.predict(clean) - 2 * clean.ravel()).max()
    assert median_error < 0.3 < mean_error
    assert median.out_activation_ == "identity"


# -- targets, inputs and dtypes -------------------------------------------------


def test_one_dimensional_y_gives_one_dimensional_predictions(single, multi):
    X, y = single
    reg = MLPNeuronRegressor(hidden_layer_sizes=(5,), max_iter=5, random_state=0).fit(
        X, y
    )
    assert reg.predict(X).shape == (300,) and reg.n_outputs_ == 1
    with pytest.warns(DataConversionWarning):
        column = MLPNeuronRegressor(
            hidden_layer_sizes=(5,), max_iter=5, random_state=0
        ).fit(X, y[:, None])
    assert column.predict(X).shape == (300,)
    X, Y = multi
    reg = MLPNeuronRegressor(hidden_layer_sizes=(5,), max_iter=5, random_state=0).fit(
        X, Y
    )
    assert reg.predict(X).shape == (300, 3) and reg.n_outputs_ == 3


def test_poisson_needs_non_negative_targets(single):
    X, y = single
    with pytest.raises(ValueError, match="negative.*Poisson"):
        MLPNeuronRegressor("poisson").fit(X, y)


def test_poisson_predictions_stay_finite_and_silent(counts):
    X, y = counts
    reg = MLPNeuronRegressor(
        "poisson", hidden_layer_sizes=(5,), solver="lbfgs", random_state=0
    ).fit(X, y)
    assert reg.out_activation_ == "exp"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        huge = reg.predict(X * 1e6)
    assert np.isfinite(huge).all() and (huge >= 0).all()


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_csr_input_trains_like_dense(single, solver):
    X, y = single
    params = dict(solver=solver, hidden_layer_sizes=(8,), random_state=0, max_iter=10)
    dense = MLPNeuronRegressor(**params).fit(X, y)
    csr = MLPNeuronRegressor(**params).fit(sparse.csr_matrix(X), y)
    assert max_weight_difference(dense, csr) < 1e-10
    assert_allclose(csr.predict(sparse.csr_matrix(X)), dense.predict(X), atol=1e-10)


def test_float32_end_to_end(single):
    X, y = single
    reg = MLPNeuronRegressor(hidden_layer_sizes=(8,), max_iter=10, random_state=0)
    reg.fit(X.astype(np.float32), y.astype(np.float32))
    assert all(c.dtype == np.float32 for c in reg.coefs_ + reg.intercepts_)
    assert reg.predict(X.astype(np.float32)).dtype == np.float32
    assert reg.predict(X).dtype == np.float32


def test_sample_weight_matches_sklearn(single):
    X, y = single
    weights = np.random.RandomState(0).uniform(0.1, 2.0, size=len(y))
    ours, theirs = both(hidden_layer_sizes=(6,), random_state=0, max_iter=10)
    ours.fit(X, y, sample_weight=weights)
    theirs.fit(X, y, sample_weight=weights)
    assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-8)


def test_integer_sample_weight_repeats_the_sample_for_lbfgs(single):
    # A linear network, so that both fits reach the one optimum.
    X, y = single[0][:60], single[1][:60]
    weights = np.arange(60) % 3
    params = dict(
        hidden_layer_sizes=(), solver="lbfgs", tol=1e-12, max_iter=1000, random_state=0
    )
    weighted = MLPNeuronRegressor(**params).fit(X, y, sample_weight=weights)
    repeated = MLPNeuronRegressor(**params).fit(
        np.repeat(X, weights, axis=0), np.repeat(y, weights)
    )
    assert_allclose(weighted.predict(X), repeated.predict(X), atol=1e-4)
    assert weighted.loss_ == pytest.approx(repeated.loss_, rel=1e-6)
    unweighted = MLPNeuronRegressor(**params).fit(X, y)
    assert np.abs(unweighted.predict(X) - weighted.predict(X)).max() > 1e-2


def test_warm_start_and_partial_fit_keep_the_number_of_outputs(single, multi):
    X, y = single
    reg = MLPNeuronRegressor(hidden_layer_sizes=(4,), max_iter=3, warm_start=True).fit(
        X, y
    )
    with pytest.raises(ValueError, match="cannot change"):
        reg.fit(X, multi[1])
    reg = MLPNeuronRegressor(hidden_layer_sizes=(4,)).partial_fit(X, y)
    with pytest.raises(ValueError, match="cannot change"):
        reg.partial_fit(X, multi[1])


def test_partial_fit_is_not_available_for_lbfgs():
    assert not hasattr(MLPNeuronRegressor(solver="lbfgs"), "partial_fit")


def test_diagnostics_and_hidden_activations(single):
    X, y = single
    reg = MLPNeuronRegressor(
        hidden_layer_sizes=(6, 4),
        activation=["tanh", "leaky_relu"],
        max_iter=4,
        diagnostics=True,
    ).fit(X, y)
    assert reg.diagnostics_["grad_rms"].shape == (4, 3)
    assert [a.shape for a in reg.hidden_activations(X[:7])] == [(7, 6), (7, 4)]


# -- scikit-learn workflows ------------------------------------------------------


@pytest.mark.slow
def test_pipeline_grid_search_over_activation_lists_and_loss():
    X, y = make_regression(n_samples=120, n_features=5, noise=2.0, random_state=0)
    y = y - y.min() + 1.0  # positive, for the Poisson loss
    pipeline = make_pipeline(
        StandardScaler(),
        MLPNeuronRegressor(solver="lbfgs", max_iter=200, random_state=0),
    )
    grid = GridSearchCV(
        pipeline,
        [
            {
                "mlpneuronregressor__hidden_layer_sizes": [(8,)],
                "mlpneuronregressor__activation": ["tanh", "relu"],
                "mlpneuronregressor__loss": ["squared_error", "poisson"],
            },
            {
                "mlpneuronregressor__hidden_layer_sizes": [(8, 4)],
                "mlpneuronregressor__activation": [["tanh", "relu"]],
            },
        ],  # fmt: skip
        cv=3,
        error_score="raise",
    ).fit(X, y)
    assert len(grid.cv_results_["params"]) == 5
    assert grid.best_score_ > 0.8


def test_transformed_target_regressor(single):
    X, y = single
    model = TransformedTargetRegressor(
        MLPNeuronRegressor(hidden_layer_sizes=(10,), solver="lbfgs", random_state=0),
        transformer=StandardScaler(),
    ).fit(X, 100 * y + 1000)
    assert r2_score(100 * y + 1000, model.predict(X)) > 0.9


def test_clone_keeps_parameters_and_drops_weights(single):
    reg = MLPNeuronRegressor("poisson", (3,), alpha=0.5, negative_slope=0.2)
    copy = clone(reg)
    assert copy.get_params() == reg.get_params()
    assert copy.loss == "poisson" and copy.hidden_layer_sizes == (3,)
    with pytest.raises(NotFittedError):
        copy.predict(single[0])


@pytest.mark.parametrize("dump", ["pickle", "joblib"])
def test_pickle_round_trip(tmp_path, single, dump):
    X, y = single
    reg = MLPNeuronRegressor(hidden_layer_sizes=(5,), max_iter=5, random_state=0).fit(
        X, y
    )
    if dump == "pickle":
        loaded = pickle.loads(pickle.dumps(reg))
    else:
        joblib.dump(reg, tmp_path / "reg.joblib")
        loaded = joblib.load(tmp_path / "reg.joblib")
    assert_array_equal(loaded.predict(X), reg.predict(X))
    assert np.shares_memory(loaded.coefs_[0], loaded._network.params)


def test_fit_incremental_trains_chunk_by_chunk(single):
    X, y = single
    reg = MLPNeuronRegressor(
        hidden_layer_sizes=(6,), learning_rate_init=0.01, batch_size=20, random_state=0
    )
    fit_incremental(reg, X, y, chunk_size=100, n_epochs=5)
    assert reg.t_ == 1500
    assert reg.score(X, y) > 0.5


@pytest.mark.parametrize(
    "X, y, match",
    [
        (np.array([[np.nan, 1.0]] * 5), np.arange(5.0), "NaN"),
        (np.array([[np.inf, 1.0]] * 5), np.arange(5.0), "infinity"),
        (np.ones((5, 2)), np.array([0.0, 1.0, np.nan, 2.0, 3.0]), "NaN"),
    ],
)
def test_clear_errors_on_bad_input(X, y, match):
    with pytest.raises(ValueError, match=match):
        MLPNeuronRegressor().fit(X, y)


def test_wrong_number_of_features_at_predict(single):
    X, y = single
    reg = MLPNeuronRegressor(hidden_layer_sizes=(3,), max_iter=2).fit(X, y)
    with pytest.raises(ValueError, match="features"):
        reg.predict(X[:, :4])


def test_verbose_prints_sklearns_lines(single, capsys):
    X, y = single
    MLPNeuronRegressor(hidden_layer_sizes=(3,), max_iter=2, verbose=True).fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Iteration 1, loss = ")
    assert lines[1].startswith("Iteration 2, loss = ")


def test_divergence_is_never_silent(single):
    X, y = single
    reg = MLPNeuronRegressor(
        hidden_layer_sizes=(8,), solver="sgd", learning_rate_init=1.0, max_iter=50
    )
    with pytest.warns(ConvergenceWarning, match="diverged"):
        reg.fit(X * 1e3, y * 1e3)
    assert np.isfinite(reg.coefs_[0]).all()
    assert np.isfinite(reg.loss_curve_).all()
