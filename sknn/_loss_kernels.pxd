# The output passes of the losses, one production copy of each.
#
# Inline functions on raw pointers, compiled into both _loss_kernels.pyx (the
# loss objects' entry points) and the compiled epoch (_epoch_kernel.pyx).
# ``logits`` and ``Y`` hold ``n`` C-contiguous rows of ``k`` outputs;
# ``weights`` is NULL or has ``n`` entries. Each overwrites the logits with
# the output delta ``(p - Y) · w_i · scale`` and returns the loss summed over
# the rows, ``Σ_i w_i loss_i``, accumulated in double precision.

from cython cimport floating
from libc.math cimport exp, expf, fabs, log, log1p, log1pf


cdef inline floating _exp(floating x) noexcept nogil:
    if floating is float:
        return expf(x)
    else:
        return exp(x)


cdef inline double softmax_log_loss_rows(
    floating* logits,
    const floating* Y,
    const floating* weights,
    Py_ssize_t n,
    Py_ssize_t k,
    double scale,
) noexcept nogil:
    """Softmax and log-loss: return ``Σ_i w_i Σ_k y_ik (lse(z_i) - z_ik)``.

    Per row, with ``m = max_k z_k``, ``s_k = z_k - m`` (at most 0, so no
    ``exp`` overflows) and ``S = Σ_k exp(s_k)``: the log-softmax is
    ``s_k - log S``, the prediction ``p_k = exp(s_k) / S``, and the row's
    loss ``-Σ_k y_k (s_k - log S) = log S · Σ_k y_k - Σ_k y_k s_k``.
    """
    cdef Py_ssize_t i, c
    cdef floating* z
    cdef const floating* y
    cdef floating m, e, S, factor
    cdef double ys, y_sum, row_loss, total = 0
    for i in range(n):
        z = logits + i * k
        y = Y + i * k
        m = z[0]
        for c in range(1, k):
            if z[c] > m:
                m = z[c]
        S = 0
        ys = 0
        y_sum = 0
        for c in range(k):
            ys += y[c] * (z[c] - m)
            y_sum += y[c]
            e = _exp(z[c] - m)
            z[c] = e
            S = S + e
        row_loss = log(S) * y_sum - ys
        factor = <floating>(weights[i] * scale if weights != NULL else scale)
        if weights != NULL:
            row_loss = row_loss * weights[i]
        total += row_loss
        for c in range(k):
            z[c] = (z[c] / S - y[c]) * factor
    return total


cdef inline double binary_log_loss_rows(
    floating* logits,
    const floating* Y,
    const floating* weights,
    Py_ssize_t n,
    Py_ssize_t k,
    double scale,
) noexcept nogil:
    """Logistic outputs and binary log-loss: return ``Σ_i w_i Σ_k softplus(z) - y z``.

    With ``e = exp(-|z|)`` (at most 1, never overflowing),
    ``softplus(z) = max(z, 0) + log1p(e)`` and the logistic
    ``σ(z) = 1 / (1 + e)`` for ``z ≥ 0``, ``e / (1 + e)`` below, each
    accurate where the other form would cancel.
    """
    cdef Py_ssize_t i, c
    cdef floating z, e, p, factor, one = 1
    cdef double row_loss, total = 0
    for i in range(n):
        row_loss = 0
        factor = <floating>(weights[i] * scale if weights != NULL else scale)
        for c in range(k):
            z = logits[i * k + c]
            e = _exp(-fabs(z))
            if floating is float:
                row_loss += (z if z > 0 else 0) + log1pf(e) - Y[i * k + c] * z
            else:
                row_loss += (z if z > 0 else 0) + log1p(e) - Y[i * k + c] * z
            p = one / (one + e) if z >= 0 else e / (one + e)
            logits[i * k + c] = (p - Y[i * k + c]) * factor
        if weights != NULL:
            row_loss = row_loss * weights[i]
        total += row_loss
    return total


cdef inline double squared_error_rows(
    floating* logits,
    const floating* Y,
    const floating* weights,
    Py_ssize_t n,
    Py_ssize_t k,
    double scale,
) noexcept nogil:
    """Identity outputs and half the squared error, averaged over the k columns.

    Returns ``Σ_i w_i (0.5 / k) Σ_c (z_ic - y_ic)²``; the delta is
    ``(z - y) · w_i · scale / k``.
    """
    cdef Py_ssize_t i, c
    cdef floating r, factor
    cdef double row_loss, total = 0
    for i in range(n):
        row_loss = 0
        factor = <floating>((weights[i] * scale if weights != NULL else scale) / k)
        for c in range(k):
            r = logits[i * k + c] - Y[i * k + c]
            row_loss += <double>r * r
            logits[i * k + c] = r * factor
        row_loss = row_loss * (0.5 / k)
        if weights != NULL:
            row_loss = row_loss * weights[i]
        total += row_loss
    return total
