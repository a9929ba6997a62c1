"""Training diagnostics: what each layer did during each epoch.

A :class:`DiagnosticsRecorder` watches a network train. After every batch's
backward pass, before the optimizer moves the weights, the training loop calls
:meth:`~DiagnosticsRecorder.observe`, which reads the gradient buffer and the
hidden layers' outputs still held in the workspaces and adds a few sums to its
running totals. After every epoch (L-BFGS: every iteration)
:meth:`~DiagnosticsRecorder.end_epoch` turns the totals into one row per
statistic. The statistics, one column per weight matrix ``W_i`` and so per
layer it computes (the hidden layers, then the output layer):

``grad_rms``
    The root mean square of the entries of the gradient of ``W_i``, over the
    epoch's batches: ``sqrt(Σ_batches ||∂L/∂W_i||² / (n_batches size(W_i)))``.
    It is the gradient the optimizer is given, the L2 penalty's term included.
``dead_fraction``
    The fraction of the layer's units whose activation derivative was zero
    for every sample of the epoch: they passed no gradient back at all, so
    the weights into them did not learn from the data (relu units pushed to
    ``z <= 0`` everywhere).
``saturated_fraction``
    The fraction of units whose derivative ``|f'(z)|`` was below
    :data:`SATURATION_THRESHOLD` for more than half the samples: the flat
    tails of the logistic (``|z| > 4.6``) and tanh (``|z| > 3.0``), or a relu
    that is off for most samples.
``activation_mean``, ``activation_std``
    The mean and standard deviation of all the layer's outputs over the
    epoch's samples and units together.

The last four describe hidden layers only; the output layer's column is NaN.
Samples count equally whatever their ``sample_weight``.

Cost: per batch and hidden layer, two element-wise passes over the layer's
output (its square, its derivative), a comparison, and four matrix-vector
products with the workspace's vector of ones that sum the columns; per weight
matrix, one dot product of its gradient with itself. No per-sample Python.
"""

import numpy as np

__all__ = ["DIAGNOSTIC_KEYS", "SATURATION_THRESHOLD", "DiagnosticsRecorder"]

DIAGNOSTIC_KEYS = (
    "grad_rms",
    "dead_fraction",
    "saturated_fraction",
    "activation_mean",
    "activation_std",
)
"""The statistics recorded, in the order a display shows them."""

SATURATION_THRESHOLD = 0.01
"""A unit is saturated on a sample when ``|f'(z)|`` is below this.

One hundredth of the slope of a linear unit: the logistic (whose slope is at
most 1/4) reaches it for ``|z| > 4.6``, tanh for ``|z| > 3.0``.
"""

BLOCK_ROWS = 4096
"""Rows per block when a batch is read: bounds the recorder's scratch memory."""

# Activations whose derivative can be negative; the others skip an abs pass.
_SIGNED_DERIVATIVES = frozenset({"gelu", "silu"})


class DiagnosticsRecorder:
    """Accumulates per-layer statistics over the batches of each epoch.

    Parameters
    ----------
    network : Network
        The network being trained.
    history : dict of ndarray, optional
        The ``diagnostics_`` of an earlier call (warm start, partial_fit):
        the new epochs' rows are appended to it.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn._losses import get_loss
    >>> from sknn._network import Network
    >>> from sknn.activations import get_activation
    >>> net = Network([2, 4, 1], [get_activation("relu")], get_loss("binary_log_loss"))
    >>> net.initialize(np.random.RandomState(0))
    >>> recorder = DiagnosticsRecorder(net)
    >>> X, Y = np.array([[0.0, 1.0], [1.0, 0.0]]), np.array([[1.0], [0.0]])
    >>> loss = net.loss_and_gradient(X, Y)
    >>> recorder.observe(net, 2)
    >>> recorder.end_epoch()
    >>> recorder.result()["grad_rms"].shape
    (1, 2)
    >>> bool(np.isnan(recorder.result()["dead_fraction"][0, -1]))
    True
    """

    def __init__(self, network, history=None):
        self.activations = network.activations
        self.n_units = network.layer_sizes[1:-1]
        self.n_weights = [coef.size for coef in network.coefs]
        self.rows = {key: [] for key in DIAGNOSTIC_KEYS}
        if history is not None:
            for key in DIAGNOSTIC_KEYS:
                self.rows[key].extend(np.asarray(history[key]))
        self._scratch = None
        self._penalty = None
        self._reset()

    def _reset(self):
        self.n_batches = 0
        self.n_samples = 0
        self.grad_squares = np.zeros(len(self.n_weights))
        self.sums = [np.zeros(n) for n in self.n_units]
        self.square_sums = [np.zeros(n) for n in self.n_units]
        # Σ |f'| per unit: zero exactly when f' was zero on every sample.
        self.slopes = [np.zeros(n) for n in self.n_units]
        self.flat_counts = [np.zeros(n) for n in self.n_units]

    def observe(self, network, n_samples, decay=0.0):
        """Add the batch just back-propagated to the epoch's totals.

        Call it after :meth:`Network.loss_and_gradient` and before the
        optimizer's step: it reads the gradient buffer and the hidden layers'
        outputs (and pre-activations) in the network's workspaces. ``decay``
        is the L2 penalty's factor when the buffer holds the data term only
        (the stochastic solvers add ``decay * W`` inside their step).
        """
        self.observe_gradient(network, decay)
        self.observe_layers(network, n_samples)

    def observe_gradient(self, network, decay=0.0):
        """Add the gradient, ``grads + decay * W``, to the epoch's totals."""
        self.n_batches += 1
        for i, (grad, coef) in enumerate(zip(network.coef_grads, network.coefs)):
            flat = grad.reshape(-1)
            if decay:
                # the gradient the optimizer steps along, penalty included
                term = self._penalty_scratch(flat)
                np.multiply(coef.reshape(-1), flat.dtype.type(decay), out=term)
                flat = np.add(flat, term, out=term)
            self.grad_squares[i] += float(np.dot(flat, flat))

    def _penalty_scratch(self, flat):
        """A scratch vector the size of ``flat``, a view of a buffer made once."""
        if self._penalty is None or self._penalty.size < flat.size:
            self._penalty = np.empty(max(self.n_weights), dtype=flat.dtype)
        return self._penalty[: flat.size]

    def observe_layers(self, network, n_samples):
        """Add the hidden layers' outputs for the workspaces' first rows.

        The workspaces hold the last forward pass of ``n_samples`` rows (a
        training batch, or a piece of L-BFGS's full batch refilled with
        :meth:`Network.fill_workspace`).
        """
        self.n_samples += n_samples
        if not self.n_units:
            return
        views = network.workspace(n_samples)
        # A large piece goes through in blocks, to bound the scratch.
        for start in range(0, n_samples, BLOCK_ROWS):
            rows = slice(start, min(start + BLOCK_ROWS, n_samples))
            ones = views.ones[: rows.stop - start]
            for i, activation in enumerate(self.activations):
                z = None
                if activation.uses == "input":
                    z = views.pre_activations[i][rows]
                self._add_layer(i, activation, views.outputs[i][rows], z, ones)

    def _add_layer(self, i, activation, a, z, ones):
        """Add one hidden layer's block of outputs ``a`` to the totals."""
        first, second = self._buffers(a)
        self.sums[i] += ones @ a
        self.square_sums[i] += ones @ np.multiply(a, a, out=first)
        slope = activation.derivative(z=z, a=a, out=first)
        if activation.name in _SIGNED_DERIVATIVES:
            np.abs(slope, out=slope)
        self.slopes[i] += ones @ slope
        threshold = slope.dtype.type(SATURATION_THRESHOLD)
        self.flat_counts[i] += ones @ np.less(slope, threshold, out=second)

    def _buffers(self, a):
        """Two scratch arrays shaped like ``a``, views of buffers made once."""
        size = a.shape[0] * max(self.n_units)
        if self._scratch is None or self._scratch[0].size < size:
            self._scratch = tuple(np.empty(size, dtype=a.dtype) for _ in range(2))
        return tuple(buffer[: a.size].reshape(a.shape) for buffer in self._scratch)

    def end_epoch(self):
        """Turn the epoch's totals into one row per statistic and start afresh."""
        # A blowing-up network is recorded as it is, infinities included.
        with np.errstate(over="ignore", invalid="ignore"):
            self._add_rows()
        self._reset()

    def _add_rows(self):
        n_layers = len(self.n_weights)
        rms = np.sqrt(
            self.grad_squares / (max(self.n_batches, 1) * np.array(self.n_weights))
        )
        self.rows["grad_rms"].append(rms)
        hidden = {key: np.full(n_layers, np.nan) for key in DIAGNOSTIC_KEYS[1:]}
        n = max(self.n_samples, 1)
        for i, n_units in enumerate(self.n_units):
            hidden["dead_fraction"][i] = np.mean(self.slopes[i] == 0)
            hidden["saturated_fraction"][i] = np.mean(self.flat_counts[i] > 0.5 * n)
            mean = self.sums[i].sum() / (n * n_units)
            mean_square = self.square_sums[i].sum() / (n * n_units)
            hidden["activation_mean"][i] = mean
            hidden["activation_std"][i] = np.sqrt(max(mean_square - mean * mean, 0.0))
        for key, row in hidden.items():
            self.rows[key].append(row)

    def result(self):
        """Return the rows so far: a dict of arrays of shape (n_epochs, n_layers)."""
        n_layers = len(self.n_weights)
        return {
            key: np.array(rows, dtype=np.float64).reshape(-1, n_layers)
            for key, rows in self.rows.items()
        }
