"""Piecewise-linear embeddings of numeric features on quantile bins.

Gorishniy et al. 2022 ("On Embeddings for Numerical Features in Tabular Deep
Learning", PLE) encode a number ``x`` by where it falls among ``T`` bins of
its feature, cut at the feature's quantiles ``e_0 < e_1 < ... < e_T``: bin
``t``'s entry is

    ``(x - e_t) / (e_{t+1} - e_t)`` clipped to ``[0, 1]``,

so the bins left of ``x`` read 1, the bins right of it 0, and the bin holding
it the fraction of the bin it has covered. The first bin is not clipped below
and the last not above, so values beyond the fitted range extrapolate
linearly. The encoding is a monotone, piecewise-linear code of ``x`` whose
resolution follows the data: a learned linear map of it is any continuous
piecewise-linear function of ``x`` with its kinks at the quantiles, which a
first dense layer would otherwise need many units to draw.

:class:`PiecewiseLinearEmbedding` follows the encoding with a linear map per
feature to ``n_dims`` outputs and adds a linear embedding of ``x`` beside it
("version B" of rtdl's ``PiecewiseLinearEmbeddings``):

    ``h_f(x) = W_f^T ple_f(x) + x w_f + b_f``

The piecewise part starts at zero (so the network starts from the plain
linear embedding and learns the bends), ``w`` and ``b`` uniform in
``±1/√n_dims``. A feature whose quantiles collapse to fewer bins (a column
with few distinct values) uses the first of its ``T`` slots and the last
one, the others staying 0.

It has the interface of :class:`~sknn._embeddings.PeriodicEmbedding`
(``bind``, ``initialize``, ``forward``, ``backward``, ``n_params``,
``n_outputs``), so an :class:`~sknn._embeddings.InputLayer` takes either as
its ``numeric`` part. The products run feature by feature as one stacked
``matmul`` of shape ``(f, n, T) @ (f, T, d)``.
"""

import numpy as np

from sknn._embeddings import (
    _Buffers,
    _check_dtype,
    _rng,
    bind_views,
    restore_state,
    saved_state,
)

__all__ = ["PiecewiseLinearEmbedding", "quantile_bin_edges"]


def quantile_bin_edges(X, n_bins):
    """The edges of up to ``n_bins`` quantile bins of each column of ``X``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        The (scaled) numeric columns, without missing values.
    n_bins : int
        The most bins per feature; repeated quantiles merge bins.

    Returns
    -------
    list of ndarray
        Per feature, its increasing, distinct edges (at least one).
    """
    X = np.asarray(X, dtype=np.float64)
    levels = np.linspace(0.0, 1.0, int(n_bins) + 1)
    return [np.unique(np.quantile(X[:, j], levels)) for j in range(X.shape[1])]


class PiecewiseLinearEmbedding:
    """Learned piecewise-linear embeddings of numeric features, one per feature.

    Parameters
    ----------
    bin_edges : list of ndarray
        Per feature, the increasing edges of its bins
        (:func:`quantile_bin_edges`).
    n_dims : int, default=8
        The outputs per feature.
    dtype : {np.float64, np.float32}, default=np.float64

    Attributes
    ----------
    n_features : int
        The number of numeric features.
    n_bins : int
        ``T``, the slots per feature (the most bins any feature has, at
        least 2).
    n_params : int
        The length of the parameter views :meth:`bind` takes.
    n_outputs : int
        ``n_features * n_dims``, the width :meth:`forward` writes.
    left, inverse_width : ndarray of shape (n_features, T)
        Each slot's left edge and the inverse of its width (0 for an unused
        slot).
    coefs : ndarray of shape (n_features, T, n_dims)
        ``W``, the maps of the encodings.
    linear : ndarray of shape (n_features, n_dims)
        ``w``, the linear embedding.
    intercepts : ndarray of shape (n_features, n_dims)
        ``b``.
    grad : SimpleNamespace
        The gradient views, named and shaped like the weights.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn._piecewise import PiecewiseLinearEmbedding, quantile_bin_edges
    >>> X = np.random.RandomState(0).randn(100, 2)
    >>> layer = PiecewiseLinearEmbedding(quantile_bin_edges(X, 4), n_dims=3)
    >>> layer.encode(np.array([[-10.0, 0.0]]))[0].round(2)  # feature 0
    array([[-4.26,  0.  ,  0.  ,  0.  ]])
    >>> params, grads = np.empty(layer.n_params), np.empty(layer.n_params)
    >>> layer.bind(params, grads)
    >>> layer.initialize(0)
    >>> out = np.empty((100, layer.n_outputs))
    >>> layer.forward(X, out)
    >>> layer.backward(np.ones_like(out))
    >>> out.shape, layer.n_params
    ((100, 6), 36)
    """

    def __init__(self, bin_edges, n_dims=8, dtype=np.float64):
        self.dtype = _check_dtype(dtype)
        self.n_dims = int(n_dims)
        if self.n_dims < 1:
            raise ValueError(f"n_dims must be at least 1, got {n_dims}.")
        edges = [np.asarray(e, dtype=np.float64).reshape(-1) for e in bin_edges]
        if any(e.size < 1 or np.any(np.diff(e) <= 0) for e in edges):
            raise ValueError("every feature needs increasing, distinct bin edges.")
        self.n_features = len(edges)
        self.n_bins = max([2] + [e.size - 1 for e in edges])
        f, T = self.n_features, self.n_bins
        left = np.zeros((f, T))
        inverse = np.zeros((f, T))
        for j, e in enumerate(edges):
            n_j = e.size - 1
            if n_j < 1:
                continue  # a constant feature: only its linear part
            slots = [*range(n_j - 1), T - 1]
            left[j, slots] = e[:-1]
            inverse[j, slots] = 1.0 / np.diff(e)
        self.left = left.astype(self.dtype)
        self.inverse_width = inverse.astype(self.dtype)
        d = self.n_dims
        self._shapes = [
            ("coefs", (f, T, d)),
            ("linear", (f, d)),
            ("intercepts", (f, d)),
        ]
        self.n_params = sum(int(np.prod(s)) for _, s in self._shapes)
        self.n_outputs = f * d
        self._buffers = _Buffers(self.dtype)

    def __getstate__(self):
        return saved_state(
            self, [name for name, _ in self._shapes] + ["grad", "_batch"]
        )

    def __setstate__(self, state):
        restore_state(self, state)

    def __repr__(self):
        return (
            f"PiecewiseLinearEmbedding({self.n_features} features x {self.n_bins} "
            f"bins -> {self.n_dims})"
        )

    def bind(self, params, grads):
        """Make the weights and their gradients views of ``params`` and ``grads``.

        Parameters
        ----------
        params, grads : ndarray of shape (n_params,)
            Contiguous 1-D views, typically slices of a network's buffers.
        """
        bind_views(self, params, grads)

    def initialize(self, random_state):
        """Draw the weights: ``W = 0``; ``w`` and ``b`` from ``U(±1/√n_dims)``."""
        rng = _rng(random_state)
        bound = 1.0 / np.sqrt(self.n_dims)
        self.coefs[...] = 0.0
        self.linear[...] = rng.uniform(-bound, bound, self.linear.shape)
        self.intercepts[...] = rng.uniform(-bound, bound, self.intercepts.shape)

    def encode(self, X, out=None):
        """The piecewise-linear codes of ``X``, feature-major.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
        out : ndarray of shape (n_features, n_samples, T), optional

        Returns
        -------
        ndarray of shape (n_features, n_samples, T)
        """
        X = np.asarray(X, dtype=self.dtype)
        if out is None:
            out = np.empty((self.n_features, X.shape[0], self.n_bins), self.dtype)
        np.subtract(X.T[:, :, None], self.left[:, None, :], out=out)
        out *= self.inverse_width[:, None, :]
        np.minimum(out[..., 0], 1, out=out[..., 0])
        np.clip(out[..., 1:-1], 0, 1, out=out[..., 1:-1])
        np.maximum(out[..., -1], 0, out=out[..., -1])
        return out

    def forward(self, X, out):
        """Write the embeddings of ``X`` into ``out`` and keep what backward needs.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
            The scaled numeric columns (any strides).
        out : ndarray of shape (n_samples, n_outputs)
            Written: feature ``i``'s outputs are columns
            ``[i * n_dims, (i + 1) * n_dims)``.
        """
        n, f, d = X.shape[0], self.n_features, self.n_dims
        buffers = self._buffers
        inputs = buffers.get("inputs", (f, n))
        np.copyto(inputs, X.T)
        codes = self.encode(X, out=buffers.get("codes", (f, n, self.n_bins)))
        hidden = buffers.get("hidden", (f, n, d))
        np.matmul(codes, self.coefs, out=hidden)
        linear = buffers.get("linear", (f, n, d))
        np.multiply(inputs[:, :, None], self.linear[:, None, :], out=linear)
        hidden += linear
        hidden += self.intercepts[:, None, :]
        np.copyto(out.reshape(n, f, d), hidden.transpose(1, 0, 2))
        self._batch = (n, inputs, codes)

    def backward(self, d_out):
        """Overwrite the gradient views from ``d_out``, the gradient of the output.

        Parameters
        ----------
        d_out : ndarray of shape (n_samples, n_outputs)
            For the batch of the last :meth:`forward`.
        """
        n, inputs, codes = self._batch
        f, d = self.n_features, self.n_dims
        d_hidden = self._buffers.get("d_hidden", (f, n, d))
        np.copyto(d_hidden, d_out.reshape(n, f, d).transpose(1, 0, 2))
        np.matmul(codes.transpose(0, 2, 1), d_hidden, out=self.grad.coefs)
        np.matmul(inputs[:, None, :], d_hidden, out=self.grad.linear[:, None, :])
        np.sum(d_hidden, axis=1, out=self.grad.intercepts)
