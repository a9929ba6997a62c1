"""Numpy oracles: the plain forms of what sknn's compiled code computes.

Each oracle computes with numpy, one operation at a time, what a compiled
kernel computes in one pass. The tests check the kernels against them, bit for
bit where both take the same operations in the same order, and
``benchmarks/bench_kernels.py`` times the kernels against them. Nothing in
sknn imports this module: these forms are no longer anyone's production code.

Sections: the network (the activations' passes, the losses' output passes,
the optimizers' steps, products through scipy's BLAS); the perceptron (its
rules one sample at a time, the oracle of ``sknn/_perceptron_online.pyx``
and ``sknn/_perceptron_weights.pyx``).
"""

import numpy as np
from scipy.linalg import blas

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


# -- products through scipy's BLAS ---------------------------------------------


def _blasable(array):
    """Whether numpy hands a 2-D array to BLAS as it is: rows contiguous."""
    unit = array.itemsize
    rows, columns = array.strides
    return columns == unit and rows % unit == 0 and rows // unit >= array.shape[1]


def blas_matmul(a, b, out=None):
    """``np.matmul`` of float vectors and matrices, through scipy's BLAS.

    numpy's own choice of call (gemm for matrices, gemv where one side is a
    vector, the dot where the result is one number, a plain loop where the
    inner dimension is 1), made through the BLAS that scipy ships: the calls
    the compiled epoch makes (:mod:`sknn._epoch_kernel`). Anything else goes
    to numpy's matmul.
    """
    if not (
        isinstance(a, np.ndarray)
        and isinstance(b, np.ndarray)
        and a.dtype == b.dtype
        and a.dtype in (np.float32, np.float64)
        and a.ndim in (1, 2)
        and b.ndim in (1, 2)
    ):
        return _NUMPY_MATMUL(a, b, out=out)
    A = a[np.newaxis, :] if a.ndim == 1 else a
    B = b[:, np.newaxis] if b.ndim == 1 else b
    (m, n), p = A.shape, B.shape[1]
    prefix = "s" if a.dtype == np.float32 else "d"
    if m == 1 and p == 1:
        result = np.array([[_blas(prefix, "dot")(A[0], B[:, 0])]], dtype=a.dtype)
    elif n == 1:
        result = np.add(np.zeros((m, p), a.dtype), A * B)
    elif m == 1:
        result = _gemv(prefix, B.T, A[0])[np.newaxis, :]
    elif p == 1:
        result = _gemv(prefix, A, B[:, 0])[:, np.newaxis]
    else:
        result = _gemm(prefix, A, B)
    shape = (p,) if a.ndim == 1 else (m,) if b.ndim == 1 else (m, p)
    result = result.reshape(shape)
    if out is None:
        return result
    out[...] = result
    return out


def blas_dot(a, b, out=None):
    """``np.dot`` of two float vectors through scipy's BLAS, else numpy's dot."""
    if (
        isinstance(a, np.ndarray)
        and isinstance(b, np.ndarray)
        and a.ndim == b.ndim == 1
        and a.dtype == b.dtype
        and a.dtype in (np.float32, np.float64)
        and out is None
    ):
        prefix = "s" if a.dtype == np.float32 else "d"
        return a.dtype.type(0.0 + float(_blas(prefix, "dot")(a, b)))
    return _NUMPY_DOT(a, b, out=out)


_NUMPY_MATMUL = np.matmul
_NUMPY_DOT = np.dot


def _blas(prefix, name):
    return getattr(blas, prefix + name)


def _gemv(prefix, M, x):
    # numpy: column-major 'T' for a matrix with contiguous rows, else 'N'
    if _blasable(M):
        return _blas(prefix, "gemv")(1.0, M.T, x, trans=1)
    return _blas(prefix, "gemv")(1.0, M, x, trans=0)


def _gemm(prefix, A, B):
    # numpy's row-major gemm is the Fortran C^T = op(B)^T op(A)^T; scipy
    # takes Fortran-ordered operands, so each goes in as the transpose that
    # is Fortran-ordered without a copy
    b_operand, trans_b = (B.T, 0) if _blasable(B) else (B, 1)
    a_operand, trans_a = (A.T, 0) if _blasable(A) else (A, 1)
    product = _blas(prefix, "gemm")(
        1.0, b_operand, a_operand, trans_a=trans_b, trans_b=trans_a
    )
    return product.T


# == the perceptron ============================================================


def perceptron_reference_fit(
    X,
    y,
    n_epochs,
    *,
    multinomial=False,
    activation="step",
    eta=1.0,
    alpha=0.0,
    l1_ratio=0.0,
    fit_intercept=True,
    sample_weight=None,
    class_weight=None,
    coef_init=None,
    intercept_init=None,
    average=0,
    sparse=False,
    batch_size=1,
):
    """The perceptron's rules one sample at a time, in order, as written in
    the textbook and in scikit-learn's SGD loop; no blocks, no tricks.

    One neuron for two classes, else one per class. Neuron j's target is
    ``y_j = +1`` for its class and -1 for the rest; ``s`` is the sample's
    weight times its class weight (one-vs-rest: only the neuron's own class
    is weighted, except with two classes). Per sample, with ``z = W x + b``:

    * Rosenblatt: ``c_j = eta s y_j`` if ``y_j z_j <= 0``, else 0;
    * multinomial: if ``z_r >= z_k`` (``k`` the true class, ``r`` the first
      best-scoring other class) ``c_k = eta s``, ``c_r = -eta s``;
    * delta rule: ``c_j = eta s (t_j - f(z_j)) f'(z_j)``;

    then ``W *= max(0, 1 - eta alpha (1 - l1_ratio))`` (the L2 step, every
    sample), ``W += c x``, ``b += c``, and with an L1 part the cumulative
    truncation of the weights of the sample's features (Tsuruoka et al.;
    only its non-zero ones when ``sparse``).

    With ``batch_size = B > 1`` the samples come ``B`` at a time: all of a
    batch's ``c`` are decided with the weights at its start; then one L2
    step, ``W += c x / B`` and ``b += c / B`` for each of its samples, and
    one truncation of the batch's features. A short last batch of ``n``
    samples counts as ``n / B`` of a batch: its L2 step and L1 penalty are
    that share of a full batch's.

    Returns the final weights and biases, the mistaken samples per epoch and
    every sample's scores ``z``, epoch after epoch. The weights are, with
    ``average``, the mean of the weights after every step from step
    ``average`` on, a batch counting once per sample; with mini-batches and
    no ``average``, the same mean over the last epoch's steps.
    """
    classes = np.unique(y)
    labels = np.searchsorted(classes, y)
    n_neurons = 1 if len(classes) == 2 else len(classes)
    multinomial = multinomial and n_neurons > 1
    W = np.zeros((n_neurons, X.shape[1]))
    b = np.zeros(n_neurons)
    if coef_init is not None:
        W[...] = np.reshape(coef_init, W.shape)
    if intercept_init is not None:
        b[...] = np.reshape(intercept_init, b.shape)
    sw = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight)
    cw = [1.0 if class_weight is None else class_weight[c] for c in classes]
    # Imported here, so that the section stands alone in the module.
    from sknn.activations import get_activation

    f = None if activation == "step" else get_activation(activation)
    u, q = 0.0, np.zeros_like(W)  # the L1 penalty owed, and received
    W_sum, b_sum, n_averaged, step, errors, scores = 0 * W, 0 * b, 0, 0, [], []
    epoch_average = batch_size > 1 and not average
    for _ in range(n_epochs):
        n_wrong = 0
        if epoch_average:
            average, W_sum, b_sum, n_averaged = step + 1, 0 * W, 0 * b, 0
        for first in range(0, len(y), batch_size):
            batch = range(first, min(first + batch_size, len(y)))
            share = len(batch) / batch_size
            updates = []
            for i in batch:
                z = W @ X[i] + b
                scores.append(z)
                c, wrong = _perceptron_update(
                    z, labels[i], sw[i], cw, eta, f, multinomial
                )
                updates.append(c)
                n_wrong += bool(wrong)
            if share == 1:
                W *= max(0.0, 1.0 - eta * alpha * (1 - l1_ratio))
            else:
                W *= max(0.0, 1.0 - eta * alpha * (1 - l1_ratio) * share)
            for i, c in zip(batch, updates):
                W += np.outer(c / batch_size, X[i])
                if fit_intercept:
                    b += c / batch_size
            if l1_ratio > 0:
                u += (
                    eta * alpha * l1_ratio
                    if share == 1
                    else (eta * alpha * l1_ratio * share)
                )
                features = np.flatnonzero(np.any(X[list(batch)] != 0, axis=0))
                for j in features if sparse else range(X.shape[1]):
                    w = W[:, j].copy()
                    pos, neg = w > 0, w < 0
                    W[pos, j] = np.maximum(0, w[pos] - (u + q[pos, j]))
                    W[neg, j] = np.minimum(0, w[neg] + (u - q[neg, j]))
                    q[:, j] += W[:, j] - w
            step += len(batch)
            if 0 < average <= step:
                n = len(batch)
                W_sum, b_sum, n_averaged = W_sum + n * W, b_sum + n * b, n_averaged + n
        errors.append(n_wrong)
    if n_averaged:
        W, b = W_sum / n_averaged, b_sum / n_averaged
    return W, b, errors, np.array(scores)


def _perceptron_update(z, k, s, cw, eta, f, multinomial):
    """Each neuron's ``c`` for a sample of class ``k`` and weight ``s``
    scored ``z``, and whether the sample was a mistake."""
    n_neurons = len(z)
    c = np.zeros(n_neurons)
    if multinomial:
        others = [j for j in range(n_neurons) if j != k]
        r = others[int(np.argmax(z[others]))]
        wrong = z[r] >= z[k]
        if wrong:
            c[k], c[r] = eta * s * cw[k], -eta * s * cw[k]
        return c, wrong
    wrong = False
    for j in range(n_neurons):
        positive = k == 1 if n_neurons == 1 else k == j
        y_j = 1.0 if positive else -1.0
        weight = cw[k] if n_neurons == 1 or positive else 1.0
        wrong |= y_j * z[j] <= 0
        if f is None:
            c[j] = eta * s * weight * y_j if y_j * z[j] <= 0 else 0.0
        else:
            zj = np.array([z[j]])
            a = f.forward(zj)[0]
            target = f.targets[1] if positive else f.targets[0]
            df = f.derivative(z=zj, a=f.forward(zj))[0]
            c[j] = eta * s * weight * (target - a) * df
    return c, wrong
