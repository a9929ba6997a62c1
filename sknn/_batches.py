"""Mini-batches: a training set served in slices or gathered rows, buffers reused.

The stochastic solvers visit the training data one mini-batch at a time. In
order, a batch is a slice view of the data; shuffled, its rows are gathered
into buffers allocated once (:class:`MiniBatches`). :func:`resolve_batch_size`
turns the estimators' ``batch_size`` into a number of rows as scikit-learn
does.
"""

from functools import partial

import numpy as np
from scipy import sparse

from sknn._warnings import warn

__all__ = ["MiniBatches", "resolve_batch_size"]


def resolve_batch_size(batch_size, n_samples, auto=200):
    """Return the batch size to train with: 'auto' is ``min(auto, n_samples)``.

    ``auto`` is scikit-learn's 200 for the MLPs. A batch size larger than the
    number of samples is clipped to it, with a warning, as scikit-learn does.
    """
    if batch_size == "auto":
        return min(auto, n_samples)
    if batch_size > n_samples:
        warn(
            f"batch_size={batch_size} is larger than the {n_samples} training "
            f"samples; it is clipped to {n_samples}.",
            UserWarning,
        )
        return n_samples
    return batch_size


class MiniBatches:
    """A training set served in mini-batches, in order or shuffled.

    In order, each batch is a slice view of the data and nothing is copied.
    Shuffled, only an index array is permuted; each batch's rows are then
    gathered with ``np.take(..., out=)`` into buffers allocated once, the
    last, shorter batch using their leading rows. (A CSR matrix has no such
    buffer: its rows are sliced into a new matrix.)

    Targets may be stored compactly (a boolean indicator matrix takes an
    eighth of float64's memory); each batch of them is then widened into one
    reused buffer of the data's dtype, and label smoothing, when asked for,
    is applied there: ``Y ← scale · Y + shift``.

    Parameters
    ----------
    X : {ndarray, scipy.sparse.csr_matrix} of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_outputs)
        The targets: an indicator matrix, of any dtype.
    sample_weight : ndarray of shape (n_samples,) or None
    batch_size : int
    smoothing : tuple of float or None, default=None
        ``(scale, shift)`` of label smoothing, applied to the widened targets;
        None leaves them as they are.

    Attributes
    ----------
    order : ndarray of int or None
        The current sample order; None until the first :meth:`shuffle`.
    n_samples : int
    """

    def __init__(self, X, Y, sample_weight, batch_size, smoothing=None):
        self.X = X
        self.Y = Y
        self.sample_weight = sample_weight
        self.batch_size = batch_size
        self.smoothing = smoothing
        self.n_samples = X.shape[0]
        self.order = None
        self._buffers = None
        self._wide_targets = None

    @property
    def n_batches(self):
        """The number of batches in an epoch (the last may be shorter)."""
        return -(-self.n_samples // self.batch_size)

    def shuffle(self, random_state):
        """Permute the sample order in place.

        Shuffling the running order (rather than a fresh ``arange``) is what
        ``sklearn.utils.shuffle`` does to ``MLPClassifier``'s index array,
        with the same draws, so the same random state gives the same batches.
        """
        if self.order is None:
            self.order = np.arange(self.n_samples)
        random_state.shuffle(self.order)

    def __iter__(self):
        """Yield ``(X_batch, Y_batch, sample_weight_batch)`` for one epoch."""
        # What kind of data X is, asked once per epoch rather than per batch.
        if sparse.issparse(self.X):
            take_rows = None
        elif isinstance(self.X, np.ndarray):
            take_rows = self.X.take
        else:
            take_rows = partial(np.take, self.X)
        for start in range(0, self.n_samples, self.batch_size):
            stop = min(start + self.batch_size, self.n_samples)
            if self.order is None:
                yield self._slice(start, stop)
            else:
                yield self._gather(self.order[start:stop], take_rows)

    def _slice(self, start, stop):
        weights = self.sample_weight
        return (
            self.X[start:stop],
            self._widen(self.Y[start:stop]),
            None if weights is None else weights[start:stop],
        )

    def _gather(self, indices, take_rows):
        """Gather the rows ``indices``; ``take_rows`` is ``np.take`` bound to
        the dense data (None for a sparse one)."""
        X_buffer, Y_buffer, weight_buffer = self._buffers or self._allocate()
        n = len(indices)
        # The indices are valid by construction; mode="clip" lets np.take
        # write straight into `out` (mode="raise" goes through a temporary).
        if take_rows is None:
            X_batch = self.X[indices]
        else:
            X_batch = take_rows(indices, axis=0, out=X_buffer[:n], mode="clip")
        Y_batch = self.Y.take(indices, axis=0, out=Y_buffer[:n], mode="clip")
        weights = None
        if self.sample_weight is not None:
            weights = np.take(
                self.sample_weight, indices, out=weight_buffer[:n], mode="clip"
            )
        return X_batch, self._widen(Y_batch), weights

    def _widen(self, Y_batch):
        if self.Y.dtype == self.X.dtype and self.smoothing is None:
            return Y_batch
        if self._wide_targets is None:
            shape = (self.batch_size, self.Y.shape[1])
            self._wide_targets = np.empty(shape, dtype=self.X.dtype)
        wide = self._wide_targets[: len(Y_batch)]
        np.copyto(wide, Y_batch)
        if self.smoothing is not None:
            scale, shift = self.smoothing
            wide *= wide.dtype.type(scale)
            wide += wide.dtype.type(shift)
        return wide

    def _allocate(self):
        size = self.batch_size
        X_buffer = None
        if not sparse.issparse(self.X):
            X_buffer = np.empty((size, self.X.shape[1]), dtype=self.X.dtype)
        Y_buffer = np.empty((size, self.Y.shape[1]), dtype=self.Y.dtype)
        weight_buffer = None
        if self.sample_weight is not None:
            weight_buffer = np.empty(size, dtype=self.sample_weight.dtype)
        self._buffers = (X_buffer, Y_buffer, weight_buffer)
        return self._buffers
