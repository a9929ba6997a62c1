"""Peak memory and time of an L-BFGS fit: MLPNeuronClassifier against MLPClassifier.

L-BFGS trains on the whole training set at every evaluation. scikit-learn
holds every layer's activations and deltas for every sample; sknn runs the
full batch through its workspaces in pieces of ``sknn._network.MAX_BATCH_ROWS``
rows and adds up their gradients. Printed: the peak memory traced during one
fit of each (tracemalloc, in fits of their own), and the median fit times and
paired time ratio over interleaved repeats (sknn, sklearn, sknn, ...), with
the loss each reached (the same iterates up to rounding).

Run with one BLAS thread (forced here) and the OpenBLAS tuning variables
unset::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_lbfgs.py
"""

import argparse
import time
import tracemalloc
import warnings

import numpy as np
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_limits

from sknn import MLPNeuronClassifier


def fit(cls, X, y, max_iter):
    model = cls(
        hidden_layer_sizes=(256, 128), solver="lbfgs", max_iter=max_iter, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        model.fit(X, y)
    return model, time.perf_counter() - start


def peak(cls, X, y, max_iter):
    tracemalloc.start()
    fit(cls, X, y, max_iter)
    value = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return value


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=48_000)
    parser.add_argument("--features", type=int, default=784)
    parser.add_argument("--max-iter", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    X, y = make_classification(
        n_samples=args.samples,
        n_features=args.features,
        n_informative=50,
        n_classes=10,
        random_state=0,
    )
    print(
        f"{args.samples} x {args.features} float64, hidden (256, 128), lbfgs, "
        f"max_iter={args.max_iter}, one BLAS thread"
    )
    with threadpool_limits(limits=1):
        peaks = {cls: peak(cls, X, y, args.max_iter) for cls in (MLPNeuronClassifier,)}
        peaks[MLPClassifier] = peak(MLPClassifier, X, y, args.max_iter)
        times = {MLPNeuronClassifier: [], MLPClassifier: []}
        losses = {}
        for _ in range(args.repeats):
            for cls in (MLPNeuronClassifier, MLPClassifier):
                model, seconds = fit(cls, X, y, args.max_iter)
                times[cls].append(seconds)
                losses[cls] = model.loss_
    ratios = np.array(times[MLPNeuronClassifier]) / np.array(times[MLPClassifier])
    mb = {cls: value / 2**20 for cls, value in peaks.items()}
    print(
        f"peak MB sknn / sklearn: {mb[MLPNeuronClassifier]:.1f} / "
        f"{mb[MLPClassifier]:.1f} = {mb[MLPNeuronClassifier] / mb[MLPClassifier]:.2f}"
    )
    print(
        f"median seconds sknn / sklearn: {np.median(times[MLPNeuronClassifier]):.2f} /"
        f" {np.median(times[MLPClassifier]):.2f}; median paired ratio "
        f"{np.median(ratios):.2f}"
    )
    print(
        f"final loss sknn / sklearn: {losses[MLPNeuronClassifier]:.6f} / "
        f"{losses[MLPClassifier]:.6f}"
    )


if __name__ == "__main__":
    main()
