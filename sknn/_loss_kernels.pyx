"""Fused output passes: the loss value and the output delta in one sweep.

Called only by :mod:`sknn._losses`, whose loss objects document the losses
and choose the kernel. ``logits`` and ``Y`` are C-contiguous arrays of shape
``(n_samples, n_outputs)``; ``weights`` is None or of shape ``(n_samples,)``.
Each kernel overwrites the logits with the output delta
``(p - Y) · w_i · scale`` and returns the loss summed over the samples,
``Σ_i w_i loss_i``, accumulated in double precision. The loops are the inline
functions of ``_loss_kernels.pxd``, which the compiled training epoch
(:mod:`sknn._epoch_kernel`) runs too.

The numpy form of each took about ten calls on a small array (a 200 x 10
batch), each costing microseconds of dispatch; here each row is read once
while it sits in the cache. ``exp`` and ``log`` come from the C library, so
the results agree with numpy's to rounding, not bit for bit.
"""

from cython cimport floating

include "_build_info.pxi"


def softmax_log_loss(
    floating[:, ::1] logits,
    const floating[:, ::1] Y,
    const floating[::1] weights,
    double scale,
):
    """Softmax and log-loss: return ``Σ_i w_i Σ_k y_ik (lse(z_i) - z_ik)``.

    Writes the delta ``(softmax(z) - y) · w_i · scale`` over the logits.
    """
    cdef const floating* w = NULL if weights is None else &weights[0]
    cdef double total
    with nogil:
        total = softmax_log_loss_rows(
            &logits[0, 0], &Y[0, 0], w, logits.shape[0], logits.shape[1], scale
        )
    return total


def binary_log_loss(
    floating[:, ::1] logits,
    const floating[:, ::1] Y,
    const floating[::1] weights,
    double scale,
):
    """Logistic outputs and binary log-loss: return ``Σ_i w_i Σ_k softplus(z) - y z``.

    Writes the delta ``(σ(z) - y) · w_i · scale`` over the logits.
    """
    cdef const floating* w = NULL if weights is None else &weights[0]
    cdef double total
    with nogil:
        total = binary_log_loss_rows(
            &logits[0, 0], &Y[0, 0], w, logits.shape[0], logits.shape[1], scale
        )
    return total


def squared_error(
    floating[:, ::1] logits,
    const floating[:, ::1] Y,
    const floating[::1] weights,
    double scale,
):
    """Identity outputs and half the squared error, averaged over the K columns.

    Returns ``Σ_i w_i (0.5 / K) Σ_k (z_ik - y_ik)²`` and writes the delta
    ``(z - y) · w_i · scale / K`` over the logits.
    """
    cdef const floating* w = NULL if weights is None else &weights[0]
    cdef double total
    with nogil:
        total = squared_error_rows(
            &logits[0, 0], &Y[0, 0], w, logits.shape[0], logits.shape[1], scale
        )
    return total
