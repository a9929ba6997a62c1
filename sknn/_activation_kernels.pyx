"""Fused activation passes over a layer's batch: one read and one write each.

Called only by :mod:`sknn.activations`, whose activation objects document the
functions and pick the kernel. All arrays are C-contiguous; ``z``, ``a`` and
``delta`` have shape ``(n_samples, n_units)``, ``bias`` shape ``(n_units,)``.

The forward kernels replace ``z += bias`` followed by ``f(z)``: two passes
over the layer's output become one, in place. The backward kernels replace
``delta *= f'(z)``, whose numpy form builds ``f'`` in a temporary first. The
operations, and their order, are the numpy sequence's, so the results agree
bit for bit.

Measured and left out (numpy stays faster): ``tanh`` and the logistic
forward, where numpy's vectorised ``tanh`` and scipy's ``expit`` beat the C
library's scalar calls; the leaky ReLU forward, which compiled to a loop
several times slower than numpy's two passes; and the bias gradient
``Σ_rows delta``, where BLAS's product with a vector of ones beats a column
sum folded into these loops.
"""

from cython cimport floating

include "_build_info.pxi"


def bias_identity(floating[:, ::1] z, const floating[::1] bias):
    """``z ← z + b``."""
    cdef Py_ssize_t i, j
    with nogil:
        for i in range(z.shape[0]):
            for j in range(z.shape[1]):
                z[i, j] = z[i, j] + bias[j]


def bias_relu(floating[:, ::1] z, const floating[::1] bias):
    """``z ← max(z + b, 0)`` (NaN stays NaN, as with ``np.maximum``)."""
    cdef Py_ssize_t i, j
    cdef floating t
    with nogil:
        for i in range(z.shape[0]):
            for j in range(z.shape[1]):
                t = z[i, j] + bias[j]
                z[i, j] = 0 if t < 0 else t


def relu_backprop(floating[:, ::1] delta, const floating[:, ::1] a):
    """``delta ← delta · [a > 0]``."""
    cdef Py_ssize_t i, j
    cdef floating d
    with nogil:
        for i in range(delta.shape[0]):
            for j in range(delta.shape[1]):
                d = delta[i, j] if a[i, j] > 0 else 0
                delta[i, j] = d


def leaky_relu_backprop(
    floating[:, ::1] delta,
    const floating[:, ::1] a,
    floating positive,
    floating negative,
):
    """``delta ← delta · (positive if a > 0 else negative)``.

    The caller passes the two slopes as numpy computes them, ``(1 - s) + s``
    and ``s``.
    """
    cdef Py_ssize_t i, j
    cdef floating d
    with nogil:
        for i in range(delta.shape[0]):
            for j in range(delta.shape[1]):
                d = delta[i, j] * (positive if a[i, j] > 0 else negative)
                delta[i, j] = d


def tanh_backprop(floating[:, ::1] delta, const floating[:, ::1] a):
    """``delta ← delta (1 - a²)``."""
    cdef Py_ssize_t i, j
    cdef floating d, one = 1  # a typed 1: a bare literal would be a double
    with nogil:
        for i in range(delta.shape[0]):
            for j in range(delta.shape[1]):
                d = delta[i, j] * (one - a[i, j] * a[i, j])
                delta[i, j] = d


def logistic_backprop(floating[:, ::1] delta, const floating[:, ::1] a):
    """``delta ← delta a (1 - a)``, as ``δa - (δa) a``."""
    cdef Py_ssize_t i, j
    cdef floating d
    with nogil:
        for i in range(delta.shape[0]):
            for j in range(delta.shape[1]):
                d = delta[i, j] * a[i, j]
                d = d - d * a[i, j]
                delta[i, j] = d
