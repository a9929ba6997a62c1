"""A few networks trained as one: the tabular estimators' member-batched core.

The tabular estimators train ``k`` small networks (the members of an
ensemble) at once. Every weight array carries a leading member axis, so one
batched ``matmul`` of shape ``(k, m, n_in) @ (k, n_in, n_out)`` runs a layer
of all the members on their own batches of ``m`` rows: one BLAS call where
``k`` separate networks would make ``k``, and the same Python overhead as one
network.

Each member is::

    input layer   numeric embeddings, passthrough columns, categorical tables
                  (one sknn InputLayer per member, from sknn._embeddings)
    scale         x_j * s_j: a learned factor per input feature, from 1
    dense layers  z = x W + b, then the parametric activation
                  y = z + α (f(z) - z), then dropout, for each hidden layer;
                  the last layer's z are the outputs

Why not the core Network
------------------------
:class:`~sknn._network.Network` is one network: its flat buffer holds one set
of ``(n_in, n_out)`` matrices, its workspaces one batch. A member axis on
every array, a per-input scale, a parametric activation with its own
parameter and a learning rate per group of parameters (RealMLP's recipe,
Holzmüller et al. 2024) would each change that core for every MLP estimator,
whose fits must stay bit for bit scikit-learn's. So this module is a second,
small core with the same habits: one contiguous parameter buffer and one
gradient buffer that every array is a view of, workspaces allocated once per
batch size (:class:`~sknn._embeddings._Buffers`) and reused, every product a
BLAS ``matmul`` with ``out=``. It reuses the pieces that fit as they are:
the activations of :mod:`sknn.activations` for ``f`` and ``f'``, sknn's
input layers, and sknn's :class:`~sknn._optimizers.Adam` (its compiled step),
one per group of parameters, each a view of a contiguous slice of the buffer.

The recipe's parametrisation
----------------------------
* Weights start as ``N(0, 1)``, rescaled per unit so that its pre-activation
  has unit standard deviation on the rows given to :meth:`initialize`, and
  step with the learning rate ``η / √n_in`` (the neural-tangent-kernel
  parametrisation, written as a per-layer learning rate).
* Biases start at the negated pre-activation of a random convex combination
  of five rows ("he+5"): each unit's kink falls inside the data. They step
  with ``0.1 η``.
* Scale factors start at 1 and step with ``6 η``; the activations' ``α``
  start at 1 (the plain activation) and step with ``0.1 η``; the numeric
  embeddings step with ``0.1 η``, the categorical tables (``N(0, 1)``) with
  ``η``.

Dropout draws one byte per unit and keeps the unit where it is at least
``round(256 p)``: the probability is rounded to 1/256 (0.15 becomes
0.1484), which a byte per unit buys at an eighth of the memory traffic of a
float draw.
"""

import math

import numpy as np

from sknn._embeddings import _Buffers
from sknn._optimizers import Adam
from sknn.activations import get_activation

__all__ = ["LEARNING_RATE_FACTORS", "MemberNetwork"]

LEARNING_RATE_FACTORS = {
    "numeric_embedding": 0.1,
    "categorical_embedding": 1.0,
    "scale": 6.0,
    "bias": 0.1,
    "activation": 0.1,
}
"""Each parameter group's factor on the base learning rate (RealMLP's);
the dense weights' is ``1 / √n_in``."""

N_BIAS_ROWS = 5
"""The rows whose convex combination places each unit's initial kink."""


class MemberNetwork:
    """``k`` members of one architecture, with a leading member axis.

    Parameters
    ----------
    input_layers : list of InputLayer
        One per member, all of the same width (``n_outputs``).
    hidden_layer_sizes : tuple of int
        The units of each hidden layer.
    n_outputs : int
        The outputs of the last layer.
    activation : str or Activation, default='relu'
        ``f``: a name of :mod:`sknn.activations` or an activation object.
    parametric_activation : bool, default=True
        Whether the hidden layers apply ``z + α (f(z) - z)`` with a learned
        ``α`` per unit (True) or ``f(z)``.
    scale_layer : bool, default=True
        Whether a learned factor per input feature precedes the first layer.
    dtype : {np.float32, np.float64}, default=np.float32

    Attributes
    ----------
    n_members : int
    params, grads : ndarray of shape (n_params,)
        The flat buffers every parameter and gradient is a view of.
    scale : ndarray of shape (k, n_in) or None
    coefs, intercepts : list of ndarray
        ``(k, n_in, n_out)`` and ``(k, n_out)`` per dense layer.
    alphas : list of ndarray
        ``(k, n_units)`` per hidden layer (empty without parametric
        activations).
    grad : dict
        The gradient views of the above, by the names of :attr:`groups`.
    groups : list of (name, slice, float)
        Each parameter array (or member's input layer part): its name, its
        entries in the buffer and its factor on the learning rate.
    """

    def __init__(
        self,
        input_layers,
        hidden_layer_sizes,
        n_outputs,
        activation="relu",
        parametric_activation=True,
        scale_layer=True,
        dtype=np.float32,
    ):
        self.input_layers = list(input_layers)
        self.n_members = k = len(self.input_layers)
        self.dtype = np.dtype(dtype)
        width = self.input_layers[0].n_outputs
        if any(layer.n_outputs != width for layer in self.input_layers):
            raise ValueError("every member's input layer must have the same width.")
        if isinstance(activation, str):
            activation = get_activation(activation)
        self.activation = activation
        self.parametric_activation = bool(parametric_activation)
        self.scale_layer = bool(scale_layer)
        self.sizes = [width, *map(int, hidden_layer_sizes), int(n_outputs)]
        specs = []  # (name, shape, lr factor, member or None)
        for i, layer in enumerate(self.input_layers):
            n_numeric = layer.numeric.n_params if layer.numeric is not None else 0
            factors = LEARNING_RATE_FACTORS
            specs.append((f"numeric{i}", (n_numeric,), factors["numeric_embedding"], i))
            n_tables = layer.n_params - n_numeric
            specs.append(
                (f"categorical{i}", (n_tables,), factors["categorical_embedding"], i)
            )
        if self.scale_layer:
            specs.append(("scale", (k, width), LEARNING_RATE_FACTORS["scale"], None))
        n_layers = len(self.sizes) - 1
        for i in range(n_layers):
            n_in, n_out = self.sizes[i], self.sizes[i + 1]
            specs.append((f"W{i}", (k, n_in, n_out), 1.0 / math.sqrt(n_in), None))
            specs.append((f"b{i}", (k, n_out), LEARNING_RATE_FACTORS["bias"], None))
            if self.parametric_activation and i < n_layers - 1:
                factor = LEARNING_RATE_FACTORS["activation"]
                specs.append((f"a{i}", (k, n_out), factor, None))
        self._specs = specs
        self.n_params = sum(int(np.prod(shape)) for _, shape, _, _ in specs)
        self.params = np.zeros(self.n_params, dtype=self.dtype)
        self.grads = np.zeros(self.n_params, dtype=self.dtype)
        self._bind()

    # -- the buffer ----------------------------------------------------------

    def _bind(self):
        """Make every parameter and gradient a view of the two flat buffers."""
        self.groups, self.grad, views = [], {}, {}
        member = np.empty(self.n_params, dtype=np.int16)
        start = 0
        for name, shape, factor, owner in self._specs:
            stop = start + int(np.prod(shape))
            part = slice(start, stop)
            views[name] = self.params[part].reshape(shape)
            self.grad[name] = self.grads[part].reshape(shape)
            if owner is None:
                member[part] = np.repeat(
                    np.arange(self.n_members), (stop - start) // self.n_members
                )
            else:
                member[part] = owner
            if stop > start:
                self.groups.append((name, part, factor))
            start = stop
        for i, layer in enumerate(self.input_layers):
            begin = self._start_of(f"numeric{i}")
            end = begin + layer.n_params
            layer.bind(self.params[begin:end], self.grads[begin:end])
        self.scale = views.get("scale")
        n_layers = len(self.sizes) - 1
        self.coefs = [views[f"W{i}"] for i in range(n_layers)]
        self.intercepts = [views[f"b{i}"] for i in range(n_layers)]
        self.alphas = [views[f"a{i}"] for i in range(n_layers - 1) if f"a{i}" in views]
        self.member_masks = [member == i for i in range(self.n_members)]
        self._buffers = _Buffers(self.dtype)
        self._byte_buffers = _Buffers(np.uint8)
        self._needs_input_gradient = self.scale_layer or any(
            layer.n_params for layer in self.input_layers
        )

    def _start_of(self, name):
        start = 0
        for spec_name, shape, _, _ in self._specs:
            if spec_name == name:
                return start
            start += int(np.prod(shape))
        raise KeyError(name)

    def __getstate__(self):
        state = self.__dict__.copy()
        for name in (
            "groups",
            "grad",
            "scale",
            "coefs",
            "intercepts",
            "alphas",
            "member_masks",
            "_buffers",
            "_byte_buffers",
            "_cache",
            "_optimizers",
        ):
            state.pop(name, None)
        state.pop("grads")
        # by name, as the input layers save theirs: skops then trusts only
        # sknn's own types
        state["dtype"] = self.dtype.name
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.dtype = np.dtype(self.dtype)
        self.grads = np.zeros_like(self.params)
        self._bind()

    def __repr__(self):
        sizes = " -> ".join(map(str, self.sizes))
        return (
            f"MemberNetwork({self.n_members} members: {sizes}, {self.activation.name})"
        )

    # -- initialisation -----------------------------------------------------

    def initialize(self, rng, dense, codes):
        """Draw every weight; the dense layers' from the rows given.

        Parameters
        ----------
        rng : numpy.random.Generator
        dense : ndarray of shape (k, n, n_dense)
            Each member's rows of the encoder's dense matrix.
        codes : ndarray of shape (k, n, n_codes)
            Their categorical codes.
        """
        for layer in self.input_layers:
            layer.initialize(rng)
            if layer.categorical is not None:
                table = layer.categorical.table
                table[...] = rng.standard_normal(table.shape)
        if self.scale is not None:
            self.scale[...] = 1.0
        for alpha in self.alphas:
            alpha[...] = 1.0
        k, n = dense.shape[:2]
        A = np.empty((k, n, self.sizes[0]), dtype=self.dtype)
        for i, layer in enumerate(self.input_layers):
            layer.forward(dense[i], codes[i], A[i])
        last = len(self.coefs) - 1
        for i, (W, b) in enumerate(zip(self.coefs, self.intercepts)):
            weights = rng.standard_normal(W.shape).astype(self.dtype)
            Z = np.matmul(A, weights)
            spread = Z.std(axis=1, keepdims=True)
            # A unit constant on these rows keeps its N(0, 1) weights rather
            # than being blown up by a near-zero spread.
            spread[~(spread > 1e-6)] = 1.0
            weights /= spread
            Z /= spread
            W[...] = weights
            # he+5: the negated pre-activation at a random convex combination
            # of a few rows, so that every unit's kink lies inside the data
            picked = rng.integers(0, n, size=(k, W.shape[2], N_BIAS_ROWS))
            mix = rng.exponential(size=picked.shape)
            mix /= mix.sum(axis=2, keepdims=True)
            at_rows = np.take_along_axis(Z.transpose(0, 2, 1), picked, axis=2)
            b[...] = -(at_rows * mix).sum(axis=2)
            if i < last:
                Z += b[:, None, :]
                A = self.activation.forward(Z)

    # -- forward and backward ----------------------------------------------

    def forward(self, dense, codes, dropout=0.0, rng=None, keep=False):
        """The members' outputs for a batch.

        Parameters
        ----------
        dense : ndarray of shape (k, m, n_dense) or (m, n_dense)
            Each member's batch, or one batch for all of them.
        codes : ndarray of shape (k, m, n_codes) or (m, n_codes)
        dropout : float, default=0.0
            The probability of dropping a hidden unit (rounded to 1/256).
        rng : numpy.random.Generator, optional
            Draws the dropout masks; needed when ``dropout > 0``.
        keep : bool, default=False
            Keep what :meth:`backward` needs (training).

        Returns
        -------
        ndarray of shape (k, m, n_outputs)
            A workspace: valid until the next call.
        """
        k, buffers = self.n_members, self._buffers
        shared = dense.ndim == 2
        m = dense.shape[0] if shared else dense.shape[1]
        A0 = buffers.get("input", (k, m, self.sizes[0]))
        for i, layer in enumerate(self.input_layers):
            if shared:
                layer.forward(dense, codes, A0[i])
            else:
                layer.forward(dense[i], codes[i], A0[i])
        A = A0
        if self.scale is not None:
            A = buffers.get("scaled", A0.shape)
            np.multiply(A0, self.scale[:, None, :], out=A)
        level = min(255, round(dropout * 256))
        keep_factor = self.dtype.type(256 / (256 - level))
        cache = []
        last = len(self.coefs) - 1
        for i, (W, b) in enumerate(zip(self.coefs, self.intercepts)):
            Z = buffers.get(f"z{i}", (k, m, W.shape[2]))
            np.matmul(A, W, out=Z)
            Z += b[:, None, :]
            if i == last:
                cache.append((A, None, None, None))
                break
            F = buffers.get(f"f{i}", Z.shape)
            self.activation.forward(Z, out=F)
            slope = None
            if keep:
                slope = buffers.get(f"slope{i}", Z.shape)
                self.activation.derivative(z=Z, a=F, out=slope)
            Y = F
            if self.parametric_activation:
                # y = z + α (f(z) - z); f(z) - z is also α's gradient factor
                F -= Z
                Y = buffers.get(f"y{i}", Z.shape)
                np.multiply(F, self.alphas[i][:, None, :], out=Y)
                Y += Z
            mask = None
            if level:
                draws = self._byte_buffers.get(f"draws{i}", Z.shape)
                draws.reshape(-1)[...] = np.frombuffer(rng.bytes(draws.size), np.uint8)
                mask = buffers.get(f"mask{i}", Z.shape)
                np.greater_equal(draws, level, out=mask, casting="unsafe")
                mask *= keep_factor
                Y *= mask
            cache.append((A, F, slope, mask))
            A = Y
        self._cache = (A0, cache) if keep else None
        return Z

    def backward(self, d_out):
        """Overwrite :attr:`grads` from ``d_out``, the gradient of the outputs.

        Parameters
        ----------
        d_out : ndarray of shape (k, m, n_outputs)
            For the batch of the last :meth:`forward` with ``keep=True``;
            overwritten.
        """
        A0, cache = self._cache
        buffers = self._buffers
        dZ = d_out
        dA = None
        for i in range(len(self.coefs) - 1, -1, -1):
            A = cache[i][0]
            np.matmul(A.transpose(0, 2, 1), dZ, out=self.grad[f"W{i}"])
            np.sum(dZ, axis=1, out=self.grad[f"b{i}"])
            if i == 0 and not self._needs_input_gradient:
                return
            dA = buffers.get(f"dA{i}", A.shape)
            np.matmul(dZ, self.coefs[i].transpose(0, 2, 1), out=dA)
            if i == 0:
                break
            _, gap, slope, mask = cache[i - 1]
            if mask is not None:
                dA *= mask
            if self.parametric_activation:
                alpha = self.alphas[i - 1][:, None, :]
                gap *= dA  # f(z) - z, no longer needed
                np.sum(gap, axis=1, out=self.grad[f"a{i - 1}"])
                # dy/dz = 1 + α (f'(z) - 1)
                slope -= 1
                slope *= alpha
                slope += 1
            dA *= slope
            dZ = dA
        if self.scale is not None:
            product = buffers.get("d_scale", A0.shape)
            np.multiply(dA, A0, out=product)
            np.sum(product, axis=1, out=self.grad["scale"])
            dA *= self.scale[:, None, :]
        for i, layer in enumerate(self.input_layers):
            if layer.n_params:
                layer.backward(dA[i])

    # -- the optimizer --------------------------------------------------------

    def start_training(self, learning_rate, beta_1, beta_2, epsilon=1e-8):
        """One Adam per parameter group, at its factor on ``learning_rate``."""
        self._optimizers = [
            (
                part,
                Adam(
                    self.params[part], learning_rate * factor, beta_1, beta_2, epsilon
                ),
            )
            for _, part, factor in self.groups
        ]

    def step(self, rate_factor=1.0):
        """One Adam step of every group, at ``rate_factor`` times its rate."""
        for part, optimizer in self._optimizers:
            optimizer.step(self.params[part], self.grads[part], rate_factor=rate_factor)
