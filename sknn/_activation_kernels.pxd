# The activations' element-wise passes, one production copy of each.
#
# Inline functions on raw pointers to C-contiguous blocks, so that both the
# Python entry points of _activation_kernels.pyx (the numpy path's network)
# and the compiled epoch (_epoch_kernel.pyx) compile this one source. Each
# does the operations of the numpy sequence it replaced, in its order: the
# results agree with numpy bit for bit (the build forbids contracting
# a * b + c into one rounding). ``z``, ``a`` and ``delta`` hold ``n`` rows of
# ``width`` units; ``bias`` has ``width`` entries.

from cython cimport floating


cdef inline void bias_identity(
    floating* z, const floating* bias, Py_ssize_t n, Py_ssize_t width
) noexcept nogil:
    """``z ← z + b``."""
    cdef Py_ssize_t i, j
    for i in range(n):
        for j in range(width):
            z[i * width + j] = z[i * width + j] + bias[j]


cdef inline void bias_relu(
    floating* z, const floating* bias, Py_ssize_t n, Py_ssize_t width
) noexcept nogil:
    """``z ← max(z + b, 0)`` (NaN stays NaN, as with ``np.maximum``)."""
    cdef Py_ssize_t i, j
    cdef floating t
    for i in range(n):
        for j in range(width):
            t = z[i * width + j] + bias[j]
            z[i * width + j] = 0 if t < 0 else t


cdef inline void bias_leaky_relu(
    floating* z, const floating* bias, Py_ssize_t n, Py_ssize_t width, floating slope
) noexcept nogil:
    """``z ← max(z + b, s (z + b))``: ``z + b``, then numpy's ``maximum(z, z * s)``.

    A NaN sum stays NaN, as with ``np.maximum``: its product is NaN too.
    """
    cdef Py_ssize_t i, j
    cdef floating t, u
    for i in range(n):
        for j in range(width):
            t = z[i * width + j] + bias[j]
            u = t * slope
            z[i * width + j] = t if t >= u else u


cdef inline void relu_backprop(
    floating* delta, const floating* a, Py_ssize_t size
) noexcept nogil:
    """``delta ← delta · [a > 0]`` over ``size`` entries."""
    cdef Py_ssize_t i
    cdef floating d
    for i in range(size):
        d = delta[i] if a[i] > 0 else 0
        delta[i] = d


cdef inline void leaky_relu_backprop(
    floating* delta,
    const floating* a,
    Py_ssize_t size,
    floating positive,
    floating negative,
) noexcept nogil:
    """``delta ← delta · (positive if a > 0 else negative)``.

    The caller passes the two slopes as numpy computes them, ``(1 - s) + s``
    and ``s``.
    """
    cdef Py_ssize_t i
    cdef floating d
    for i in range(size):
        d = delta[i] * (positive if a[i] > 0 else negative)
        delta[i] = d


cdef inline void tanh_backprop(
    floating* delta, const floating* a, Py_ssize_t size
) noexcept nogil:
    """``delta ← delta (1 - a²)``."""
    cdef Py_ssize_t i
    cdef floating d, one = 1  # a typed 1: a bare literal would be a double
    for i in range(size):
        d = delta[i] * (one - a[i] * a[i])
        delta[i] = d


cdef inline void logistic_backprop(
    floating* delta, const floating* a, Py_ssize_t size
) noexcept nogil:
    """``delta ← delta a (1 - a)``, as ``δa - (δa) a``."""
    cdef Py_ssize_t i
    cdef floating d
    for i in range(size):
        d = delta[i] * a[i]
        d = d - d * a[i]
        delta[i] = d
