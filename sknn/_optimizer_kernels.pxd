# The optimizers' update loops, one production copy of each.
#
# Inline functions on raw pointers, compiled into both _optimizer_kernels.pyx
# (the optimizer objects' entry points) and the compiled epoch
# (_epoch_kernel.pyx). The operations, and their order, are the numpy
# sequence's, so the results agree bit for bit (the build forbids contracting
# a * b + c into one rounding).
#
# A step runs its loop twice: over the weights (the first ``n_decayed``
# entries), which take the L2 penalty and decoupled weight decay, and over the
# biases, which do not. A test of the index inside one loop would keep the
# compiler from vectorising it; flags fixed for a whole loop let it compile a
# branch-free copy for each case, and the plain step keeps the speed it had
# before the extras (decoupled weight decay, clipping) existed.

from cython cimport floating
from libc.math cimport sqrt


cdef extern from *:
    """
    #include <math.h>

    /* The loops in C: for x86-64 Linux, GCC compiles each for AVX-512, AVX2
       and the baseline, and the loader picks the one the CPU runs (an Adam
       step over 235,146 float64 parameters: 632 us with SSE2, 131 us with
       AVX-512 on the development machine). The operations are the same in
       every copy and the build forbids contracting a * b + c, so all three
       give the same bits. Flags fixed for a whole loop (decayed, extras,
       nesterov, move) are hoisted out of it by the compiler. */
    #if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) \
        && defined(__GLIBC__)
    #define SKNN_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
    #else
    #define SKNN_CLONES
    #endif

    #define SKNN_OPTIMIZER_LOOPS(T, SQRT)                                      \
    SKNN_CLONES static void sknn_sgd_##T(                                     \
        T *params, const T *grads, T *velocity, Py_ssize_t start,             \
        Py_ssize_t stop, T learning_rate, T momentum, int nesterov,           \
        int decayed, T decay, int extras, T shrink, T grad_scale)             \
    {                                                                         \
        for (Py_ssize_t i = start; i < stop; i++) {                           \
            T p = params[i], g = grads[i], step, v;                           \
            if (decayed) {                                                    \
                g = g + p * decay;                                            \
                if (extras) p = p * shrink;                                   \
            }                                                                 \
            if (extras) g = g * grad_scale;                                   \
            step = g * learning_rate;                                         \
            v = velocity[i] * momentum - step;                                \
            velocity[i] = v;                                                  \
            params[i] = nesterov ? (p - step) + v * momentum : p + v;         \
        }                                                                     \
    }                                                                         \
    SKNN_CLONES static void sknn_adam_##T(                                    \
        T *params, const T *grads, T *m, T *v, Py_ssize_t start,              \
        Py_ssize_t stop, T beta_1, T beta_2, T epsilon, T neg_inv_step,       \
        int move, int decayed, T decay, int extras, T shrink, T grad_scale)   \
    {                                                                         \
        for (Py_ssize_t i = start; i < stop; i++) {                           \
            T p = params[i], g = grads[i], m_i, v_i;                          \
            if (decayed) {                                                    \
                g = g + p * decay;                                            \
                if (extras) p = p * shrink;                                   \
            }                                                                 \
            if (extras) g = g * grad_scale;                                   \
            m_i = m[i] * beta_1 + g;                                          \
            v_i = v[i] * beta_2 + g * g;                                      \
            m[i] = m_i;                                                       \
            v[i] = v_i;                                                       \
            if (move) p = p + m_i / ((SQRT(v_i) + epsilon) * neg_inv_step);   \
            params[i] = p;                                                    \
        }                                                                     \
    }

    /* The squares of the (penalised) gradient, summed in double precision
       into SKNN_NORM_LANES running sums, entry i into sum i % LANES for the
       full blocks: independent sums the compiler keeps in vector registers,
       where one running sum waits for each addition to finish before the
       next (about 4 cycles an entry). The tail goes into the first sums,
       and the sums are added in pairs; so every copy of the loop adds in
       the same order and gives the same bits. */
    #define SKNN_NORM_LANES 16
    #define SKNN_NORM_LOOP(T)                                                 \
    SKNN_CLONES static void sknn_squares_##T(                                 \
        const T *params, const T *grads, Py_ssize_t start, Py_ssize_t stop,   \
        int decayed, T decay, double *sums)                                   \
    {                                                                         \
        Py_ssize_t i = start, j;                                              \
        double acc[SKNN_NORM_LANES];                                          \
        for (j = 0; j < SKNN_NORM_LANES; j++) acc[j] = sums[j];               \
        for (; i + SKNN_NORM_LANES <= stop; i += SKNN_NORM_LANES) {           \
            for (j = 0; j < SKNN_NORM_LANES; j++) {                           \
                T g = grads[i + j];                                           \
                if (decayed) g = g + params[i + j] * decay;                   \
                double d = (double)g;                                         \
                acc[j] += d * d;                                              \
            }                                                                 \
        }                                                                     \
        for (j = 0; i < stop; i++, j++) {                                     \
            T g = grads[i];                                                   \
            if (decayed) g = g + params[i] * decay;                           \
            double d = (double)g;                                             \
            acc[j] += d * d;                                                  \
        }                                                                     \
        for (j = 0; j < SKNN_NORM_LANES; j++) sums[j] = acc[j];               \
    }

    SKNN_OPTIMIZER_LOOPS(double, sqrt)
    SKNN_OPTIMIZER_LOOPS(float, sqrtf)
    SKNN_NORM_LOOP(double)
    SKNN_NORM_LOOP(float)

    static double sknn_add_pairs(double *sums, Py_ssize_t n)
    {
        Py_ssize_t half;
        for (; n > 1; n = half) {
            half = n / 2;
            for (Py_ssize_t j = 0; j < half; j++)
                sums[j] = sums[2 * j] + sums[2 * j + 1];
        }
        return sums[0];
    }
    """
    enum: SKNN_NORM_LANES
    void sknn_squares_double(
        const double* params, const double* grads, Py_ssize_t start, Py_ssize_t stop,
        bint decayed, double decay, double* sums
    ) noexcept nogil
    void sknn_squares_float(
        const float* params, const float* grads, Py_ssize_t start, Py_ssize_t stop,
        bint decayed, float decay, double* sums
    ) noexcept nogil
    double sknn_add_pairs(double* sums, Py_ssize_t n) noexcept nogil
    void sknn_sgd_double(
        double* params, const double* grads, double* velocity, Py_ssize_t start,
        Py_ssize_t stop, double learning_rate, double momentum, bint nesterov,
        bint decayed, double decay, bint extras, double shrink, double grad_scale
    ) noexcept nogil
    void sknn_sgd_float(
        float* params, const float* grads, float* velocity, Py_ssize_t start,
        Py_ssize_t stop, float learning_rate, float momentum, bint nesterov,
        bint decayed, float decay, bint extras, float shrink, float grad_scale
    ) noexcept nogil
    void sknn_adam_double(
        double* params, const double* grads, double* m, double* v, Py_ssize_t start,
        Py_ssize_t stop, double beta_1, double beta_2, double epsilon,
        double neg_inv_step, bint move, bint decayed, double decay, bint extras,
        double shrink, double grad_scale
    ) noexcept nogil
    void sknn_adam_float(
        float* params, const float* grads, float* m, float* v, Py_ssize_t start,
        Py_ssize_t stop, float beta_1, float beta_2, float epsilon,
        float neg_inv_step, bint move, bint decayed, float decay, bint extras,
        float shrink, float grad_scale
    ) noexcept nogil


cdef inline void _sgd(
    floating* params,
    const floating* grads,
    floating* velocity,
    Py_ssize_t start,
    Py_ssize_t stop,
    floating learning_rate,
    floating momentum,
    bint nesterov,
    bint decayed,
    floating decay,
    bint extras,
    floating shrink,
    floating grad_scale,
) noexcept nogil:
    if floating is double:
        sknn_sgd_double(params, grads, velocity, start, stop, learning_rate, momentum,
                        nesterov, decayed, decay, extras, shrink, grad_scale)
    else:
        sknn_sgd_float(params, grads, velocity, start, stop, learning_rate, momentum,
                       nesterov, decayed, decay, extras, shrink, grad_scale)


cdef inline void sgd_update(
    floating* params,
    const floating* grads,
    floating* velocity,
    Py_ssize_t n,
    Py_ssize_t n_decayed,
    floating learning_rate,
    floating momentum,
    bint nesterov,
    floating decay,
    floating shrink,
    floating grad_scale,
) noexcept nogil:
    """One step of SGD with momentum over ``n`` parameters, in place.

    With ``g = s (grads + decay * params)`` and ``θ' = ρ θ`` on the first
    ``n_decayed`` entries (the weights: ``decay`` is the L2 penalty's factor,
    ``ρ = shrink`` the decoupled weight decay), ``g = s grads`` and ``θ' = θ``
    on the rest (the biases), where ``s = grad_scale`` (gradient clipping)::

        v ← μ v - η g
        θ ← θ' - η g + μ v     (Nesterov)
        θ ← θ' + v             (classical momentum)

    ``shrink = grad_scale = 1`` leave the step exactly as without them.
    """
    if shrink == 1 and grad_scale == 1:
        _sgd(params, grads, velocity, 0, n_decayed, learning_rate, momentum,
             nesterov, True, decay, False, shrink, grad_scale)
        _sgd(params, grads, velocity, n_decayed, n, learning_rate, momentum,
             nesterov, False, decay, False, shrink, grad_scale)
    else:
        _sgd(params, grads, velocity, 0, n_decayed, learning_rate, momentum,
             nesterov, True, decay, True, shrink, grad_scale)
        _sgd(params, grads, velocity, n_decayed, n, learning_rate, momentum,
             nesterov, False, decay, True, shrink, grad_scale)


cdef inline void _adam(
    floating* params,
    const floating* grads,
    floating* m,
    floating* v,
    Py_ssize_t start,
    Py_ssize_t stop,
    floating beta_1,
    floating beta_2,
    floating epsilon,
    floating neg_inv_step,
    bint move,
    bint decayed,
    floating decay,
    bint extras,
    floating shrink,
    floating grad_scale,
) noexcept nogil:
    if floating is double:
        sknn_adam_double(params, grads, m, v, start, stop, beta_1, beta_2, epsilon,
                         neg_inv_step, move, decayed, decay, extras, shrink,
                         grad_scale)
    else:
        sknn_adam_float(params, grads, m, v, start, stop, beta_1, beta_2, epsilon,
                        neg_inv_step, move, decayed, decay, extras, shrink,
                        grad_scale)


cdef inline void adam_update(
    floating* params,
    const floating* grads,
    floating* m,
    floating* v,
    Py_ssize_t n,
    Py_ssize_t n_decayed,
    floating beta_1,
    floating beta_2,
    floating epsilon,
    floating neg_inv_step,
    bint move,
    floating decay,
    floating shrink,
    floating grad_scale,
) noexcept nogil:
    """One Adam step on the scaled moments ``M`` and ``V``, in place.

    With ``g``, ``θ'`` as in :func:`sgd_update` (the L2 penalty, decoupled
    weight decay and clipping on the first ``n_decayed`` entries, clipping
    alone on the rest)::

        M ← β₁ M + g
        V ← β₂ V + g²
        θ ← θ' + M / ((√V + ε') · (-1 / c))     (θ ← θ' if not ``move``)

    ``c`` is the bias-corrected step size and ``ε'`` the rescaled epsilon
    (see :class:`sknn._optimizers.Adam`); the caller passes ``-1 / c``.
    """
    if shrink == 1 and grad_scale == 1:
        _adam(params, grads, m, v, 0, n_decayed, beta_1, beta_2, epsilon,
              neg_inv_step, move, True, decay, False, shrink, grad_scale)
        _adam(params, grads, m, v, n_decayed, n, beta_1, beta_2, epsilon,
              neg_inv_step, move, False, decay, False, shrink, grad_scale)
    else:
        _adam(params, grads, m, v, 0, n_decayed, beta_1, beta_2, epsilon,
              neg_inv_step, move, True, decay, True, shrink, grad_scale)
        _adam(params, grads, m, v, n_decayed, n, beta_1, beta_2, epsilon,
              neg_inv_step, move, False, decay, True, shrink, grad_scale)


cdef inline double penalised_norm(
    const floating* params,
    const floating* grads,
    Py_ssize_t n,
    floating decay,
    Py_ssize_t n_decayed,
) noexcept nogil:
    """The Euclidean norm of ``grads + decay * params[:n_decayed]``.

    The squares are summed in double precision, so a float32 gradient's norm
    neither overflows nor loses its small entries; in several running sums
    (``sknn_squares``), since one sum is bound by the latency of its
    additions.
    """
    cdef double sums[SKNN_NORM_LANES]
    cdef Py_ssize_t j
    for j in range(SKNN_NORM_LANES):
        sums[j] = 0.0
    if floating is double:
        sknn_squares_double(params, grads, 0, n_decayed, True, decay, sums)
        sknn_squares_double(params, grads, n_decayed, n, False, decay, sums)
    else:
        sknn_squares_float(params, grads, 0, n_decayed, True, decay, sums)
        sknn_squares_float(params, grads, n_decayed, n, False, decay, sums)
    return sqrt(sknn_add_pairs(sums, SKNN_NORM_LANES))
