"""Score networks against gradient boosting and a linear model on eight real tables.

Issue 23's benchmark. Each data set of :mod:`tabular_data` (five
classification, three regression on the log target; at most 10,000 rows each)
goes through 5-fold cross-validation with the same folds for every model
(stratified for classes, shuffled with a fixed seed). Within a fold the models
take turns, so a burst of load on the machine falls on all of them. Printed
per data set and model: accuracy and log loss (classification) or R²
(regression), the mean and the standard deviation over the folds, and the fit
CPU time summed over the folds (``time.process_time`` around ``fit``, with one
BLAS and OpenMP thread forced through threadpoolctl).

The models (``--models``, default all of them):

``tabular``
    ``sknn.TabularMLPClassifier`` / ``TabularMLPRegressor`` on the data frame
    as it is; skipped, with a note, while sknn has no such estimator.
``mlpneuron``
    ``MLPNeuronClassifier`` / ``MLPNeuronRegressor`` default in the usual
    ColumnTransformer: numeric columns median-imputed and standardised,
    categorical columns one-hot encoded (``handle_unknown='ignore'``).
``hgb``
    HistGradientBoostingClassifier / Regressor default on the data frame as it
    is (``categorical_features="from_dtype"``, native missing values).
``linear``
    LogisticRegression (``max_iter=1000``, so that it converges) / RidgeCV
    default, in the same ColumnTransformer.
``sklearn_mlp``
    scikit-learn's MLPClassifier / MLPRegressor default in the same
    ColumnTransformer: the reference of the issue's cost goal.

Run with the OpenBLAS tuning variables unset (and, in a checkout that is not
installed, ``PYTHONPATH=.`` from the repository's root)::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_tabular.py
    python benchmarks/bench_tabular.py --datasets mlc_churn ames --models hgb linear
    python benchmarks/bench_tabular.py --markdown   # tables with mean ranks
    python benchmarks/bench_tabular.py --unseen     # tables the defaults never saw

``--markdown`` adds markdown tables: the main score (accuracy or R²) with its
standard deviation, each model's mean rank over the data sets run (rank 1 is
the best score on a data set; ties share the mean of their ranks), the log
loss of the classifiers, and the fit CPU time.
"""

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from scipy.stats import rankdata
from sklearn.base import clone
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.metrics import accuracy_score, log_loss, r2_score
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from threadpoolctl import threadpool_limits

import sknn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tabular_data import DATASETS, MAX_ROWS, UNSEEN, load  # noqa: E402

MODELS = ["tabular", "mlpneuron", "hgb", "linear", "sklearn_mlp"]


def column_transformer():
    """The usual preprocessing in front of a model that needs numbers."""
    return ColumnTransformer(
        [
            (
                "numeric",
                make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
                make_column_selector(dtype_exclude="category"),
            ),
            (
                "categorical",
                OneHotEncoder(handle_unknown="ignore"),
                make_column_selector(dtype_include="category"),
            ),
        ]
    )


def make_model(name, task):
    """The model ``name`` for ``task``, or None where it does not exist yet."""
    classify = task == "classification"
    if name == "tabular":
        estimator = getattr(
            sknn, "TabularMLPClassifier" if classify else "TabularMLPRegressor", None
        )
        return None if estimator is None else estimator()
    if name == "hgb":
        if classify:
            return HistGradientBoostingClassifier()
        return HistGradientBoostingRegressor()
    final = {
        "mlpneuron": sknn.MLPNeuronClassifier if classify else sknn.MLPNeuronRegressor,
        "linear": (lambda: LogisticRegression(max_iter=1000)) if classify else RidgeCV,
        "sklearn_mlp": MLPClassifier if classify else MLPRegressor,
    }[name]()
    return make_pipeline(column_transformer(), final)


def folds(X, y, task, n_folds, seed):
    """The same splits for every model."""
    if task == "classification":
        splitter = StratifiedKFold(n_folds, shuffle=True, random_state=seed)
    else:
        splitter = KFold(n_folds, shuffle=True, random_state=seed)
    return list(splitter.split(X, y))


def score(model, X, y, task):
    """``{'score': accuracy or R², 'log_loss': ...}`` of a fitted model."""
    if task == "regression":
        return {"score": r2_score(y, model.predict(X))}
    proba = model.predict_proba(X)
    classes = model.classes_
    predicted = classes[np.argmax(proba, axis=1)]
    return {
        "score": accuracy_score(y, predicted),
        "log_loss": log_loss(y, proba, labels=classes),
    }


def run_dataset(name, models, n_folds, max_rows, seed):
    """Cross-validate ``models`` on one data set; return their fold results."""
    task = {**DATASETS, **UNSEEN}[name].task
    X, y = load(name, max_rows=max_rows, seed=seed)
    available = {}
    for model in models:
        estimator = make_model(model, task)
        if estimator is not None:
            available[model] = estimator
    results = {model: [] for model in available}
    for train, test in folds(X, y, task, n_folds, seed):
        X_train, X_test = X.iloc[train], X.iloc[test]
        for model, estimator in available.items():
            fitted = clone(estimator)
            start = time.process_time()
            fitted.fit(X_train, y[train])
            seconds = time.process_time() - start
            results[model].append(
                {**score(fitted, X_test, y[test], task), "seconds": seconds}
            )
    return task, X.shape, results


def summarise(results):
    """Mean and standard deviation of each measure, total fit seconds."""
    summary = {}
    for model, runs in results.items():
        entry = {"seconds": sum(run["seconds"] for run in runs)}
        for key in runs[0]:
            if key != "seconds":
                values = np.array([run[key] for run in runs])
                entry[key] = (values.mean(), values.std())
        summary[model] = entry
    return summary


def print_dataset(name, task, shape, summary, skipped=()):
    if task == "classification":
        metric = "accuracy"
    else:
        log = {**DATASETS, **UNSEEN}[name].log_target
        metric = "R2 (log target)" if log else "R2"
    print(f"\n{name} ({task}, {shape[0]} rows x {shape[1]} columns)")
    header = f"  {'model':<12} {metric:>17}"
    if task == "classification":
        header += f" {'log loss':>17}"
    print(header + f" {'fit CPU s':>10}")
    for model, entry in summary.items():
        line = f"  {model:<12} {_pm(entry['score']):>17}"
        if task == "classification":
            line += f" {_pm(entry['log_loss']):>17}"
        print(line + f" {entry['seconds']:>10.1f}", flush=True)
    for model in skipped:
        print(f"  {model:<12} (not in this sknn: skipped)")


def mean_ranks(summaries, models):
    """Each model's mean rank of its main score over the data sets."""
    ranks = {model: [] for model in models}
    for summary in summaries.values():
        present = [model for model in models if model in summary]
        scores = [summary[model]["score"][0] for model in present]
        for model, rank in zip(present, rankdata(-np.array(scores))):
            ranks[model].append(rank)
    return {model: np.mean(r) if r else np.nan for model, r in ranks.items()}


def print_markdown(summaries, tasks, models):
    models = [m for m in models if any(m in s for s in summaries.values())]
    head = "| data set | " + " | ".join(models) + " |"
    rule = "|---|" + "---|" * len(models)
    print("\nScore: accuracy (classification) or R² (regression; of the log target")
    print("for the eight tables the defaults were chosen on),")
    print("mean ± std over the folds; best in bold.\n")
    print(head)
    print(rule)
    for name, summary in summaries.items():
        best = max(summary[m]["score"][0] for m in models if m in summary)
        cells = []
        for model in models:
            if model not in summary:
                cells.append("")
                continue
            mean, std = summary[model]["score"]
            cell = f"{mean:.3f} ± {std:.3f}"
            cells.append(f"**{cell}**" if mean == best else cell)
        print(f"| {name} | " + " | ".join(cells) + " |")
    ranks = mean_ranks(summaries, models)
    print("| mean rank | " + " | ".join(f"{ranks[m]:.2f}" for m in models) + " |")
    classification = [n for n in summaries if tasks[n] == "classification"]
    if classification:
        print("\nLog loss (lower is better), mean ± std over the folds.\n")
        print(head)
        print(rule)
        for name in classification:
            summary = summaries[name]
            cells = [
                _pm(summary[m]["log_loss"]) if m in summary else "" for m in models
            ]
            print(f"| {name} | " + " | ".join(cells) + " |")
    print("\nFit CPU seconds, summed over the folds.\n")
    print(head)
    print(rule)
    for name, summary in summaries.items():
        cells = [f"{summary[m]['seconds']:.1f}" if m in summary else "" for m in models]
        print(f"| {name} | " + " | ".join(cells) + " |")
    totals = [
        sum(s[m]["seconds"] for s in summaries.values() if m in s) for m in models
    ]
    print("| total | " + " | ".join(f"{t:.1f}" for t in totals) + " |")


def _pm(pair):
    return f"{pair[0]:.3f} ± {pair[1]:.3f}"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--datasets",
        nargs="+",
        choices=[*DATASETS, *UNSEEN],
        default=list(DATASETS),
    )
    parser.add_argument(
        "--unseen",
        action="store_true",
        help="run the twelve tables never used to choose the defaults",
    )
    parser.add_argument("--models", nargs="+", choices=MODELS, default=MODELS)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--max-rows", type=int, default=MAX_ROWS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)
    if args.unseen:
        args.datasets = list(UNSEEN)
    return args


def main(argv=None):
    args = parse_args(argv)
    summaries, tasks = {}, {}
    with threadpool_limits(limits=1), warnings.catch_warnings():
        # the defaults under test stop at max_iter: that is part of the test
        warnings.simplefilter("ignore", ConvergenceWarning)
        for name in args.datasets:
            task, shape, results = run_dataset(
                name, args.models, args.folds, args.max_rows, args.seed
            )
            summaries[name], tasks[name] = summarise(results), task
            skipped = [m for m in args.models if m not in results]
            print_dataset(name, task, shape, summaries[name], skipped)
    ranks = mean_ranks(summaries, args.models)
    print(
        "\nmean rank: " + ", ".join(f"{m} {r:.2f}" for m, r in ranks.items() if r == r)
    )
    if args.markdown:
        print_markdown(summaries, tasks, args.models)
    return summaries


if __name__ == "__main__":
    main()
