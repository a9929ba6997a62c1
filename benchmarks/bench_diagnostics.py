"""The cost of ``diagnostics=True``: fit time with and without the recorder.

The same MLPNeuronClassifier (hidden layers (256, 128), batch 200, a fixed
number of epochs: ``tol=0``) trains on the 60,000 x 784 problem of
``bench_mlp.py`` with ``diagnostics=False`` and ``diagnostics=True``,
interleaved in one process (off, on, off, on, ...). Printed: both median fit
times and the median of the paired ratios on/off, whose excess over 1 is the
overhead. ``--clock cpu`` times with the process's CPU time instead of the
wall clock, which other work on a shared machine disturbs less.

``--problem readme`` times the README's own example instead (*Looking
inside*): eight hidden layers of 32 logistic units on digits / 16, adam,
``alpha=0``, 30 epochs. Small layers make the per-batch statistics a larger
share of the work, so the overhead there is larger than on the big problem.

Run with one BLAS thread (forced here through threadpoolctl) and the OpenBLAS
tuning variables unset::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_diagnostics.py
"""

import argparse
import time
import warnings

import numpy as np
from bench_mlp import load
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_info, threadpool_limits

from sknn import MLPNeuronClassifier

README_EXAMPLE = dict(
    hidden_layer_sizes=(32,) * 8,
    activation="logistic",
    alpha=0.0,
    max_iter=30,
    tol=0.0,
    random_state=0,
)
"""The network of the README's *Looking inside* (tol=0: always 30 epochs)."""


def make_model(args, diagnostics):
    if args.problem == "readme":
        return MLPNeuronClassifier(**README_EXAMPLE, diagnostics=diagnostics)
    return MLPNeuronClassifier(
        hidden_layer_sizes=(256, 128),
        activation=args.activation,
        solver=args.solver,
        batch_size=200,
        max_iter=args.epochs,
        tol=0.0,
        random_state=0,
        diagnostics=diagnostics,
    )


def load_problem(args):
    if args.problem == "readme":
        X, y = load_digits(return_X_y=True)
        return X / 16, y
    X, _, y, _ = load("60k")
    return X, y


def describe(args, X):
    if args.problem == "readme":
        return (
            f"{X.shape[0]} x {X.shape[1]} digits / 16 {args.dtype}; hidden (32,) * 8 "
            "logistic; batch 200; adam; alpha 0; 30 epochs"
        )
    return (
        f"{X.shape[0]} x {X.shape[1]} {args.dtype}; hidden (256, 128) "
        f"{args.activation}; batch 200; {args.solver}; {args.epochs} epochs"
    )


def fit_seconds(X, y, args, diagnostics):
    model = make_model(args, diagnostics)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clock = time.process_time if args.clock == "cpu" else time.perf_counter
        start = clock()
        model.fit(X, y)
        seconds = clock() - start
    assert hasattr(model, "diagnostics_") == diagnostics
    return seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--solver", default="adam", choices=["adam", "sgd"])
    parser.add_argument("--activation", default="relu")
    parser.add_argument("--dtype", default="float64", choices=["float64", "float32"])
    parser.add_argument("--clock", default="wall", choices=["wall", "cpu"])
    parser.add_argument("--problem", default="60k", choices=["60k", "readme"])
    args = parser.parse_args()
    X, y = load_problem(args)
    X = X.astype(args.dtype)
    times = {False: [], True: []}
    with threadpool_limits(1):
        blas = [f"{i['internal_api']} {i.get('version')}" for i in threadpool_info()]
        print(
            f"BLAS: {', '.join(blas)}; 1 thread; {describe(args, X)}; "
            f"{args.repeats} repeats, interleaved; {args.clock} clock",
            flush=True,
        )
        for _ in range(args.repeats):
            for diagnostics in (False, True):
                times[diagnostics].append(fit_seconds(X, y, args, diagnostics))
    off, on = np.array(times[False]), np.array(times[True])
    ratio = float(np.median(on / off))
    print(
        f"diagnostics off {np.median(off):7.3f}s  on {np.median(on):7.3f}s  "
        f"paired ratio on/off {ratio:.3f} (overhead {100 * (ratio - 1):+.1f}%)"
    )
    print("ratios:", " ".join(f"{r:.3f}" for r in on / off))


if __name__ == "__main__":
    main()
