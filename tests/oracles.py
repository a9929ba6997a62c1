"""The numpy oracles the compiled kernels are tested against.

Each oracle is the plain numpy (or Python) form of what a kernel computes:
written as a textbook writes it, with no blocks and no tricks, so that a
reader can check it line by line. The tests compare every kernel with its
oracle (bit for bit where the order of operations is the same, otherwise to
rounding), and the benchmarks time the kernels against them. Sections:

* the perceptron (:func:`perceptron_reference_fit`), the oracle of
  ``sknn/_perceptron_online.pyx`` and ``sknn/_perceptron_weights.pyx``.
"""

import numpy as np

from sknn.activations import get_activation

__all__ = ["perceptron_reference_fit"]


# ------------------------------------------------------------------------------
# The perceptron
# ------------------------------------------------------------------------------


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

    then ``W *= 1 - eta alpha (1 - l1_ratio)`` (the L2 step, every sample),
    ``W += c x``, ``b += c``, and with an L1 part the cumulative truncation
    of the weights of the sample's features (Tsuruoka et al.; only its
    non-zero ones when ``sparse``).
    Returns the final (or, with ``average``, the mean from step ``average``
    on) weights and biases, the mistaken samples per epoch and every
    sample's scores ``z``, epoch after epoch.
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
    rho = 1.0 - eta * alpha * (1 - l1_ratio)
    u, q = 0.0, np.zeros_like(W)  # the L1 penalty owed, and received
    f = None if activation == "step" else get_activation(activation)
    W_sum, b_sum, n_averaged, step, errors, scores = 0 * W, 0 * b, 0, 0, [], []
    for _ in range(n_epochs):
        n_wrong = 0
        for x, k, s in zip(X, labels, sw):
            z = W @ x + b
            scores.append(z)
            c = np.zeros(n_neurons)
            if multinomial:
                others = [j for j in range(n_neurons) if j != k]
                r = others[int(np.argmax(z[others]))]
                wrong = z[r] >= z[k]
                if wrong:
                    c[k], c[r] = eta * s * cw[k], -eta * s * cw[k]
            else:
                wrong = False
                for j in range(n_neurons):
                    positive = k == 1 if n_neurons == 1 else k == j
                    y_j = 1.0 if positive else -1.0
                    weight = cw[k] if n_neurons == 1 or positive else 1.0
                    wrong |= y_j * z[j] <= 0
                    if activation == "step":
                        c[j] = eta * s * weight * y_j if y_j * z[j] <= 0 else 0.0
                    else:
                        zj = np.array([z[j]])
                        a = f.forward(zj)[0]
                        target = f.targets[1] if positive else f.targets[0]
                        df = f.derivative(z=zj, a=f.forward(zj))[0]
                        c[j] = eta * s * weight * (target - a) * df
            n_wrong += bool(wrong)
            W *= rho
            W += np.outer(c, x)
            if fit_intercept:
                b += c
            if l1_ratio > 0:
                u += eta * alpha * l1_ratio
                for j in np.flatnonzero(x) if sparse else range(len(x)):
                    w = W[:, j].copy()
                    pos, neg = w > 0, w < 0
                    W[pos, j] = np.maximum(0, w[pos] - (u + q[pos, j]))
                    W[neg, j] = np.minimum(0, w[neg] + (u - q[neg, j]))
                    q[:, j] += W[:, j] - w
            step += 1
            if 0 < average <= step:
                W_sum, b_sum, n_averaged = W_sum + W, b_sum + b, n_averaged + 1
        errors.append(n_wrong)
    if n_averaged:
        W, b = W_sum / n_averaged, b_sum / n_averaged
    return W, b, errors, np.array(scores)
