"""Losses, each paired with the output function it is the natural partner of.

A network's last layer produces logits ``z``. The loss owns what happens next:
the output function that turns ``z`` into predictions ``p`` (the logistic,
the softmax, the identity, the exponential) and the loss that scores ``p``
against the targets ``Y``. The losses are registered by name (:data:`LOSSES`),
so two of them may share an output function (the squared and the absolute
error both predict with the identity). Each pairing but the absolute error's
is *canonical*: the derivative of the loss with respect to the logits is
simply ``p - Y``, so the output delta of back-propagation never needs the
output function's derivative; the absolute error's is ``sign(p - Y)``.

Every value is computed from the logits, never from clipped probabilities:

* binary log-loss ``-y log σ(z) - (1 - y) log(1 - σ(z))`` equals
  ``softplus(z) - y z``, and ``softplus(z) = logaddexp(0, z)`` never
  overflows;
* softmax log-loss ``-Σ_k y_k log softmax(z)_k`` equals
  ``Σ_k y_k (lse(z) - z_k)`` with ``lse(z) = m + log Σ_k exp(z_k - m)`` and
  ``m = max_k z_k``, so every exponent is at most 0 and cannot overflow; the
  smallest one may underflow to 0, which is harmless because the largest
  term is exactly ``exp(0) = 1``.

* half the Poisson deviance ``y log(y / mu) - y + mu`` with ``mu = exp(z)``
  equals ``y log y - y - y z + exp(z)``, with no division by ``mu``.

The log-losses stay finite for logits of any finite size (tested up to ``1e4`` in
float32 and float64), where a loss through clipped probabilities saturates at
``-log(eps)``.

The training step's :meth:`Loss.value_and_delta` runs as one compiled pass
over the batch (:mod:`sknn._loss_kernels`) for the softmax and binary
log-losses and the squared error; the absolute error and the Poisson
deviance, and every other method, use numpy.
"""

from abc import ABC, abstractmethod

import numpy as np
from scipy import special

from sknn import _loss_kernels as kernels

__all__ = [
    "LOSSES",
    "AbsoluteError",
    "BinaryLogLoss",
    "Loss",
    "PoissonDeviance",
    "SoftmaxLogLoss",
    "SquaredError",
    "get_loss",
]


class Loss(ABC):
    """A loss together with the output function of the last layer.

    Subclasses implement :meth:`output`, :meth:`log_output` and
    :meth:`sample_losses`; :meth:`value` and :meth:`value_and_delta` build on
    them.

    Attributes
    ----------
    name : str
        The loss's name, as scikit-learn calls it.
    out_activation : str
        The output function's name, scikit-learn's ``out_activation_``.
    averages_outputs : bool
        Whether a sample's loss is the mean over the output columns (the
        regression errors, as scikit-learn's) rather than their sum.
    """

    name = None
    out_activation = None
    averages_outputs = False

    @abstractmethod
    def output(self, logits, out=None):
        """Return the predictions for ``logits``.

        Parameters
        ----------
        logits : ndarray of shape (n_samples, n_outputs)
            The last layer's pre-activations.
        out : ndarray, optional
            Where to write the result; ``out=logits`` transforms in place.

        Returns
        -------
        ndarray of shape (n_samples, n_outputs)
        """

    def log_output(self, logits, out=None):
        """Return the logarithm of :meth:`output`, computed from the logits.

        Finite wherever the logits are, even where :meth:`output` rounds to
        0 or 1.

        Parameters
        ----------
        logits : ndarray of shape (n_samples, n_outputs)
        out : ndarray, optional
            Where to write the result; ``out=logits`` is allowed.

        Returns
        -------
        ndarray of shape (n_samples, n_outputs)

        Raises
        ------
        ValueError
            For outputs that are no probabilities (the regression losses').
        """
        raise ValueError(
            f"The {self.out_activation} output of {self.name} is no probability; "
            "it has no logarithm to take."
        )

    @abstractmethod
    def sample_losses(self, logits, Y):
        """Return each sample's loss, summed over the output columns.

        Parameters
        ----------
        logits : ndarray of shape (n_samples, n_outputs)
        Y : ndarray of shape (n_samples, n_outputs)
            The targets.

        Returns
        -------
        ndarray of shape (n_samples,)
        """

    def value(self, logits, Y, sample_weight=None):
        """Return the loss summed over the samples.

        Parameters
        ----------
        logits : ndarray of shape (n_samples, n_outputs)
        Y : ndarray of shape (n_samples, n_outputs)
        sample_weight : ndarray of shape (n_samples,), optional
            Weights of the per-sample losses in the sum.

        Returns
        -------
        float
            ``Σ_i w_i loss_i``; divide by ``Σ_i w_i`` for the mean.
        """
        losses = self.sample_losses(logits, _targets(Y, logits.dtype))
        if sample_weight is None:
            return float(losses.sum())
        return float(np.dot(losses, sample_weight))

    def value_and_delta(self, logits, Y, sample_weight=None, scale=1.0):
        """Return :meth:`value` and overwrite ``logits`` with the output delta.

        The delta is the gradient of the weighted sum with respect to the
        logits, ``(p - Y) * sample_weight * scale``, where ``p`` is
        :meth:`output` (divided by the number of columns where the loss
        averages them). Doing both in one call lets the value reuse the
        logits before they are overwritten.

        Parameters
        ----------
        logits : ndarray of shape (n_samples, n_outputs)
            Overwritten with the delta.
        Y : ndarray of shape (n_samples, n_outputs)
        sample_weight : ndarray of shape (n_samples,), optional
        scale : float, default=1.0
            A factor for the delta only, typically ``1 / Σ_i w_i`` so that
            back-propagating it yields the gradient of the mean loss.

        Returns
        -------
        float
            The unscaled weighted sum of the losses, as :meth:`value`.
        """
        Y = _targets(Y, logits.dtype)
        total = self.value(logits, Y, sample_weight)
        self.output(logits, out=logits)
        if self.averages_outputs:
            scale /= logits.shape[1]
        _finish_delta(logits, Y, sample_weight, scale)
        return total

    def __repr__(self):
        return f"{type(self).__name__}()"


def _targets(Y, dtype):
    """Return the targets ``Y`` (boolean indicators, say) as ``dtype``.

    One small conversion per batch lets every later operation run a
    same-type loop instead of numpy's slower casting one.
    """
    return np.asarray(Y).astype(dtype, copy=False)


def _fused(kernel, logits, Y, sample_weight, scale):
    """Run a compiled ``value_and_delta`` pass; return the loss sum as a float.

    The training batches already come contiguous and in the logits' dtype;
    anything else is converted (copied) first.
    """
    dtype = logits.dtype
    Y = np.ascontiguousarray(Y, dtype=dtype)
    if sample_weight is not None:
        sample_weight = np.ascontiguousarray(sample_weight, dtype=dtype)
    return float(kernel(logits, Y, sample_weight, float(scale)))


def _finish_delta(delta, Y, sample_weight, scale):
    """Turn predictions ``delta`` into ``(p - Y) * sample_weight * scale`` in place.

    ``Y=None`` when ``delta`` already holds the difference.
    """
    if Y is not None:
        delta -= Y
    if sample_weight is None:
        if scale != 1.0:
            delta *= delta.dtype.type(scale)
    else:
        weights = np.multiply(sample_weight, scale, dtype=delta.dtype)
        delta *= weights[:, np.newaxis]


class BinaryLogLoss(Loss):
    """Logistic outputs scored by the binary log-loss (cross-entropy).

    One independent logistic unit per output column: a binary problem has one
    column, a multilabel problem one per label, and the loss sums the
    columns, as scikit-learn's ``binary_log_loss`` does.

    Notes
    -----
    With ``σ(z) = 1 / (1 + exp(-z))`` the loss of one column is
    ``-y log σ(z) - (1 - y) log(1 - σ(z)) = softplus(z) - y z``, computed with
    ``softplus(z) = logaddexp(0, z)``, and its derivative is ``σ(z) - y``.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn._losses import BinaryLogLoss
    >>> loss = BinaryLogLoss()
    >>> logits = np.array([[0.0], [1e4]])
    >>> loss.output(logits)
    array([[0.5],
           [1. ]])
    >>> round(loss.value(logits, np.array([[1.0], [0.0]])), 4)
    10000.6931
    """

    name = "binary_log_loss"
    out_activation = "logistic"

    def output(self, logits, out=None):
        return special.expit(logits, out=_out_like(logits, out))

    def log_output(self, logits, out=None):
        # log σ(z) = -softplus(-z)
        out = np.negative(logits, out=_out_like(logits, out))
        np.logaddexp(0, out, out=out)
        return np.negative(out, out=out)

    def sample_losses(self, logits, Y):
        losses = np.logaddexp(0, logits)
        losses -= Y * logits
        return losses.sum(axis=1)

    def value_and_delta(self, logits, Y, sample_weight=None, scale=1.0):
        return _fused(kernels.binary_log_loss, logits, Y, sample_weight, scale)


class SoftmaxLogLoss(Loss):
    """Softmax outputs scored by the log-loss (categorical cross-entropy).

    Notes
    -----
    With ``lse(z) = log Σ_k exp(z_k)`` the softmax is
    ``p_k = exp(z_k - lse(z))``, the loss is ``Σ_k y_k (lse(z) - z_k)`` and its
    derivative with respect to ``z`` is ``p - y`` for targets summing to 1.
    ``lse`` is evaluated after subtracting the row maximum, so no exponent is
    positive.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn._losses import SoftmaxLogLoss
    >>> loss = SoftmaxLogLoss()
    >>> logits = np.array([[0.0, 0.0], [0.0, 1e4]])
    >>> loss.output(logits)
    array([[0.5, 0.5],
           [0. , 1. ]])
    >>> loss.log_output(logits)[1]
    array([-10000.,      0.])
    """

    name = "log_loss"
    out_activation = "softmax"

    def output(self, logits, out=None):
        out = _shifted(logits, out)
        np.exp(out, out=out)
        out /= out.sum(axis=1, keepdims=True)
        return out

    def log_output(self, logits, out=None):
        out = _shifted(logits, out)
        out -= np.log(np.exp(out).sum(axis=1, keepdims=True))
        return out

    def sample_losses(self, logits, Y):
        Y = _targets(Y, logits.dtype)
        return -np.einsum("ij,ij->i", Y, self.log_output(logits))

    def value_and_delta(self, logits, Y, sample_weight=None, scale=1.0):
        return _fused(kernels.softmax_log_loss, logits, Y, sample_weight, scale)


class SquaredError(Loss):
    """Identity outputs scored by half the squared error.

    Notes
    -----
    The loss of one sample is ``0.5 / K Σ_k (z_k - y_k)²`` over its ``K``
    output columns: averaged over the columns, as scikit-learn's
    ``squared_loss`` does, so that ``loss_`` and the ``tol``-based stopping
    mean the same on multi-output targets. Its derivative is ``(z - y) / K``,
    the exact gradient of that value. (scikit-learn back-propagates ``z - y``
    whatever ``K``: the gradient of the sum over the columns, ``K`` times the
    gradient of the loss it reports. For one column the two agree.)

    Examples
    --------
    >>> import numpy as np
    >>> from sknn._losses import SquaredError
    >>> SquaredError().value(np.array([[1.0], [3.0]]), np.array([[0.0], [1.0]]))
    2.5
    """

    name = "squared_error"
    out_activation = "identity"
    averages_outputs = True

    def output(self, logits, out=None):
        return _identity(logits, out)

    def sample_losses(self, logits, Y):
        residual = logits - Y
        return (0.5 / logits.shape[1]) * np.einsum("ij,ij->i", residual, residual)

    def value_and_delta(self, logits, Y, sample_weight=None, scale=1.0):
        return _fused(kernels.squared_error, logits, Y, sample_weight, scale)


class AbsoluteError(Loss):
    """Identity outputs scored by the absolute error: median regression.

    Notes
    -----
    The loss of one sample is ``1 / K Σ_k |z_k - y_k|``, averaged over the
    ``K`` output columns like :class:`SquaredError`. Its derivative with
    respect to ``z`` is ``sign(z - y) / K``: every residual pulls with the
    same force whatever its size, so the minimiser of the mean is a median
    rather than a mean, and outliers weigh no more than other points. The
    loss has a kink at 0, so the gradient never shrinks near the optimum:
    the stochastic solvers suit it (with a decreasing step: Adam, or sgd with
    'invscaling' or 'adaptive'), while L-BFGS, which assumes a smooth
    function, tends to stop early with a line-search failure.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn._losses import AbsoluteError
    >>> AbsoluteError().value(np.array([[1.0], [3.0]]), np.array([[0.0], [1.0]]))
    3.0
    """

    name = "absolute_error"
    out_activation = "identity"
    averages_outputs = True

    def output(self, logits, out=None):
        return _identity(logits, out)

    def sample_losses(self, logits, Y):
        return np.abs(logits - Y).mean(axis=1)

    def value_and_delta(self, logits, Y, sample_weight=None, scale=1.0):
        Y = _targets(Y, logits.dtype)
        total = self.value(logits, Y, sample_weight)
        logits -= Y
        np.sign(logits, out=logits)
        _finish_delta(logits, None, sample_weight, scale / logits.shape[1])
        return total


class PoissonDeviance(Loss):
    """Exponential outputs scored by half the Poisson deviance.

    The canonical pairing for counts: the logit is the logarithm of the
    predicted mean, ``mu = exp(z)`` (a log link), so the prediction is
    positive whatever the weights.

    Notes
    -----
    Half the Poisson deviance of one column is
    ``y log(y / mu) - y + mu = y log y - y - y z + exp(z)``, computed from the
    logit without ever forming ``y / mu``; the columns are summed, as
    scikit-learn's ``poisson_loss`` sums them. The derivative with respect to
    ``z`` is ``exp(z) - y``: prediction minus target again. The
    exponential overflows for ``z`` above about 709 (88 in float32);
    :meth:`output` clips the logits there, so a prediction is at most the
    largest finite float instead of ``inf``.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn._losses import PoissonDeviance
    >>> loss = PoissonDeviance()
    >>> loss.output(np.array([[0.0], [1e4]]))
    array([[1.00000000e+000],
           [1.79769313e+308]])
    >>> round(loss.value(np.array([[0.0]]), np.array([[1.0]])), 6)
    0.0
    """

    name = "poisson"
    out_activation = "exp"

    def output(self, logits, out=None):
        out = np.minimum(
            logits, _max_exponent(logits.dtype), out=_out_like(logits, out)
        )
        return np.exp(out, out=out)

    def sample_losses(self, logits, Y):
        # y log y - y is the deviance's constant: it makes a perfect fit 0.
        losses = special.xlogy(Y, Y)
        losses -= Y
        losses -= Y * logits
        losses += self.output(logits)
        return losses.sum(axis=1)


def _identity(logits, out):
    if out is None:
        return logits.copy()
    if out is not logits:
        out[...] = logits
    return out


def _max_exponent(dtype):
    """A ``z`` just below the largest whose ``exp(z)`` is finite in ``dtype``.

    ``log(max)`` itself rounds up in float32, where its ``exp`` overflows; one
    float step lower is safe in both dtypes.
    """
    bound = np.log(np.finfo(dtype).max).astype(dtype)
    return np.nextafter(bound, bound.dtype.type(0))


def _out_like(logits, out):
    return np.empty_like(logits) if out is None else out


def _shifted(logits, out):
    """Write ``logits - max(logits, axis=1)`` into ``out`` (new array when None)."""
    return np.subtract(logits, _row_max(logits), out=_out_like(logits, out))


def _row_max(logits):
    """Return ``logits.max(axis=1, keepdims=True)``, the same values, faster.

    numpy reduces along short rows (a few classes) one row at a time; down
    the columns of the transposed copy it runs whole rows of ``np.maximum``
    at once: about four times faster for a 200 x 10 batch, even counting the
    copy.
    """
    return np.maximum.reduce(np.ascontiguousarray(logits.T), axis=0)[:, np.newaxis]


LOSSES = {
    cls.name: cls
    for cls in (
        BinaryLogLoss,
        SoftmaxLogLoss,
        SquaredError,
        AbsoluteError,
        PoissonDeviance,
    )
}
"""The losses by name: scikit-learn's names, plus 'absolute_error'."""


def get_loss(name):
    """Return the loss called ``name``, with its output function.

    Parameters
    ----------
    name : {'binary_log_loss', 'log_loss', 'squared_error', 'absolute_error', \
            'poisson'}
        The loss. Each owns its output function: the logistic, the softmax,
        the identity (both errors) and the exponential.

    Returns
    -------
    Loss

    Raises
    ------
    ValueError
        If ``name`` is not one of them.

    Examples
    --------
    >>> from sknn._losses import get_loss
    >>> get_loss("log_loss")
    SoftmaxLogLoss()
    >>> get_loss("poisson").out_activation
    'exp'
    """
    if name not in LOSSES:
        raise ValueError(f"Unknown loss {name!r}; valid names are {sorted(LOSSES)}.")
    return LOSSES[name]()
