"""Time MLPNeuronClassifier's fits with one and with two BLAS threads.

sknn's stochastic solvers train with one BLAS thread (``sknn/_threads.py``
says why). To see what a second thread would do, this script lifts that limit
for its fits and sets the libraries' threads itself (threadpoolctl), one and
two in turn, interleaved (1, 2, 1, 2, ...), on ``bench_mlp.py``'s
configurations. It prints the median wall time of each, the median of the
paired ratios two/one with their range, and the median CPU time of each (CPU
time above wall time means threads spent time waiting).

Run with the OpenBLAS tuning variables unset::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_threads.py

``--config`` selects configurations (default: all), ``--repeats`` the number
of fits per thread count, ``--epochs`` the epochs of the large problems.
Report the machine's load beside the figures: the answer depends on it.
"""

import argparse
import contextlib
import time
import warnings

import bench_mlp
import numpy as np
from threadpoolctl import threadpool_limits

import sknn._training


def run(config, repeats):
    X, _, y, _ = bench_mlp.load(config.data)
    X = X.astype(config.dtype)
    wall = {1: [], 2: []}
    cpu = {1: [], 2: []}
    for _ in range(repeats):
        for threads in (1, 2):
            with threadpool_limits(threads, user_api="blas"):
                model = bench_mlp.estimator("sknn", config)
                start_wall, start_cpu = time.perf_counter(), time.process_time()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    model.fit(X, y)
                wall[threads].append(time.perf_counter() - start_wall)
                cpu[threads].append(time.process_time() - start_cpu)
    ratios = np.array(wall[2]) / np.array(wall[1])
    print(
        f"{config.name:22s} epochs={config.epochs:<3d} wall: 1 thread "
        f"{np.median(wall[1]):7.3f}s, 2 threads {np.median(wall[2]):7.3f}s, "
        f"ratio {np.median(ratios):5.2f} ({ratios.min():.2f} to {ratios.max():.2f})"
        f"  |  cpu: {np.median(cpu[1]):7.3f}s, {np.median(cpu[2]):7.3f}s",
        flush=True,
    )


def main():
    names = [config.name for config in bench_mlp.configurations(1, 30)]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", nargs="+", default=names, metavar="NAME")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=1)
    args = parser.parse_args()
    # the fits' own limit to one thread, lifted: the threads are set here
    sknn._training.one_blas_thread = contextlib.nullcontext
    for config in bench_mlp.configurations(args.epochs, 30):
        if config.name in args.config:
            run(config, args.repeats)


if __name__ == "__main__":
    main()
