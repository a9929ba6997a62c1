"""The tabular networks' input layers: numeric and categorical embeddings.

Between the table encoder (:mod:`sknn._columns`) and the dense core
(:mod:`sknn._network`) sits one more trainable stage. :class:`InputLayer`
takes an :class:`~sknn._columns.EncodedTable` batch (its dense matrix, numeric
columns first, and its integer codes) and writes the first dense layer's
input into a buffer the caller owns::

    [ numeric embeddings | passthrough columns | categorical embeddings ]

The passthrough columns (missing indicators, one-hot columns) are copied as
they are.

Numeric embeddings (:class:`PeriodicEmbedding`)
-----------------------------------------------
Each numeric feature ``x`` goes through a small periodic embedding of its own
(Gorishniy et al. 2022, "On Embeddings for Numerical Features in Tabular Deep
Learning"). With ``k`` learned frequencies ``c`` per feature, drawn from
``N(0, σ²)``, and the argument counted in turns (``t = c x``, one turn = 2π):

* ``kind='pbld'`` (RealMLP's variant, Holzmüller et al. 2024): learned phases
  ``b`` as well, ``v = cos(2π (c x + b))`` in ``R^k``, a per-feature linear map
  to ``n_dims - 1`` outputs, and ``x`` itself beside them (a DenseNet-style
  skip, so the linear path is always there): ``[W_f^T v + β_f, x]``.
* ``kind='plr'`` (the paper's PLR): ``v = [sin 2π c x, cos 2π c x]`` in
  ``R^{2k}``, a per-feature linear map to ``n_dims`` outputs, then ReLU.

Every feature has its own frequencies and linear map; the products run
feature by feature as one stacked ``matmul`` of shape ``(f, n, k) @ (f, k, d)``.
The cosines and sines come from :mod:`sknn._periodic_kernels` in float64,
where numpy's scalar C-library calls were the layer's whole cost, and from
numpy in float32, where numpy's own vectorised sin and cos are faster than the
kernel.

Categorical embeddings (:class:`CategoricalEmbedding`)
------------------------------------------------------
Each coded column ``j`` has a table of ``cardinalities[j]`` rows of
``n_dims`` learned values; its row ``codes[:, j]`` is gathered (row 0 is the
reserved row of missing and unseen values). The backward pass adds each
row's gradient into the table rows it came from: one ``np.bincount`` per
embedding dimension over all columns at once (the tables share one flat
index), about 20 µs for a 256-row batch of three columns, where
``np.add.at`` took 50 µs and grows worse with more rows (measured in the
development notes of issue 23).

The interface for the network core
----------------------------------
Each layer owns no parameter memory: :meth:`bind` hands it two 1-D views of
``n_params`` entries, into the network's one parameter buffer and its one
gradient buffer, and its weights are views into those. :meth:`initialize`
draws the weights, :meth:`forward` writes the layer's output into ``out``
and keeps what the backward pass needs in workspaces allocated once for the
largest batch (smaller batches use the front of them), and :meth:`backward`
*overwrites* the gradient views from the gradient of the loss with respect to
the output. Everything runs in the layer's dtype: float32 stays float32.
"""

from types import SimpleNamespace

import numpy as np

from sknn._periodic_kernels import periodic_features

__all__ = ["CategoricalEmbedding", "InputLayer", "PeriodicEmbedding"]

TWO_PI = 2.0 * np.pi


def _check_dtype(dtype):
    dtype = np.dtype(dtype)
    if dtype not in (np.float64, np.float32):
        raise ValueError(f"dtype must be float64 or float32, got {dtype}.")
    return dtype


def saved_state(layer, dropped=()):
    """``layer``'s ``__dict__`` as it is saved: no views, no workspaces, dtypes by name.

    The weights are views of the network's buffer, which rebinds them on
    loading, and the workspaces are scratch: neither is saved. A dtype is
    saved by its name, as sknn's optimizers save theirs, so that skops needs
    to trust only sknn's own types (not ``numpy.dtype``).
    """
    state = {
        key: value
        for key, value in layer.__dict__.items()
        if key not in dropped and key != "_buffers"
    }
    state["dtype"] = np.dtype(state["dtype"]).name
    return state


def restore_state(layer, state):
    """Undo :func:`saved_state`: the dtype object and fresh workspaces."""
    layer.__dict__.update(state)
    layer.dtype = np.dtype(layer.dtype)
    layer._buffers = _Buffers(layer.dtype)


class _Buffers:
    """Flat workspaces that grow once to the largest batch and are sliced.

    ``get(name, n, shape)`` returns a C-contiguous array of ``shape`` (whose
    size is proportional to ``n``) made from the front of the named buffer.
    """

    def __init__(self, dtype):
        self.dtype = dtype
        self._flat = {}

    def get(self, name, shape):
        size = int(np.prod(shape))
        flat = self._flat.get(name)
        if flat is None or flat.size < size:
            flat = self._flat[name] = np.empty(size, dtype=self.dtype)
        return flat[:size].reshape(shape)


class PeriodicEmbedding:
    """Learned periodic embeddings of numeric features, one per feature.

    Parameters
    ----------
    n_features : int
        The number of numeric features.
    n_frequencies : int, default=16
        ``k``, the frequencies per feature.
    n_dims : int, default=4
        The outputs per feature.
    sigma : float, default=0.1
        The standard deviation of the initial frequencies (in turns per unit
        of the scaled input).
    kind : {'pbld', 'plr'}, default='pbld'
        RealMLP's variant (learned phases, a linear map, the input beside it)
        or Gorishniy et al.'s PLR (sin and cos, a linear map, ReLU).
    dtype : {np.float64, np.float32}, default=np.float64

    Attributes
    ----------
    n_params : int
        The length of the parameter views :meth:`bind` takes.
    n_outputs : int
        ``n_features * n_dims``, the width :meth:`forward` writes.
    frequencies, phases : ndarray of shape (n_features, k)
        ``c`` and ``b`` (turns); ``phases`` is None for 'plr'.
    coefs : ndarray of shape (n_features, k_in, n_learned)
        The per-feature linear maps (``k_in`` is ``k`` for 'pbld', ``2k``
        for 'plr'; ``n_learned`` is ``n_dims - 1`` for 'pbld').
    intercepts : ndarray of shape (n_features, n_learned)
    grad : SimpleNamespace
        The gradient views, named and shaped like the weights
        (``grad.frequencies``, ``grad.phases``, ``grad.coefs``,
        ``grad.intercepts``).

    Examples
    --------
    >>> import numpy as np
    >>> from sknn._embeddings import PeriodicEmbedding
    >>> layer = PeriodicEmbedding(n_features=3, n_frequencies=8, n_dims=4)
    >>> params, grads = np.empty(layer.n_params), np.empty(layer.n_params)
    >>> layer.bind(params, grads)
    >>> layer.initialize(np.random.RandomState(0))
    >>> X = np.random.RandomState(1).randn(5, 3)
    >>> out = np.empty((5, layer.n_outputs))
    >>> layer.forward(X, out)
    >>> layer.backward(np.ones_like(out))
    >>> out.shape, layer.n_params
    ((5, 12), 129)
    """

    def __init__(
        self,
        n_features,
        n_frequencies=16,
        n_dims=4,
        sigma=0.1,
        kind="pbld",
        dtype=np.float64,
    ):
        if kind not in ("pbld", "plr"):
            raise ValueError(f"kind must be 'pbld' or 'plr', got {kind!r}.")
        if n_dims < (2 if kind == "pbld" else 1) or n_frequencies < 1:
            raise ValueError(
                f"n_dims must be at least {2 if kind == 'pbld' else 1} and "
                f"n_frequencies at least 1, got {n_dims} and {n_frequencies}."
            )
        self.n_features = int(n_features)
        self.n_frequencies = int(n_frequencies)
        self.n_dims = int(n_dims)
        self.sigma = float(sigma)
        self.kind = kind
        self.dtype = _check_dtype(dtype)
        k, f = self.n_frequencies, self.n_features
        self._k_in = k if kind == "pbld" else 2 * k
        self._n_learned = self.n_dims - 1 if kind == "pbld" else self.n_dims
        n_phases = f * k if kind == "pbld" else 0
        self._shapes = [
            ("frequencies", (f, k)),
            ("phases", (f, k) if n_phases else None),
            ("coefs", (f, self._k_in, self._n_learned)),
            ("intercepts", (f, self._n_learned)),
        ]
        self.n_params = sum(int(np.prod(s)) for _, s in self._shapes if s)
        self.n_outputs = f * self.n_dims
        self._buffers = _Buffers(self.dtype)
        self._zero_phases = np.zeros((f, k), dtype=self.dtype)

    def __getstate__(self):
        views = [name for name, _ in self._shapes]
        return saved_state(self, views + ["grad", "_batch", "_row_of_ones"])

    def __setstate__(self, state):
        restore_state(self, state)

    def __repr__(self):
        return (
            f"PeriodicEmbedding({self.n_features} features x {self.n_frequencies} "
            f"frequencies -> {self.n_dims}, {self.kind})"
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
        """Draw the weights: RealMLP's scheme for 'pbld', rtdl's for 'plr'.

        Frequencies from ``N(0, σ²)``; phases from ``U(-1/2, 1/2)`` turns;
        the linear maps and their intercepts from ``U(-1/√k_in, 1/√k_in)``.
        """
        rng = _rng(random_state)
        self.frequencies[...] = self.sigma * rng.standard_normal(self.frequencies.shape)
        if self.phases is not None:
            self.phases[...] = rng.uniform(-0.5, 0.5, self.phases.shape)
        bound = 1.0 / np.sqrt(self._k_in)
        self.coefs[...] = rng.uniform(-bound, bound, self.coefs.shape)
        self.intercepts[...] = rng.uniform(-bound, bound, self.intercepts.shape)

    def forward(self, X, out):
        """Write the embeddings of ``X`` into ``out`` and keep what backward needs.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
            The scaled numeric columns (any strides).
        out : ndarray of shape (n_samples, n_outputs)
            Written: feature ``i``'s learned outputs are columns
            ``[i * n_learned, (i + 1) * n_learned)``; for 'pbld' the inputs
            follow, in the last ``n_features`` columns.
        """
        n, f, k, d = X.shape[0], self.n_features, self.n_frequencies, self._n_learned
        buffers = self._buffers
        inputs = buffers.get("inputs", (f, n))
        np.copyto(inputs, X.T)
        trig = buffers.get("trig", (f, n, 2 * k))
        sin, cos = trig[:, :, :k], trig[:, :, k:]
        self._periodic(inputs, cos, sin)
        # 'plr' multiplies [sin, cos] (all of trig), 'pbld' cos alone
        features = trig if self.kind == "plr" else cos
        hidden = buffers.get("hidden", (f, n, d))
        np.matmul(features, self.coefs, out=hidden)
        hidden += self.intercepts[:, None, :]
        if self.kind == "plr":
            np.maximum(hidden, 0, out=hidden)
        learned = out[:, : f * d].reshape(n, f, d)
        np.copyto(learned, hidden.transpose(1, 0, 2))
        if self.kind == "pbld":
            np.copyto(out[:, f * d :], X)
        self._batch = (n, features)

    def backward(self, d_out):
        """Fill the gradient views from ``d_out``, the gradient of the output.

        Parameters
        ----------
        d_out : ndarray of shape (n_samples, n_outputs)
            For the batch of the last :meth:`forward`.
        """
        n, features = self._batch
        f, k, d = self.n_features, self.n_frequencies, self._n_learned
        buffers = self._buffers
        grads = self.grad
        d_hidden = buffers.get("d_hidden", (f, n, d))
        np.copyto(d_hidden, d_out[:, : f * d].reshape(n, f, d).transpose(1, 0, 2))
        if self.kind == "plr":
            hidden = buffers.get("hidden", (f, n, d))
            d_hidden *= hidden > 0
        # Sums over the rows as products with a row of ones: a stacked matmul
        # is several times faster than numpy's reduction over a middle axis.
        ones = self._ones(n)
        np.matmul(ones, d_hidden, out=grads.intercepts[:, None, :])
        np.matmul(features.transpose(0, 2, 1), d_hidden, out=grads.coefs)
        d_features = buffers.get("d_features", features.shape)
        np.matmul(d_hidden, self.coefs.transpose(0, 2, 1), out=d_features)
        # d/dt cos(2πt) = -2π sin(2πt) and d/dt sin(2πt) = 2π cos(2πt); the
        # factor ±2π is applied to the two small gradients at the end, not to
        # the (f, n, k) array.
        trig = buffers.get("trig", (f, n, 2 * k))
        sin, cos = trig[:, :, :k], trig[:, :, k:]
        d_turns = buffers.get("d_turns", (f, n, k))
        if self.kind == "pbld":
            np.multiply(d_features, sin, out=d_turns)
            factor = self.dtype.type(-TWO_PI)
        else:
            np.multiply(d_features[:, :, :k], cos, out=d_turns)
            d_sin = buffers.get("d_sin", (f, n, k))
            np.multiply(d_features[:, :, k:], sin, out=d_sin)
            d_turns -= d_sin
            factor = self.dtype.type(TWO_PI)
        inputs = buffers.get("inputs", (f, n))
        np.matmul(inputs[:, None, :], d_turns, out=grads.frequencies[:, None, :])
        grads.frequencies *= factor
        if self.phases is not None:
            np.matmul(ones, d_turns, out=grads.phases[:, None, :])
            grads.phases *= factor

    def _ones(self, n):
        """A (1, n) row of ones, kept: the row sums' left factor."""
        if getattr(self, "_row_of_ones", None) is None or self._row_of_ones.size < n:
            self._row_of_ones = np.ones((1, n), dtype=self.dtype)
        return self._row_of_ones[:, :n]

    def _periodic(self, inputs, cos, sin):
        """cos and sin of 2π(c x + b) into (f, n, k) views: compiled or numpy."""
        phases = self._zero_phases if self.phases is None else self.phases
        if self.dtype == np.float64:
            # numpy's float64 cos and sin are scalar C-library calls; the
            # kernel is about 5x faster (sknn/_periodic_kernels.pyx)
            periodic_features(inputs.T, self.frequencies, phases, cos, sin)
            return
        turns = self._buffers.get("turns", cos.shape)
        np.multiply(inputs[:, :, None], self.frequencies[:, None, :], out=turns)
        turns += phases[:, None, :]
        turns *= self.dtype.type(TWO_PI)
        np.cos(turns, out=cos)
        np.sin(turns, out=sin)


class CategoricalEmbedding:
    """Learned embedding tables for integer-coded categorical columns.

    Parameters
    ----------
    cardinalities : sequence of int
        The rows of each column's table (the encoder's ``cardinalities_``:
        its categories plus the reserved row 0).
    n_dims : int, default=8
        The outputs per column.
    dtype : {np.float64, np.float32}, default=np.float64

    Attributes
    ----------
    n_params : int
        ``sum(cardinalities) * n_dims``.
    n_outputs : int
        ``len(cardinalities) * n_dims``.
    table : ndarray of shape (sum(cardinalities), n_dims)
        Every column's table, one after the other.
    offsets : ndarray of shape (n_columns,)
        Where each column's table starts in :attr:`table`.
    grad : SimpleNamespace
        ``grad.table``, the gradient view shaped like :attr:`table`.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn._embeddings import CategoricalEmbedding
    >>> layer = CategoricalEmbedding([3, 5], n_dims=2)
    >>> params, grads = np.arange(16.0), np.empty(16)
    >>> layer.bind(params, grads)
    >>> out = np.empty((1, 4))
    >>> layer.forward(np.array([[1, 0]]), out)
    >>> out  # row 1 of the first table, row 0 of the second (table row 3)
    array([[2., 3., 6., 7.]])
    """

    def __init__(self, cardinalities, n_dims=8, dtype=np.float64):
        self.cardinalities = np.asarray(cardinalities, dtype=np.intp).reshape(-1)
        if np.any(self.cardinalities < 1):
            raise ValueError(
                f"every table needs at least one row, got {self.cardinalities}."
            )
        self.n_dims = int(n_dims)
        self.dtype = _check_dtype(dtype)
        self.offsets = np.concatenate([[0], np.cumsum(self.cardinalities)[:-1]])
        self.offsets = self.offsets.astype(np.intp)
        self._n_rows = int(self.cardinalities.sum())
        self.n_params = self._n_rows * self.n_dims
        self.n_outputs = len(self.cardinalities) * self.n_dims

    def __getstate__(self):
        return saved_state(self, ("table", "grad", "_rows"))

    def __setstate__(self, state):
        restore_state(self, state)

    def __repr__(self):
        return (
            f"CategoricalEmbedding({len(self.cardinalities)} columns, "
            f"{self._n_rows} rows -> {self.n_dims})"
        )

    def bind(self, params, grads):
        """Make the tables and their gradient views of ``params`` and ``grads``."""
        _check_views(params, grads, self)
        self.table = params.reshape(self._n_rows, self.n_dims)
        self.grad = SimpleNamespace(table=grads.reshape(self._n_rows, self.n_dims))

    def initialize(self, random_state):
        """Draw every entry from ``U(-1/√n_dims, 1/√n_dims)``."""
        bound = 1.0 / np.sqrt(self.n_dims)
        self.table[...] = _rng(random_state).uniform(-bound, bound, self.table.shape)

    def forward(self, codes, out):
        """Gather each column's rows into ``out``.

        Parameters
        ----------
        codes : ndarray of int of shape (n_samples, n_columns)
            ``0 <= codes[:, j] < cardinalities[j]``.
        out : ndarray of shape (n_samples, n_outputs)
            Column ``j``'s embedding goes to columns
            ``[j * n_dims, (j + 1) * n_dims)``.
        """
        n = codes.shape[0]
        rows = np.add(codes, self.offsets, dtype=np.intp)
        if rows.size and (
            codes.min() < 0 or np.any(codes.max(axis=0) >= self.cardinalities)
        ):
            raise ValueError(
                "codes out of range: column j takes 0 to cardinalities[j] - 1."
            )
        np.copyto(
            out.reshape(n, len(self.cardinalities), self.n_dims), self.table[rows]
        )
        self._rows = rows.reshape(-1)

    def backward(self, d_out):
        """Overwrite the table's gradient: each row gets the sum of its uses."""
        rows = self._rows
        d_rows = d_out.reshape(rows.size, self.n_dims)
        for j in range(self.n_dims):
            self.grad.table[:, j] = np.bincount(
                rows, weights=d_rows[:, j], minlength=self._n_rows
            )


class InputLayer:
    """The numeric embeddings, the passthrough columns and the categorical ones.

    Parameters
    ----------
    n_numeric : int
        The leading columns of the dense input that go through ``numeric``.
    n_passthrough : int
        The dense input's other columns, copied as they are.
    cardinalities : sequence of int
        The code columns' table sizes (may be empty).
    numeric : PeriodicEmbedding, PiecewiseLinearEmbedding or None, default=None
        The numeric embedding (:mod:`sknn._piecewise` has the piecewise-linear
        one); None passes the numeric columns through too.
    n_categorical_dims : int, default=8
        The outputs per code column.
    dtype : {np.float64, np.float32}, default=np.float64

    Attributes
    ----------
    n_params : int
        The numeric embedding's parameters, then the categorical tables'.
    n_outputs : int
        The width of the first dense layer's input.
    categorical : CategoricalEmbedding or None

    Examples
    --------
    >>> import numpy as np
    >>> from sknn._embeddings import InputLayer, PeriodicEmbedding
    >>> layer = InputLayer(2, 3, [4], numeric=PeriodicEmbedding(2, 8, 4))
    >>> layer.n_outputs  # 2 x 4 numeric, 3 passthrough, 8 for the codes
    19
    >>> params, grads = np.empty(layer.n_params), np.empty(layer.n_params)
    >>> layer.bind(params, grads)
    >>> layer.initialize(np.random.RandomState(0))
    >>> out = np.empty((6, layer.n_outputs))
    >>> layer.forward(np.zeros((6, 5)), np.zeros((6, 1), dtype=int), out)
    >>> layer.backward(np.ones_like(out))
    """

    def __init__(
        self,
        n_numeric,
        n_passthrough,
        cardinalities=(),
        numeric=None,
        n_categorical_dims=8,
        dtype=np.float64,
    ):
        self.n_numeric = int(n_numeric)
        self.n_passthrough = int(n_passthrough)
        self.dtype = _check_dtype(dtype)
        if numeric is not None and (
            numeric.n_features != self.n_numeric or numeric.dtype != self.dtype
        ):
            raise ValueError(
                f"the numeric embedding takes {numeric.n_features} features of "
                f"{numeric.dtype}; this layer has {self.n_numeric} of {self.dtype}."
            )
        self.numeric = numeric
        cardinalities = np.asarray(cardinalities, dtype=np.intp).reshape(-1)
        self.categorical = (
            CategoricalEmbedding(cardinalities, n_categorical_dims, self.dtype)
            if cardinalities.size
            else None
        )
        self._numeric_width = self.n_numeric if numeric is None else numeric.n_outputs
        self._numeric_params = 0 if numeric is None else numeric.n_params
        self.n_params = self._numeric_params + (
            0 if self.categorical is None else self.categorical.n_params
        )
        self.n_outputs = (
            self._numeric_width
            + self.n_passthrough
            + (0 if self.categorical is None else self.categorical.n_outputs)
        )

    def __getstate__(self):
        return saved_state(self)

    def __setstate__(self, state):
        restore_state(self, state)

    def __repr__(self):
        parts = [repr(self.numeric) if self.numeric else f"{self.n_numeric} numeric"]
        parts.append(f"{self.n_passthrough} passthrough")
        if self.categorical is not None:
            parts.append(repr(self.categorical))
        return f"InputLayer({', '.join(parts)} -> {self.n_outputs})"

    def bind(self, params, grads):
        """Hand each part its slice of ``params`` and ``grads``."""
        _check_views(params, grads, self)
        split = self._numeric_params
        if self.numeric is not None:
            self.numeric.bind(params[:split], grads[:split])
        if self.categorical is not None:
            self.categorical.bind(params[split:], grads[split:])

    def initialize(self, random_state):
        """Draw every part's weights from one generator."""
        rng = _rng(random_state)
        for part in (self.numeric, self.categorical):
            if part is not None:
                part.initialize(rng)

    @property
    def n_inputs(self):
        """The columns of the matrix :meth:`split` takes: dense, then codes."""
        n_codes = 0 if self.categorical is None else len(self.categorical.cardinalities)
        return self.n_numeric + self.n_passthrough + n_codes

    def split(self, X):
        """Split one float matrix into the dense part and the integer codes.

        The network core serves every batch as one float matrix (gathered,
        shuffled and chunked like any other); the codes ride in its last
        columns, exact in float32 below 2**24 categories.
        """
        n_dense = self.n_numeric + self.n_passthrough
        return X[:, :n_dense], X[:, n_dense:].astype(np.intp)

    def forward(self, X, codes, out):
        """Write the first dense layer's input for a batch into ``out``.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_numeric + n_passthrough)
            The encoder's dense matrix, numeric columns first.
        codes : ndarray of int of shape (n_samples, n_code_columns)
        out : ndarray of shape (n_samples, n_outputs)
        """
        numeric, stop = X[:, : self.n_numeric], self._numeric_width
        if self.numeric is None:
            np.copyto(out[:, :stop], numeric)
        else:
            self.numeric.forward(numeric, out[:, :stop])
        start, stop = stop, stop + self.n_passthrough
        np.copyto(out[:, start:stop], X[:, self.n_numeric :])
        if self.categorical is not None:
            self.categorical.forward(codes, out[:, stop:])

    def backward(self, d_out):
        """Overwrite the gradient views from ``d_out`` (the gradient of ``out``)."""
        if self.numeric is not None:
            self.numeric.backward(d_out[:, : self._numeric_width])
        if self.categorical is not None:
            start = self._numeric_width + self.n_passthrough
            self.categorical.backward(d_out[:, start:])


def bind_views(layer, params, grads):
    """Make each array of ``layer._shapes`` a view of ``params``, in order, and
    its gradient the same view of ``grads`` (in ``layer.grad``).

    ``layer._shapes`` lists ``(name, shape)``; a shape of None names an array
    the layer does not have (set to None).
    """
    _check_views(params, grads, layer)
    layer.grad = SimpleNamespace()
    for target, flat in ((layer, params), (layer.grad, grads)):
        start = 0
        for name, shape in layer._shapes:
            if shape is None:
                setattr(target, name, None)
                continue
            stop = start + int(np.prod(shape))
            setattr(target, name, flat[start:stop].reshape(shape))
            start = stop


def _check_views(params, grads, layer):
    for name, view in (("params", params), ("grads", grads)):
        if (
            not isinstance(view, np.ndarray)
            or view.shape != (layer.n_params,)
            or view.dtype != layer.dtype
            or not view.flags.c_contiguous
        ):
            raise ValueError(
                f"{name} must be a contiguous 1-D view of {layer.n_params} "
                f"{layer.dtype} entries, got "
                f"{getattr(view, 'shape', None)} {getattr(view, 'dtype', None)}."
            )
    return params, grads


def _rng(random_state):
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(2**31))
    return np.random.default_rng(random_state)
