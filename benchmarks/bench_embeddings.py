"""Time the tabular input layers against the dense product they sit in front of.

On 256-row batches of a 10,000 x 60 numeric table (values in the encoder's
range, (-3, 3)) each contender runs a forward and a backward pass per batch:

``dense``
    a dense first layer of the same output width as the embedding: the
    product ``X W`` (60 -> 60 * n_dims) and the weight gradient ``X^T δ``;
``pbld`` / ``plr``
    :class:`sknn._embeddings.PeriodicEmbedding` forward and backward, with
    the compiled cos and sin in float64 and numpy's in float32;
``pbld-numpy``
    the same float64 layer with numpy's ``np.cos`` and ``np.sin`` in place of
    the kernel (what the layer would cost without it);
``categorical``
    :class:`sknn._embeddings.CategoricalEmbedding` on three columns of 50
    categories, 8 dimensions each (gather, and the bincount scatter-add);
``net-3x256``
    for scale: one training step (forward, backward) of the dense core with
    three hidden layers of 256 on the embedding's output.

The contenders take turns batch by batch over several epochs, one BLAS
thread; printed are the median CPU microseconds per batch and the ratio to
``dense``::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_embeddings.py
"""

import argparse
import time

import numpy as np
from threadpoolctl import threadpool_limits

import sknn._embeddings as embeddings
from sknn._embeddings import CategoricalEmbedding, PeriodicEmbedding
from sknn._losses import get_loss
from sknn._network import Network
from sknn.activations import get_activation

N_ROWS, N_FEATURES, BATCH = 10_000, 60, 256


def _numpy_trig(inputs_t, frequencies, phases, cos, sin):
    turns = inputs_t.T[:, :, None] * frequencies[:, None, :] + phases[:, None, :]
    turns *= 2 * np.pi
    np.cos(turns, out=cos)
    np.sin(turns, out=sin)


def _bound(layer, dtype):
    layer.bind(np.empty(layer.n_params, dtype), np.empty(layer.n_params, dtype))
    layer.initialize(np.random.RandomState(0))
    return layer


def contenders(dtype, n_frequencies, n_dims):
    rng = np.random.RandomState(0)
    width = N_FEATURES * n_dims
    W = rng.randn(N_FEATURES, width).astype(dtype)
    dense_out = np.empty((BATCH, width), dtype)
    dense_grad = np.empty_like(W)
    delta = rng.randn(BATCH, width).astype(dtype)

    def dense(X):
        np.matmul(X, W, out=dense_out)
        np.matmul(X.T, delta, out=dense_grad)

    def embedding(kind, numpy_trig=False):
        layer = _bound(
            PeriodicEmbedding(
                N_FEATURES, n_frequencies, n_dims, kind=kind, dtype=dtype
            ),
            dtype,
        )
        out = np.empty((BATCH, layer.n_outputs), dtype)

        def step(X):
            if numpy_trig:
                kept = embeddings.periodic_features
                embeddings.periodic_features = _numpy_trig
            try:
                layer.forward(X, out)
            finally:
                if numpy_trig:
                    embeddings.periodic_features = kept
            layer.backward(delta)

        return step

    categorical = _bound(CategoricalEmbedding([50, 50, 50], 8, dtype), dtype)
    codes = rng.randint(50, size=(N_ROWS, 3))
    cat_out = np.empty((BATCH, categorical.n_outputs), dtype)
    cat_delta = rng.randn(BATCH, categorical.n_outputs).astype(dtype)

    def categorical_step(X, rows):
        categorical.forward(codes[rows], cat_out)
        categorical.backward(cat_delta)

    net = Network(
        [width, 256, 256, 256, 2],
        [get_activation("relu")] * 3,
        get_loss("log_loss"),
        dtype,
    )
    net.initialize(0)
    inputs = rng.randn(BATCH, width).astype(dtype)
    Y = np.eye(2)[rng.randint(2, size=BATCH)]

    def net_step(X):
        net.loss_and_gradient(inputs, Y)

    found = {
        "dense": dense,
        "pbld": embedding("pbld"),
        "plr": embedding("plr"),
        "categorical": None,
        "net-3x256": net_step,
    }
    if dtype == np.float64:
        found["pbld-numpy"] = embedding("pbld", numpy_trig=True)
    return found, categorical_step


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--frequencies", type=int, default=16)
    parser.add_argument("--dims", type=int, default=4)
    args = parser.parse_args(argv)
    rng = np.random.RandomState(1)
    with threadpool_limits(limits=1):
        for dtype in (np.float64, np.float32):
            table = rng.uniform(-3, 3, size=(N_ROWS, N_FEATURES)).astype(dtype)
            steps, categorical_step = contenders(dtype, args.frequencies, args.dims)
            times = {name: [] for name in steps}
            for _ in range(args.epochs):
                for start in range(0, N_ROWS - BATCH + 1, BATCH):
                    rows = slice(start, start + BATCH)
                    X = table[rows]
                    for name, step in steps.items():
                        begin = time.process_time()
                        if step is None:
                            categorical_step(X, rows)
                        else:
                            step(X)
                        times[name].append(time.process_time() - begin)
            dense = np.median(times["dense"])
            print(
                f"\n{np.dtype(dtype).name}: {BATCH}-row batches of {N_ROWS} x "
                f"{N_FEATURES}, k={args.frequencies}, n_dims={args.dims} "
                f"(output width {N_FEATURES * args.dims})"
            )
            for name, values in times.items():
                median = np.median(values)
                print(
                    f"  {name:<12} {median * 1e6:9.0f} us/batch "
                    f"{median / dense:7.2f} x dense"
                )


if __name__ == "__main__":
    main()
