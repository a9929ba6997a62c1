"""Divergence: what a fit does when its loss overflows, and the advice it gives.

A fit whose loss or weights become non-finite stops; it keeps the newest
weights whose outputs on the training data are finite
(:func:`keep_finite_weights`, trying the candidates that :class:`Snapshots`
remembers) and warns once (:func:`warn_divergence`), or raises when no
weights it went through are usable. The advice in both messages
(:func:`divergence_advice`) recommends scaling the input only where the
input's scale is in fact far from one (:func:`scale_advice`), which the
convergence warnings reuse.
"""

import math

import numpy as np
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning

from sknn._warnings import warn

__all__ = [
    "NON_FINITE_FIT",
    "Snapshots",
    "all_finite",
    "divergence_advice",
    "keep_finite_weights",
    "raise_unusable_fit",
    "scale_advice",
    "warn_divergence",
]

UNIT_SCALE = (0.1, 10.0)
"""The feature scales (root mean square of a column) that need no scaling.

Outside this range the warnings advise scaling the input. Glorot's initial
weights and the default learning rates assume features of about unit scale;
a StandardScaler gives exactly 1, and the tenfold margin either side keeps
the advice for data that is clearly off, such as raw pixel intensities
(digits: up to about 13) or features in thousands.
"""


ADVICE_ROWS = 4096
"""Rows read to judge the features' scales: evenly spaced, at most this many.

The advice is a judgement with tenfold margins (:data:`UNIT_SCALE`); a few
thousand rows settle it, where a pass over a large X would cost a noticeable
part of a fit (about 34 ms for 60,000 x 784 float32).
"""


def scale_advice(X):
    """Return advice to scale ``X`` if its features are far from unit scale, else ''.

    None (an input the estimator scales itself, the tabular networks') gets
    no advice.

    Far means the largest feature scale above :data:`UNIT_SCALE`, or the
    median one below it. All-zero columns are ignored: no scaling changes
    them. The advice quotes the smallest and largest scale found, so the user
    sees why it applies. The scales are those of at most :data:`ADVICE_ROWS`
    evenly spaced rows.
    """
    if X is None:  # an input the estimator scales itself
        return ""
    step = -(-X.shape[0] // ADVICE_ROWS)
    if step > 1:
        X = X[::step]
    with np.errstate(over="ignore"):  # squares of huge inputs are inf, and far
        if sparse.issparse(X):
            mean_square = np.asarray(X.multiply(X).mean(axis=0)).ravel()
        else:
            mean_square = np.einsum("ij,ij->j", X, X, dtype=np.float64) / len(X)
    scales = np.sqrt(mean_square[mean_square > 0])
    low, high = UNIT_SCALE
    # The median, not the minimum, below: a rarely non-zero column (a corner
    # pixel) has a tiny scale that slows nothing; all features small does.
    if not scales.size or np.median(scales) >= low and scales.max() <= high:
        return ""
    return (
        "scale the input (the features' root mean squares range from "
        f"{scales.min():.3g} to {scales.max():.3g}; "
        "sklearn.preprocessing.StandardScaler makes them 1)"
    )


def divergence_advice(X, rate="learning_rate_init"):
    """The advice a diverging fit gives: scaling where it applies, a smaller rate.

    ``rate`` names the estimator's learning-rate parameter (the perceptron's
    is ``eta0``).
    """
    scaling = scale_advice(X)
    if scaling:
        # Not str.capitalize, which would lower-case StandardScaler.
        return f"{scaling[0].upper()}{scaling[1:]} or lower {rate}."
    return f"Lower {rate}."


NON_FINITE_FIT = (
    "Solver produced non-finite parameter weights. The input data may contain "
    "large values and need to be preprocessed."
)
"""scikit-learn's words for a fit that produced no usable weights."""


def raise_unusable_fit(X, advise=True, rate="learning_rate_init"):
    """Raise scikit-learn's error for a fit that diverged before any epoch ended.

    Keeping the last finite weights is a good policy when they are a fit;
    before the first epoch has ended with a finite loss they are only the
    initial random weights, which would predict nonsense.
    """
    advice = divergence_advice(X if advise else None, rate)
    raise ValueError(f"{NON_FINITE_FIT} {advice}")


def warn_divergence(epoch, X, advise=True, rate="learning_rate_init"):
    """Warn that training diverged in ``epoch``; the last finite weights are kept."""
    warn(
        f"Training diverged in iteration {epoch}: the loss became non-finite. "
        "The last weights whose outputs on the training data are finite were "
        f"kept. {divergence_advice(X if advise else None, rate)}",
        ConvergenceWarning,
    )


class Snapshots:
    """The weights at the start of the last two epochs, and of the call.

    A step can leave weights whose loss was never computed (the last step of
    an epoch, of a fit); they are finite numbers yet may overflow in the
    forward pass. These copies are the fallbacks :func:`keep_finite_weights`
    tries, newest first. Two buffers, made on first need, are taken in turn,
    so remembering an epoch costs one copy of the parameters.

    The call's start is kept too when it is the result of an earlier fit
    (``keep_start``: a warm start, partial_fit), copied aside only when a
    third epoch would overwrite it. A fit from scratch starts from random
    weights, which are no fit (a fit that diverges before any epoch ends
    raises rather than keep them): keeping them from the third epoch on
    would cost a third copy of the parameters for nothing.
    """

    def __init__(self, params, keep_start=True):
        self._params = params
        self._buffers = []
        self._start = None
        self._keep_start = keep_start
        self._n_remembered = 0

    def remember(self, params):
        """Copy ``params``, the weights an epoch starts from."""
        n = self._n_remembered
        if n < 2:
            self._buffers.append(np.empty_like(self._params))
        elif n == 2 and self._keep_start:
            self._start = self._buffers[0].copy()
        np.copyto(self._buffers[n % 2], params)
        self._n_remembered += 1

    def candidates(self):
        """The remembered weights, newest first, ending with the call's start
        where it is kept."""
        n = self._n_remembered
        newest = [self._buffers[(n - 1 - k) % 2] for k in range(min(n, 2))]
        return newest if self._start is None else [*newest, self._start]


def keep_finite_weights(network, X, candidates, advise=True, rate="learning_rate_init"):
    """Set the network's weights to the first of ``candidates`` finite on ``X``.

    Finite on the training data ``X`` means the logits there are finite, so
    the fitted model predicts finite values on the data it was fitted to.
    ``candidates`` may start with ``network.params`` itself; ``rate`` names
    the learning rate in the advice.

    Raises
    ------
    ValueError
        When no candidate is finite on ``X``, with the advice to scale the
        input or lower the learning rate.
    """
    for weights in candidates:
        if weights is not network.params:
            network.params[...] = weights
        if network.finite_on(X):
            return
    raise ValueError(
        "Training diverged: none of the weights it went through gives finite "
        "outputs on the training data. "
        f"{divergence_advice(X if advise else None, rate)}"
    )


def all_finite(array):
    """Whether ``array`` holds no inf or NaN, checked with no temporary array.

    The largest and smallest entries are finite exactly when every entry is:
    NaN propagates through both reductions, and an infinity is one of them.
    (``np.isfinite(array).all()`` would make a boolean copy of the parameters
    every epoch, the size of which shows in a fit's peak memory.)
    """
    return math.isfinite(array.max()) and math.isfinite(array.min())
