"""Time MLPNeuronClassifier against scikit-learn's MLPClassifier and the matmul floor.

For each configuration both estimators train on the same data with the same
parameters (a fixed number of epochs: ``tol=0`` and ``max_iter=epochs``),
interleaved in one process (sknn, sklearn, floor, sknn, sklearn, floor, ...)
over several repeats. Printed per configuration: the median fit times and the
median of the paired time ratios sknn/sklearn, both test accuracies, both
peak memories during fit (tracemalloc, in a separate untimed fit), and the
*floor*: the time of the bare matrix products of the same shapes for the same
number of batches (per batch, one product per layer forward, one weight
gradient per layer and one delta per hidden layer backward), which no numpy
implementation can beat. Each side's time is also given as a multiple of it.

The problems: 60,000 x 784 and 200,000 x 100 (ten classes from
``make_classification``) with hidden layers (256, 128), batches of 200 and
``--epochs`` epochs; the digits (1,347 training rows of 64 pixels) with (100,),
batches of 200 and ``--digits-epochs``; and a table of the size tabular
networks train on, 10,000 x 60 (two classes), with (256, 256, 256), batches
of 256 and 20 epochs.

Run with one BLAS thread (forced here through threadpoolctl) and the OpenBLAS
tuning variables unset::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_mlp.py

``--config`` selects configurations (default: all), ``--repeats`` the number
of timed fits per estimator, ``--epochs`` the epochs of the large problems,
``--clock process`` times CPU seconds of this process instead of wall time
(steadier on a machine shared with other work).
"""

import argparse
import time
import tracemalloc
import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.datasets import load_digits, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_info, threadpool_limits

from sknn import MLPNeuronClassifier


@dataclass
class Config:
    name: str
    data: str
    solver: str
    dtype: str
    hidden: tuple
    epochs: int
    batch_size: int = 200


TABULAR_EPOCHS = 20
"""The tabular problem's epochs: many passes over a small table, as such fits take."""


def configurations(epochs, digits_epochs):
    configs = []
    for dtype in ("float64", "float32"):
        configs += [
            Config(f"60k-adam-{dtype}", "60k", "adam", dtype, (256, 128), epochs),
            Config(f"60k-sgd-{dtype}", "60k", "sgd", dtype, (256, 128), epochs),
            Config(f"200k-adam-{dtype}", "200k", "adam", dtype, (256, 128), epochs),
            Config(f"200k-sgd-{dtype}", "200k", "sgd", dtype, (256, 128), epochs),
            *(
                Config(
                    f"digits-{solver}-{dtype}",
                    "digits",
                    solver,
                    dtype,
                    (100,),
                    digits_epochs,
                )
                for solver in ("adam", "sgd")
            ),
            Config(
                f"tabular-adam-{dtype}",
                "tabular",
                "adam",
                dtype,
                (256, 256, 256),
                TABULAR_EPOCHS,
                batch_size=256,
            ),
        ]
    return configs


_DATA = {}


def load(data):
    """Return (X_train, X_test, y_train, y_test) in float64, cached."""
    if data not in _DATA:
        if data == "digits":
            X, y = load_digits(return_X_y=True)
            X = X / 16.0
            _DATA[data] = train_test_split(X, y, test_size=0.25, random_state=0)
        elif data == "tabular":
            X, y = make_classification(
                n_samples=12_000,
                n_features=60,
                n_informative=30,
                random_state=0,
            )
            _DATA[data] = train_test_split(X, y, train_size=10_000, random_state=0)
        else:
            n_train, n_features = {"60k": (60_000, 784), "200k": (200_000, 100)}[data]
            X, y = make_classification(
                n_samples=n_train + 10_000,
                n_features=n_features,
                n_informative=50,
                n_classes=10,
                random_state=0,
            )
            _DATA[data] = train_test_split(X, y, train_size=n_train, random_state=0)
    return _DATA[data]


def estimator(kind, config):
    params = dict(
        hidden_layer_sizes=config.hidden,
        solver=config.solver,
        batch_size=config.batch_size,
        max_iter=config.epochs,
        tol=0.0,
        random_state=0,
    )
    return (MLPNeuronClassifier if kind == "sknn" else MLPClassifier)(**params)


CLOCKS = {"process": time.process_time, "wall": time.perf_counter}


def timed_fit(model, X, y, clock=time.perf_counter):
    """Fit ``model`` and return it with the seconds ``clock`` counted during fit."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = clock()
        model.fit(X, y)
        return model, clock() - start


def peak_fit_memory(model, X, y):
    """Peak bytes traced by tracemalloc during one fit (numpy reports its arrays)."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    timed_fit(model, X, y)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def fit(kind, config, X, y, clock=time.perf_counter):
    return timed_fit(estimator(kind, config), X, y, clock)


def peak_memory(kind, config, X, y):
    return peak_fit_memory(estimator(kind, config), X, y)


class Floor:
    """The matrix products of training alone, in preallocated buffers."""

    def __init__(self, config, X, n_classes):
        dtype = X.dtype
        sizes = [X.shape[1], *config.hidden, n_classes]
        rng = np.random.RandomState(0)
        self.coefs = [
            rng.uniform(-0.1, 0.1, (a, b)).astype(dtype)
            for a, b in zip(sizes, sizes[1:])
        ]
        self.batch_size = batch = getattr(config, "batch_size", 200)
        self.outputs = [np.empty((batch, size), dtype) for size in sizes[1:]]
        self.deltas = [np.empty((batch, size), dtype) for size in sizes[1:-1]]
        self.grads = [np.empty_like(coef) for coef in self.coefs]
        self.X = X
        self.epochs = config.epochs

    def run(self, clock=time.perf_counter):
        start = clock()
        for _ in range(self.epochs):
            for first in range(0, self.X.shape[0], self.batch_size):
                self._batch(self.X[first : first + self.batch_size])
        return clock() - start

    def _batch(self, inputs):
        n = inputs.shape[0]
        layer_inputs = [inputs]
        for coef, out in zip(self.coefs, self.outputs):
            np.matmul(layer_inputs[-1], coef, out=out[:n])
            layer_inputs.append(out[:n])
        delta = self.outputs[-1][:n]
        for i in range(len(self.coefs) - 1, -1, -1):
            np.matmul(layer_inputs[i].T, delta, out=self.grads[i])
            if i:
                np.matmul(delta, self.coefs[i].T, out=self.deltas[i - 1][:n])
                delta = self.deltas[i - 1][:n]


def run(config, repeats, measure_memory, clock=time.perf_counter):
    X_train, X_test, y_train, y_test = load(config.data)
    X_train = X_train.astype(config.dtype)
    X_test = X_test.astype(config.dtype)
    n_classes = len(np.unique(y_train))
    # a binary problem has one logistic output unit
    floor = Floor(config, X_train, 1 if n_classes == 2 else n_classes)
    times = {"sknn": [], "sklearn": [], "floor": []}
    accuracy = {}
    for _ in range(repeats):
        for kind in ("sknn", "sklearn"):
            model, seconds = fit(kind, config, X_train, y_train, clock)
            times[kind].append(seconds)
            accuracy[kind] = model.score(X_test, y_test)
        times["floor"].append(floor.run(clock))
    memory = {"sknn": np.nan, "sklearn": np.nan}
    if measure_memory:
        memory = {kind: peak_memory(kind, config, X_train, y_train) for kind in memory}
    median = {kind: float(np.median(t)) for kind, t in times.items()}
    ratio = float(np.median(np.array(times["sknn"]) / np.array(times["sklearn"])))
    print(
        f"{config.name:20s} epochs={config.epochs:<3d} "
        f"sknn {median['sknn']:7.3f}s  sklearn {median['sklearn']:7.3f}s  "
        f"ratio {ratio:5.2f}  |  floor {median['floor']:7.3f}s: "
        f"sknn {median['sknn'] / median['floor']:4.2f}x, "
        f"sklearn {median['sklearn'] / median['floor']:4.2f}x  |  "
        f"accuracy {accuracy['sknn']:.4f} / {accuracy['sklearn']:.4f}  |  "
        f"peak MB {memory['sknn'] / 2**20:7.2f} / {memory['sklearn'] / 2**20:7.2f}",
        flush=True,
    )


def add_clock_option(parser):
    # CPU time of this process is steadier than wall time on a machine whose
    # cores other jobs share; wall time is what a user waits.
    parser.add_argument(
        "--clock",
        choices=sorted(CLOCKS),
        default="wall",
        help="process: CPU time of this process; wall: elapsed time (default)",
    )


def main(
    configurations=configurations, run=run, small="digits", small_epochs=30, doc=__doc__
):
    """Parse the command line and run the chosen configurations.

    ``configurations(epochs, small_epochs)`` lists them and ``run`` times one;
    ``small`` names the small problem whose epochs ``--<small>-epochs`` sets.
    The regressor's benchmark passes its own, and its ``doc``.
    """
    names = [config.name for config in configurations(3, small_epochs)]
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument(
        "--config",
        nargs="+",
        default=names,
        metavar="NAME",
        help=f"configurations to run, any of: {' '.join(names)}",
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument(f"--{small}-epochs", type=int, default=small_epochs)
    parser.add_argument(
        "--no-memory", action="store_true", help="skip the tracemalloc fits"
    )
    add_clock_option(parser)
    args = parser.parse_args()
    unknown = set(args.config) - set(names)
    if unknown:
        parser.error(f"unknown configuration(s) {sorted(unknown)}; choose from {names}")
    with threadpool_limits(1):
        blas = [f"{i['internal_api']} {i.get('version')}" for i in threadpool_info()]
        print(
            f"BLAS: {', '.join(blas)}; 1 thread; {args.repeats} repeats; "
            f"{args.clock} time; times are medians; "
            "ratio = median of paired sknn/sklearn ratios"
        )
        for config in configurations(args.epochs, getattr(args, f"{small}_epochs")):
            if config.name in args.config:
                run(config, args.repeats, not args.no_memory, CLOCKS[args.clock])


if __name__ == "__main__":
    main()
