"""Time PerceptronClassifier against scikit-learn's Perceptron.

Both estimators train on the same data with their default settings (and, in
the second configuration, sknn in mini-batch mode), interleaved in one process
(sknn, sklearn, sklearn, sknn, ...) over several repeats. Repeat ``r`` gives
both estimators ``random_state=r``: a perceptron's last iterate on a
non-separable problem moves by a few points of accuracy from one shuffling
seed to the next, so accuracies are compared as means over the repeats.

Printed per configuration: median fit times, the median of the paired time
ratios sknn/sklearn, mean (and spread of) test accuracies and epochs, and the
peak memory each allocates during one epoch (tracemalloc, in separate untimed
fits, since tracing slows Python code down).

Run with one BLAS thread (forced here through threadpoolctl) and the OpenBLAS
tuning variables unset::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_perceptron.py
"""

import argparse
import platform
import time
import tracemalloc
import warnings

import numpy as np
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Perceptron
from threadpoolctl import threadpool_info, threadpool_limits

from sknn import PerceptronClassifier


def make_problem(args):
    X, y = make_classification(
        n_samples=args.samples + args.test,
        n_features=args.features,
        n_informative=args.informative,
        n_clusters_per_class=args.clusters,
        n_classes=args.classes,
        random_state=0,
    )
    n = args.samples
    return X[:n], y[:n], X[n:], y[n:]


def timed_fit(estimator, X, y, X_test, y_test):
    start = time.perf_counter()
    estimator.fit(X, y)
    seconds = time.perf_counter() - start
    return seconds, estimator.score(X_test, y_test), estimator.n_iter_


def peak_megabytes(estimator, X, y):
    """Peak memory allocated while fitting one epoch."""
    estimator.set_params(max_iter=1, tol=None)
    tracemalloc.start()
    estimator.fit(X, y)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def compare(name, make_sknn, make_sklearn, data, repeats):
    X, y, X_test, y_test = data
    runs = {"sknn": [], "sklearn": []}
    for r in range(repeats):
        makers = [("sknn", make_sknn), ("sklearn", make_sklearn)]
        for side, make in makers if r % 2 == 0 else makers[::-1]:
            runs[side].append(timed_fit(make(r), X, y, X_test, y_test))
    times = {side: np.array([run[0] for run in runs[side]]) for side in runs}
    accuracy = {side: np.array([run[1] for run in runs[side]]) for side in runs}
    epochs = {side: np.array([run[2] for run in runs[side]]) for side in runs}
    memory = {
        "sknn": peak_megabytes(make_sknn(0), X, y),
        "sklearn": peak_megabytes(make_sklearn(0), X, y),
    }
    print(f"\n{name}")
    for side in ("sknn", "sklearn"):
        print(
            f"  {side:8s} median fit {np.median(times[side]):6.2f} s   "
            f"accuracy {accuracy[side].mean():.4f} (min {accuracy[side].min():.4f}, "
            f"max {accuracy[side].max():.4f})   epochs {epochs[side].mean():5.1f}   "
            f"peak {memory[side]:6.1f} MB"
        )
    ratio = np.median(times["sknn"] / times["sklearn"])
    gap = 100 * (accuracy["sknn"].mean() - accuracy["sklearn"].mean())
    print(f"  median time ratio sknn/sklearn: {ratio:.2f}   ", end="")
    print(f"accuracy gap {gap:+.1f} points")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=100_000)
    parser.add_argument("--test", type=int, default=20_000)
    parser.add_argument("--features", type=int, default=100)
    parser.add_argument("--informative", type=int, default=20)
    parser.add_argument("--clusters", type=int, default=2, help="clusters per class")
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    blas = [(lib["internal_api"], lib["version"]) for lib in threadpool_info()]
    machine = platform.processor() or platform.machine()
    print(f"{machine}, Python {platform.python_version()}, BLAS {blas}, 1 thread")
    print(
        f"make_classification: {args.samples} train + {args.test} test samples, "
        f"{args.features} features ({args.informative} informative), "
        f"{args.classes} classes, {args.clusters} clusters per class"
    )
    data = make_problem(args)
    warnings.simplefilter("ignore", ConvergenceWarning)
    with threadpool_limits(1):
        compare(
            "default settings: PerceptronClassifier() vs Perceptron()",
            lambda r: PerceptronClassifier(random_state=r),
            lambda r: Perceptron(random_state=r),
            data,
            args.repeats,
        )
        compare(
            f"mini-batch: PerceptronClassifier(batch_size={args.batch_size}) "
            "vs Perceptron()",
            lambda r: PerceptronClassifier(batch_size=args.batch_size, random_state=r),
            lambda r: Perceptron(random_state=r),
            data,
            args.repeats,
        )


if __name__ == "__main__":
    main()
