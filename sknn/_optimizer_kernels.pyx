"""Fused optimizer steps: one pass over the flat parameter buffer per step.

Called only by :mod:`sknn._optimizers`, which documents the update rules and
chooses the arguments. Each loop reads every array once and writes each state
array and the parameters once, where the numpy sequence it replaces took a
pass over memory per operation. The loops are the inline functions of
``_optimizer_kernels.pxd``, which the compiled training epoch
(:mod:`sknn._epoch_kernel`) runs too.
"""

from cython cimport floating

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
    floating shrink,
    floating grad_scale,
):
    """One step of SGD with momentum, in place (see ``sgd_update``)."""
    with nogil:
        sgd_update(&params[0], &grads[0], &velocity[0], params.shape[0], n_decayed,
                   learning_rate, momentum, nesterov, decay, shrink, grad_scale)


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
    floating shrink,
    floating grad_scale,
):
    """One Adam step on the scaled moments ``M`` and ``V``, in place (see
    ``adam_update``)."""
    with nogil:
        adam_update(&params[0], &grads[0], &m[0], &v[0], params.shape[0], n_decayed,
                    beta_1, beta_2, epsilon, neg_inv_step, move, decay, shrink,
                    grad_scale)


def penalised_gradient_norm(
    const floating[::1] params,
    const floating[::1] grads,
    floating decay,
    Py_ssize_t n_decayed,
):
    """Return the Euclidean norm of ``grads + decay * params[:n_decayed]``.

    The gradient the optimizer steps along, L2 penalty included, measured for
    clipping; the squares are summed in double precision.
    """
    cdef double norm
    with nogil:
        norm = penalised_norm(&params[0], &grads[0], params.shape[0], decay, n_decayed)
    return norm
