"""What each ingredient of the modern training procedure does, on real tables.

Issue 21's ablation. MLPNeuronClassifier / MLPNeuronRegressor, default but for
one ingredient at a time (then all of them together), in the usual
ColumnTransformer of :mod:`bench_tabular`, on the eight data frames of
:mod:`tabular_data`, through 5-fold cross-validation with the same folds for
every variant. Printed: accuracy and log loss (classification) or R² of the
log target (regression), mean ± std over the folds, the fit CPU time, and each
variant's mean rank and mean error relative to the default.

The ingredients, at the values the literature commonly uses (chosen once,
before any run; not tuned here):

``cosine``
    ``learning_rate_schedule='cosine'`` over the ``max_iter`` epochs.
``warmup``
    ``warmup_fraction=0.05``.
``weight_decay``
    ``weight_decay=0.05`` (decoupled, AdamW).
``smoothing``
    ``label_smoothing=0.1`` (classifiers only; the regressors run the
    default instead).
``clipping``
    ``max_grad_norm=1.0``.
``all``
    All five together.

Run from the repository's root (``PYTHONPATH=.`` in an uninstalled checkout)::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/ablation_training.py
"""

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from threadpoolctl import threadpool_limits

import sknn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_tabular import (  # noqa: E402
    column_transformer,
    folds,
    print_markdown,
    score,
    summarise,
)
from tabular_data import DATASETS, MAX_ROWS, load  # noqa: E402

INGREDIENTS = {
    "cosine": {"learning_rate_schedule": "cosine"},
    "warmup": {"warmup_fraction": 0.05},
    "weight_decay": {"weight_decay": 0.05},
    "smoothing": {"label_smoothing": 0.1},
    "clipping": {"max_grad_norm": 1.0},
}
VARIANTS = {
    "default": {},
    **INGREDIENTS,
    "all": {
        key: value for params in INGREDIENTS.values() for key, value in params.items()
    },
}


def make_variant(name, task):
    """The default network with variant ``name``'s parameters, in the pipeline."""
    params = dict(VARIANTS[name])
    if task == "classification":
        network = sknn.MLPNeuronClassifier(**params)
    else:
        params.pop("label_smoothing", None)
        network = sknn.MLPNeuronRegressor(**params)
    return make_pipeline(column_transformer(), network)


def run_dataset(name, variants, n_folds, max_rows, seed):
    task = DATASETS[name].task
    X, y = load(name, max_rows=max_rows, seed=seed)
    results = {variant: [] for variant in variants}
    for train, test in folds(X, y, task, n_folds, seed):
        X_train, X_test = X.iloc[train], X.iloc[test]
        for variant in variants:  # in turns, so load falls on all alike
            model = clone(make_variant(variant, task))
            start = time.process_time()
            model.fit(X_train, y[train])
            seconds = time.process_time() - start
            results[variant].append(
                {**score(model, X_test, y[test], task), "seconds": seconds}
            )
    return task, results


def relative_errors(summaries, variants):
    """Each variant's error (1 - accuracy, 1 - R²) over the default's, averaged."""
    ratios = {variant: [] for variant in variants}
    for summary in summaries.values():
        base = 1 - summary["default"]["score"][0]
        for variant in variants:
            ratios[variant].append((1 - summary[variant]["score"][0]) / base)
    return {variant: float(np.mean(r)) for variant, r in ratios.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--datasets", nargs="+", choices=list(DATASETS), default=list(DATASETS)
    )
    parser.add_argument(
        "--variants", nargs="+", choices=list(VARIANTS), default=list(VARIANTS)
    )
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--max-rows", type=int, default=MAX_ROWS)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    variants = list(dict.fromkeys(["default", *args.variants]))
    summaries, tasks = {}, {}
    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for name in args.datasets:
            tasks[name], results = run_dataset(
                name, variants, args.folds, args.max_rows, args.seed
            )
            summaries[name] = summarise(results)
            print(f"{name}: done", flush=True)
    print_markdown(summaries, tasks, variants)
    errors = relative_errors(summaries, variants)
    print("\nMean error relative to the default (below 1 is better):\n")
    print("| " + " | ".join(variants) + " |")
    print("|" + "---|" * len(variants))
    print("| " + " | ".join(f"{errors[v]:.3f}" for v in variants) + " |")
    return summaries


if __name__ == "__main__":
    main()
