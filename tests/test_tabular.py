"""TabularMLPClassifier and TabularMLPRegressor: data frames in, as estimators."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sknn import TabularMLPClassifier, TabularMLPRegressor

ESTIMATORS = [
    TabularMLPClassifier(hidden_layer_sizes=(32,), random_state=0),
    TabularMLPRegressor(hidden_layer_sizes=(32,), random_state=0),
]

_HELD_OUT_ROWS = (
    "The best epoch is chosen on a held-out fifth of the rows: a sample repeated "
    "k times may fall on both sides of the split, a sample of weight k on one, "
    "so the two fits see different training and validation data."
)
_FLOAT32 = (
    "The tabular networks compute in float32: the order of the rows changes "
    "how BLAS blocks the products, which moves results by an ulp or two "
    "(2e-7 relative), above the check's 1e-7."
)
EXPECTED_FAILED_CHECKS = {
    "check_sample_weight_equivalence_on_dense_data": _HELD_OUT_ROWS,
    "check_methods_sample_order_invariance": _FLOAT32,
}


@parametrize_with_checks(
    ESTIMATORS, expected_failed_checks=lambda estimator: EXPECTED_FAILED_CHECKS
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


import pickle  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.model_selection import GridSearchCV, cross_val_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import FunctionTransformer  # noqa: E402

pd = pytest.importorskip("pandas")

SMALL = dict(hidden_layer_sizes=(16,), max_iter=60, random_state=0)


def frame(n=120, seed=0):
    """Numbers with gaps, a category, a string and a boolean column."""
    rng = np.random.RandomState(seed)
    size = rng.uniform(0, 10, n)
    size[rng.rand(n) < 0.1] = np.nan
    colour = pd.Categorical(rng.choice(["red", "green", "blue"], n))
    city = rng.choice([f"city{i}" for i in range(12)], n).astype(object)
    flag = rng.rand(n) < 0.5
    X = pd.DataFrame({"size": size, "colour": colour, "city": city, "flag": flag})
    y = (np.nan_to_num(size, nan=5) > 5) | (colour == "red")
    return X, np.asarray(y)


def test_a_data_frame_is_taken_as_it_is():
    X, y = frame()
    clf = TabularMLPClassifier(**SMALL).fit(X, y)
    assert clf.n_features_in_ == 4
    assert list(clf.feature_names_in_) == ["size", "colour", "city", "flag"]
    # colour and flag one-hot, city (12 levels) embedded
    assert clf._encoder.is_categorical_.tolist() == [False, True, True, True]
    assert len(clf._encoder.cardinalities_) == 1
    assert clf.predict(X).shape == (len(X),)
    assert clf.score(X, y) > 0.7


def test_polars_and_numpy_give_the_fit_of_pandas():
    polars = pytest.importorskip("polars")
    X, y = frame()
    numeric = X[["size"]].assign(other=np.arange(len(X)) % 7)
    ours = TabularMLPClassifier(**SMALL).fit(numeric, y)
    from_polars = TabularMLPClassifier(**SMALL).fit(polars.from_pandas(numeric), y)
    from_numpy = TabularMLPClassifier(**SMALL).fit(numeric.to_numpy(), y)
    expected = ours.predict_proba(numeric)
    np.testing.assert_array_equal(
        from_polars.predict_proba(numeric.to_numpy()), expected
    )
    np.testing.assert_array_equal(
        from_numpy.predict_proba(numeric.to_numpy()), expected
    )


def test_categorical_features_overrides_the_dtypes():
    X, y = frame()
    X = X.assign(code=np.arange(len(X)) % 3)  # a number that names a group
    clf = TabularMLPClassifier(categorical_features=["colour", "code"], **SMALL)
    with pytest.raises(ValueError):
        clf.fit(X, y)  # city holds strings but was not named categorical
    clf.set_params(categorical_features=["colour", "city", "flag", "code"]).fit(X, y)
    assert clf._encoder.is_categorical_.tolist() == [False, True, True, True, True]


def test_unseen_categories_and_missing_values_never_crash():
    X, y = frame()
    clf = TabularMLPClassifier(**SMALL).fit(X.assign(size=X["size"].fillna(1.0)), y)
    new = X.head(4).copy()
    new["size"] = np.nan  # missing where fit saw none
    new["city"] = "atlantis"  # a city fit never saw
    new["colour"] = pd.Categorical(["purple"] * 4)
    proba = clf.predict_proba(new)
    assert np.isfinite(proba).all() and proba.shape == (4, 2)


def test_clone_pickle_pipeline_search_and_cross_validation():
    X, y = frame()
    clf = TabularMLPClassifier(**SMALL).fit(X, y)
    loaded = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    assert clone(clf).get_params() == clf.get_params()
    pipe = make_pipeline(FunctionTransformer(), TabularMLPClassifier(**SMALL))
    assert pipe.fit(X, y).score(X, y) > 0.6
    search = GridSearchCV(
        TabularMLPClassifier(**SMALL), {"numeric_embedding": ["pbld", None]}, cv=2
    ).fit(X, y)
    assert search.best_params_["numeric_embedding"] in ("pbld", None)
    assert cross_val_score(TabularMLPClassifier(**SMALL), X, y, cv=3).mean() > 0.5


def test_explicit_validation_data_as_a_data_frame():
    X, y = frame(160)
    clf = TabularMLPClassifier(**SMALL).fit(
        X[:120], y[:120], X_val=X[120:], y_val=y[120:]
    )
    assert len(clf.validation_loss_curve_) == clf.n_iter_ == 60


def test_a_tiny_table_trains_without_a_validation_split():
    # 6 rows of 3 classes: a stratified fifth (2 rows) cannot hold all three
    X, _ = frame(6)
    clf = TabularMLPClassifier(**SMALL).fit(X, [0, 1, 2, 0, 1, 2])
    assert clf.validation_scores_ is None and clf.n_iter_ == 60


def test_no_partial_fit():
    assert not hasattr(TabularMLPClassifier(), "partial_fit")
    assert not hasattr(TabularMLPRegressor(), "partial_fit")


@pytest.mark.parametrize("loss", ["squared_error", "absolute_error", "poisson"])
def test_regression_targets_are_standardised_inside_and_mapped_back(loss):
    rng = np.random.RandomState(0)
    X = pd.DataFrame(
        {"area": rng.uniform(20, 200, 300), "city": rng.choice(list("abc"), 300)}
    )
    y = 3000 * X["area"].to_numpy() + 1e5 * (X["city"] == "a").to_numpy()
    reg = TabularMLPRegressor(loss, max_iter=30, random_state=0).fit(X, y)
    prediction = reg.predict(X)
    # the network trains on targets of scale 1; its predictions come back
    # in the targets' own, around 3e5
    assert abs(np.median(prediction) / np.median(y) - 1) < 0.2
    assert reg.score(X, y) > 0.8
    assert max(reg.loss_curve_) < 10


def test_multioutput_regression():
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"a": rng.normal(size=200), "b": rng.normal(size=200)})
    y = np.c_[1000 * X["a"], X["a"] - X["b"]]
    reg = TabularMLPRegressor(max_iter=30, random_state=0).fit(X, y)
    assert reg.predict(X).shape == (200, 2)
    assert reg.score(X, y) > 0.8


@pytest.mark.parametrize(
    "make_bad, message",
    [
        (lambda X: X.assign(size=np.nan), "no finite value"),
        (
            lambda X: X.assign(
                size=X["size"].astype(object).where(X.index != 3, "n/a")
            ),
            "mixes numbers and strings",
        ),
        (lambda X: X.set_axis(["size", "size", "city", "flag"], axis=1), "duplicate"),
    ],
)
def test_bad_tables_are_refused_and_leave_nothing_fitted(make_bad, message):
    X, y = frame()
    clf = TabularMLPClassifier(**SMALL)
    with pytest.raises(ValueError, match=message):
        clf.fit(make_bad(X), y)
    assert not hasattr(clf, "n_features_in_") and not hasattr(clf, "classes_")


def test_targets_with_nan_are_refused():
    X, y = frame()
    with pytest.raises(ValueError, match="NaN"):
        TabularMLPRegressor(**SMALL).fit(X, np.where(y, 1.0, np.nan))


def test_a_column_whose_dtype_changes_is_refused_at_predict():
    X, y = frame()
    clf = TabularMLPClassifier(**SMALL).fit(X, y)
    changed = X.assign(size=X["size"].astype(str))
    with pytest.raises(ValueError, match="size"):
        clf.predict(changed)


def test_fit_warns_nothing_on_a_plain_table():
    X, y = frame()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        TabularMLPClassifier(**SMALL).fit(X, y)


def test_the_two_estimators_document_their_shared_parameters_alike():
    import inspect

    from numpydoc.docscrape import ClassDoc

    docs = {}
    for estimator in (TabularMLPClassifier, TabularMLPRegressor):
        documented = {p.name: p for p in ClassDoc(estimator)["Parameters"]}
        signature = list(inspect.signature(estimator).parameters)
        assert list(documented) == signature
        docs[estimator] = documented
    own = {"loss", "class_weight", "label_smoothing"}
    classifier, regressor = docs.values()
    for name in set(classifier) - own:
        assert classifier[name].type == regressor[name].type, name
        assert classifier[name].desc == regressor[name].desc, name
