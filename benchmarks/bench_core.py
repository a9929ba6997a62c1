"""Time sknn's numpy core against the matrix-product floor.

One epoch of mini-batch training (``Network.loss_and_gradient`` then
``Adam.step`` on every batch) is timed against the bare sequence of matrix
products of the same shapes (three forward, three weight-gradient and two
delta products per batch), which no numpy implementation can beat. The two
are interleaved in one process and the median ratio is printed per dtype.

Run with one BLAS thread and the OpenBLAS tuning variables unset::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_core.py

Batches are contiguous row slices: gathering a shuffled batch is the
training loop's job and is not timed here. The optimizer steps with
``overwrite_grads=True`` (``--keep-grads`` to compare). ``--clock cpu`` times with the
thread's CPU clock, which a busy machine disturbs less than the wall clock.
"""

import argparse
import time

import numpy as np
from threadpoolctl import threadpool_limits

from sknn._losses import get_loss
from sknn._network import Network
from sknn._optimizers import Adam
from sknn.activations import get_activation


def make_problem(n_samples, n_features, n_classes, dtype, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n_samples, n_features).astype(dtype)
    Y = np.eye(n_classes, dtype=dtype)[rng.randint(n_classes, size=n_samples)]
    return X, Y


def core_epoch(net, optimizer, X, Y, batch_size, alpha, overwrite_grads=True):
    for start in range(0, X.shape[0], batch_size):
        stop = start + batch_size
        net.loss_and_gradient(X[start:stop], Y[start:stop], None, alpha)
        optimizer.step(net.params, net.grads, overwrite_grads=overwrite_grads)


def floor_epoch(coefs, buffers, X, batch_size):
    outputs, deltas, grads = buffers
    for start in range(0, X.shape[0], batch_size):
        inputs = X[start : start + batch_size]
        n = inputs.shape[0]
        layer_inputs = [inputs]
        for coef, out in zip(coefs, outputs):
            np.matmul(layer_inputs[-1], coef, out=out[:n])
            layer_inputs.append(out[:n])
        delta = outputs[-1][:n]
        for i in range(len(coefs) - 1, -1, -1):
            np.matmul(layer_inputs[i].T, delta, out=grads[i])
            if i:
                np.matmul(delta, coefs[i].T, out=deltas[i - 1][:n])
                delta = deltas[i - 1][:n]


def run(
    n_samples, n_features, hidden, n_classes, batch_size, dtype, repeats, clock, keep
):
    X, Y = make_problem(n_samples, n_features, n_classes, dtype)
    sizes = [n_features, *hidden, n_classes]
    activations = [get_activation("relu") for _ in hidden]
    net = Network(sizes, activations, get_loss("log_loss"), dtype=dtype)
    net.initialize(np.random.RandomState(0))
    optimizer = Adam(net.params)
    coefs = [coef.copy() for coef in net.coefs]
    buffers = (
        [np.empty((batch_size, size), dtype) for size in sizes[1:]],
        [np.empty((batch_size, size), dtype) for size in hidden],
        [np.empty_like(coef) for coef in coefs],
    )
    times = {"core": [], "floor": []}
    for _ in range(repeats):
        start = clock()
        core_epoch(net, optimizer, X, Y, batch_size, 1e-4, not keep)
        times["core"].append(clock() - start)
        start = clock()
        floor_epoch(coefs, buffers, X, batch_size)
        times["floor"].append(clock() - start)
    core, floor = np.median(times["core"]), np.median(times["floor"])
    ratios = np.array(times["core"]) / np.array(times["floor"])
    print(
        f"{np.dtype(dtype).name:8s} {n_samples}x{n_features} hidden={hidden} "
        f"batch={batch_size}: core {core:.3f}s, floor {floor:.3f}s, "
        f"core/floor {core / floor:.3f} (median of paired ratios "
        f"{np.median(ratios):.3f}, {repeats} repeats)"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=12_000)
    parser.add_argument("--features", type=int, default=784)
    parser.add_argument("--hidden", type=int, nargs="+", default=[256, 128])
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument(
        "--dtype",
        choices=["float64", "float32"],
        nargs="+",
        default=["float64", "float32"],
    )
    parser.add_argument("--clock", choices=["wall", "cpu"], default="wall")
    parser.add_argument(
        "--keep-grads",
        action="store_true",
        help="step without overwrite_grads (the optimizer's own scratch buffer)",
    )
    args = parser.parse_args()
    clock = time.perf_counter if args.clock == "wall" else time.thread_time
    with threadpool_limits(1):
        for dtype in args.dtype:
            run(
                args.samples,
                args.features,
                tuple(args.hidden),
                args.classes,
                args.batch_size,
                np.dtype(dtype),
                args.repeats,
                clock,
                args.keep_grads,
            )


if __name__ == "__main__":
    main()
