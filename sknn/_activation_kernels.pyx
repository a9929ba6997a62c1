"""Fused activation passes over a layer's batch: one read and one write each.

Called only by :mod:`sknn.activations`, whose activation objects document the
functions and pick the kernel. All arrays are C-contiguous; ``z``, ``a`` and
``delta`` have shape ``(n_samples, n_units)``, ``bias`` shape ``(n_units,)``.
The loops themselves are the inline functions of ``_activation_kernels.pxd``,
which the compiled training epoch (:mod:`sknn._epoch_kernel`) runs too.

The forward kernels replace ``z += bias`` followed by ``f(z)``: two passes
over the layer's output become one, in place. The backward kernels replace
``delta *= f'(z)``, whose numpy form builds ``f'`` in a temporary first. The
operations, and their order, are the numpy sequence's, so the results agree
bit for bit.

Measured and left out (numpy stays faster): ``tanh`` and the logistic
forward, where numpy's vectorised ``tanh`` and scipy's ``expit`` beat the C
library's scalar calls; and the bias gradient ``Σ_rows delta``, where BLAS's
product with a vector of ones beats a column sum folded into these loops.
"""

from cython cimport floating

include "_build_info.pxi"


def add_bias_identity(floating[:, ::1] z, const floating[::1] bias):
    """``z ← z + b``."""
    with nogil:
        bias_identity(&z[0, 0], &bias[0], z.shape[0], z.shape[1])


def add_bias_relu(floating[:, ::1] z, const floating[::1] bias):
    """``z ← max(z + b, 0)`` (NaN stays NaN, as with ``np.maximum``)."""
    with nogil:
        bias_relu(&z[0, 0], &bias[0], z.shape[0], z.shape[1])


def add_bias_leaky_relu(floating[:, ::1] z, const floating[::1] bias, floating slope):
    """``z ← max(z + b, s (z + b))``."""
    with nogil:
        bias_leaky_relu(&z[0, 0], &bias[0], z.shape[0], z.shape[1], slope)


def relu_backward(floating[:, ::1] delta, const floating[:, ::1] a):
    """``delta ← delta · [a > 0]``."""
    with nogil:
        relu_backprop(&delta[0, 0], &a[0, 0], delta.shape[0] * delta.shape[1])


def leaky_relu_backward(
    floating[:, ::1] delta,
    const floating[:, ::1] a,
    floating positive,
    floating negative,
):
    """``delta ← delta · (positive if a > 0 else negative)``.

    The caller passes the two slopes as numpy computes them, ``(1 - s) + s``
    and ``s``.
    """
    with nogil:
        leaky_relu_backprop(
            &delta[0, 0], &a[0, 0], delta.shape[0] * delta.shape[1], positive, negative
        )


def tanh_backward(floating[:, ::1] delta, const floating[:, ::1] a):
    """``delta ← delta (1 - a²)``."""
    with nogil:
        tanh_backprop(&delta[0, 0], &a[0, 0], delta.shape[0] * delta.shape[1])


def logistic_backward(floating[:, ::1] delta, const floating[:, ::1] a):
    """``delta ← delta a (1 - a)``, as ``δa - (δa) a``."""
    with nogil:
        logistic_backprop(&delta[0, 0], &a[0, 0], delta.shape[0] * delta.shape[1])
