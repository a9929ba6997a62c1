"""The periodic features of the numeric embeddings: cos and sin of 2π(c x + b).

Called only by :mod:`sknn._embeddings`. numpy computes a float64 cosine one
element at a time through the C library (about 8 ns each on the development
machine), and the periodic embeddings need a cosine and a sine for every
row, numeric feature and frequency: for a 256-row batch of 60 features and 16
frequencies that was 4 ms a batch, thirty times the dense product of the same
output width. Here both come out of one pass with a short polynomial that the
compiler can vectorise.

The argument is kept in *turns*, ``t = c x + b`` (one turn is 2π), which
makes the range reduction exact: ``r = t - round(t)`` lies in ``[-1/2, 1/2]``
with no rounding error beyond that of ``t`` itself, and a quarter turn
``q = round(4 r)`` reduces the angle ``a = 2π (r - q / 4)`` to
``[-π/4, π/4]``, where the Taylor series of cos (to ``a^18``) and sin (to
``a^17``) are exact to below half an ulp of float64 (the first omitted terms
are under 3e-18). The quadrant then swaps and negates the pair. ``round`` is
the add-and-subtract of ``1.5 * 2**52`` (``2**23`` for float32), which the
build keeps as written (no ``-ffast-math``) and which vectorises without
SSE4.1.

The numpy reference, ``np.cos(2 * np.pi * t)``, is the tests' oracle; the two
agree to a few ulps.
"""

from cython cimport floating

include "_build_info.pxi"

cdef double _TWO_PI = 6.283185307179586


def periodic_features(
    const floating[:, :] X,
    const floating[:, ::1] frequencies,
    const floating[:, ::1] phases,
    floating[:, :, :] cos_out,
    floating[:, :, :] sin_out,
):
    """``cos_out[f, i, j] = cos(2π t)``, ``sin_out[f, i, j] = sin(2π t)``.

    With ``t = X[i, f] * frequencies[f, j] + phases[f, j]``: ``X`` has shape
    ``(n_samples, n_features)`` (any strides), the parameters
    ``(n_features, k)``, the outputs ``(n_features, n_samples, k)``,
    feature-major so that each feature's block is one matrix for the
    per-feature products that follow. The outputs may be views (the two
    halves of one buffer, say) whose last axis is contiguous.
    """
    cdef Py_ssize_t n = X.shape[0], n_features = X.shape[1]
    cdef Py_ssize_t k = frequencies.shape[1]
    cdef Py_ssize_t f, i
    if (cos_out.shape[0] != n_features or cos_out.shape[1] != n
            or cos_out.shape[2] != k or sin_out.shape[0] != n_features
            or sin_out.shape[1] != n or sin_out.shape[2] != k):
        raise ValueError(f"the outputs must have shape {(n_features, n, k)}")
    if n == 0 or n_features == 0 or k == 0:
        return
    if cos_out.strides[2] != sizeof(floating) or sin_out.strides[2] != sizeof(floating):
        raise ValueError("the outputs' last axis must be contiguous")
    with nogil:
        for f in range(n_features):
            for i in range(n):
                _turns(X[i, f], &frequencies[f, 0], &phases[f, 0],
                       &cos_out[f, i, 0], &sin_out[f, i, 0], k)


cdef inline void _turns(
    floating x,
    const floating* frequencies,
    const floating* phases,
    floating* cos_out,
    floating* sin_out,
    Py_ssize_t k,
) noexcept nogil:
    cdef Py_ssize_t j
    cdef floating t, r, q, qq, a, a2, c, s, odd, even, magic
    cdef floating two_pi = <floating>_TWO_PI
    if floating is double:
        magic = 6755399441055744.0  # 1.5 * 2**52
    else:
        magic = 12582912.0  # 1.5 * 2**23
    for j in range(k):
        t = x * frequencies[j] + phases[j]
        r = t - ((t + magic) - magic)
        q = ((r * <floating>4) + magic) - magic
        a = (r - q * <floating>0.25) * two_pi
        a2 = a * a
        c = _cos_series(a2)
        s = a * _sin_series(a2)
        # The quarter turns q in {-2, -1, 0, 1, 2}: q = ±1 gives
        # (cos, sin) = (-q s, q c), q = 0 or ±2 gives (e c, e s) with
        # e = 1 - q²/2 = ±1. The choice is made by weights that are exactly 0
        # or 1 (odd = q²(4 - q²)/3), not by a branch, so that the loop
        # vectorises; every product and sum here is exact.
        qq = q * q
        odd = qq * (4 - qq) * <floating>(1 / 3.0)
        even = (1 - qq * <floating>0.5) * (1 - odd)
        cos_out[j] = odd * (-q * s) + even * c
        sin_out[j] = odd * (q * c) + even * s


cdef inline floating _cos_series(floating a2) noexcept nogil:
    # 1 - a²/2! + a⁴/4! - ... - a¹⁸/18!, by Horner in a², with the
    # coefficients in the working precision (double constants would promote a
    # float32 evaluation to float64 and halve its vector width)
    cdef floating p = <floating>(-1 / 6402373705728000.0)
    p = p * a2 + <floating>(1 / 20922789888000.0)
    p = p * a2 + <floating>(-1 / 87178291200.0)
    p = p * a2 + <floating>(1 / 479001600.0)
    p = p * a2 + <floating>(-1 / 3628800.0)
    p = p * a2 + <floating>(1 / 40320.0)
    p = p * a2 + <floating>(-1 / 720.0)
    p = p * a2 + <floating>(1 / 24.0)
    p = p * a2 + <floating>(-1 / 2.0)
    return p * a2 + 1


cdef inline floating _sin_series(floating a2) noexcept nogil:
    # (a - a³/3! + a⁵/5! - ... + a¹⁷/17!) / a, by Horner in a²
    cdef floating p = <floating>(1 / 355687428096000.0)
    p = p * a2 + <floating>(-1 / 1307674368000.0)
    p = p * a2 + <floating>(1 / 6227020800.0)
    p = p * a2 + <floating>(-1 / 39916800.0)
    p = p * a2 + <floating>(1 / 362880.0)
    p = p * a2 + <floating>(-1 / 5040.0)
    p = p * a2 + <floating>(1 / 120.0)
    p = p * a2 + <floating>(-1 / 6.0)
    return p * a2 + 1
