"""Stochastic gradient optimizers that update a flat parameter buffer in place.

Each optimizer is a small stateful object: its state (velocities, moment
estimates) is allocated once, in ``__init__``, with the size and dtype of the
parameter buffer, and :meth:`step` updates ``params`` in place in one compiled
pass over the buffer (:mod:`sknn._optimizer_kernels`), which also adds the L2
penalty's gradient to the weights' entries, applies decoupled weight decay to
them, and scales the gradient for clipping (:func:`gradient_norm` measures
it). A step allocates nothing. Stopping rules, schedules and printing belong
to the training loop, not here: the loop passes each step the factor its
schedule sets on the learning rate.

The update rules are scikit-learn's (``sklearn/neural_network/
_stochastic_optimizers.py``), so a network trained by either takes the same
steps.

Why one fused loop: the numpy form of an Adam step is ten passes over memory
(about ten ufunc calls), the penalty two more; the loop reads each array once
and writes each once. Why not BLAS ``axpy``/``scal``: OpenBLAS runs level-1
calls on vectors longer than 10,000 elements on all its threads, and on a
machine whose cores are busy each such call can wait a whole scheduler slice
(about 10 ms, measured here) for a thread to wake.
"""

import numpy as np

from sknn._optimizer_kernels import adam_step, penalised_gradient_norm, sgd_step

__all__ = ["SGD", "Adam", "gradient_norm"]


class _Optimizer:
    """State shared by the optimizers: the buffer layout and the learning rate."""

    def __init__(self, params, learning_rate_init, weight_decay=0.0):
        params = np.asarray(params)
        if params.ndim != 1:
            raise ValueError(
                f"params must be the flat 1-D parameter buffer, got shape "
                f"{params.shape}."
            )
        self.learning_rate_init = learning_rate_init
        self.learning_rate = float(learning_rate_init)
        self.weight_decay = weight_decay
        self.shape = params.shape
        self.dtype = params.dtype

    def _shrink(self, rate):
        """The factor ``1 - η λ`` by which decoupled weight decay scales the weights."""
        return self.dtype.type(1.0 - rate * self.weight_decay)

    def __getstate__(self):
        # A saved optimizer keeps its dtype by name: skops trusts strings, not
        # numpy.dtype objects.
        state = self.__dict__.copy()
        state["dtype"] = self.dtype.name
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.dtype = np.dtype(self.dtype)

    def _check(self, params, grads, n_decayed):
        # The state was sized and typed for one flat buffer: anything else is
        # the wrong array, and would be cast or broadcast silently by ufuncs.
        for name, array in (("params", params), ("grads", grads)):
            if (
                array.shape != self.shape
                or array.dtype != self.dtype
                or not array.flags.c_contiguous
            ):
                raise ValueError(
                    f"{name} must be a contiguous array of shape {self.shape} "
                    f"and dtype {self.dtype}, like the buffer the optimizer "
                    f"was built for; got shape {array.shape}, dtype "
                    f"{array.dtype}."
                )
        if not params.flags.writeable:
            raise ValueError("params must be writeable; it is updated in place.")
        if not 0 <= n_decayed <= params.size:
            raise ValueError(
                f"n_decayed must be in [0, {params.size}], got {n_decayed}."
            )

    def iteration_ends(self, time_step):
        """Update the learning rate at the end of an epoch (no-op by default).

        Parameters
        ----------
        time_step : int
            The number of training samples seen so far.
        """


class SGD(_Optimizer):
    """Stochastic gradient descent with momentum and a learning-rate schedule.

    Parameters
    ----------
    params : ndarray of shape (n_params,)
        The flat parameter buffer; only its size and dtype are read here.
    learning_rate_init : float, default=0.1
        The initial step size.
    lr_schedule : {'constant', 'adaptive', 'invscaling'}, default='constant'
        'invscaling' divides the rate by ``(time_step + 1) ** power_t`` at the
        end of each epoch; 'adaptive' leaves changing :attr:`learning_rate`
        to the training loop; 'constant' keeps it.
    momentum : float, default=0.9
        The fraction of the previous update carried into the next.
    nesterov : bool, default=True
        Use Nesterov's momentum: step along the updated velocity rather
        than the previous one.
    power_t : float, default=0.5
        The exponent of 'invscaling'.
    weight_decay : float, default=0.0
        Decoupled weight decay (SGDW): each step first scales the weights
        (not the biases) by ``1 - η λ``, with ``η`` the step's learning rate.

    Attributes
    ----------
    learning_rate : float
        The current step size; the training loop may set it.
    velocity : ndarray of shape (n_params,)
        The running update.

    Notes
    -----
    With rate ``η``, momentum ``μ`` and gradient ``g`` one step is::

        v ← μ v - η g
        θ ← θ + μ v - η g     (Nesterov)
        θ ← θ + v             (classical momentum)

    with the weights' ``θ`` on the right first scaled by ``1 - η λ`` under
    decoupled weight decay (Loshchilov and Hutter, 2019).

    Examples
    --------
    >>> import numpy as np
    >>> from sknn._optimizers import SGD
    >>> params = np.array([1.0, 2.0])
    >>> sgd = SGD(params, learning_rate_init=0.5, momentum=0.0)
    >>> sgd.step(params, np.array([1.0, -1.0]))
    >>> params
    array([0.5, 2.5])
    """

    def __init__(
        self,
        params,
        learning_rate_init=0.1,
        lr_schedule="constant",
        momentum=0.9,
        nesterov=True,
        power_t=0.5,
        weight_decay=0.0,
    ):
        super().__init__(params, learning_rate_init, weight_decay)
        self.lr_schedule = lr_schedule
        self.momentum = momentum
        self.nesterov = nesterov
        self.power_t = power_t
        self.velocity = np.zeros(self.shape, dtype=self.dtype)

    def step(
        self, params, grads, decay=0.0, n_decayed=0, rate_factor=1.0, grad_scale=1.0
    ):
        """Take one step down ``grads``, updating ``params`` in place.

        Parameters
        ----------
        params : ndarray of shape (n_params,)
            The parameter buffer; modified.
        grads : ndarray of shape (n_params,)
            The gradient of the loss at ``params``.
        decay : float, default=0.0
            The L2 penalty's factor: ``decay * params[:n_decayed]`` is added
            to the gradient of those entries (the weights, not the biases)
            before the step. ``grads`` itself is left unchanged.
        n_decayed : int, default=0
            How many leading entries of ``params`` the penalty and the
            decoupled weight decay apply to.
        rate_factor : float, default=1.0
            The factor a learning-rate schedule sets for this step: the step
            is taken with ``learning_rate * rate_factor``.
        grad_scale : float, default=1.0
            The factor the gradient (penalty included) is scaled by, below 1
            when it is clipped to a maximum norm.
        """
        self._check(params, grads, n_decayed)
        kind = self.dtype.type
        rate = self.learning_rate * rate_factor
        sgd_step(
            params,
            grads,
            self.velocity,
            kind(rate),
            kind(self.momentum),
            bool(self.nesterov),
            kind(decay),
            n_decayed,
            self._shrink(rate),
            kind(grad_scale),
        )

    @property
    def state_arrays(self):
        """The arrays of the optimizer's state, updated in place: ``(velocity,)``."""
        return (self.velocity,)

    def iteration_ends(self, time_step):
        if self.lr_schedule == "invscaling":
            self.learning_rate = (
                float(self.learning_rate_init) / (time_step + 1) ** self.power_t
            )

    def __repr__(self):
        return (
            f"SGD(learning_rate={self.learning_rate:g}, "
            f"lr_schedule={self.lr_schedule!r}, momentum={self.momentum:g}, "
            f"nesterov={self.nesterov})"
        )


class Adam(_Optimizer):
    """Adam: steps scaled by running estimates of the gradient's moments.

    Parameters
    ----------
    params : ndarray of shape (n_params,)
        The flat parameter buffer; only its size and dtype are read here.
    learning_rate_init : float, default=0.001
        The step size before bias correction.
    beta_1, beta_2 : float, default=0.9, 0.999
        Decay rates of the first- and second-moment estimates.
    epsilon : float, default=1e-8
        Added to the root of the second moment for numerical stability.
    weight_decay : float, default=0.0
        Decoupled weight decay (AdamW): each step first scales the weights
        (not the biases) by ``1 - η λ``, with ``η`` the step's learning rate
        (``learning_rate`` times the schedule's factor), as PyTorch's AdamW.

    Attributes
    ----------
    learning_rate : float
        The base step size (``learning_rate_init`` until changed).
    t : int
        The number of steps taken.
    first_moment, second_moment : ndarray of shape (n_params,)
        The running averages of the gradient and of its square (new arrays,
        computed from the state on each access).

    Notes
    -----
    Step ``t`` with gradient ``g`` is (Kingma and Ba, 2015)::

        m ← β₁ m + (1 - β₁) g
        v ← β₂ v + (1 - β₂) g²
        θ ← θ - η √(1 - β₂ᵗ) / (1 - β₁ᵗ) · m / (√v + ε)

    The state kept is ``M = m / (1 - β₁)`` and ``V = v / (1 - β₂)``, whose
    updates ``M ← β₁ M + g`` and ``V ← β₂ V + g²`` take one pass over memory
    fewer each; the constant factors move into the step size and ``ε``:
    ``θ ← θ - c M / (√V + ε / √(1 - β₂))`` with
    ``c = η √(1 - β₂ᵗ) / (1 - β₁ᵗ) · (1 - β₁) / √(1 - β₂)``.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn._optimizers import Adam
    >>> params = np.array([1.0, 2.0])
    >>> adam = Adam(params, learning_rate_init=0.1)
    >>> adam.step(params, np.array([3.0, -4.0]))
    >>> params.round(6)
    array([0.9, 2.1])
    """

    def __init__(
        self,
        params,
        learning_rate_init=0.001,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        weight_decay=0.0,
    ):
        super().__init__(params, learning_rate_init, weight_decay)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.t = 0
        self._m_scaled = np.zeros(self.shape, dtype=self.dtype)
        self._v_scaled = np.zeros(self.shape, dtype=self.dtype)

    @property
    def first_moment(self):
        return self._m_scaled * (1 - self.beta_1)

    @property
    def second_moment(self):
        return self._v_scaled * (1 - self.beta_2)

    @property
    def state_arrays(self):
        """The arrays of the optimizer's state, updated in place: the scaled
        moments ``(M, V)``."""
        return (self._m_scaled, self._v_scaled)

    def step(
        self, params, grads, decay=0.0, n_decayed=0, rate_factor=1.0, grad_scale=1.0
    ):
        """Take one Adam step, updating ``params`` in place.

        Parameters
        ----------
        params : ndarray of shape (n_params,)
            The parameter buffer; modified.
        grads : ndarray of shape (n_params,)
            The gradient of the loss at ``params``.
        decay : float, default=0.0
            The L2 penalty's factor: ``decay * params[:n_decayed]`` is added
            to the gradient of those entries (the weights, not the biases)
            before the step. ``grads`` itself is left unchanged.
        n_decayed : int, default=0
            How many leading entries of ``params`` the penalty and the
            decoupled weight decay apply to.
        rate_factor : float, default=1.0
            The factor a learning-rate schedule sets for this step: the step
            is taken with ``learning_rate * rate_factor``.
        grad_scale : float, default=1.0
            The factor the gradient (penalty included) is scaled by, below 1
            when it is clipped to a maximum norm.
        """
        self._check(params, grads, n_decayed)
        beta_1, beta_2, kind = self.beta_1, self.beta_2, self.dtype.type
        self.t += 1
        rate = self.learning_rate * rate_factor
        root = np.sqrt(1 - beta_2)
        step_size = (
            rate
            * np.sqrt(1 - beta_2**self.t)
            / (1 - beta_1**self.t)
            * (1 - beta_1)
            / root
        )
        # A zero step still updates the moments; -1 / c is then not taken.
        move = step_size != 0
        adam_step(
            params,
            grads,
            self._m_scaled,
            self._v_scaled,
            kind(beta_1),
            kind(beta_2),
            kind(self.epsilon / root),
            kind(-1 / step_size if move else 0.0),
            move,
            kind(decay),
            n_decayed,
            self._shrink(rate),
            kind(grad_scale),
        )

    def __repr__(self):
        return (
            f"Adam(learning_rate={self.learning_rate:g}, beta_1={self.beta_1:g}, "
            f"beta_2={self.beta_2:g}, epsilon={self.epsilon:g})"
        )


def gradient_norm(params, grads, decay=0.0, n_decayed=0):
    """Return the Euclidean norm of the gradient an optimizer step would take.

    That is ``grads`` with the L2 penalty's gradient ``decay * params`` added
    on the first ``n_decayed`` entries, as :meth:`SGD.step` and
    :meth:`Adam.step` add it; the squares are summed in double precision.
    Gradient clipping scales the step by ``max_norm / gradient_norm(...)``
    when this exceeds ``max_norm``.
    """
    kind = params.dtype.type
    return float(penalised_gradient_norm(params, grads, kind(decay), n_decayed))
