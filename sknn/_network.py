"""The dense feed-forward network: one flat parameter buffer and reused workspaces.

A network with layer sizes ``[n_0, n_1, ..., n_L]`` has ``L`` weight matrices
``W_i`` of shape ``(n_i, n_{i+1})`` and biases ``b_i``. Layer ``i + 1``
computes ``A_{i+1} = f_{i+1}(A_i W_i + b_i)`` with ``A_0 = X``; the last
layer's pre-activations are the *logits*, which the loss turns into
predictions.

Memory layout
-------------
All weights and biases live in one contiguous 1-D buffer, :attr:`params`, in
scikit-learn's ``_pack`` order (every ``W_i`` in C order, then every ``b_i``);
:attr:`coefs` and :attr:`intercepts` are views into it. An optimizer, or
scipy's L-BFGS, works on the one array and the layers see the change with no
packing or unpacking. The gradient buffer :attr:`grads` has the same layout.

The forward and backward passes write into workspaces allocated once for the
largest batch seen and reused, through row slices, for every batch after it.
Every dense product is ``np.matmul(..., out=workspace)``; activations and the
output delta are computed in place. A hidden layer keeps its pre-activation
``Z`` in a workspace of its own only when its activation's derivative needs it
(``uses == "input"``); for the others the derivative is read from the output.
"""

from types import SimpleNamespace

import numpy as np
from scipy import sparse

from sknn._initialization import draw_layer

__all__ = ["MAX_BATCH_ROWS", "Network", "l2_decay"]

PREDICT_CHUNK_SIZE = 4096
"""Rows per forward pass in :meth:`Network.logits`; bounds prediction memory."""

MAX_BATCH_ROWS = 8192
"""Rows per forward and backward pass in :meth:`Network.loss_and_gradient`.

A larger batch (the whole training set, for L-BFGS) goes through in pieces of
this many rows whose gradients are added up: the workspaces then hold every
layer for these rows only, not for every sample."""


class Network:
    """A dense feed-forward network on a flat parameter buffer.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``[n_features, n_hidden_1, ..., n_hidden_k, n_outputs]``.
    activations : sequence of Activation
        One per hidden layer (``k`` of them).
    loss : Loss
        The loss, which owns the output function.
    dtype : {np.float64, np.float32}, default=np.float64
        The dtype of the parameters, gradients and workspaces.

    Attributes
    ----------
    params : ndarray of shape (n_params,)
        All weights, then all biases, each weight matrix in C order.
    coefs : list of ndarray
        ``coefs[i]`` is the weight matrix of shape ``(n_i, n_{i+1})``, a view
        into :attr:`params`.
    intercepts : list of ndarray
        ``intercepts[i]`` is the bias of shape ``(n_{i+1},)``, a view into
        :attr:`params`.
    grads : ndarray of shape (n_params,)
        The gradient of the last :meth:`loss_and_gradient`, laid out like
        :attr:`params`.
    coef_grads, intercept_grads : list of ndarray
        Views into :attr:`grads`, shaped like :attr:`coefs` and
        :attr:`intercepts`.
    n_coef_params : int
        ``params[:n_coef_params]`` holds every weight and no bias.
    n_layers : int
        The number of layers, input and output included.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn._losses import get_loss
    >>> from sknn._network import Network
    >>> from sknn.activations import get_activation
    >>> net = Network([2, 3, 1], [get_activation("relu")], get_loss("binary_log_loss"))
    >>> net
    Network(2 -> 3 relu -> 1 logistic)
    >>> net.initialize(np.random.RandomState(0))
    >>> X, Y = np.array([[0.0, 1.0], [1.0, 0.0]]), np.array([[1.0], [0.0]])
    >>> loss = net.loss_and_gradient(X, Y)
    >>> net.grads.shape, net.params.shape
    ((13,), (13,))
    """

    def __init__(
        self, layer_sizes, activations, loss, dtype=np.float64, input_layer=None
    ):
        self.layer_sizes = [int(size) for size in layer_sizes]
        self.activations = list(activations)
        self.loss = loss
        self.dtype = np.dtype(dtype)
        if len(self.layer_sizes) < 2:
            raise ValueError(
                "layer_sizes needs at least the input and output sizes, got "
                f"{self.layer_sizes}."
            )
        if len(self.activations) != len(self.layer_sizes) - 2:
            raise ValueError(
                f"{len(self.layer_sizes) - 2} hidden layers need as many "
                f"activations, got {len(self.activations)}."
            )
        if self.dtype not in (np.float64, np.float32):
            raise ValueError(f"dtype must be float64 or float32, got {self.dtype}.")
        self.n_layers = len(self.layer_sizes)
        shapes = list(zip(self.layer_sizes[:-1], self.layer_sizes[1:]))
        self._coef_shapes = shapes
        self.n_coef_params = sum(n_in * n_out for n_in, n_out in shapes)
        self.n_dense_params = self.n_coef_params + sum(self.layer_sizes[1:])
        self.input_layer = input_layer
        if input_layer is not None and (
            input_layer.n_outputs != self.layer_sizes[0]
            or input_layer.dtype != self.dtype
        ):
            raise ValueError(
                f"The input layer writes {input_layer.n_outputs} columns of "
                f"{input_layer.dtype}; the first dense layer takes "
                f"{self.layer_sizes[0]} of {self.dtype}."
            )
        extra = 0 if input_layer is None else input_layer.n_params
        self.n_params = self.n_dense_params + extra
        self.params = np.zeros(self.n_params, dtype=self.dtype)
        self.grads = np.zeros(self.n_params, dtype=self.dtype)
        self._bind_views()
        # the activation applied after each layer; None for the output layer,
        # whose function belongs to the loss
        self._layer_activations = [*self.activations, None]
        self._workspace = None
        self._piece_grads = None
        self.dropout = None
        self._dropout_rng = None

    # -- layout ------------------------------------------------------------

    def _bind_views(self):
        self.coefs, self.intercepts = self._split(self.params)
        self.coef_grads, self.intercept_grads = self._split(self.grads)
        self._grad_views = (self.coef_grads, self.intercept_grads)
        # all the weights, and their gradients, as one flat view each
        self._coefs_flat = self.params[: self.n_coef_params]
        self._coef_grads_flat = self.grads[: self.n_coef_params]
        if self.input_layer is not None:
            # its parameters after the biases: no penalty, no weight decay
            tail = slice(self.n_dense_params, None)
            self.input_layer.bind(self.params[tail], self.grads[tail])

    def _split(self, flat):
        coefs, intercepts = [], []
        start = 0
        for shape in self._coef_shapes:
            stop = start + shape[0] * shape[1]
            coefs.append(flat[start:stop].reshape(shape))
            start = stop
        for _, n_out in self._coef_shapes:
            intercepts.append(flat[start : start + n_out])
            start += n_out
        return coefs, intercepts

    def __getstate__(self):
        # Workspaces are scratch space and views do not survive pickling:
        # keep the two buffers, rebuild the rest on load.
        state = self.__dict__.copy()
        for key in (
            "coefs",
            "intercepts",
            "coef_grads",
            "intercept_grads",
            "_coefs_flat",
            "_coef_grads_flat",
            "_grad_views",
        ):
            del state[key]
        state["_workspace"] = None
        state["_piece_grads"] = None
        # The dtype by name: skops trusts strings, and would ask its user to
        # trust numpy.dtype objects.
        state["dtype"] = self.dtype.name
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.dtype = np.dtype(self.dtype)
        self._bind_views()

    def __repr__(self):
        hidden = [
            f"{size} {activation.name}"
            for size, activation in zip(self.layer_sizes[1:-1], self.activations)
        ]
        layers = [
            str(self.layer_sizes[0]),
            *hidden,
            f"{self.layer_sizes[-1]} {self.loss.out_activation}",
        ]
        if self.input_layer is not None:
            layers.insert(0, repr(self.input_layer))
        return f"Network({' -> '.join(layers)})"

    # -- initialisation ----------------------------------------------------

    def initialize(self, random_state, weight_init="glorot_uniform"):
        """Draw the initial weights and biases, layer by layer.

        With the default 'glorot_uniform' the weights and then the biases of
        each layer are drawn from ``U(-r, r)`` with
        ``r = sqrt(c / (n_in + n_out))``, ``c = 2`` for a logistic activation
        and ``c = 6`` otherwise. The calls to ``random_state.uniform`` are
        scikit-learn's, in its order, so the same seed gives the same initial
        network as ``MLPClassifier``. The other schemes are described in
        :mod:`sknn._initialization`.

        Parameters
        ----------
        random_state : int, None or numpy.random.RandomState
            The random number generator, advanced by the draws.
        weight_init : str or sequence of str, default='glorot_uniform'
            The scheme, for every weight matrix or one per matrix.

        Notes
        -----
        scikit-learn has one activation for all layers and picks ``c`` from
        it for every weight matrix, the output layer's included. Here each
        weight matrix follows the activation of the layer it feeds, and the
        output layer's follows the last hidden layer's, which is the same rule
        when all hidden layers share one activation.
        """
        if not isinstance(random_state, np.random.RandomState):
            random_state = np.random.RandomState(random_state)
        schemes = _per_layer(weight_init, len(self._coef_shapes), "weight_init")
        for i, (n_in, n_out) in enumerate(self._coef_shapes):
            self.coefs[i][...], self.intercepts[i][...] = draw_layer(
                schemes[i], n_in, n_out, random_state, self._feeds_logistic(i)
            )

    def set_dropout(self, rates, rng):
        """Drop hidden units at random while training, at ``rates``.

        Inverted dropout: during :meth:`loss_and_gradient` each hidden unit's
        output is set to 0 with probability ``p`` and the others are divided
        by ``1 - p``, so a unit's expected output is unchanged and prediction
        (:meth:`logits`, :meth:`hidden_activations`) uses the whole network
        with no rescaling. The gradient flows back through the same mask.

        Parameters
        ----------
        rates : float or sequence of float
            The probability of dropping a unit, for every hidden layer or one
            per hidden layer, each in ``[0, 1)``. All zero turns dropout off
            (no mask is drawn).
        rng : numpy.random.Generator or None
            Draws the masks; None with all rates zero.
        """
        rates = [
            float(rate) for rate in _per_layer(rates, len(self.activations), "dropout")
        ]
        if any(not 0.0 <= rate < 1.0 for rate in rates):
            raise ValueError(f"dropout rates must be in [0, 1), got {rates}.")
        self.dropout = rates if any(rates) else None
        self._dropout_rng = rng if self.dropout else None
        self._workspace = None  # the mask buffers change with the rates

    def _feeds_logistic(self, layer):
        if not self.activations:
            return False
        activation = self.activations[min(layer, len(self.activations) - 1)]
        return activation.name == "logistic"

    # -- workspaces --------------------------------------------------------

    def workspace(self, n_samples):
        """Return the workspace views for a batch of ``n_samples`` rows.

        The buffers grow, once, to the largest batch seen; smaller batches
        get row slices of them, made once per batch size and cached. After
        :meth:`loss_and_gradient`, ``outputs`` holds each hidden layer's
        activations for the batch (what a diagnostics recorder reads) and
        ``pre_activations`` the inputs of activations that need them.
        """
        workspace = self._workspace
        if workspace is None or n_samples > workspace.capacity:
            workspace = self._workspace = _Workspace(self, n_samples)
        return workspace.views(n_samples)

    def training_workspace(self, n_samples):
        """Return the whole workspace buffers, for batches of up to ``n_samples`` rows.

        What the compiled epoch (:mod:`sknn._compiled_epoch`) trains in:
        ``outputs`` (one ``(capacity, n_units)`` array per layer), ``deltas``
        (the two flat buffers the hidden deltas take in turn) and ``ones``.
        """
        self.workspace(n_samples)
        return self._workspace

    # -- passes ------------------------------------------------------------

    def _prepare(self, X):
        if type(X) is np.ndarray and X.dtype == self.dtype:
            return X  # the training batches: skip the checks below
        if sparse.issparse(X):
            if X.format != "csr":
                X = X.tocsr()
            if X.dtype != self.dtype:
                X = X.astype(self.dtype)
            return X
        return np.asarray(X, dtype=self.dtype)

    def _forward(
        self, X, outputs, pre_activations=None, masks=None, dropped=None, embedded=None
    ):
        """Run ``X`` through the layers; return the logits.

        The one forward loop, for training and prediction alike. Layer
        ``i + 1`` writes its output into ``outputs[i]`` (the last one holds
        the logits). Its pre-activation goes into ``pre_activations[i]``
        where one is given, for derivatives that need it; otherwise the
        activation is applied in place. With dropout ``masks``, the units
        kept, scaled, go into ``dropped[i]``, which feeds the next layer.
        With an input layer, ``X`` goes through it first, into ``embedded``
        (a new array when None), the first dense layer's input.
        """
        inputs = X if self.input_layer is None else self._embed(X, embedded)
        last = len(self.coefs) - 1
        for i, (coef, intercept) in enumerate(zip(self.coefs, self.intercepts)):
            output = outputs[i]
            z = output if pre_activations is None else pre_activations[i]
            _product(inputs, coef, out=z)
            inputs = output
            if i == last:
                z += intercept
                break  # the output layer: its function belongs to the loss
            if z is output:
                self.activations[i].add_bias_and_apply(z, intercept)
            else:  # the derivative needs z: keep it, f(z) goes beside it
                z += intercept
                self.activations[i].forward(z, out=output)
            if masks and masks[i] is not None:
                inputs = self._drop(output, masks[i], dropped[i], i)
        return inputs

    def _embed(self, X, out=None):
        """Write the input layer's output for the rows ``X`` into ``out``; return it."""
        layer = self.input_layer
        if out is None:
            out = np.empty((X.shape[0], self.layer_sizes[0]), dtype=self.dtype)
        dense, codes = layer.split(X)
        layer.forward(dense, codes, out)
        return out

    def _drop(self, output, mask, dropped, layer):
        """Write ``output`` times a fresh inverted-dropout mask into ``dropped``."""
        rate = self.dropout[layer]
        self._dropout_rng.random(out=mask, dtype=mask.dtype)
        np.greater_equal(mask, rate, out=mask)
        mask *= mask.dtype.type(1.0 / (1.0 - rate))
        return np.multiply(output, mask, out=dropped)

    def _backward(self, X, views, coef_grads, intercept_grads):
        """Fill the gradient views from the output delta held in ``views``.

        The weight decay is not added here: :meth:`loss_and_gradient` adds it
        once every piece is done, to all the weights at once, with a delta
        buffer (free by then) as its scratch, so the pass takes a few large
        ufunc calls rather than many small ones (each call costs microseconds
        of dispatch right after a large product).
        """
        delta = views.outputs[-1]
        np.matmul(views.ones, delta, out=intercept_grads[-1])
        for i in range(len(self.coefs) - 1, -1, -1):
            mask = views.masks[i - 1] if views.masks and i > 0 else None
            if i == 0:
                inputs = X if self.input_layer is None else views.embedded
            else:
                inputs = views.outputs[i - 1] if mask is None else views.dropped[i - 1]
            _product(inputs.T, delta, out=coef_grads[i])
            if i == 0:
                if self.input_layer is not None:
                    # the gradient of the first dense layer's input, on to
                    # the input layer's parameters
                    np.matmul(delta, self.coefs[0].T, out=views.embedded_delta)
                    self.input_layer.backward(views.embedded_delta)
                break
            below = views.deltas[i - 1]
            np.matmul(delta, self.coefs[i].T, out=below)
            if mask is not None:
                below *= mask
            activation = self.activations[i - 1]
            z = views.pre_activations[i - 1] if activation.uses == "input" else None
            # the layer's bias gradient comes out of the same pass
            delta = activation.backprop_and_sum(
                below, intercept_grads[i - 1], z=z, a=views.outputs[i - 1]
            )

    def loss_and_gradient(
        self, X, Y, sample_weight=None, alpha=0.0, penalty_gradient=True
    ):
        """Return the mean loss on a batch and fill :attr:`grads` with its gradient.

        Parameters
        ----------
        X : {ndarray, scipy.sparse.csr_matrix} of shape (n_samples, n_features)
            The batch.
        Y : ndarray of shape (n_samples, n_outputs)
            The targets (indicator columns for classification).
        sample_weight : ndarray of shape (n_samples,), optional
            Weights of the samples in the mean.
        alpha : float, default=0.0
            Strength of the L2 penalty on the weights (not the biases).
        penalty_gradient : bool, default=True
            Add the penalty's gradient ``l2_decay(...) * W`` to :attr:`grads`.
            The stochastic solvers pass False: their optimizer adds it inside
            its step, in the same pass over memory (see :func:`l2_decay`).

        Returns
        -------
        float
            ``(Σ_i w_i loss_i + alpha / 2 ||W||²) / Σ_i w_i``, with ``w_i = 1``
            when no weights are given. A batch whose weights sum to 0 has loss
            0 and gradient 0.

        Notes
        -----
        The output delta ``(p - Y) w_i / Σ_i w_i`` already carries the
        weights and the division by their sum; back-propagation is linear
        in it, so every gradient comes out scaled with no further pass. The
        gradients are then ``A_i^T δ_{i+1} + (alpha / Σ w) W_i`` and
        ``Σ_rows δ_{i+1}``, with ``δ_i = (δ_{i+1} W_i^T) * f_i'``.
        """
        X = self._prepare(X)
        n_samples = X.shape[0]
        scale = _inverse_weight_sum(n_samples, sample_weight)
        if n_samples <= MAX_BATCH_ROWS:
            total = self._piece(X, Y, sample_weight, scale, self._grad_views)
        else:
            total = 0.0
            tail = slice(self.n_dense_params, None)  # the input layer's
            for start in range(0, n_samples, MAX_BATCH_ROWS):
                rows = slice(start, min(start + MAX_BATCH_ROWS, n_samples))
                weights = None if sample_weight is None else sample_weight[rows]
                # The first piece writes the gradient; the others add theirs.
                grads = self._grad_views if start == 0 else self._piece_grad_views()
                if start:
                    # the input layer overwrites its views in self.grads
                    kept = self.grads[tail].copy()
                total += self._piece(X[rows], Y[rows], weights, scale, grads)
                if start:
                    self._piece_grads[tail] = self.grads[tail]
                    self.grads[tail] = kept
                    self.grads += self._piece_grads
        if alpha:
            if penalty_gradient:
                views = self.workspace(min(n_samples, MAX_BATCH_ROWS))
                _add_scaled(
                    self._coef_grads_flat,
                    self._coefs_flat,
                    alpha * scale,
                    views.scratch,
                )
            weights = self._coefs_flat
            total += 0.5 * alpha * float(np.dot(weights, weights))
        return total * scale

    def _piece(self, X, Y, sample_weight, scale, grads):
        """Forward and back-propagate rows of a batch; return their loss sum.

        ``grads`` (weight and bias views of one flat buffer) receive the rows'
        part of the gradient of the batch's mean loss, penalty excluded.
        """
        views = self.workspace(X.shape[0])
        logits = self._forward(
            X,
            views.outputs,
            views.pre_activations,
            views.masks,
            views.dropped,
            views.embedded,
        )
        total = self.loss.value_and_delta(logits, Y, sample_weight, scale)
        self._backward(X, views, *grads)
        return total

    def _piece_grad_views(self):
        """Weight and bias views of a second gradient buffer, made on first need."""
        if self._piece_grads is None:
            self._piece_grads = np.empty_like(self.grads)
        return self._split(self._piece_grads)

    def fill_workspace(self, X):
        """Run the training forward pass of ``X`` into the workspaces; return them.

        For a reader of the hidden layers' outputs (the diagnostics) after
        L-BFGS, whose full batch :meth:`loss_and_gradient` runs in pieces of
        :data:`MAX_BATCH_ROWS`: pass it those pieces.
        """
        X = self._prepare(X)
        views = self.workspace(X.shape[0])
        self._forward(X, views.outputs, views.pre_activations, embedded=views.embedded)
        return views

    def finite_on(self, X):
        """Whether the logits of ``X`` are all finite.

        First from a bound computed from the weights (:meth:`_outputs_bound`);
        only where that bound comes near overflow do the rows go through the
        training workspace, a batch at a time, so the check costs no memory
        beyond what training already holds (at the end of a fit, the
        workspace's contents are no longer needed).
        """
        X = self._prepare(X)
        if self._outputs_bound(X) < float(np.finfo(self.dtype).max) / 4:
            return True
        n_samples = X.shape[0]
        workspace = self._workspace
        rows = (
            min(n_samples, MAX_BATCH_ROWS) if workspace is None else workspace.capacity
        )
        # The overflow is the question asked here, not a fault to report.
        with np.errstate(over="ignore", invalid="ignore"):
            for start in range(0, n_samples, rows):
                piece = X[start : start + rows]
                views = self.workspace(piece.shape[0])
                logits = self._forward(
                    piece, views.outputs, views.pre_activations, embedded=views.embedded
                )
                if not np.isfinite(logits).all():
                    return False
        return True

    def _outputs_bound(self, X):
        """An upper bound on the magnitude of the logits of any row of ``X``.

        A unit's pre-activation is at most the sum of its inputs' weights'
        magnitudes times the largest input, plus its bias; each activation
        maps that bound on (:meth:`~sknn.activations.Activation.bound`).
        Two passes over ``X`` for its largest entry, then work in proportion
        to the weights: far cheaper than a forward pass, and enough whenever
        the bound is far from overflow, as it is after any sound fit.
        """
        if self.input_layer is not None:
            return np.inf  # the embeddings' outputs are not bounded by X's
        data = X.data if sparse.issparse(X) else X
        bound = float(max(data.max(initial=0), -data.min(initial=0)))
        scratch = self._bound_scratch()
        with np.errstate(over="ignore", invalid="ignore"):
            for i, (coef, intercept) in enumerate(zip(self.coefs, self.intercepts)):
                rows = _largest_column_abs_sum(coef, scratch)
                bound = float(rows) * bound + float(np.abs(intercept).max(initial=0))
                if i < len(self.activations):
                    bound = self.activations[i].bound(bound)
        return bound if bound == bound else np.inf  # NaN (0 * inf): unknown

    def _bound_scratch(self):
        """Room for a few rows of any weight matrix's magnitudes.

        The training workspace's weight-decay scratch when there is one (a
        fit's end, when its contents are dead), so the bound allocates no
        copy of the weights.
        """
        widest = max(self.layer_sizes[1:])
        workspace = self._workspace
        if workspace is not None and workspace.scratch.size >= widest:
            return workspace.scratch
        return np.empty(16 * widest, dtype=self.dtype)

    def logits(self, X):
        """Return the output layer's pre-activations for ``X``, a new array.

        The rows go through in chunks of :data:`PREDICT_CHUNK_SIZE`, each
        hidden layer transformed in place in one of two buffers taken in
        turn, so the memory used besides the result is bounded whatever the
        size of ``X``, and the training workspaces are left alone.

        Parameters
        ----------
        X : {ndarray, scipy.sparse.csr_matrix} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_outputs)
        """
        X = self._prepare(X)
        n_samples = X.shape[0]
        result = np.empty((n_samples, self.layer_sizes[-1]), dtype=self.dtype)
        chunk = min(n_samples, PREDICT_CHUNK_SIZE)
        width = max(self.layer_sizes[1:-1], default=0)
        buffers = [np.empty(chunk * width, dtype=self.dtype) for _ in range(2)]
        embedded = None
        if self.input_layer is not None:
            embedded = np.empty((chunk, self.layer_sizes[0]), dtype=self.dtype)
        for start in range(0, n_samples, PREDICT_CHUNK_SIZE):
            stop = min(start + PREDICT_CHUNK_SIZE, n_samples)
            n = stop - start
            outputs = [
                buffers[i % 2][: n * size].reshape(n, size)
                for i, size in enumerate(self.layer_sizes[1:-1])
            ]
            self._forward(
                X[start:stop],
                [*outputs, result[start:stop]],
                embedded=None if embedded is None else embedded[:n],
            )
        return result

    def hidden_activations(self, X):
        """Return the output of every hidden layer for ``X``.

        Parameters
        ----------
        X : {ndarray, scipy.sparse.csr_matrix} of shape (n_samples, n_features)

        Returns
        -------
        list of ndarray
            One array of shape ``(n_samples, n_units)`` per hidden layer, in
            order from the input.
        """
        X = self._prepare(X)
        outputs = [
            np.empty((X.shape[0], size), dtype=self.dtype)
            for size in self.layer_sizes[1:]
        ]
        self._forward(X, outputs)
        return outputs[:-1]


class _Workspace:
    """Training buffers for batches of up to ``capacity`` rows.

    Per layer: the output ``A`` (for the last layer the logits, then the
    output delta); the pre-activation ``Z`` only where the activation's
    derivative needs it; and two flat buffers that the hidden deltas take
    in turn, since each is dead once the one below it has been computed.
    The first of them is also the weight decay's scratch, used after the
    last delta.
    """

    def __init__(self, network, capacity):
        dtype = network.dtype
        sizes = network.layer_sizes[1:]
        self.capacity = capacity
        self.outputs = [np.empty((capacity, size), dtype=dtype) for size in sizes]
        self.pre_activations = [
            np.empty((capacity, size), dtype=dtype)
            if activation is not None and activation.uses == "input"
            else None
            for size, activation in zip(sizes, network._layer_activations)
        ]
        hidden = sizes[:-1]
        rates = network.dropout or [0.0] * len(hidden)
        # per dropped-out hidden layer: its mask, and its output times the mask
        self.masks = [
            np.empty((capacity, size), dtype=dtype) if rate else None
            for size, rate in zip(hidden, rates)
        ]
        self.dropped = [None if m is None else np.empty_like(m) for m in self.masks]
        # with an input layer: its output (the first dense layer's input) and
        # the gradient of the loss with respect to it
        self.embedded = self.embedded_delta = None
        if network.input_layer is not None:
            shape = (capacity, network.layer_sizes[0])
            self.embedded = np.empty(shape, dtype=dtype)
            self.embedded_delta = np.empty(shape, dtype=dtype)
        width = max(hidden, default=0)
        self.deltas = [
            np.empty(capacity * width, dtype=dtype) for _ in range(min(2, len(hidden)))
        ]
        # Column sums (the bias gradients) as products with a vector of ones:
        # a BLAS gemv reads delta once, about three times faster than sum().
        self.ones = np.ones(capacity, dtype=dtype)
        # The weight decay's scratch: a delta buffer, dead by the time the
        # decay is added; a network without hidden layers gets its own.
        if self.deltas:
            self.scratch = self.deltas[0]
        else:
            self.scratch = np.empty(min(_CHUNK, network.n_coef_params), dtype=dtype)
        self._hidden = hidden
        self._cache = {}

    def views(self, n_samples):
        """Return the views of the first ``n_samples`` rows (cached per size)."""
        views = self._cache.get(n_samples)
        if views is None:
            if len(self._cache) > 2:  # the full batch and a last short one
                self._cache.clear()
            views = self._cache[n_samples] = self._make_views(n_samples)
        return views

    def _make_views(self, n):
        outputs = [output[:n] for output in self.outputs]
        pre_activations = [
            output if z is None else z[:n]
            for z, output in zip(self.pre_activations, outputs)
        ]
        # the delta of hidden layer i, counting down from the last, takes
        # buffer (last - i) % 2
        last = len(self._hidden) - 1
        deltas = [
            self.deltas[(last - i) % 2][: n * width].reshape(n, width)
            for i, width in enumerate(self._hidden)
        ]
        masks = [None if m is None else m[:n] for m in self.masks]
        return SimpleNamespace(
            outputs=outputs,
            pre_activations=pre_activations,
            masks=masks if any(m is not None for m in masks) else None,
            dropped=[None if d is None else d[:n] for d in self.dropped],
            deltas=deltas,
            ones=self.ones[:n],
            scratch=self.scratch,
            embedded=None if self.embedded is None else self.embedded[:n],
            embedded_delta=(
                None if self.embedded_delta is None else self.embedded_delta[:n]
            ),
        )


_CHUNK = 16384
"""Size of the weight decay's scratch in a network without hidden layers."""


def l2_decay(alpha, n_samples, sample_weight=None):
    """Return the factor of the L2 penalty's gradient on a batch: ``alpha / Σ w``.

    The penalty ``alpha / 2 ||W||²`` is divided, like the loss, by the sum of
    the batch's sample weights (its number of rows when there are none), so
    its gradient is ``l2_decay(alpha, n_samples, sample_weight) * W``; 0 for a
    batch whose weights sum to 0.
    """
    return alpha * _inverse_weight_sum(n_samples, sample_weight)


def _inverse_weight_sum(n_samples, sample_weight):
    weight_sum = n_samples if sample_weight is None else float(sample_weight.sum())
    return 1.0 / weight_sum if weight_sum > 0 else 0.0


def _add_scaled(y, x, factor, scratch):
    """``y += factor * x`` for 1-D arrays, in pieces the size of ``scratch``.

    BLAS ``axpy`` would take one call, but scipy's OpenBLAS runs it on all its
    threads for long vectors, and on a busy machine each such call waits for
    sleeping threads (measured here: a training step 2x slower than
    scikit-learn's). Ufuncs never wait; the pieces bound their temporary.
    """
    factor = y.dtype.type(factor)
    step = scratch.size
    for start in range(0, y.size, step):
        piece = y[start : start + step]
        term = np.multiply(x[start : start + step], factor, out=scratch[: piece.size])
        np.add(piece, term, out=piece)


def _largest_column_abs_sum(coef, scratch):
    """``max_j Σ_i |W_ij|``, a block of rows at a time through ``scratch``.

    Each block's sums are taken in the weights' dtype (float32 rounds them by
    less than a part in 10^4 for blocks of fewer than 1000 rows, far inside
    the factor of 4 the caller leaves), and added up in float64.
    """
    n_in, n_out = coef.shape
    step = min(999, max(1, scratch.size // n_out))
    sums = np.zeros(n_out)
    for start in range(0, n_in, step):
        block = coef[start : start + step]
        magnitudes = np.abs(block, out=scratch[: block.size].reshape(block.shape))
        sums += np.add.reduce(magnitudes, axis=0)
    return sums.max(initial=0)


def _per_layer(value, n_layers, name):
    """``value`` for each of ``n_layers`` layers: repeated, or a list checked."""
    if isinstance(value, str) or not hasattr(value, "__len__"):
        return [value] * n_layers
    if len(value) != n_layers:
        raise ValueError(
            f"{name} lists {len(value)} values for {n_layers} layers; give one "
            "per layer, or a single value for all of them."
        )
    return list(value)


def _product(left, right, out):
    """Write ``left @ right`` into ``out``; a sparse ``left`` goes through scipy."""
    # ``left`` is an ndarray or a sparse matrix (the input, or its transpose,
    # see Network._prepare); the isinstance test is ~20x cheaper than
    # sparse.issparse, once per product.
    if isinstance(left, np.ndarray):
        np.matmul(left, right, out=out)
    else:
        np.copyto(out, left @ right)
