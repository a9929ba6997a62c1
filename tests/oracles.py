"""Numpy oracles: the plain forms of what sknn's compiled code computes.

Each oracle computes with numpy, one operation at a time, what a compiled
kernel computes in one pass. The tests check the kernels against them, bit for
bit where both take the same operations in the same order, and
``benchmarks/bench_kernels.py`` times the kernels against them. Nothing in
sknn imports this module: these forms are no longer anyone's production code.

Sections: the network (the activations' passes, the losses' output passes,
the optimizers' steps).
"""

import numpy as np

from sknn._losses import BinaryLogLoss, Loss, SquaredError

# == the network ===============================================================

# -- the activations' passes ---------------------------------------------------


def numpy_add_bias_and_apply(activation, z, bias):
    """``z ← f(z + b)`` in place, as two numpy passes: what the forward kernels fuse."""
    z += bias
    return activation.forward(z, out=z)


def numpy_backprop_and_sum(activation, delta, sums, z=None, a=None):
    """``delta ← delta f'`` then the column sums: what the backward kernels fuse."""
    activation.backprop(delta, z=z, a=a)
    np.matmul(np.ones(delta.shape[0], delta.dtype), delta, out=sums)
    return delta


# -- the losses' output passes -------------------------------------------------


def numpy_softmax_value_and_delta(logits, Y, sample_weight=None, scale=1.0):
    """The numpy sequence the softmax kernel replaces (one exp serving both)."""
    Y = np.asarray(Y).astype(logits.dtype, copy=False)
    log_softmax = logits - logits.max(axis=1, keepdims=True)
    np.exp(log_softmax, out=logits)
    sums = logits.sum(axis=1)
    logits /= sums[:, np.newaxis]
    log_softmax -= np.log(sums)[:, np.newaxis]
    if sample_weight is None:
        total = -np.vdot(Y, log_softmax)
    else:
        total = -np.dot(np.einsum("ij,ij->i", Y, log_softmax), sample_weight)
    logits -= Y
    if sample_weight is None:
        logits *= logits.dtype.type(scale)
    else:
        logits *= np.multiply(sample_weight, scale, dtype=logits.dtype)[:, None]
    return float(total)


NUMPY_VALUE_AND_DELTA = {
    "log_loss": numpy_softmax_value_and_delta,
    # the generic numpy method of the base class: value, output, residual
    "binary_log_loss": lambda *args: Loss.value_and_delta(BinaryLogLoss(), *args),
    "squared_error": lambda *args: Loss.value_and_delta(SquaredError(), *args),
}
"""``value_and_delta(logits, Y, sample_weight, scale)`` in numpy, per loss name."""


# -- the optimizers' steps -----------------------------------------------------


def add_decay(grads, params, decay, n_decayed, scratch, shrink=1.0, grad_scale=1.0):
    """The penalty's gradient added to ``grads``, as the network added it.

    Written into ``scratch`` (a copy of ``grads`` first), so the caller's
    gradient is left alone as the kernels leave it; then scaled by
    ``grad_scale``, and the weights (the first ``n_decayed`` entries of
    ``params``) scaled by ``shrink``, the decoupled weight decay.
    """
    kind = params.dtype.type
    np.copyto(scratch, grads)
    if n_decayed:
        term = np.multiply(params[:n_decayed], kind(decay))
        scratch[:n_decayed] += term
        params[:n_decayed] *= kind(shrink)
    scratch *= kind(grad_scale)
    return scratch


def numpy_sgd_step(
    params,
    grads,
    velocity,
    lr,
    momentum,
    nesterov,
    decay,
    n_decayed,
    scratch=None,
    shrink=1.0,
    grad_scale=1.0,
):
    """The numpy sequence the SGD kernel replaces, one ufunc per operation.

    ``scratch`` (two arrays like ``params``) spares the allocations, as the
    training loop's lent gradient buffer did.
    """
    kind = params.dtype.type
    if scratch is None:
        scratch = (np.empty_like(params), np.empty_like(params))
    grads = add_decay(grads, params, decay, n_decayed, scratch[0], shrink, grad_scale)
    step = np.multiply(grads, kind(lr), out=scratch[1])
    np.multiply(velocity, kind(momentum), out=velocity)
    np.subtract(velocity, step, out=velocity)
    if nesterov:
        np.subtract(params, step, out=params)
        np.multiply(velocity, kind(momentum), out=step)
        np.add(params, step, out=params)
    else:
        np.add(params, velocity, out=params)


def numpy_adam_step(
    params,
    grads,
    m,
    v,
    adam,
    decay,
    n_decayed,
    scratch=None,
    shrink=1.0,
    grad_scale=1.0,
    rate_factor=1.0,
):
    """The numpy sequence the Adam kernel replaces; ``adam`` has taken its step.

    ``scratch`` as for :func:`numpy_sgd_step`.
    """
    kind = params.dtype.type
    if scratch is None:
        scratch = (np.empty_like(params), np.empty_like(params))
    grads = add_decay(grads, params, decay, n_decayed, scratch[0], shrink, grad_scale)
    t, beta_1, beta_2 = adam.t, adam.beta_1, adam.beta_2
    root = np.sqrt(1 - beta_2)
    step_size = (
        adam.learning_rate
        * rate_factor
        * np.sqrt(1 - beta_2**t)
        / (1 - beta_1**t)
        * (1 - beta_1)
        / root
    )
    np.multiply(m, kind(beta_1), out=m)
    np.add(m, grads, out=m)
    work = np.multiply(grads, grads, out=scratch[1])
    np.multiply(v, kind(beta_2), out=v)
    np.add(v, work, out=v)
    np.sqrt(v, out=work)
    np.add(work, kind(adam.epsilon / root), out=work)
    np.multiply(work, kind(-1 / step_size), out=work)
    np.divide(m, work, out=work)
    np.add(params, work, out=params)
