"""Time PerceptronClassifier against scikit-learn's Perceptron.

The configurations are issue 12's: dense 160,000 x 100 (binary and 10
classes), CSR at 1% density 100,000 x 10,000 (binary and 10 classes), and
digits, with no penalty; then issue 19's, the same CSR problems with
``penalty='l2'`` (``alpha=1e-4``) and with ``average=True``, where a rule that
touches every weight at every step would cost O(n_features) per sample
instead of O(nnz). scikit-learn's Perceptron has no ``average``; its
averaged contender is the SGDClassifier that Perceptron is a configuration of
(``loss='perceptron', learning_rate='constant', penalty=None``). Every fit
runs 10 epochs (``max_iter=10, tol=None``) with ``shuffle=True`` and
``eta0=1``. The two estimators are fitted interleaved in one process (sknn,
sklearn, sklearn, sknn, ...), repeat ``r`` giving both ``random_state=r``.

Printed per configuration: the median CPU time of a fit (``time.process_time``,
steadier than wall time on a shared machine), the median of the paired ratios
sknn/sklearn, the mean training accuracies, and the peak memory each allocates
during one fit (tracemalloc, in separate untimed fits).

Run with one BLAS thread (forced here through threadpoolctl) and the OpenBLAS
tuning variables unset::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 \\
        python benchmarks/bench_perceptron.py
"""

import argparse
import platform
import time
import tracemalloc

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.datasets import load_digits, make_classification
from sklearn.linear_model import Perceptron, SGDClassifier
from threadpoolctl import threadpool_info, threadpool_limits

from sknn import PerceptronClassifier

SETTINGS = {"max_iter": 10, "tol": None, "shuffle": True, "eta0": 1.0}


def dense_problem(n_classes, n_samples=160_000, n_features=100):
    return make_classification(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=20,
        n_classes=n_classes,
        random_state=0,
    )


def sparse_problem(n_classes, n_samples=100_000, n_features=10_000, density=0.01):
    """Random CSR rows labelled by a random linear model (argmax of its scores)."""
    rng = np.random.default_rng(0)
    X = sp.random(n_samples, n_features, density=density, format="csr", rng=rng)
    scores = X @ rng.standard_normal((n_features, max(n_classes, 2)))
    y = scores.argmax(axis=1) if n_classes > 2 else (scores[:, 0] > 0).astype(int)
    return X, y


def timed_fit(estimator, X, y):
    start = time.process_time()
    estimator.fit(X, y)
    return time.process_time() - start, estimator.score(X, y)


def peak_megabytes(estimator, X, y):
    tracemalloc.start()
    estimator.fit(X, y)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def contenders(extra):
    """Makers of sknn's and scikit-learn's estimator for ``extra`` settings."""
    if extra.get("average"):
        sklearn = SGDClassifier(
            loss="perceptron", learning_rate="constant", penalty=None, **SETTINGS
        )
    else:
        sklearn = Perceptron(**SETTINGS)
    return {
        "sknn": lambda r: PerceptronClassifier(random_state=r, **SETTINGS, **extra),
        "sklearn": lambda r: clone(sklearn).set_params(random_state=r, **extra),
    }


def compare(name, X, y, repeats, extra):
    makers = contenders(extra)
    runs = {side: [] for side in makers}
    for r in range(repeats):
        order = list(makers) if r % 2 == 0 else list(makers)[::-1]
        for side in order:
            runs[side].append(timed_fit(makers[side](r), X, y))
    times = {side: np.array([run[0] for run in runs[side]]) for side in runs}
    memory = {side: peak_megabytes(makers[side](0), X, y) for side in makers}
    print(f"\n{name}")
    for side in makers:
        accuracy = np.mean([run[1] for run in runs[side]])
        print(
            f"  {side:8s} median CPU {np.median(times[side]):7.3f} s   "
            f"train accuracy {accuracy:.4f}   peak {memory[side]:6.2f} MB"
        )
    ratio = np.median(times["sknn"] / times["sklearn"])
    print(
        f"  median time ratio sknn/sklearn: {ratio:.2f}   "
        f"memory ratio: {memory['sknn'] / memory['sklearn']:.2f}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--only", nargs="*", help="run only the configurations whose name has this"
    )
    args = parser.parse_args()

    blas = [(lib["internal_api"], lib["version"]) for lib in threadpool_info()]
    machine = platform.processor() or platform.machine()
    print(f"{machine}, Python {platform.python_version()}, BLAS {blas}, 1 thread")
    print(f"settings: {SETTINGS}; CPU time (time.process_time)")
    l2, average = {"penalty": "l2", "alpha": 1e-4}, {"average": True}
    configurations = {
        "dense 160k x 100, binary": (lambda: dense_problem(2), {}),
        "dense 160k x 100, 10 classes": (lambda: dense_problem(10), {}),
        "CSR 1% 100k x 10k, binary": (lambda: sparse_problem(2), {}),
        "CSR 1% 100k x 10k, 10 classes": (lambda: sparse_problem(10), {}),
        "digits": (lambda: load_digits(return_X_y=True), {}),
        "CSR 1% 100k x 10k, binary, l2": (lambda: sparse_problem(2), l2),
        "CSR 1% 100k x 10k, 10 classes, l2": (lambda: sparse_problem(10), l2),
        "CSR 1% 100k x 10k, binary, average": (lambda: sparse_problem(2), average),
        "CSR 1% 100k x 10k, 10 classes, average": (
            lambda: sparse_problem(10),
            average,
        ),
    }
    with threadpool_limits(1):
        for name, (make, extra) in configurations.items():
            if args.only and not any(word in name for word in args.only):
                continue
            compare(name, *make(), args.repeats, extra)


if __name__ == "__main__":
    main()
