"""Scoring the perceptron's neurons on rows of X, a few thousand at a time.

Outside training the neurons score rows with matrix products: the held-out
accuracy early stopping watches (:func:`accuracies`) and the end-of-fit
check that the weights kept give finite pre-activations on the training data
(:func:`keep_finite_neurons`, through the MLPs' policy in
:mod:`sknn._divergence`). Both work on pieces of :data:`ROWS_AT_ONCE` rows,
so that scoring X costs a few megabytes, never a product the size of X's
rows times the neurons.
"""

import numpy as np
import scipy.sparse as sp
from sklearn.utils.extmath import safe_sparse_dot

from sknn._divergence import keep_finite_weights

__all__ = ["ROWS_AT_ONCE", "Neurons", "accuracies", "keep_finite_neurons"]

ROWS_AT_ONCE = 4096
"""The rows scored by one product."""


def accuracies(trainer, weights, X, y, sample_weight, rows):
    """Return each problem's weighted accuracy on ``rows``.

    A one-vs-rest neuron's is its accuracy at telling its class from the
    rest; the multinomial rule's, the multiclass accuracy. ``y`` holds class
    indices; ``trainer`` is the :class:`~sknn._perceptron_training.Trainer`.
    """
    if sample_weight is None:
        sample_weight = np.ones(len(rows))
    else:
        sample_weight = sample_weight[rows]
    if not sample_weight.sum() > 0:
        raise ValueError(
            "The sample weights of the validation set are all zero; change "
            "random_state or validation_fraction."
        )
    right = np.zeros(trainer.n_problems)
    for start in range(0, len(rows), ROWS_AT_ONCE):
        part = rows[start : start + ROWS_AT_ONCE]
        scores = safe_sparse_dot(X[part], weights.coef.T, dense_output=True)
        scores += weights.intercept
        if trainer.multinomial:  # one problem: a column of one score
            correct = (scores.argmax(axis=1) == y[part])[:, None]
        else:
            correct = (scores > 0) == (trainer.sign[y[part]] > 0)
        right += sample_weight[start : start + ROWS_AT_ONCE] @ correct
    return right / sample_weight.sum()


class Neurons:
    """Fitted weights as :func:`~sknn._divergence.keep_finite_weights` sees a network.

    Parameters
    ----------
    coef : ndarray of shape (n_neurons, n_features)
        The weights, which the policy calls ``params``.
    intercept : ndarray of shape (n_neurons,)
        The biases.
    """

    def __init__(self, coef, intercept):
        self.params, self.intercept = coef, intercept

    def finite_on(self, X):
        """Return whether the pre-activations of ``X`` are all finite.

        Each is at most the neuron's weights' magnitudes times X's largest
        entry plus its bias; only where that bound nears overflow are the
        rows scored, :data:`ROWS_AT_ONCE` at a time.
        """
        data = X.data if sp.issparse(X) else X
        largest = float(max(data.max(initial=0), -data.min(initial=0)))
        # Row by row: no temporary the size of the weights.
        magnitudes = max(np.abs(row).sum(dtype=float) for row in self.params)
        with np.errstate(over="ignore", invalid="ignore"):
            bound = magnitudes * largest + float(np.abs(self.intercept).max())
            if bound < float(np.finfo(self.params.dtype).max) / 4:
                return True
            for start in range(0, X.shape[0], ROWS_AT_ONCE):
                part = X[start : start + ROWS_AT_ONCE]
                scores = safe_sparse_dot(part, self.params.T, dense_output=True)
                if not np.isfinite(scores + self.intercept).all():
                    return False
        return True


def keep_finite_neurons(X, *weights):
    """Raise the MLPs' divergence error if some weights overflow on ``X``.

    ``weights`` are ``(coef, intercept)`` pairs: the weights reported and
    those training goes on from, which differ with averaging (an average may
    stay finite where the weights it averages do not).
    """
    for i, (coef, intercept) in enumerate(weights):
        if all(coef is not earlier for earlier, _ in weights[:i]):
            neurons = Neurons(coef, intercept)
            keep_finite_weights(neurons, X, [neurons.params], rate="eta0")
