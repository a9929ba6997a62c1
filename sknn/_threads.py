"""BLAS threads while a stochastic solver trains: one.

A mini-batch's products are small (a 200-row batch through a few hundred
units), and OpenBLAS's worker threads wait for a core between calls. On the
development machine (2 cores shared with other jobs, load 5 to 6) two BLAS
threads made every fit of ``benchmarks/bench_mlp.py`` slower than one, from 4x
(digits, float32) to 20x (200,000 x 100, adam, float32) in wall time, with ten
times the CPU time spent waiting. A machine's other load cannot be known from
inside a fit, so the safe default is one thread: training is never slower than
with one, whatever else runs. scikit-learn's KMeans limits BLAS inside its
iterations in the same way.

:func:`one_blas_thread` limits every BLAS library loaded (numpy's, and
scipy's, which the compiled epoch calls) for the duration of a ``with`` block,
and restores the previous counts after it.
"""

from threadpoolctl import ThreadpoolController

__all__ = ["one_blas_thread"]

_controller = None


def one_blas_thread():
    """Return a context manager in which the BLAS libraries run one thread.

    The libraries are found once per process (about 17 ms); entering and
    leaving the limit then costs about 20 µs.
    """
    global _controller
    if _controller is None:
        _controller = ThreadpoolController()
    return _controller.limit(limits=1, user_api="blas")
