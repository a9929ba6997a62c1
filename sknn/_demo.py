"""The ``sknn demo`` command: sknn's estimators beside scikit-learn's, in two tables.

The classifiers and their scikit-learn counterparts are trained on the same
split of scikit-learn's bundled digits data, the regressors on its diabetes
data, and each table gives every row's test score and fit time, so the two
libraries compare row by row.
"""

import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

import sknn

PERCEPTRON_ACTIVATIONS = ("step", "logistic", "tanh")
MLP_ACTIVATIONS = ("relu", "tanh", "logistic", "leaky_relu")
# MLPClassifier accepts only these; for the others sknn's row stands alone.
SKLEARN_MLP_ACTIVATIONS = frozenset({"identity", "logistic", "tanh", "relu"})
REGRESSION_ACTIVATIONS = ("relu", "tanh", "leaky_relu")
SEED = 0


@dataclass
class DemoRow:
    """One line of the demo table: a model name, its activation, a factory."""

    model: str
    activation: str
    make: Callable[[], Any]


@dataclass
class DemoResult:
    """A fitted row: its test score and fit time, or the error it raised.

    The score is the estimator's own: accuracy for a classifier, R² for a
    regressor.
    """

    row: DemoRow
    score: float = float("nan")
    seconds: float = float("nan")
    error: str = ""


def _mlp_settings(quick):
    # The settings both MLP columns share, so the comparison is like for like.
    return {
        "hidden_layer_sizes": (64,),
        "max_iter": 40 if quick else 200,
        "random_state": SEED,
    }


def _regression_settings():
    # Diabetes has 331 training samples for a network of 769 weights: the
    # penalty alpha=10 keeps it from fitting the noise, and adam converges
    # within max_iter (in about 360 epochs), so no ConvergenceWarning is due.
    return {
        "hidden_layer_sizes": (64,),
        "alpha": 10.0,
        "max_iter": 1000,
        "random_state": SEED,
    }


def perceptron_rows():
    """Rows for sknn's PerceptronClassifier, with sklearn's Perceptron beside it."""
    from sklearn.linear_model import Perceptron

    rows = []
    for activation in PERCEPTRON_ACTIVATIONS:
        make = partial(
            sknn.PerceptronClassifier, activation=activation, random_state=SEED
        )
        rows.append(DemoRow("sknn.PerceptronClassifier", activation, make))
        if activation == "step":
            make = partial(Perceptron, random_state=SEED)
            rows.append(DemoRow("sklearn.Perceptron", "step", make))
    return rows


def _paired_rows(ours, theirs, activations, settings):
    """A row per activation for sknn's ``ours``, each followed by sklearn's
    ``theirs`` where scikit-learn has that activation."""
    rows = []
    for activation in activations:
        for estimator in (ours, theirs):
            if estimator is ours or activation in SKLEARN_MLP_ACTIVATIONS:
                make = partial(estimator, activation=activation, **settings)
                library = "sknn" if estimator is ours else "sklearn"
                rows.append(
                    DemoRow(f"{library}.{estimator.__name__}", activation, make)
                )
    return rows


def mlp_rows(quick=False):
    """Rows for sknn's MLPNeuronClassifier beside sklearn's MLPClassifier."""
    from sklearn.neural_network import MLPClassifier

    return _paired_rows(
        sknn.MLPNeuronClassifier, MLPClassifier, MLP_ACTIVATIONS, _mlp_settings(quick)
    )


def regression_rows():
    """Rows for sknn's MLPNeuronRegressor beside sklearn's MLPRegressor."""
    from sklearn.neural_network import MLPRegressor

    return _paired_rows(
        sknn.MLPNeuronRegressor,
        MLPRegressor,
        REGRESSION_ACTIVATIONS,
        _regression_settings(),
    )


def load_regression_split():
    """Diabetes, one 75/25 split; X and y standardised with the training statistics.

    Scaling ``y`` leaves R² unchanged and lets the networks start near the
    answer (the raw targets lie between 25 and 346).
    """
    from sklearn.datasets import load_diabetes
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    X, y = load_diabetes(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=SEED
    )
    scaler = StandardScaler().fit(X_train)
    mean, scale = y_train.mean(), y_train.std()
    return (
        scaler.transform(X_train),
        scaler.transform(X_test),
        (y_train - mean) / scale,
        (y_test - mean) / scale,
    )


def load_split():
    """Digits, one stratified 75/25 split, standardised with the training statistics."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=SEED
    )
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


def fit_and_score(row, X_train, X_test, y_train, y_test):
    """Fit one row's estimator, timing only the fit, and score it on the test set."""
    from sklearn.exceptions import ConvergenceWarning

    result = DemoResult(row)
    try:
        estimator = row.make()
        with warnings.catch_warnings():
            # max_iter is fixed on purpose; running out of it is expected here.
            warnings.simplefilter("ignore", ConvergenceWarning)
            start = time.perf_counter()
            estimator.fit(X_train, y_train)
            result.seconds = time.perf_counter() - start
        result.score = estimator.score(X_test, y_test)
    except Exception as exc:  # a demo reports a broken row and goes on
        result.error = f"{type(exc).__name__}: {exc}"
    return result


def format_table(results, score="test accuracy"):
    """Return the results as a fixed-width text table; ``score`` heads its column."""
    header = ("model", "activation", score, "fit seconds")
    lines = [
        (
            r.row.model,
            r.row.activation,
            f"{r.score:.4f}" if not r.error else "failed",
            f"{r.seconds:.3f}" if not r.error else r.error,
        )
        for r in results
    ]
    widths = [max(len(str(cells[i])) for cells in [header, *lines]) for i in range(3)]

    def fmt(cells):
        head = "  ".join(c.ljust(w) for c, w in zip(cells[:3], widths))
        return f"{head}  {cells[3]}".rstrip()

    rule = ("-" * widths[0], "-" * widths[1], "-" * widths[2], "-" * len(header[3]))
    return "\n".join([fmt(header), fmt(rule), *map(fmt, lines)])


def run_demo(quick=False, stream=None):
    """Print the demo's tables: the classifiers on digits, the regressors on diabetes.

    Parameters
    ----------
    quick : bool, default=False
        Fewer MLP iterations, for the test suite. The default is the real demo.
    stream : file-like, default=None
        Where to print; ``sys.stdout`` when None.

    Returns
    -------
    int
        0 on success; 1 if a row failed.
    """
    stream = sys.stdout if stream is None else stream
    X_train, X_test, y_train, y_test = load_split()
    rows = perceptron_rows() + mlp_rows(quick)
    print(_describe(X_train, X_test, y_train, quick), file=stream)
    results = [fit_and_score(row, X_train, X_test, y_train, y_test) for row in rows]
    print(format_table(results), file=stream, flush=True)
    regression = run_regression(stream)
    return 1 if any(r.error for r in results + regression) else 0


def run_regression(stream):
    """Print the regression table (diabetes) and return its results."""
    X_train, X_test, y_train, y_test = load_regression_split()
    settings = ", ".join(f"{k}={v}" for k, v in _regression_settings().items())
    print(
        f"\nRegression: scikit-learn's diabetes, {len(X_train)} train / "
        f"{len(X_test)} test samples, {X_train.shape[1]} features\n"
        f"(split with random_state={SEED}; X and y standardised with the "
        "training statistics).\n"
        f"Both MLP regressors use {settings};\nthe score is R².\n",
        file=stream,
    )
    rows = regression_rows()
    results = [fit_and_score(row, X_train, X_test, y_train, y_test) for row in rows]
    print(format_table(results, score="test R²"), file=stream, flush=True)
    return results


def _describe(X_train, X_test, y_train, quick):
    settings = ", ".join(f"{k}={v}" for k, v in _mlp_settings(quick).items())
    lines = [
        f"sknn {sknn.__version__} demo: scikit-learn's digits, "
        f"{len(X_train)} train / {len(X_test)} test samples, "
        f"{X_train.shape[1]} features, {len(np.unique(y_train))} classes",
        f"(stratified split, random_state={SEED}; StandardScaler fit on train).",
        f"Both MLP columns use {settings}.",
        "ConvergenceWarnings are silenced; fit seconds are wall-clock.",
    ]
    return "\n".join(lines) + "\n"
