"""Peak memory of training out of core, chunk by chunk, against training in memory.

A classification data set (float32 features, int64 labels) is written to raw
files in a temporary directory, one chunk at a time, so that no process ever
holds it whole unless asked to. Each estimator is then trained for one epoch
in several ways, every one in a fresh Python process so that its peak memory
is its own:

``in-memory``
    The whole file read into an array, then one ``partial_fit`` on all of it:
    the usual way, for comparison.
``memmap``
    ``fit_incremental(est, X, y, chunk_size=...)`` with ``X`` and ``y``
    ``numpy.memmap`` views of the whole files.
``read-chunks``
    ``fit_incremental(est, read_chunks)`` with a generator function that
    reads one chunk at a time from the files (``np.fromfile`` at an offset).
``dask``
    ``fit_incremental(est, X, y)`` with ``X`` a ``dask.array`` made of one
    delayed file read per chunk (skipped when dask is not installed).

Printed per run: the chunk and data sizes, the model's size (every array the
fitted estimator holds: weights, optimizer state, workspaces), the peak of
the memory numpy allocated during training (tracemalloc), that peak over one
chunk plus the model, the growth of the process's peak resident set
(``ru_maxrss``, after imports and before training), the training time and the
test accuracy.

Pages of a memory-mapped file count in the resident set while they are
mapped, although the kernel can drop them at any time (they are clean copies
of the file), so ``memmap`` shows a resident set close to the file's size
while its allocations stay at the chunk's. Reading chunks keeps both bounded.
A dask array holds about two chunks at once (dask copies the block it hands
back), and its threaded scheduler leaves freed memory in per-thread malloc
arenas, which shows in the resident set; ``DASK_SCHEDULER=synchronous``
brings that back to the allocations.

Run with one BLAS thread (forced here through threadpoolctl) and the OpenBLAS
tuning variables unset::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_out_of_core.py

``--rows`` and ``--features`` size the data, ``--chunks`` lists the chunk
sizes in rows, ``--estimators`` selects ``mlp`` and/or ``perceptron``.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

N_CLASSES = 10
N_TEST = 20_000
WRITE_ROWS = 50_000


# -- the data -------------------------------------------------------------------


def make_rows(seed, n_rows, teacher):
    """Rows of a noisy linear 10-class problem; deterministic per seed."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_rows, teacher.shape[0]), dtype=np.float32)
    scores = X @ teacher + rng.gumbel(size=(n_rows, N_CLASSES)).astype(np.float32)
    return X, scores.argmax(axis=1).astype(np.int64)


def write_data(folder, n_rows, n_features):
    teacher = np.random.default_rng(0).normal(size=(n_features, N_CLASSES)) / 2
    teacher = teacher.astype(np.float32)
    with open(folder / "X.f32", "wb") as fx, open(folder / "y.i64", "wb") as fy:
        for i, start in enumerate(range(0, n_rows, WRITE_ROWS)):
            X, y = make_rows(1 + i, min(WRITE_ROWS, n_rows - start), teacher)
            X.tofile(fx)
            y.tofile(fy)
    X_test, y_test = make_rows(10**6, N_TEST, teacher)
    np.save(folder / "X_test.npy", X_test)
    np.save(folder / "y_test.npy", y_test)


# -- one measured run (in a child process) ----------------------------------------


def estimator(name):
    from sknn import MLPNeuronClassifier, PerceptronClassifier

    if name == "mlp":
        return MLPNeuronClassifier(
            hidden_layer_sizes=(64,), batch_size=200, random_state=0
        )
    return PerceptronClassifier(random_state=0)


def training_run(mode, folder, n_features, chunk_rows):
    """Return a function that trains an estimator one epoch in the given mode."""
    from sknn import fit_incremental

    n_rows = (folder / "y.i64").stat().st_size // 8
    classes = np.arange(N_CLASSES)

    def read(start, stop):
        X = np.fromfile(
            folder / "X.f32",
            dtype=np.float32,
            count=(stop - start) * n_features,
            offset=start * n_features * 4,
        ).reshape(-1, n_features)
        y = np.fromfile(folder / "y.i64", dtype=np.int64, count=stop - start,
                        offset=start * 8)  # fmt: skip
        return X, y

    if mode == "in-memory":

        def train(est):
            X, y = read(0, n_rows)
            return est.partial_fit(X, y, classes=classes)

    elif mode == "memmap":

        def train(est):
            X = np.memmap(folder / "X.f32", np.float32, "r", shape=(n_rows, n_features))
            y = np.memmap(folder / "y.i64", np.int64, "r", shape=(n_rows,))
            return fit_incremental(est, X, y, classes=classes, chunk_size=chunk_rows)

    elif mode == "read-chunks":

        def read_chunks():
            for start in range(0, n_rows, chunk_rows):
                yield read(start, min(start + chunk_rows, n_rows))

        def train(est):
            return fit_incremental(est, read_chunks, classes=classes)

    elif mode == "dask":
        import dask
        import dask.array as da

        def train(est):
            starts = range(0, n_rows, chunk_rows)
            parts = [dask.delayed(read)(a, min(a + chunk_rows, n_rows)) for a in starts]
            X = da.concatenate([
                da.from_delayed(part[0], (min(chunk_rows, n_rows - a), n_features),
                                dtype=np.float32)
                for a, part in zip(starts, parts)
            ])  # fmt: skip
            y = da.concatenate([
                da.from_delayed(part[1], (min(chunk_rows, n_rows - a),), dtype=np.int64)
                for a, part in zip(starts, parts)
            ])  # fmt: skip
            return fit_incremental(est, X, y, classes=classes)

    return train


def array_bytes(obj, seen=None):
    """The bytes of every ndarray reachable from ``obj``'s state, each counted once."""
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return 0
    seen.add(id(obj))
    if isinstance(obj, np.ndarray):
        base = obj if obj.base is None else obj.base
        if id(base) in seen and base is not obj:
            return 0
        seen.add(id(base))
        return base.nbytes if isinstance(base, np.ndarray) else obj.nbytes
    if isinstance(obj, dict):
        children = obj.values()
    elif isinstance(obj, list | tuple):
        children = obj
    else:
        children = getattr(obj, "__dict__", {}).values()
    return sum(array_bytes(child, seen) for child in children)


def proc_status(*fields):
    """Fields of /proc/self/status in bytes (Linux)."""
    values = {}
    with open("/proc/self/status") as file:
        for line in file:
            key, _, value = line.partition(":")
            if key in fields:
                values[key] = int(value.split()[0]) * 1024
    return values


class AnonymousPeak(threading.Thread):
    """Samples the process's anonymous resident memory (not file pages) every ms."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak = proc_status("RssAnon")["RssAnon"]
        self.done = threading.Event()

    def run(self):
        while not self.done.wait(0.001):
            self.peak = max(self.peak, proc_status("RssAnon")["RssAnon"])


def peak_rss():
    """The peak resident set since :func:`reset_peak_rss` (or since the start)."""
    # ru_maxrss also keeps the peaks of exited threads, which clear_refs does
    # not reset, so VmHWM is read where there is one.
    try:
        return proc_status("VmHWM")["VmHWM"]
    except (OSError, KeyError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB


def reset_peak_rss():
    """Make the kernel's peak resident set (VmHWM, ru_maxrss) start from now."""
    try:
        with open("/proc/self/clear_refs", "w") as file:
            file.write("5")  # Linux >= 4.0
    except OSError:
        pass  # then the growth is measured from the import-time peak


def warm_up(est, mode, folder):
    """Load what the first training step would load (modules, shared libraries,
    e.g. scipy's), outside the measurement, by training a copy on a few rows."""
    from sklearn.base import clone

    from sknn import fit_incremental

    X = np.load(folder / "X_test.npy", mmap_mode="r")[:100]
    y = np.load(folder / "y_test.npy")[:100]
    fit_incremental(clone(est), X, y, classes=np.arange(N_CLASSES), chunk_size=50)
    if mode == "dask":
        import dask
        import dask.array as da

        part = da.from_delayed(dask.delayed(np.ones)(2), (2,), dtype=float)
        dask.compute(da.concatenate([part, part])[:1])


def child(args):
    folder = Path(args.folder)
    train = training_run(args.mode, folder, args.features, args.chunk)
    est = estimator(args.estimator)
    warnings.simplefilter("ignore")
    warm_up(est, args.mode, folder)
    with threadpool_limits(1):
        reset_peak_rss()
        before = proc_status("VmRSS", "RssAnon")
        sampler = AnonymousPeak()
        sampler.start()
        tracemalloc.start()
        start = time.perf_counter()
        train(est)
        seconds = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        sampler.done.set()
        sampler.join()
        max_rss = peak_rss()
        X_test = np.load(folder / "X_test.npy")
        accuracy = est.score(X_test, np.load(folder / "y_test.npy"))
    print(
        json.dumps(
            {
                "tracemalloc_peak": peak,
                "rss_growth": max_rss - before["VmRSS"],
                "anon_growth": sampler.peak - before["RssAnon"],
                "model_bytes": array_bytes(est),
                "seconds": seconds,
                "accuracy": accuracy,
                "t": float(est.t_),
            }
        )
    )


# -- the parent: write the data, run the children, print the table ----------------


def run_child(script, folder, est, mode, chunk, n_features):
    command = [
        sys.executable, script, "--child", "--folder", str(folder),
        "--estimator", est, "--mode", mode, "--chunk", str(chunk),
        "--features", str(n_features),
    ]  # fmt: skip
    out = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def modes():
    try:
        import dask.array  # noqa: F401
    except ImportError:
        return ["memmap", "read-chunks"]
    return ["memmap", "read-chunks", "dask"]


def parent(args):
    from sknn import __version__

    MB = 1e6
    row_bytes = args.features * 4 + 8
    print(
        f"sknn {__version__}, numpy {np.__version__}, Python {sys.version.split()[0]}, "
        f"{os.cpu_count()} CPUs, one BLAS thread; one epoch per run, each run in a "
        "fresh process."
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_data(folder, args.rows, args.features)
        data_mb = args.rows * row_bytes / MB
        print(
            f"data: {args.rows} rows x {args.features} float32 features + int64 "
            f"labels = {data_mb:.1f} MB on disk, {N_CLASSES} classes\n"
        )
        header = (
            f"{'estimator':<10} {'mode':<11} {'chunk rows':>10} {'chunk MB':>8} "
            f"{'model MB':>8} {'peak MB':>8} {'peak/(chunk+model)':>18} "
            f"{'rss +MB':>8} {'anon +MB':>8} {'seconds':>7} {'accuracy':>8}"
        )
        print(header)
        print("-" * len(header))
        for est in args.estimators:
            runs = [("in-memory", args.rows)]
            runs += [(mode, chunk) for chunk in args.chunks for mode in modes()]
            for mode, chunk in runs:
                r = run_child(__file__, folder, est, mode, chunk, args.features)
                assert r["t"] >= args.rows, r  # every row was trained on
                chunk_mb = chunk * row_bytes / MB
                model_mb = r["model_bytes"] / MB
                peak_mb = r["tracemalloc_peak"] / MB
                print(
                    f"{est:<10} {mode:<11} {chunk:>10} {chunk_mb:>8.1f} "
                    f"{model_mb:>8.2f} {peak_mb:>8.1f} "
                    f"{peak_mb / (chunk_mb + model_mb):>18.2f} "
                    f"{r['rss_growth'] / MB:>8.1f} {r['anon_growth'] / MB:>8.1f} "
                    f"{r['seconds']:>7.2f} "
                    f"{r['accuracy']:>8.4f}"
                )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=400_000)
    parser.add_argument("--features", type=int, default=64)
    parser.add_argument("--chunks", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument(
        "--estimators", nargs="+", default=["mlp", "perceptron"],
        choices=["mlp", "perceptron"],
    )  # fmt: skip
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    parser.add_argument("--estimator", help=argparse.SUPPRESS)
    parser.add_argument("--mode", help=argparse.SUPPRESS)
    parser.add_argument("--chunk", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
    else:
        parent(args)


if __name__ == "__main__":
    main()
