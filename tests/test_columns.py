"""Tests for sknn._columns: column typing, numeric scaling, categories, errors."""

import pickle
import warnings

import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from sknn._columns import (
    CLIP_BOUND,
    MAX_ONE_HOT_CATEGORIES,
    ColumnEncoder,
    EncodedTable,
    smooth_clip,
)


def _mixed_frame():
    """A frame of each kind of column, numbers with a missing value among them."""
    return pd.DataFrame(
        {
            "size": [1.0, 2.0, np.nan, 4.0, 40.0, 3.0],
            "count": [0, 1, 2, 3, 4, 5],
            "colour": pd.Categorical(["red", "blue", "red", "green", "blue", "red"]),
            "name": ["a", "b", None, "a", "b", "a"],
            "flag": [True, False, True, True, False, False],
        }
    )


def _smooth(z, bound=CLIP_BOUND):
    return z / np.sqrt(1 + (z / bound) ** 2)


# -- the numeric step ------------------------------------------------------------


def test_smooth_clip_is_the_formula_bounded_and_monotone():
    z = np.linspace(-50, 50, 1001)
    clipped = smooth_clip(z.copy())
    np.testing.assert_allclose(clipped, _smooth(z), rtol=1e-14)
    assert np.all(np.abs(clipped) < CLIP_BOUND)
    assert np.all(np.diff(clipped) > 0)
    # the identity near 0
    np.testing.assert_allclose(smooth_clip(np.array([1e-4])), [1e-4], rtol=1e-8)


def test_smooth_clip_squashes_huge_and_infinite_values_to_the_bound():
    z = np.array([1e300, -1e300, np.inf, -np.inf])
    np.testing.assert_array_equal(smooth_clip(z), [3.0, -3.0, 3.0, -3.0])


def test_numeric_columns_are_centred_by_the_median_and_scaled_by_the_iqr():
    rng = np.random.RandomState(0)
    X = rng.lognormal(size=(200, 3))
    encoder = ColumnEncoder().fit(X)
    low, median, high = np.quantile(X, [0.25, 0.5, 0.75], axis=0)
    np.testing.assert_allclose(encoder.center_, median)
    np.testing.assert_allclose(encoder.scale_, high - low)
    expected = _smooth((X - median) / (high - low))
    np.testing.assert_allclose(encoder.transform(X).dense, expected, rtol=1e-12)


def test_outliers_are_squashed_but_keep_their_order():
    X = np.array([[0.0], [1.0], [2.0], [3.0], [1000.0], [5000.0]])
    dense = ColumnEncoder().fit_transform(X).dense[:, 0]
    assert np.all(np.abs(dense) < CLIP_BOUND)
    assert dense[5] > dense[4] > dense[3]


def test_a_column_without_interquartile_range_is_scaled_by_half_its_range():
    # mostly zeros: the quartiles are equal
    X = np.array([[0.0]] * 10 + [[4.0], [-2.0]])
    encoder = ColumnEncoder().fit(X)
    assert encoder.center_[0] == 0.0
    assert encoder.scale_[0] == 3.0
    np.testing.assert_allclose(
        encoder.transform([[4.0]]).dense, _smooth(np.array([[4.0 / 3.0]]))
    )


def test_a_constant_column_becomes_zeros():
    X = np.column_stack([np.full(5, 7.0), np.arange(5.0)])
    dense = ColumnEncoder().fit_transform(X).dense
    np.testing.assert_array_equal(dense[:, 0], 0.0)
    assert np.unique(dense[:, 1]).size == 5


def test_infinite_values_reach_the_bound_and_do_not_skew_the_statistics():
    X = np.array([[1.0], [2.0], [3.0], [4.0], [np.inf], [-np.inf]])
    encoder = ColumnEncoder().fit(X)
    assert np.isfinite(encoder.center_).all() and np.isfinite(encoder.scale_).all()
    dense = encoder.transform(X).dense
    np.testing.assert_allclose(dense[4:, 0], [CLIP_BOUND, -CLIP_BOUND])


def test_values_near_the_float_limit_reach_the_bound_without_a_warning():
    X = np.array([[0.1], [0.2], [0.3], [0.4]])
    top = np.finfo(np.float64).max
    encoder = ColumnEncoder().fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # scaling top by 1 / 0.15 overflows
        dense = encoder.transform(np.array([[top], [-top]])).dense
    np.testing.assert_allclose(dense[:, 0], [CLIP_BOUND, -CLIP_BOUND])


def test_missing_values_are_imputed_by_the_median_and_flagged():
    X = np.array([[1.0, 5.0], [np.nan, 6.0], [3.0, 7.0], [10.0, 8.0]])
    encoder = ColumnEncoder().fit(X)
    table = encoder.transform(X)
    # two numeric columns, then the indicator of the first (the only one with NaN)
    assert table.dense.shape == (4, 3)
    np.testing.assert_array_equal(table.dense[:, 2], [0, 1, 0, 0])
    assert table.dense[1, 0] == 0.0  # the median, centred
    assert np.isfinite(table.dense).all()


def test_a_missing_value_unseen_in_fit_is_imputed_without_an_indicator():
    X = np.array([[1.0, 5.0], [np.nan, 6.0], [3.0, 7.0], [10.0, 8.0]])
    encoder = ColumnEncoder().fit(X)
    table = encoder.transform(np.array([[2.0, np.nan]]))
    assert table.dense.shape == (1, 3)
    assert table.dense[0, 1] == 0.0 and table.dense[0, 2] == 0.0


def test_float32_is_asked_and_given():
    X = _mixed_frame()
    table = ColumnEncoder(dtype=np.float32).fit_transform(X)
    assert table.dense.dtype == np.float32
    np.testing.assert_allclose(
        table.dense, ColumnEncoder().fit_transform(X).dense, rtol=1e-6
    )
    assert table.dense.flags.c_contiguous


@settings(max_examples=50)
@given(
    hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=2, max_dims=2, min_side=2, max_side=8),
        elements=st.one_of(
            st.floats(allow_nan=True, allow_infinity=True, width=64),
        ),
    )
)
def test_any_numeric_table_with_a_value_per_column_encodes_to_bounded_floats(X):
    has_value = np.isfinite(X).any(axis=0)
    X = X[:, has_value]
    if X.shape[1] == 0:
        return
    dense = ColumnEncoder().fit_transform(X).dense
    assert np.isfinite(dense).all()
    assert np.all(np.abs(dense) <= CLIP_BOUND)


# -- which columns are categorical -----------------------------------------------


def test_category_string_object_and_bool_columns_are_categorical_from_dtype():
    encoder = ColumnEncoder().fit(_mixed_frame())
    np.testing.assert_array_equal(
        encoder.is_categorical_, [False, False, True, True, True]
    )
    assert encoder.n_numeric_ == 2
    assert list(encoder.get_feature_names_out()) == [
        "size",
        "count",
        "missingindicator_size",
        "colour_blue",
        "colour_green",
        "colour_red",
        "name_a",
        "name_b",
        "name_nan",
        "flag_False",
        "flag_True",
    ]


def test_pandas_string_and_nullable_dtypes():
    X = pd.DataFrame(
        {
            "s": pd.array(["x", None, "y", "x"], dtype="string"),
            "i": pd.array([1, None, 3, 4], dtype="Int64"),
            "b": pd.array([True, None, False, True], dtype="boolean"),
        }
    )
    encoder = ColumnEncoder().fit(X)
    np.testing.assert_array_equal(encoder.is_categorical_, [True, False, True])
    table = encoder.transform(X)
    assert np.isfinite(table.dense).all()
    # the missing integer is flagged, the missing string and bool are categories
    names = list(encoder.get_feature_names_out())
    assert "missingindicator_i" in names and "s_nan" in names and "b_nan" in names


def test_polars_gives_what_pandas_gives():
    frame = _mixed_frame()
    polars_frame = pl.DataFrame(
        {
            "size": frame["size"].tolist(),
            "count": frame["count"].tolist(),
            "colour": pl.Series(frame["colour"].tolist(), dtype=pl.Categorical),
            "name": [None if v != v else v for v in frame["name"].tolist()],
            "flag": frame["flag"].tolist(),
        }
    )
    from_pandas = ColumnEncoder().fit(frame)
    from_polars = ColumnEncoder().fit(polars_frame)
    np.testing.assert_array_equal(
        from_polars.feature_names_in_, from_pandas.feature_names_in_
    )
    np.testing.assert_array_equal(
        from_polars.transform(polars_frame).dense, from_pandas.transform(frame).dense
    )


def test_a_numpy_array_of_objects_is_categorical_and_of_numbers_numeric():
    objects = np.array([["a", 1], ["b", 2], ["a", 3]], dtype=object)
    assert ColumnEncoder().fit(objects).is_categorical_.all()
    assert not ColumnEncoder().fit(np.ones((3, 2))).is_categorical_.any()


@pytest.mark.parametrize(
    "given", [[False, True, False], [1], ["b"], np.array([1]), ("b",)]
)
def test_categorical_features_names_the_columns(given):
    X = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [1, 2, 2], "c": [0.5, 0.1, 0.2]})
    encoder = ColumnEncoder(categorical_features=given).fit(X)
    np.testing.assert_array_equal(encoder.is_categorical_, [False, True, False])
    assert list(encoder.get_feature_names_out()) == ["a", "c", "b_1", "b_2"]


def test_categorical_features_none_makes_every_column_numeric():
    X = pd.DataFrame({"a": [1.0, 2.0], "b": [True, False]})
    encoder = ColumnEncoder(categorical_features=None).fit(X)
    assert not encoder.is_categorical_.any()
    dense = encoder.transform(X).dense
    assert dense.shape == (2, 2) and dense[0, 1] > dense[1, 1]


@pytest.mark.parametrize(
    "given, message",
    [
        ([True, False], "boolean mask"),
        ([5], r"integer indices must be in \[0, 2\]"),
        (["z"], "not a column"),
        ("some", "'from_dtype', None"),
        ([1.5], "bool, int or str"),
    ],
)
def test_bad_categorical_features_are_explained(given, message):
    X = pd.DataFrame({"a": [1.0, 2.0], "b": [1, 2], "c": [3, 4]})
    encoder = ColumnEncoder(categorical_features=given)
    with pytest.raises(ValueError, match=message):
        encoder.fit(X)
    with pytest.raises(NotFittedError):
        check_is_fitted(encoder)


def test_names_in_categorical_features_need_a_frame():
    with pytest.raises(ValueError, match="without feature names"):
        ColumnEncoder(categorical_features=["a"]).fit(np.ones((2, 2)))


# -- categorical columns -----------------------------------------------------------


def test_few_categories_are_one_hot_and_many_get_codes_at_the_threshold():
    n = MAX_ONE_HOT_CATEGORIES
    X = pd.DataFrame(
        {
            "few": [f"c{i % n}" for i in range(40)],
            "many": [f"c{i % (n + 1)}" for i in range(40)],
        }
    )
    encoder = ColumnEncoder().fit(X)
    np.testing.assert_array_equal(encoder.one_hot_columns_, [0])
    np.testing.assert_array_equal(encoder.coded_columns_, [1])
    np.testing.assert_array_equal(encoder.cardinalities_, [n + 2])
    table = encoder.transform(X)
    assert table.dense.shape == (40, n)
    assert table.codes.shape == (40, 1) and table.codes.dtype == np.intp
    np.testing.assert_array_equal(np.unique(table.codes), np.arange(1, n + 2))


def test_codes_reserve_zero_for_missing_and_unseen_values():
    levels = [f"level{i:02d}" for i in range(12)]
    X = pd.DataFrame({"c": [*levels, None, *levels]})
    encoder = ColumnEncoder().fit(X)
    # twelve categories and the reserved row; the missing value is no category
    np.testing.assert_array_equal(encoder.cardinalities_, [13])
    table = encoder.transform(pd.DataFrame({"c": ["level03", "unseen", None]}))
    np.testing.assert_array_equal(table.codes[:, 0], [4, 0, 0])
    assert table.dense.shape == (3, 0)


def test_unseen_categories_and_unseen_missing_values_are_rows_of_zeros():
    X = pd.DataFrame({"c": ["a", "b", "a"]})
    encoder = ColumnEncoder().fit(X)
    table = encoder.transform(pd.DataFrame({"c": ["z", None, "b"]}))
    np.testing.assert_array_equal(table.dense, [[0, 0], [0, 0], [0, 1]])


def test_a_pandas_category_column_accepts_plain_strings_at_transform():
    X = pd.DataFrame({"c": pd.Categorical(["a", "b", "a"])})
    encoder = ColumnEncoder().fit(X)
    table = encoder.transform(pd.DataFrame({"c": ["b", "a"]}))
    np.testing.assert_array_equal(table.dense, [[0, 1], [1, 0]])


def test_the_table_is_a_named_pair():
    table = ColumnEncoder().fit_transform(_mixed_frame())
    assert isinstance(table, EncodedTable)
    dense, codes = table
    assert dense is table.dense and codes is table.codes
    assert codes.shape == (6, 0)


# -- feature names and counts -------------------------------------------------------


def test_feature_names_and_count_are_sklearns():
    encoder = ColumnEncoder().fit(_mixed_frame())
    np.testing.assert_array_equal(
        encoder.feature_names_in_, ["size", "count", "colour", "name", "flag"]
    )
    assert encoder.n_features_in_ == 5
    array_encoder = ColumnEncoder().fit(np.ones((3, 4)))
    assert array_encoder.n_features_in_ == 4
    assert not hasattr(array_encoder, "feature_names_in_")


def test_wrong_columns_at_transform_get_sklearns_errors():
    encoder = ColumnEncoder().fit(_mixed_frame())
    with pytest.raises(ValueError, match="feature names"):
        encoder.transform(_mixed_frame()[["count", "size", "colour", "name", "flag"]])
    array_encoder = ColumnEncoder().fit(np.ones((3, 4)))
    with pytest.raises(ValueError, match="4 features"):
        array_encoder.transform(np.ones((3, 5)))


def test_pickling_keeps_the_encoding():
    encoder = ColumnEncoder().fit(_mixed_frame())
    copy = pickle.loads(pickle.dumps(encoder))
    np.testing.assert_array_equal(
        copy.transform(_mixed_frame()).dense, encoder.transform(_mixed_frame()).dense
    )


# -- bad input: clear errors, nothing half-fitted ------------------------------------


def _fails_cleanly(X, message, **params):
    encoder = ColumnEncoder(**params)
    with pytest.raises(ValueError, match=message):
        encoder.fit(X)
    with pytest.raises(NotFittedError):
        check_is_fitted(encoder)
    assert not hasattr(encoder, "n_features_in_")


def test_an_all_missing_numeric_column_is_refused():
    X = pd.DataFrame({"a": [1.0, 2.0], "empty": [np.nan, np.nan]})
    _fails_cleanly(X, "'empty' has no finite value")


def test_an_all_missing_categorical_column_is_refused():
    X = pd.DataFrame({"a": [1.0, 2.0], "empty": pd.Series([None, None], dtype=object)})
    _fails_cleanly(X, "'empty' has only missing values")


def test_a_string_in_a_numeric_column_is_named():
    X = pd.DataFrame({"a": [1.0, 2.0], "b": ["3", "four"]})
    _fails_cleanly(
        X,
        "'b' is numeric but holds a value that is not a number",
        categorical_features=None,
    )
    _fails_cleanly(
        np.array([[1, "x"], [2, "y"]], dtype=object),
        "Column 1 is numeric",
        categorical_features=[False, False],
    )


def test_a_string_in_a_numeric_polars_column_is_named():
    X = pl.DataFrame({"a": [1.0, 2.0], "b": ["3", "four"]})
    _fails_cleanly(X, "'b' is numeric", categorical_features=None)


def test_duplicate_column_names_are_refused():
    X = pd.DataFrame([[1.0, 2.0, 3.0]], columns=["a", "b", "a"])
    _fails_cleanly(X, r"duplicate column names \['a'\]")


def test_a_date_column_is_refused_with_what_to_do():
    X = pd.DataFrame({"a": [1.0, 2.0], "when": pd.to_datetime(["2020-01-01"] * 2)})
    _fails_cleanly(X, "'when' has dtype datetime64.*convert it to numbers")


def test_an_empty_frame_is_refused():
    _fails_cleanly(pd.DataFrame({"a": []}), "0 sample")


def test_a_column_whose_dtype_changes_after_fit_is_refused():
    X = pd.DataFrame({"a": [1.0, 2.0, 3.0], "c": ["x", "y", "x"]})
    encoder = ColumnEncoder().fit(X)
    with pytest.raises(ValueError, match="'a' changed dtype since fit.*non-numeric"):
        encoder.transform(pd.DataFrame({"a": ["1", "2", "3"], "c": ["x", "y", "x"]}))
    with pytest.raises(ValueError, match="'c' changed dtype since fit.*numeric"):
        encoder.transform(pd.DataFrame({"a": [1.0, 2.0, 3.0], "c": [1, 2, 1]}))
    array_encoder = ColumnEncoder().fit(np.ones((2, 2)))
    with pytest.raises(ValueError, match="changed dtype"):
        array_encoder.transform(np.array([["a", "b"]], dtype=object))


def test_a_failed_refit_is_reported_and_a_good_one_replaces_everything():
    encoder = ColumnEncoder().fit(_mixed_frame())
    with pytest.raises(ValueError):
        encoder.fit(pd.DataFrame({"a": [np.nan, np.nan]}))
    encoder.fit(np.ones((3, 2)))
    assert encoder.n_features_in_ == 2 and not hasattr(encoder, "feature_names_in_")
    assert encoder.transform(np.ones((1, 2))).dense.shape == (1, 2)


def test_sparse_input_is_refused():
    from scipy import sparse

    with pytest.raises(TypeError, match="[Ss]parse"):
        ColumnEncoder().fit(sparse.csr_matrix(np.ones((2, 2))))


def test_a_bad_dtype_is_refused():
    with pytest.raises(ValueError, match="float64 or float32"):
        ColumnEncoder(dtype=np.int32).fit(np.ones((2, 2)))
