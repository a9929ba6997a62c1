"""Fused output passes: the loss value and the output delta in one sweep.

Called only by :mod:`sknn._losses`, whose loss objects document the losses
and choose the kernel. ``logits`` and ``Y`` are C-contiguous arrays of shape
``(n_samples, n_outputs)``; ``weights`` is None or of shape ``(n_samples,)``.
Each kernel overwrites the logits with the output delta
``(p - Y) · w_i · scale`` and returns the loss summed over the samples,
``Σ_i w_i loss_i``, accumulated in double precision.

The numpy form of each took about ten calls on a small array (a 200 x 10
batch), each costing microseconds of dispatch; here each row is read once
while it sits in the cache. ``exp`` and ``log`` come from the C library, so
the results agree with numpy's to rounding, not bit for bit.
"""

from cython cimport floating
from libc.math cimport exp, expf, fabs, log, log1p, log1pf

include "_build_info.pxi"


cdef inline floating _exp(floating x) noexcept nogil:
    if floating is float:
        return expf(x)
    else:
        return exp(x)


def softmax_log_loss(
    floating[:, ::1] logits,
    const floating[:, ::1] Y,
    const floating[::1] weights,
    double scale,
):
    """Softmax and log-loss: return ``Σ_i w_i Σ_k y_ik (lse(z_i) - z_ik)``.

    Per row, with ``m = max_k z_k``, ``s_k = z_k - m`` (at most 0, so no
    ``exp`` overflows) and ``S = Σ_k exp(s_k)``: the log-softmax is
    ``s_k - log S``, the prediction ``p_k = exp(s_k) / S``, and the row's
    loss ``-Σ_k y_k (s_k - log S) = log S · Σ_k y_k - Σ_k y_k s_k``. The
    delta written over the row is ``(p_k - y_k) · w_i · scale``.
    """
    cdef Py_ssize_t i, k, n_outputs = logits.shape[1]
    cdef bint weighted = weights is not None
    cdef floating m, e, S, factor
    cdef double ys, y_sum, row_loss, total = 0
    with nogil:
        for i in range(logits.shape[0]):
            m = logits[i, 0]
            for k in range(1, n_outputs):
                if logits[i, k] > m:
                    m = logits[i, k]
            S = 0
            ys = 0
            y_sum = 0
            for k in range(n_outputs):
                ys += Y[i, k] * (logits[i, k] - m)
                y_sum += Y[i, k]
                e = _exp(logits[i, k] - m)
                logits[i, k] = e
                S = S + e
            row_loss = log(S) * y_sum - ys
            factor = <floating>(weights[i] * scale if weighted else scale)
            if weighted:
                row_loss = row_loss * weights[i]
            total += row_loss
            for k in range(n_outputs):
                logits[i, k] = (logits[i, k] / S - Y[i, k]) * factor
    return total


def binary_log_loss(
    floating[:, ::1] logits,
    const floating[:, ::1] Y,
    const floating[::1] weights,
    double scale,
):
    """Logistic outputs and binary log-loss: return ``Σ_i w_i Σ_k softplus(z) - y z``.

    With ``e = exp(-|z|)`` (at most 1, never overflowing),
    ``softplus(z) = max(z, 0) + log1p(e)`` and the logistic
    ``σ(z) = 1 / (1 + e)`` for ``z ≥ 0``, ``e / (1 + e)`` below, each
    accurate where the other form would cancel. The delta written over the
    logits is ``(σ(z) - y) · w_i · scale``.
    """
    cdef Py_ssize_t i, k
    cdef bint weighted = weights is not None
    cdef floating z, e, p, factor, one = 1
    cdef double row_loss, total = 0
    with nogil:
        for i in range(logits.shape[0]):
            row_loss = 0
            factor = <floating>(weights[i] * scale if weighted else scale)
            for k in range(logits.shape[1]):
                z = logits[i, k]
                e = _exp(-fabs(z))
                if floating is float:
                    row_loss += (z if z > 0 else 0) + log1pf(e) - Y[i, k] * z
                else:
                    row_loss += (z if z > 0 else 0) + log1p(e) - Y[i, k] * z
                p = one / (one + e) if z >= 0 else e / (one + e)
                logits[i, k] = (p - Y[i, k]) * factor
            if weighted:
                row_loss = row_loss * weights[i]
            total += row_loss
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
    cdef Py_ssize_t i, k, n_outputs = logits.shape[1]
    cdef bint weighted = weights is not None
    cdef floating r, factor
    cdef double row_loss, total = 0
    with nogil:
        for i in range(logits.shape[0]):
            row_loss = 0
            factor = <floating>((weights[i] * scale if weighted else scale) / n_outputs)
            for k in range(n_outputs):
                r = logits[i, k] - Y[i, k]
                row_loss += <double>r * r
                logits[i, k] = r * factor
            row_loss = row_loss * (0.5 / n_outputs)
            if weighted:
                row_loss = row_loss * weights[i]
            total += row_loss
    return total
