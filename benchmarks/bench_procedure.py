"""The cost of the opt-in training procedure: a schedule, weight decay, clipping.

Issue 21's cost goal: together they may add at most 3 % CPU time per epoch on
bench_mlp's 60,000 x 784 problem. Each repeat fits MLPNeuronClassifier for
``--epochs`` epochs (``tol=0``) plainly and with ``learning_rate_schedule=
'cosine'``, ``weight_decay=0.01`` and ``max_grad_norm=1.0``, interleaved
(plain, options, plain, options, ...) in one process, one BLAS thread, CPU
time. Printed per configuration: both medians and the median of the paired
ratios (options / plain).

Run with the OpenBLAS tuning variables unset::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_procedure.py
"""

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

from sknn import MLPNeuronClassifier

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_mlp import load  # noqa: E402

OPTIONS = {
    "learning_rate_schedule": "cosine",
    "weight_decay": 0.01,
    "max_grad_norm": 1.0,
}


def fit_seconds(X, y, solver, epochs, options):
    clf = MLPNeuronClassifier(
        (256, 128), solver=solver, max_iter=epochs, tol=0.0, random_state=0, **options
    )
    start = time.process_time()
    clf.fit(X, y)
    return time.process_time() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=1)
    args = parser.parse_args(argv)
    X_train, _, y_train, _ = load("60k")
    print("configuration        plain s   options s   ratio (median of pairs)")
    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for dtype in ("float64", "float32"):
            X = X_train.astype(dtype)
            for solver in ("adam", "sgd"):
                plain, options = [], []
                for _ in range(args.repeats):
                    plain.append(fit_seconds(X, y_train, solver, args.epochs, {}))
                    options.append(
                        fit_seconds(X, y_train, solver, args.epochs, OPTIONS)
                    )
                ratio = np.median(np.divide(options, plain))
                print(
                    f"60k-{solver}-{dtype:<8} {np.median(plain):9.3f} "
                    f"{np.median(options):11.3f}   {ratio:.3f}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
