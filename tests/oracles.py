"""Numpy oracles: the plain forms of what sknn's compiled code computes.

Each oracle computes with numpy, one operation at a time, what a compiled
kernel computes in one pass. The tests check the kernels against them, bit for
bit where both take the same operations in the same order, and to rounding
where they do not. Nothing in sknn imports this module: these forms are no
longer anyone's production code.

Sections: the perceptron (its rules one sample at a time, the oracle of
``sknn/_perceptron_online.pyx`` and ``sknn/_perceptron_weights.pyx``).
"""

import numpy as np

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
