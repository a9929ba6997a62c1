"""The opt-in training procedure of both MLPs: schedules, decoupled weight decay,
label smoothing, gradient clipping, explicit validation data, and the
validation-loss and learning-rate curves they record."""

import math
import warnings

import numpy as np
import pytest
import sklearn
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import load_digits, make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

import sknn._mlp_base
from sknn import MLPNeuronClassifier, MLPNeuronRegressor
from sknn.schedules import Cosine, CosineRestarts, OneCycle

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

STOCHASTIC_OPTIONS = {
    "learning_rate_schedule": "cosine",
    "warmup_fraction": 0.1,
    "weight_decay": 0.01,
    "max_grad_norm": 1.0,
}


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:600] / 16, y[:600]


def _fit(estimator, X, y, **fit_params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y, **fit_params)


def _mlp(**params):
    return MLPNeuronClassifier(
        **{"hidden_layer_sizes": (16,), "max_iter": 8, "random_state": 0, **params}
    )


# -- schedules ----------------------------------------------------------------


def test_constant_schedule_is_bit_identical_to_none(digits):
    X, y = digits
    plain = _fit(_mlp(), X, y)
    scheduled = _fit(_mlp(learning_rate_schedule="constant"), X, y)
    for a, b in zip(plain.coefs_, scheduled.coefs_):
        assert_array_equal(a, b)
    assert plain.loss_curve_ == scheduled.loss_curve_


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_cosine_learning_rate_curve_follows_the_schedule(digits, solver):
    X, y = digits
    clf = _fit(
        _mlp(solver=solver, learning_rate_schedule="cosine", learning_rate_init=0.01),
        X,
        y,
    )
    n_batches = math.ceil(len(X) / 200)
    steps = 8 * n_batches
    # each epoch records the rate of its last step
    ends = [(epoch + 1) * n_batches - 1 for epoch in range(8)]
    expected = [0.01 * 0.5 * (1 + math.cos(math.pi * step / steps)) for step in ends]
    assert_allclose(clf.learning_rate_curve_, expected, rtol=1e-12)


def test_schedule_multiplies_sgds_invscaling(digits):
    X, y = digits
    params = dict(solver="sgd", learning_rate="invscaling", learning_rate_init=0.5)
    plain = _fit(_mlp(**params), X, y)
    halved = _fit(_mlp(**params, learning_rate_schedule=lambda p: 0.5), X, y)
    assert_allclose(
        halved.learning_rate_curve_, np.multiply(plain.learning_rate_curve_, 0.5)
    )
    # invscaling divides the rate after each epoch
    assert np.all(np.diff(plain.learning_rate_curve_) < 0)


def test_warmup_rises_linearly_to_the_rate(digits):
    X, y = digits
    clf = _fit(_mlp(warmup_fraction=0.5, learning_rate_init=0.01), X, y)
    n_batches = math.ceil(len(X) / 200)
    warm = 0.5 * 8 * n_batches
    ends = [(epoch + 1) * n_batches - 1 for epoch in range(8)]
    expected = [0.01 * min((step + 1) / warm, 1.0) for step in ends]
    assert_allclose(clf.learning_rate_curve_, expected, rtol=1e-12)


def test_one_cycle_peaks_where_it_is_told(digits):
    X, y = digits
    clf = _fit(_mlp(max_iter=20, learning_rate_schedule=OneCycle(peak_at=0.25)), X, y)
    curve = np.asarray(clf.learning_rate_curve_)
    assert curve.argmax() in (4, 5)  # the epoch holding a quarter of 20
    # the last epoch ends one step before the end: 1 / (div * final_div) next
    assert curve[0] < curve.max() / 5 and curve[-1] < curve.max() / 100


def test_a_callable_schedule_sees_the_fraction_of_training_done(digits):
    X, y = digits
    seen = []
    _fit(_mlp(max_iter=4, learning_rate_schedule=lambda p: seen.append(p) or 1.0), X, y)
    n_steps = 4 * math.ceil(len(X) / 200)
    assert seen == pytest.approx([step / n_steps for step in range(n_steps)])


@pytest.mark.parametrize("bad", [math.nan, -0.5, "fast"])
def test_a_schedule_returning_no_valid_factor_is_refused(digits, bad):
    X, y = digits
    clf = _mlp(learning_rate_schedule=lambda p: bad)
    with pytest.raises(ValueError, match="a schedule must return a finite factor"):
        clf.fit(X, y)
    assert not hasattr(clf, "coefs_")


def test_an_unknown_schedule_name_lists_the_valid_ones(digits):
    with pytest.raises(ValueError, match=r"one of \['constant', 'cosine'"):
        _mlp(learning_rate_schedule="cosin").fit(*digits)


def test_schedules_are_grid_searchable(digits):
    X, y = digits
    search = GridSearchCV(
        _mlp(max_iter=3, learning_rate_schedule=CosineRestarts()),
        {"learning_rate_schedule__n_cycles": [1, 2]},
        cv=2,
    )
    _fit(search, X, y)
    assert search.best_params_["learning_rate_schedule__n_cycles"] in (1, 2)


def test_partial_fit_counts_its_calls_as_the_schedules_epochs(digits):
    X, y = digits
    clf = _mlp(max_iter=4, learning_rate_schedule=Cosine(), learning_rate_init=0.01)
    for _ in range(5):
        clf.partial_fit(X, y, classes=np.unique(y))
    fitted = _fit(clone_of(clf), X, y)
    # four calls follow the fit's four epochs; the fifth stays at the end
    assert_allclose(clf.learning_rate_curve_[:4], fitted.learning_rate_curve_)
    assert clf.learning_rate_curve_[4] == pytest.approx(0.0, abs=1e-12)


def clone_of(estimator):
    return sklearn.base.clone(estimator)


# -- decoupled weight decay, clipping -------------------------------------------


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_weight_decay_shrinks_the_weights(digits, solver):
    X, y = digits
    params = dict(solver=solver, alpha=0.0, max_iter=20)
    plain = _fit(_mlp(**params), X, y)
    # 60 steps of rate 1e-3 (adam) or 1e-3 (sgd) shrink by about 1 - 60e-3 λ
    decayed = _fit(_mlp(**params, weight_decay=10.0), X, y)
    norm = lambda clf: sum(float((c**2).sum()) for c in clf.coefs_)  # noqa: E731
    assert norm(decayed) < 0.7 * norm(plain)


def test_clipping_rescues_a_diverging_fit():
    # sgd at 0.01 on features ten times too large diverges in epoch 2;
    # clipped to norm 1, the same steps stay bounded and fit.
    X, y = make_regression(500, 10, noise=10, random_state=0)
    X, y = X * 10, y / y.std()
    params = dict(hidden_layer_sizes=(32,), solver="sgd", max_iter=50, random_state=0)
    with pytest.warns(ConvergenceWarning, match="diverged"):
        MLPNeuronRegressor(learning_rate_init=0.01, **params).fit(X, y)
    clipped = _fit(
        MLPNeuronRegressor(learning_rate_init=0.01, max_grad_norm=1.0, **params), X, y
    )
    assert np.isfinite(clipped.loss_curve_).all()
    assert clipped.score(X, y) > 0.9


@pytest.mark.parametrize(
    "option, value",
    [
        ("learning_rate_schedule", "cosine"),
        ("warmup_fraction", 0.1),
        ("weight_decay", 0.01),
        ("max_grad_norm", 1.0),
    ],
)
def test_stochastic_options_are_refused_by_lbfgs(digits, option, value):
    with pytest.raises(ValueError, match=f"{option}=.* solver='lbfgs' takes none"):
        _mlp(solver="lbfgs", **{option: value}).fit(*digits)


# -- label smoothing ------------------------------------------------------------


@pytest.mark.parametrize("kind", ["multiclass", "binary", "multilabel"])
def test_label_smoothing_softens_the_confidence(digits, kind):
    X, y = digits[0][:300], digits[1][:300]
    if kind == "binary":
        y = y % 2
    elif kind == "multilabel":
        y = np.stack([y % 2, y > 4], axis=1)
    params = dict(solver="lbfgs", alpha=0.0, max_iter=200, hidden_layer_sizes=(16,))
    sharp = _fit(_mlp(**params), X, y).predict_proba(X)
    smooth = _fit(_mlp(**params, label_smoothing=0.2), X, y).predict_proba(X)
    # on the training data the confidence settles near the softened target
    # 1 - 0.2 + 0.2 / K; without smoothing, near 1
    n_values = 10 if kind == "multiclass" else 2
    top = 1 - 0.2 + 0.2 / n_values
    confidence = lambda proba: np.maximum(proba, 1 - proba).mean()  # noqa: E731
    if kind == "multiclass":
        confidence = lambda proba: proba.max(axis=1).mean()  # noqa: E731
    assert confidence(smooth) == pytest.approx(top, abs=0.03)
    assert confidence(sharp) > 0.99


def test_label_smoothing_trains_towards_the_softened_targets():
    # one sample, no hidden layer, lbfgs: the probability converges to the
    # softened target 1 - 0.1 + 0.1 / 2 = 0.95, not to 1
    X, y = np.array([[1.0], [-1.0]]), np.array([1, 0])
    clf = MLPNeuronClassifier(
        (), solver="lbfgs", alpha=0.0, label_smoothing=0.1, max_iter=500, tol=1e-10
    ).fit(X, y)
    assert_allclose(clf.predict_proba(X)[:, 1], [0.95, 0.05], atol=1e-4)


def test_label_smoothing_leaves_the_validation_loss_on_true_targets(digits):
    X, y = digits
    clf = _fit(_mlp(label_smoothing=0.3, early_stopping=True, scoring="loss"), X, y)
    # 'loss' scores are the negated validation loss, on the true targets
    assert_allclose(clf.validation_scores_, -np.asarray(clf.validation_loss_curve_))


# -- explicit validation data -------------------------------------------------


@pytest.mark.parametrize("estimator", ["classifier", "regressor"])
def test_the_rows_validation_fraction_splits_give_the_same_fit(monkeypatch, estimator):
    # shuffle=False: the split draws from the fit's random state, so with
    # shuffling the later draws, and the batches, would differ.
    if estimator == "classifier":
        X, y = make_classification(300, 8, n_classes=3, n_informative=5, random_state=0)
        make = MLPNeuronClassifier
    else:
        X, y = make_regression(300, 8, noise=5, random_state=0)
        y = y / y.std()
        make = MLPNeuronRegressor
    params = dict(
        hidden_layer_sizes=(8,), early_stopping=True, shuffle=False, random_state=0
    )
    parts = []
    split = sknn._mlp_base.validation_split

    def recording_split(*args):
        train, val = split(*args)
        parts.append((train, val))
        return train, val

    monkeypatch.setattr(sknn._mlp_base, "validation_split", recording_split)
    by_fraction = _fit(make(**params), X, y)
    ((train, val),) = parts
    rows = np.arange(len(X))
    # the split's rows, found back in X
    train_rows = [rows[(X == row).all(axis=1)][0] for row in train[0]]
    val_rows = [rows[(X == row).all(axis=1)][0] for row in val[0]]
    by_data = _fit(
        make(**params),
        X[train_rows],
        y[train_rows],
        X_val=X[val_rows],
        y_val=y[val_rows],
    )
    for a, b in zip(by_fraction.coefs_, by_data.coefs_):
        assert_array_equal(a, b)
    assert by_fraction.validation_scores_ == by_data.validation_scores_
    assert by_fraction.validation_loss_curve_ == by_data.validation_loss_curve_


def test_validation_data_goes_through_the_pipeline(digits):
    X, y = digits
    X_train, y_train, X_val, y_val = X[:400] * 16, y[:400], X[400:] * 16, y[400:]
    with sklearn.config_context(enable_metadata_routing=True):
        clf = _mlp(early_stopping=True).set_fit_request(X_val=True, y_val=True)
        pipe = Pipeline(
            [("scale", StandardScaler()), ("mlp", clf)], transform_input=["X_val"]
        )
        _fit(pipe, X_train, y_train, X_val=X_val, y_val=y_val)
        # the last validation score is the scaled validation data's accuracy
        # under the network as it stood then; with the best weights restored,
        # the pipeline scores the best one
        assert pipe.score(X_val, y_val) == pytest.approx(
            pipe[-1].best_validation_score_
        )


def test_sample_weight_val_weighs_the_validation_score(digits):
    X, y = digits
    weights = np.where(y[400:] == 0, 1.0, 0.0)
    clf = _fit(
        _mlp(early_stopping=True, max_iter=15),
        X[:400],
        y[:400],
        X_val=X[400:],
        y_val=y[400:],
        sample_weight_val=weights,
    )
    # only the zeros count: the score is the accuracy on them
    zeros = y[400:] == 0
    assert (
        clf.best_validation_score_ >= (clf.predict(X[400:][zeros]) == 0).mean() - 1e-12
    )


@pytest.mark.parametrize(
    "fit_params, params, message",
    [
        ({"X_val": "X"}, {}, "X_val is provided, but y_val was not provided"),
        ({"y_val": "y"}, {}, "y_val is provided, but X_val was not provided"),
        (
            {"X_val": "X", "y_val": "y"},
            {"early_stopping": False},
            "set early_stopping=True",
        ),
        (
            {"X_val": "X", "y_val": "y"},
            {"solver": "lbfgs"},
            "used only for early stopping",
        ),
        ({"X_val": "X3", "y_val": "y"}, {}, "X_val does not match X: X has 3 features"),
        ({"X_val": "X", "y_val": "y11"}, {}, r"y_val has classes not in y: \[11\]"),
        ({"X_val": "X1", "y_val": "y1"}, {}, "The validation set is too small"),
    ],
)
def test_bad_validation_data_is_refused_clearly(digits, fit_params, params, message):
    X, y = digits
    values = {
        "X": X[:50],
        "y": y[:50],
        "X3": X[:50, :3],
        "y11": np.r_[y[:49], 11],
        "X1": X[:1],
        "y1": y[:1],
    }
    fit_params = {key: values[name] for key, name in fit_params.items()}
    clf = _mlp(**{"early_stopping": True, **params})
    with pytest.raises(ValueError, match=message):
        clf.fit(X, y, **fit_params)
    assert not hasattr(clf, "coefs_")


def test_regressor_validation_targets_must_have_the_outputs_of_y():
    X, y = make_regression(100, 4, n_targets=2, random_state=0)
    reg = MLPNeuronRegressor(hidden_layer_sizes=(4,), early_stopping=True)
    with pytest.raises(ValueError, match=r"y_val has 1 output\(s\), but y has 2"):
        reg.fit(X, y, X_val=X[:10], y_val=y[:10, 0])


# -- the recorded curves --------------------------------------------------------


def test_validation_loss_is_recorded_whenever_there_is_a_validation_set(digits):
    X, y = digits
    stopping = _fit(_mlp(early_stopping=True), X, y)
    assert len(stopping.validation_loss_curve_) == stopping.n_iter_
    assert np.isfinite(stopping.validation_loss_curve_).all()
    plain = _fit(_mlp(), X, y)
    assert plain.validation_loss_curve_ is None
    assert len(plain.learning_rate_curve_) == plain.n_iter_


def test_validation_loss_with_a_scorer_is_the_loss_not_the_score(digits):
    X, y = digits
    clf = _fit(_mlp(early_stopping=True, scoring="f1_macro"), X, y)
    reference = _fit(_mlp(early_stopping=True), X, y)
    # the same network and validation rows: the same losses, other scores
    assert_allclose(clf.validation_loss_curve_, reference.validation_loss_curve_)
    assert clf.validation_scores_ != reference.validation_scores_
