"""The table encoder: a data frame in, a float matrix and integer codes out.

The tabular estimators fit a :class:`ColumnEncoder` inside ``fit``, so that
cross-validation never leaks, and run it again in ``predict``. It takes a
numpy array, a pandas DataFrame or a polars DataFrame as it is and returns an
:class:`EncodedTable`: a dense float matrix for the network and, for
categorical columns with many levels, integer codes that an embedding table
gathers from (:mod:`sknn._embeddings`).

Which columns are categorical
-----------------------------
With ``categorical_features="from_dtype"`` a data frame column is categorical
when its dtype is category/enum, string/object or bool, and numeric
otherwise. This is HistGradientBoosting's rule widened: scikit-learn reads only
category and enum dtypes, and would refuse a string column outright, where a
user of a data frame expects it to be a category. A numpy array has one dtype:
an array of numbers is numeric throughout, an array of objects, strings or
bools is categorical throughout. ``categorical_features`` overrides the rule
as HistGradientBoosting's does: None, a boolean mask, integer indices or
column names. Any other dtype (dates, durations) is refused with a message
saying what to do.

Numeric columns
---------------
Robust scaling with smooth clipping (Holzmüller et al. 2024, RealMLP): centre
by the median, divide by the interquartile range (or, where that is 0, half
the range; a constant column is left at 0), then squash smoothly into
``(-B, B)`` with ``f(z) = z / sqrt(1 + (z / B)^2)``, ``B`` =
:data:`CLIP_BOUND` = 3. ``f`` is the identity near 0 (its slope there is 1),
monotone (so outliers keep their order, unlike a hard clip), and its limits
are ``±B``: an outlier a thousand spreads out reaches the network as about
3, not 1000, which would otherwise dominate the first layer's products and
the gradients. Three interquartile ranges is the usual edge of the bulk of a
distribution (it is where Tukey's fences sit, 1.5 IQR beyond the quartiles).
Infinite values are allowed and map to ``±B``; the statistics are taken over
the finite values.

A missing value becomes the median (0 after centring). A column that had
missing values in ``fit`` also gets an indicator column (1 where missing),
from scikit-learn's :class:`~sklearn.impute.MissingIndicator`; one that had
none gets no indicator, and a missing value in it at ``transform`` time is
imputed all the same.

Categorical columns
-------------------
A column with at most :data:`MAX_ONE_HOT_CATEGORIES` categories in ``fit`` is
one-hot encoded by scikit-learn's :class:`~sklearn.preprocessing.OneHotEncoder`
(``handle_unknown='ignore'``: an unseen category is a row of zeros; a missing
value seen in ``fit`` is a category of its own). A column with more becomes a
column of integer codes from :class:`~sklearn.preprocessing.OrdinalEncoder`:
``1..m`` for its ``m`` categories and the reserved code 0 for a missing or
unseen value, so its embedding table has ``m + 1`` rows.

Why not skrub
-------------
skrub's ``SquashingScaler`` does the numeric step, but it is the only piece of
skrub this encoder would use, and skrub brings pandas, matplotlib, jinja2,
requests, pydot and cloudpickle with it (skrub 0.11's requirements). The
step itself is a few lines of numpy on top of three quantiles; the tabular
estimators must work out of the box with numpy, scipy and scikit-learn alone,
so it is written here, and scikit-learn supplies the categorical encoders and
the missing indicator.
"""

from typing import NamedTuple

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.impute import MissingIndicator
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

__all__ = [
    "CLIP_BOUND",
    "MAX_ONE_HOT_CATEGORIES",
    "ColumnEncoder",
    "EncodedTable",
    "smooth_clip",
]

MAX_ONE_HOT_CATEGORIES = 8
"""A categorical column with at most this many categories in fit is one-hot
encoded; one with more gets integer codes for an embedding table. RealMLP's
threshold (one-hot up to 9 values, a missing value counted among them)."""

CLIP_BOUND = 3.0
"""The bound ``B`` of the smooth clip: scaled numeric values lie in ``(-B, B)``."""

_HUGE = 1e30
"""Scaled values beyond this are clipped first, so that ``±inf`` squashes to
``±B`` rather than to ``inf / inf``."""


class EncodedTable(NamedTuple):
    """What :meth:`ColumnEncoder.transform` returns.

    Attributes
    ----------
    dense : ndarray of shape (n_samples, n_dense)
        The network's float input, C-contiguous, in the encoder's dtype. Its
        columns are, in this order: the ``n_numeric_`` scaled numeric
        columns (what a numeric embedding takes), one missing indicator per
        numeric column that had missing values in fit, and the one-hot
        columns of the categorical columns with few categories.
    codes : ndarray of shape (n_samples, n_coded), dtype=intp
        One column per categorical column with many categories: its codes,
        ``0`` for missing or unseen, ``1..m`` for the categories seen in fit.
        Column ``j`` indexes a table of ``cardinalities_[j]`` rows.
    """

    dense: np.ndarray
    codes: np.ndarray


def smooth_clip(Z, bound=CLIP_BOUND):
    """Squash ``Z`` into ``(-bound, bound)`` in place: ``z / sqrt(1 + (z / bound)^2)``.

    Written as ``bound * (z / hypot(bound, z))``, which cannot overflow;
    infinite entries become ``±bound``.

    Parameters
    ----------
    Z : ndarray of float
        Modified in place.
    bound : float, default=3.0

    Returns
    -------
    ndarray
        ``Z``.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn._columns import smooth_clip
    >>> smooth_clip(np.array([0.0, 0.1, 3.0, 1e6, -np.inf])).round(4)
    array([ 0.    ,  0.0999,  2.1213,  3.    , -3.    ])
    """
    np.clip(Z, -_HUGE, _HUGE, out=Z)
    # z / hypot(z, B) is at most 1 in magnitude once rounded, so the result
    # never exceeds B
    Z /= np.hypot(Z, Z.dtype.type(bound))
    Z *= Z.dtype.type(bound)
    return Z


class ColumnEncoder(TransformerMixin, BaseEstimator):
    """Encode a table for a network: scaled numbers, one-hot columns, codes.

    Parameters
    ----------
    categorical_features : "from_dtype", None, array-like of bool, int or str, \
            default="from_dtype"
        Which columns are categorical: "from_dtype" reads it from the dtypes
        (category, enum, string, object and bool columns are categorical),
        None makes every column numeric, and a boolean mask, integer indices
        or column names name them, as HistGradientBoostingClassifier's
        parameter of the same name.
    dtype : {np.float64, np.float32}, default=np.float64
        The dtype of :attr:`EncodedTable.dense`.

    Attributes
    ----------
    n_features_in_ : int
        The number of columns seen in fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        The column names seen in fit, where they are all strings.
    is_categorical_ : ndarray of shape (`n_features_in_`,), dtype=bool
        Which columns are treated as categorical.
    numeric_columns_, one_hot_columns_, coded_columns_ : ndarray of int
        The indices of the input columns in each group.
    center_, scale_ : ndarray of shape (n_numeric_,)
        The median and the spread of each numeric column.
    n_numeric_ : int
        The number of numeric columns, the first columns of ``dense``.
    n_dense_ : int
        The number of columns of ``dense``.
    cardinalities_ : ndarray of shape (n_coded,), dtype=intp
        The number of rows of each code column's table (categories + 1).
    missing_indicator_ : MissingIndicator or None
        Marks the missing values of the numeric columns that had some in fit.
    one_hot_encoder_ : OneHotEncoder or None
    ordinal_encoder_ : OrdinalEncoder or None

    Examples
    --------
    >>> import pandas as pd
    >>> from sknn._columns import ColumnEncoder
    >>> X = pd.DataFrame({"size": [1.0, 2.0, None, 40.0],
    ...                   "colour": ["red", "blue", "red", None]})
    >>> encoder = ColumnEncoder().fit(X)
    >>> table = encoder.transform(X)
    >>> table.dense.shape, table.codes.shape
    ((4, 5), (4, 0))
    >>> list(encoder.get_feature_names_out())
    ['size', 'missingindicator_size', 'colour_blue', 'colour_red', 'colour_nan']
    """

    def __init__(self, categorical_features="from_dtype", dtype=np.float64):
        self.categorical_features = categorical_features
        self.dtype = dtype

    def fit(self, X, y=None):
        """Learn the column types, the numeric statistics and the categories.

        Parameters
        ----------
        X : {array-like, pandas DataFrame, polars DataFrame} of shape \
                (n_samples, n_features)
        y : None
            Ignored.

        Returns
        -------
        self : ColumnEncoder
        """
        dtype = _check_dtype(self.dtype)
        frame = _Frame.of(X)
        is_categorical = _categorical_mask(frame, self.categorical_features)
        numeric = np.flatnonzero(~is_categorical)
        categorical = np.flatnonzero(is_categorical)

        values = _numeric_block(frame, numeric)
        center, scale = _robust_statistics(values, frame.names_of(numeric))
        indicator = None
        if np.isnan(values).any():
            indicator = MissingIndicator(features="missing-only", error_on_new=False)
            indicator.fit(_without_infinities(values))

        columns = [frame.categories(j) for j in categorical]
        for j, column in zip(categorical, columns):
            if _missing_objects(column).all():
                raise ValueError(
                    f"Column {frame.name(j)!r} has only missing values; drop it."
                )
            _check_uniform(column, frame.name(j))
        n_levels = [_n_categories(column) for column in columns]
        few = [n <= MAX_ONE_HOT_CATEGORIES for n in n_levels]
        one_hot_columns = categorical[np.array(few, dtype=bool)]
        coded_columns = categorical[~np.array(few, dtype=bool)]
        one_hot = ordinal = None
        if len(one_hot_columns):
            block = _object_block([c for c, f in zip(columns, few) if f])
            # the scalar type, not the dtype object: skops then trusts the
            # fitted encoder without trusting numpy.dtype
            one_hot = OneHotEncoder(
                handle_unknown="ignore", sparse_output=False, dtype=dtype.type
            )
            one_hot.fit(block)
        if len(coded_columns):
            block = _object_block([c for c, f in zip(columns, few) if not f])
            ordinal = OrdinalEncoder(
                handle_unknown="use_encoded_value",
                unknown_value=-1,
                encoded_missing_value=-1,
                dtype=np.intp,
            )
            ordinal.fit(block)

        # Everything has been checked and fitted: only now is anything set.
        validate_data(self, X if frame.is_frame else frame.array, skip_check_array=True)
        self.is_categorical_ = is_categorical
        self.numeric_columns_ = numeric
        self.one_hot_columns_ = one_hot_columns
        self.coded_columns_ = coded_columns
        self.center_ = center
        self.scale_ = scale
        self.missing_indicator_ = indicator
        self.one_hot_encoder_ = one_hot
        self.ordinal_encoder_ = ordinal
        self._numeric_families = frame.numeric_families()
        self.n_numeric_ = len(numeric)
        n_indicators = 0 if indicator is None else len(indicator.features_)
        n_one_hot = 0 if one_hot is None else sum(map(len, one_hot.categories_))
        self.n_dense_ = self.n_numeric_ + n_indicators + n_one_hot
        self.cardinalities_ = np.array(
            []
            if ordinal is None
            else [_n_categories(c) + 1 for c in ordinal.categories_],
            dtype=np.intp,
        )
        return self

    def transform(self, X):
        """Encode ``X`` with what fit learnt.

        Parameters
        ----------
        X : {array-like, pandas DataFrame, polars DataFrame} of shape \
                (n_samples, n_features)
            The columns of fit, in the same order and of the same kinds.

        Returns
        -------
        EncodedTable
            ``dense`` (float, C order) and ``codes`` (intp).
        """
        check_is_fitted(self)
        dtype = np.dtype(self.dtype)
        frame = _Frame.of(X)
        validate_data(
            self,
            X if frame.is_frame else frame.array,
            skip_check_array=True,
            reset=False,
        )
        self._check_kinds(frame)
        n_samples = frame.n_samples
        dense = np.empty((n_samples, self.n_dense_), dtype=dtype)
        values = _numeric_block(frame, self.numeric_columns_)
        stop = self.n_numeric_
        if self.missing_indicator_ is not None:
            flags = self.missing_indicator_.transform(_without_infinities(values))
            dense[:, stop : stop + flags.shape[1]] = flags
            stop += flags.shape[1]
        # A value near float64's limit may overflow to ±inf here: the smooth
        # clip takes it to ±B, where the value itself would have gone.
        with np.errstate(over="ignore"):
            values -= self.center_
            values /= self.scale_
        # the median, imputed: 0 once centred
        np.nan_to_num(values, copy=False, nan=0.0, posinf=np.inf, neginf=-np.inf)
        dense[:, : self.n_numeric_] = smooth_clip(values)
        if self.one_hot_encoder_ is not None:
            block = _object_block([frame.categories(j) for j in self.one_hot_columns_])
            dense[:, stop:] = self.one_hot_encoder_.transform(block)
        codes = np.zeros((n_samples, len(self.coded_columns_)), dtype=np.intp)
        if self.ordinal_encoder_ is not None:
            block = _object_block([frame.categories(j) for j in self.coded_columns_])
            codes[...] = self.ordinal_encoder_.transform(block)
            codes += 1
        return EncodedTable(dense, codes)

    def fit_transform(self, X, y=None):
        """Fit, then encode ``X``: the same as ``fit(X).transform(X)``."""
        return self.fit(X, y).transform(X)

    def get_feature_names_out(self, input_features=None):
        """Names of the columns of :attr:`EncodedTable.dense`.

        Parameters
        ----------
        input_features : None
            Ignored; the names come from fit.

        Returns
        -------
        ndarray of str
        """
        check_is_fitted(self)
        names = np.asarray(
            getattr(
                self,
                "feature_names_in_",
                [f"x{j}" for j in range(self.n_features_in_)],
            ),
            dtype=object,
        )
        out = list(names[self.numeric_columns_])
        if self.missing_indicator_ is not None:
            columns = self.numeric_columns_[self.missing_indicator_.features_]
            out += [f"missingindicator_{name}" for name in names[columns]]
        if self.one_hot_encoder_ is not None:
            out += list(
                self.one_hot_encoder_.get_feature_names_out(
                    names[self.one_hot_columns_]
                )
            )
        return np.asarray(out, dtype=object)

    def _check_kinds(self, frame):
        numeric = frame.numeric_families()
        for j in np.flatnonzero(numeric != self._numeric_families):
            kind = "of a numeric dtype" if numeric[j] else "of a non-numeric dtype"
            raise ValueError(
                f"Column {frame.name(j)!r} changed dtype since fit: it is now "
                f"{kind} ({frame.dtype_name(j)}). Give each column the dtype it "
                "had in fit."
            )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        return tags


# -- the numeric step ----------------------------------------------------------


def _robust_statistics(values, names):
    """The median and a robust spread of each column of ``values`` (NaN ignored)."""
    finite = np.where(np.isfinite(values), values, np.nan)
    empty = np.isnan(finite).all(axis=0)
    if empty.any():
        name = names[int(np.flatnonzero(empty)[0])]
        raise ValueError(
            f"Column {name!r} has no finite value in fit (all missing); drop it "
            "or fill it in."
        )
    if values.shape[1] == 0:
        return np.zeros(0), np.ones(0)
    low, center, high = np.nanquantile(finite, [0.25, 0.5, 0.75], axis=0)
    scale = high - low
    # A column with most of its values equal (a count that is mostly 0) has
    # no interquartile range: half its range takes over, and a constant
    # column is left at 0 after centring.
    flat = scale == 0
    half_range = (np.nanmax(finite, axis=0) - np.nanmin(finite, axis=0)) / 2
    scale[flat] = half_range[flat]
    scale[scale == 0] = 1.0
    return center, scale


def _without_infinities(values):
    """``values`` with infinities set to 0: MissingIndicator refuses them."""
    return np.where(np.isinf(values), 0.0, values)


def _numeric_block(frame, columns):
    """The numeric columns as one float64 array, missing values as NaN."""
    block = np.empty((frame.n_samples, len(columns)), dtype=np.float64)
    for k, j in enumerate(columns):
        block[:, k] = frame.numbers(j)
    return block


# -- the categorical step -------------------------------------------------------


def _missing_objects(column):
    """Where an object column holds None or NaN."""
    return (column == None) | (column != column)  # noqa: E711 (elementwise)


def _n_categories(column):
    return len(np.unique(column[~_missing_objects(column)]))


def _check_uniform(column, name):
    """Refuse a categorical column that mixes numbers and strings.

    In a data frame, one stray string (``'n/a'``) in a column of numbers
    turns the whole column into objects, which reads as categorical; the
    encoders would then fail on the mix, naming neither the column nor the
    value.
    """
    present = column[~_missing_objects(column)]
    is_string = np.array([isinstance(value, str) for value in present], dtype=bool)
    if is_string.any() and not is_string.all():
        example = (
            present[is_string][0]
            if is_string.sum() <= (~is_string).sum()
            else (present[~is_string][0])
        )
        raise ValueError(
            f"Column {name!r} mixes numbers and strings (for example {example!r}). "
            "If it is numeric, a value that is not a number slipped in: fix the "
            "data. If it is categorical, make every value a string."
        )


def _object_block(columns):
    """Stack object columns into an (n_samples, n_columns) object array."""
    block = np.empty((len(columns[0]), len(columns)), dtype=object)
    for k, column in enumerate(columns):
        block[:, k] = column
    return block


# -- reading a table, whatever holds it ------------------------------------------


class _Frame:
    """Column access to a numpy array, a pandas or a polars DataFrame.

    The encoder asks each column for its numbers (float64, NaN for missing)
    or its categories (an object array, NaN for missing), and for whether
    its dtype is numeric; this class answers for the three kinds of input
    without importing pandas or polars unless it holds one.
    """

    def __init__(self, data, kind):
        self.data = data
        self.kind = kind  # "array", "pandas" or "polars"
        self.is_frame = kind != "array"
        self.array = data if kind == "array" else None
        self.n_samples, self.n_features = data.shape

    @classmethod
    def of(cls, X):
        module = type(X).__module__.split(".")[0]
        if module == "pandas" and hasattr(X, "columns"):
            frame = cls(X, "pandas")
            names = list(X.columns)
        elif module == "polars" and hasattr(X, "columns"):
            frame = cls(X, "polars")
            names = list(X.columns)
        else:
            array = check_array(X, dtype=None, ensure_all_finite=False, input_name="X")
            if array.dtype.kind in "US":  # fixed-width strings: as objects
                array = array.astype(object)
            return cls(array, "array")
        if frame.n_samples < 1:
            raise ValueError(
                f"Found array with 0 sample(s) (shape={X.shape}) while a minimum "
                "of 1 is required."
            )
        if frame.n_features < 1:
            raise ValueError(
                f"Found array with 0 feature(s) (shape={X.shape}) while a minimum "
                "of 1 is required."
            )
        seen, duplicated = set(), []
        for name in names:
            if name in seen and name not in duplicated:
                duplicated.append(name)
            seen.add(name)
        if duplicated:
            raise ValueError(
                f"The data frame has duplicate column names {duplicated}; give "
                "every column a name of its own."
            )
        return frame

    def name(self, j):
        return self.data.columns[j] if self.is_frame else int(j)

    def names_of(self, columns):
        return [self.name(j) for j in columns]

    def dtype_name(self, j):
        if self.kind == "array":
            return str(self.data.dtype)
        if self.kind == "pandas":
            return str(self.data.dtypes.iloc[j])
        return str(self.data.schema.dtypes()[j])

    def family(self, j):
        """'number', 'category' (category, enum, string, object, bool) or 'other'."""
        if self.kind == "array":
            return _numpy_family(self.data.dtype)
        if self.kind == "pandas":
            return _pandas_family(self.data.dtypes.iloc[j])
        return _polars_family(self.data.schema.dtypes()[j])

    def numeric_families(self):
        return np.array(
            [self.family(j) == "number" for j in range(self.n_features)], dtype=bool
        )

    def numbers(self, j):
        """Column ``j`` as float64, missing values (None, NaN, NA, null) as NaN."""
        try:
            if self.kind == "pandas":
                return self.data.iloc[:, j].to_numpy(dtype=np.float64, na_value=np.nan)
            if self.kind == "polars":
                import polars as pl

                return self.data.to_series(j).cast(pl.Float64).to_numpy()
            column = self.data[:, j]
            if column.dtype == object:
                column = np.where(_missing_objects(column), np.nan, column)
            return column.astype(np.float64)
        # polars raises its own exception classes, none of them a ValueError
        except Exception as error:
            raise ValueError(
                f"Column {self.name(j)!r} is numeric but holds a value that is not "
                f"a number ({error}); fix the data, or name the column in "
                "categorical_features."
            ) from None

    def categories(self, j):
        """Column ``j`` as an object array, missing values as NaN."""
        if self.kind == "pandas":
            column = self.data.iloc[:, j].to_numpy(
                dtype=object, na_value=np.nan, copy=True
            )
        elif self.kind == "polars":
            column = self.data.to_series(j).to_numpy().astype(object)
        else:
            column = self.data[:, j].astype(object)
        column[_missing_objects(column)] = np.nan
        return column


def _numpy_family(dtype):
    if dtype.kind in "iuf":
        return "number"
    if dtype.kind in "bOUS":
        return "category"
    return "other"


def _pandas_family(dtype):
    from pandas.api import types

    if isinstance(dtype, types.CategoricalDtype) or types.is_bool_dtype(dtype):
        return "category"
    if types.is_numeric_dtype(dtype) and not types.is_complex_dtype(dtype):
        return "number"
    if types.is_string_dtype(dtype) or types.is_object_dtype(dtype):
        return "category"
    return "other"


def _polars_family(dtype):
    import polars as pl

    if dtype.is_numeric():
        return "number"
    if (
        dtype == pl.Boolean
        or dtype == pl.String
        or isinstance(dtype, (pl.Categorical, pl.Enum))
    ):
        return "category"
    return "other"


def _categorical_mask(frame, categorical_features):
    """The columns to treat as categorical, HistGradientBoosting's way."""
    n_features = frame.n_features
    if categorical_features is None:
        mask = np.zeros(n_features, dtype=bool)
    elif isinstance(categorical_features, str):
        if categorical_features != "from_dtype":
            raise ValueError(
                "categorical_features must be 'from_dtype', None, or an array-like "
                f"of bool, int or str; got {categorical_features!r}."
            )
        mask = np.array(
            [frame.family(j) == "category" for j in range(n_features)], dtype=bool
        )
    else:
        mask = _mask_from(np.asarray(categorical_features), frame)
    for j in np.flatnonzero(~mask):
        if frame.family(j) == "other":
            raise ValueError(
                f"Column {frame.name(j)!r} has dtype {frame.dtype_name(j)}, which "
                "is neither numeric nor categorical; convert it to numbers, or name "
                "it in categorical_features."
            )
    return mask


def _mask_from(given, frame):
    n_features = frame.n_features
    if given.size == 0:
        return np.zeros(n_features, dtype=bool)
    if given.dtype.kind == "b":
        if given.shape != (n_features,):
            raise ValueError(
                "categorical_features set as a boolean mask must have shape "
                f"(n_features,) = ({n_features},), got {given.shape}."
            )
        return given.copy()
    mask = np.zeros(n_features, dtype=bool)
    if given.dtype.kind in "iu":
        if given.min() < 0 or given.max() >= n_features:
            raise ValueError(
                "categorical_features set as integer indices must be in "
                f"[0, {n_features - 1}], got {given.tolist()}."
            )
        mask[given] = True
        return mask
    if given.dtype.kind in "UO" and all(isinstance(name, str) for name in given):
        if not frame.is_frame:
            raise ValueError(
                "categorical_features should be passed as an array of integers or "
                "as a boolean mask when the model is fitted on data without feature "
                "names."
            )
        names = list(frame.data.columns)
        for name in given:
            if name not in names:
                raise ValueError(
                    f"categorical_features names {name!r}, which is not a column of "
                    f"the training data. Observed feature names: {names}"
                )
            mask[names.index(name)] = True
        return mask
    raise ValueError(
        "categorical_features must be an array-like of bool, int or str, got "
        f"{given.dtype}."
    )


def _check_dtype(dtype):
    dtype = np.dtype(dtype)
    if dtype not in (np.float64, np.float32):
        raise ValueError(f"dtype must be float64 or float32, got {dtype}.")
    return dtype
