"""Time each compiled kernel of the network against the numpy sequence it replaced.

The numpy sequences are the oracles kept for the tests (``tests/oracles.py``);
the kernels are called through the methods the network calls. Shapes are
those of ``bench_mlp.py``'s configurations: flat buffers of the 784-256-128-10
and 100-256-128-10 networks, and 200-row batches. Each case runs both sides
interleaved (numpy, kernel, numpy, kernel, ...) and prints the medians, in
CPU time (``time.process_time``), which a busy shared machine disturbs less
than wall time. Arrays that a pass overwrites are restored from a copy
before each call on both sides (the copy's time is subtracted), so no value
drifts into subnormals over the repeats.

Run with one BLAS thread::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 \\
        python benchmarks/bench_kernels.py
"""

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from oracles import (  # noqa: E402
    NUMPY_VALUE_AND_DELTA,
    numpy_adam_step,
    numpy_add_bias_and_apply,
    numpy_backprop_and_sum,
    numpy_sgd_step,
)

from sknn._losses import get_loss  # noqa: E402
from sknn._optimizers import SGD, Adam  # noqa: E402
from sknn.activations import get_activation  # noqa: E402

REPEATS = 7


def median_micros(calls, number, restore):
    """Median CPU time per call, in µs, of each of ``calls``, interleaved."""
    times = {name: [] for name in calls}
    for _ in range(REPEATS):
        for name, call in calls.items():
            start = time.process_time()
            for _ in range(number):
                restore()
                call()
            times[name].append(time.process_time() - start)
    baseline = []
    for _ in range(REPEATS):
        start = time.process_time()
        for _ in range(number):
            restore()
        baseline.append(time.process_time() - start)
    base = float(np.median(baseline))
    return {
        name: (float(np.median(t)) - base) / number * 1e6 for name, t in times.items()
    }


def report(label, micros):
    numpy_time, kernel_time = micros["numpy"], micros["kernel"]
    print(
        f"{label:44s} numpy {numpy_time:8.1f} µs  kernel {kernel_time:8.1f} µs  "
        f"speed-up {numpy_time / kernel_time:4.2f}x",
        flush=True,
    )


def optimizer_case(n_params, n_coef, dtype):
    rng = np.random.RandomState(0)
    start = rng.randn(n_params).astype(dtype)
    grads = rng.randn(n_params).astype(dtype)
    params, twin = start.copy(), start.copy()

    def restore():
        params[...] = start
        twin[...] = start

    adam = Adam(params)
    adam.step(params, grads)  # the oracle reads the step count, at least 1
    m, v = np.zeros_like(params), np.zeros_like(params)
    # the oracles' temporaries, allocated once as the training loop did
    scratch = (np.empty_like(params), np.empty_like(params))
    micros = median_micros(
        {
            "numpy": lambda: numpy_adam_step(
                twin, grads, m, v, adam, 1e-4, n_coef, scratch
            ),
            "kernel": lambda: adam.step(params, grads, 1e-4, n_coef),
        },
        50,
        restore,
    )
    report(f"adam step, {n_params} {np.dtype(dtype).name}", micros)
    sgd = SGD(params)
    velocity = np.zeros_like(params)
    micros = median_micros(
        {
            "numpy": lambda: numpy_sgd_step(
                twin, grads, velocity, 0.01, 0.9, True, 1e-4, n_coef, scratch
            ),
            "kernel": lambda: sgd.step(params, grads, 1e-4, n_coef),
        },
        50,
        restore,
    )
    report(f"sgd nesterov step, {n_params} {np.dtype(dtype).name}", micros)


# The activations with a compiled pass in each direction; the others use
# their numpy methods both ways.
FORWARD = {"relu", "identity", "leaky_relu"}
BACKWARD = {"relu", "leaky_relu", "tanh", "logistic"}


def activation_case(name, dtype, width):
    act = get_activation(name)
    rng = np.random.RandomState(0)
    z0 = rng.randn(200, width).astype(dtype)
    bias = rng.randn(width).astype(dtype)
    a = act.forward(z0.copy())
    d0 = rng.randn(200, width).astype(dtype)
    z, delta = z0.copy(), d0.copy()
    sums = np.empty(width, dtype)

    def restore():
        z[...] = z0
        delta[...] = d0

    def numpy_forward():
        numpy_add_bias_and_apply(act, z, bias)

    def numpy_backward():
        numpy_backprop_and_sum(act, delta, sums, z=z0, a=a)

    label = f"{name}, 200 x {width} {np.dtype(dtype).name}"
    if name in FORWARD:
        micros = median_micros(
            {
                "numpy": numpy_forward,
                "kernel": lambda: act.add_bias_and_apply(z, bias),
            },
            500,
            restore,
        )
        report(f"{label}: bias + f", micros)
    if name in BACKWARD:
        micros = median_micros(
            {
                "numpy": numpy_backward,
                "kernel": lambda: act.backprop_and_sum(delta, sums, z0, a),
            },
            500,
            restore,
        )
        report(f"{label}: f' delta + bias grad", micros)


def loss_case(name, dtype):
    loss, oracle = get_loss(name), NUMPY_VALUE_AND_DELTA[name]
    n_outputs = 1 if name == "binary_log_loss" else 10
    rng = np.random.RandomState(0)
    z0 = rng.randn(200, n_outputs).astype(dtype)
    Y = np.eye(n_outputs, dtype=dtype)[rng.randint(0, n_outputs, 200)]
    z = z0.copy()

    def restore():
        z[...] = z0

    micros = median_micros(
        {
            "numpy": lambda: oracle(z, Y, None, 0.005),
            "kernel": lambda: loss.value_and_delta(z, Y, None, 0.005),
        },
        1000,
        restore,
    )
    report(f"{name}, 200 x {n_outputs} {np.dtype(dtype).name}", micros)


def main():
    dtypes = (np.float64, np.float32)
    for n_params, n_coef in ((235_146, 234_752), (60_042, 59_648)):
        for dtype in dtypes:
            optimizer_case(n_params, n_coef, dtype)
    for name in sorted(FORWARD | BACKWARD):
        for dtype in dtypes:
            for width in (256, 128):
                activation_case(name, dtype, width)
    for name in sorted(NUMPY_VALUE_AND_DELTA):
        for dtype in dtypes:
            loss_case(name, dtype)


if __name__ == "__main__":
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        main()
