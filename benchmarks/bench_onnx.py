"""Time sknn's ONNX graphs in onnxruntime against skl2onnx's for scikit-learn.

An :class:`~sknn.MLPNeuronClassifier` and scikit-learn's
:class:`~sklearn.neural_network.MLPClassifier` of the same shape, fitted
from the same seed, are converted with ``skl2onnx.to_onnx`` (float32,
``zipmap=False``) and run by onnxruntime with one thread, on one row (a
service's latency) and on a batch. sknn's own ``predict_proba`` is timed
beside them. The runs are interleaved in one process; each figure is the
median over repeats of the CPU time per call (``time.process_time``, which
a busy machine disturbs less than the wall clock).

Run with one BLAS thread and the OpenBLAS tuning variables unset::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 \\
        python benchmarks/bench_onnx.py
"""

import argparse
import time
import warnings

import numpy as np
import onnxruntime as ort
from skl2onnx import to_onnx
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_limits

import sknn.onnx  # noqa: F401  (registers the converters)
from sknn import MLPNeuronClassifier


def session(model, X):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    onx = to_onnx(model, X[:1], options={"zipmap": False})
    return ort.InferenceSession(
        onx.SerializeToString(), options, providers=["CPUExecutionProvider"]
    )


def per_call(run, n_calls):
    start = time.process_time()
    for _ in range(n_calls):
        run()
    return (time.process_time() - start) / n_calls


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args()

    X, y = make_classification(
        n_samples=2000, n_features=40, n_informative=20, n_classes=4, random_state=0
    )
    X = X.astype(np.float32)
    print(
        f"{'activation':12s}{'rows':>6s}{'sknn onnx':>12s}{'sklearn onnx':>14s}"
        f"{'ratio':>7s}{'sknn numpy':>12s}"
    )
    for activation in ("relu", "tanh", "logistic"):
        params = dict(
            hidden_layer_sizes=(64, 64),
            activation=activation,
            max_iter=20,
            random_state=0,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            ours = MLPNeuronClassifier(**params).fit(X, y)
            theirs = MLPClassifier(**params).fit(X, y)
        ours_session, theirs_session = session(ours, X), session(theirs, X)
        for rows in (1, args.batch):
            batch = X[:rows]
            n_calls = max(5, 2000 // rows)
            runners = {
                "ours": lambda b=batch, s=ours_session: s.run(None, {"X": b}),
                "theirs": lambda b=batch, s=theirs_session: s.run(None, {"X": b}),
                "numpy": lambda b=batch, m=ours: m.predict_proba(b),
            }
            times = {name: [] for name in runners}
            for _ in range(args.repeats):
                for name, run in runners.items():
                    times[name].append(per_call(run, n_calls))
            us = {name: 1e6 * np.median(t) for name, t in times.items()}
            print(
                f"{activation:12s}{rows:6d}{us['ours']:10.1f}µs{us['theirs']:12.1f}µs"
                f"{us['ours'] / us['theirs']:7.2f}{us['numpy']:10.1f}µs"
            )


if __name__ == "__main__":
    with threadpool_limits(limits=1):
        main()
