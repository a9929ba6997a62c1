"""Fused optimizer steps: one pass over the flat parameter buffer per step.

Called only by :mod:`sknn._optimizers`, which documents the update rules and
chooses the arguments. Each loop reads every array once and writes each state
array and the parameters once, where the numpy sequence it replaces took a
pass over memory per operation. The operations, and their order, are the numpy
sequence's, so the results agree bit for bit (the build forbids contracting
``a * b + c`` into one rounding).

Each step runs its loop twice: over the weights, which take the L2 penalty,
and over the biases, which do not. A test of the index inside one loop would
keep the compiler from vectorising it; a flag fixed for the whole loop lets
it compile two branch-free copies.
"""

from cython cimport floating
from libc.math cimport sqrt, sqrtf

include "_build_info.pxi"


def sgd_step(
    floating[::1] params,
    const floating[::1] grads,
    floating[::1] velocity,
    floating learning_rate,
    floating momentum,
    bint nesterov,
    floating decay,
    Py_ssize_t n_decayed,
):
    """One step of SGD with momentum, in place.

    With ``g = grads + decay * params`` on the first ``n_decayed`` entries
    (the L2 penalty's gradient) and ``g = grads`` on the rest::

        v ← μ v - η g
        θ ← θ - η g + μ v     (Nesterov)
        θ ← θ + v             (classical momentum)
    """
    cdef Py_ssize_t n = params.shape[0]
    with nogil:
        _sgd(&params[0], &grads[0], &velocity[0], 0, n_decayed,
             learning_rate, momentum, nesterov, True, decay)
        _sgd(&params[0], &grads[0], &velocity[0], n_decayed, n,
             learning_rate, momentum, nesterov, False, decay)


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
) noexcept nogil:
    cdef Py_ssize_t i
    cdef floating g, step, v
    for i in range(start, stop):
        g = grads[i]
        if decayed:
            g = g + params[i] * decay
        step = g * learning_rate
        v = velocity[i] * momentum - step
        velocity[i] = v
        if nesterov:
            params[i] = (params[i] - step) + v * momentum
        else:
            params[i] = params[i] + v


def adam_step(
    floating[::1] params,
    const floating[::1] grads,
    floating[::1] m,
    floating[::1] v,
    floating beta_1,
    floating beta_2,
    floating epsilon,
    floating neg_inv_step,
    bint move,
    floating decay,
    Py_ssize_t n_decayed,
):
    """One Adam step on the scaled moments ``M`` and ``V``, in place.

    With ``g = grads + decay * params`` on the first ``n_decayed`` entries
    and ``g = grads`` on the rest::

        M ← β₁ M + g
        V ← β₂ V + g²
        θ ← θ + M / ((√V + ε') · (-1 / c))     (only if ``move``)

    ``c`` is the bias-corrected step size and ``ε'`` the rescaled epsilon
    (see :class:`sknn._optimizers.Adam`); the caller passes ``-1 / c``.
    """
    cdef Py_ssize_t n = params.shape[0]
    with nogil:
        _adam(&params[0], &grads[0], &m[0], &v[0], 0, n_decayed,
              beta_1, beta_2, epsilon, neg_inv_step, move, True, decay)
        _adam(&params[0], &grads[0], &m[0], &v[0], n_decayed, n,
              beta_1, beta_2, epsilon, neg_inv_step, move, False, decay)


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
) noexcept nogil:
    cdef Py_ssize_t i
    cdef floating g, m_i, v_i, root
    for i in range(start, stop):
        g = grads[i]
        if decayed:
            g = g + params[i] * decay
        m_i = m[i] * beta_1 + g
        v_i = v[i] * beta_2 + g * g
        m[i] = m_i
        v[i] = v_i
        if move:
            if floating is float:
                root = sqrtf(v_i)
            else:
                root = sqrt(v_i)
            params[i] = params[i] + m_i / ((root + epsilon) * neg_inv_step)
