"""Activation functions, each written beside its derivative.

An activation is the non-linearity ``a = f(z)`` a neuron applies to its
pre-activation ``z = w·x + b``. Each one here is a small stateless object with

``forward(z, out=None)``
    ``f(z)``; ``out`` may be ``z`` itself, so the network core can transform a
    buffer in place.
``derivative(z=None, a=None, out=None)``
    ``f'(z)``. Where the math allows it the derivative is written in terms of
    the output ``a`` (``uses == "output"``) so the pre-activation need not be
    kept; otherwise it needs ``z`` (``uses == "input"``).
``backprop(delta, z=None, a=None)``
    ``delta *= f'(z)`` in place, the one step of back-propagation that an
    activation owns.

For the network core, two layer-sized passes fuse a neighbouring step into
these: :meth:`Activation.add_bias_and_apply` (``z ← f(z + b)``, after each
product) and :meth:`Activation.backprop_and_sum` (``backprop``, then the bias
gradient ``Σ_rows delta``). Compiled loops (:mod:`sknn._activation_kernels`),
one pass over memory each, run the first for the identity, ReLU and leaky
ReLU and the second's ``backprop`` for ReLU, leaky ReLU, tanh and the
logistic, where they measured faster than numpy; the rest use the numpy
``forward`` and ``backprop``.

Every function keeps the dtype of its input (float32 stays float32) and is
finite, without overflow warnings, for ``|z|`` up to at least ``1e4``.

Look activations up by name with :func:`get_activation`; :data:`ACTIVATIONS`
lists the names.
"""

import difflib
import math
from abc import ABC, abstractmethod

import numpy as np
from scipy import special

from sknn import _activation_kernels as kernels

__all__ = [
    "ACTIVATIONS",
    "ELU",
    "GELU",
    "Activation",
    "Identity",
    "LeakyReLU",
    "Logistic",
    "ReLU",
    "SiLU",
    "Softplus",
    "Step",
    "Tanh",
    "check_activation",
    "get_activation",
]


def _out_like(z, out):
    return np.empty_like(z) if out is None else out


_CONSTANTS = {}


def _constant(value, shape, dtype):
    """A cached read-only array of ``shape`` and ``dtype`` filled with ``value``.

    For operands that stay the same from batch to batch (a vector of ones for
    column sums), made once rather than per call.
    """
    key = (value, shape, np.dtype(dtype))
    array = _CONSTANTS.get(key)
    if array is None:
        if len(_CONSTANTS) > 16:
            _CONSTANTS.clear()
        array = _CONSTANTS[key] = np.full(shape, value, dtype=dtype)
        array.flags.writeable = False
    return array


class Activation(ABC):
    """A neuron's non-linearity ``a = f(z)`` and its derivative.

    Subclasses set the class attributes and implement :meth:`forward` and
    :meth:`derivative`.

    Attributes
    ----------
    name : str
        The registry name.
    uses : {'output', 'input'}
        What :meth:`derivative` needs: the output ``a = f(z)`` or the
        pre-activation ``z``.
    output_range : tuple of float
        The infimum and supremum of ``f`` (``-inf``/``inf`` when unbounded).
    differentiable : bool
        False only for the step function, whose derivative is zero almost
        everywhere and useless for gradient descent.
    """

    name = None
    uses = "output"
    output_range = (-math.inf, math.inf)
    differentiable = True

    @abstractmethod
    def forward(self, z, out=None):
        """Return ``f(z)``, written into ``out`` when given (``out=z`` is allowed)."""

    @abstractmethod
    def derivative(self, z=None, a=None, out=None):
        """Return ``f'(z)``, computed from ``a = f(z)`` or from ``z`` (see ``uses``)."""

    def bound(self, b):
        """Return an upper bound on ``|f(z)|`` over ``|z| <= b``.

        ``max(|f(-b)|, |f(b)|) + 1``: exact at the ends for a monotone ``f``,
        and the ``+ 1`` covers the dips of every built-in activation that is
        not monotone (gelu's and silu's minima lie above -0.3). It lets a
        network bound its outputs from its weights alone (see
        :meth:`sknn._network.Network.finite_on`).
        """
        with np.errstate(over="ignore", invalid="ignore"):
            ends = np.abs(self.forward(np.array([-b, b], dtype=np.float64)))
        return float(ends.max()) + 1.0

    def backprop(self, delta, z=None, a=None):
        """Multiply ``delta`` by ``f'(z)`` in place and return it.

        Parameters
        ----------
        delta : ndarray
            The error signal arriving at the layer's output; overwritten.
        z, a : ndarray, optional
            The layer's pre-activation or output, whichever ``uses`` names.
        """
        delta *= self.derivative(z=z, a=a)
        return delta

    def add_bias_and_apply(self, z, bias):
        """Add ``bias`` to every row of ``z``, then apply ``f``, in place.

        Parameters
        ----------
        z : ndarray of shape (n_samples, n_units)
            A layer's products ``A W``, C-contiguous; overwritten with
            ``f(A W + b)``.
        bias : ndarray of shape (n_units,)

        Returns
        -------
        ndarray
            ``z``.
        """
        z += bias
        return self.forward(z, out=z)

    def backprop_and_sum(self, delta, sums, z=None, a=None):
        """:meth:`backprop`, then write the column sums of ``delta`` into ``sums``.

        The sums are the gradient of the layer's bias.

        Parameters
        ----------
        delta : ndarray of shape (n_samples, n_units)
            The error signal at the layer's output, C-contiguous; overwritten.
        sums : ndarray of shape (n_units,)
            Overwritten with ``Σ_rows delta * f'(z)``.
        z, a : ndarray of shape (n_samples, n_units), optional
            The layer's pre-activation or output, whichever ``uses`` names.

        Returns
        -------
        ndarray
            ``delta``.
        """
        delta = self.backprop(delta, z=z, a=a)
        _column_sums(delta, sums)
        return delta

    @property
    def targets(self):
        """The (negative, positive) targets the delta rule trains towards.

        The two ends of the output range, clipped to ``[-1, 1]``.
        """
        low, high = self.output_range
        return max(low, -1.0), min(high, 1.0)

    def _needs(self, z, a):
        value = a if self.uses == "output" else z
        if value is None:
            raise ValueError(
                f"{self.name}'s derivative is computed from its "
                f"{'output a' if self.uses == 'output' else 'input z'}; pass it."
            )
        return value

    def get_params(self, deep=True):
        """Return the constructor parameters as a dict.

        With :meth:`set_params`, this lets scikit-learn treat an activation
        given to an estimator as a nested parameter (``activation__alpha``).
        """
        return {}

    def set_params(self, **params):
        """Set constructor parameters, checked as the constructor checks them."""
        unknown = sorted(set(params) - set(self.get_params()))
        if unknown:
            raise ValueError(
                f"{type(self).__name__} has no parameter {unknown[0]!r}; its "
                f"parameters are {sorted(self.get_params())}."
            )
        self.__init__(**{**self.get_params(), **params})
        return self

    def __sklearn_clone__(self):
        # scikit-learn's clone gives each fit an activation of its own.
        return type(self)(**self.get_params())

    def __repr__(self):
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({params})"

    def __eq__(self, other):
        return type(self) is type(other) and self.get_params() == other.get_params()

    def __hash__(self):
        return hash((type(self), tuple(sorted(self.get_params().items()))))


def _column_sums(delta, sums):
    """Write ``Σ_rows delta`` into ``sums``.

    A product with a vector of ones reads delta once (BLAS gemv): about three
    times faster than ``delta.sum(axis=0)``, and faster than a sum folded
    into the compiled backward loops (measured).
    """
    np.matmul(_constant(1, delta.shape[:1], delta.dtype), delta, out=sums)


class Step(Activation):
    """Heaviside step, the McCulloch-Pitts threshold: 1 if ``z > 0`` else 0.

    Its derivative is zero wherever it exists, so it trains only with
    Rosenblatt's perceptron rule, never with back-propagation.
    """

    name = "step"
    uses = "input"
    output_range = (0.0, 1.0)
    differentiable = False

    def forward(self, z, out=None):
        out = _out_like(z, out)
        np.greater(z, 0, out=out)
        return out

    def derivative(self, z=None, a=None, out=None):
        value = z if z is not None else a
        if value is None:
            raise ValueError("step's derivative needs z or a to know the shape.")
        out = _out_like(value, out)
        out[...] = 0
        return out

    def backprop(self, delta, z=None, a=None):
        delta[...] = 0
        return delta


class Identity(Activation):
    """The linear unit ``f(z) = z``, with ``f' = 1``."""

    name = "identity"

    def forward(self, z, out=None):
        if out is None:
            return z.copy()
        if out is not z:
            out[...] = z
        return out

    def derivative(self, z=None, a=None, out=None):
        out = _out_like(self._needs(z, a), out)
        out[...] = 1
        return out

    def backprop(self, delta, z=None, a=None):
        return delta

    def add_bias_and_apply(self, z, bias):
        kernels.add_bias_identity(z, bias)
        return z


class Logistic(Activation):
    """The logistic sigmoid ``1 / (1 + exp(-z))``, with ``f' = a (1 - a)``.

    Computed by :func:`scipy.special.expit`, which never overflows.
    """

    name = "logistic"
    output_range = (0.0, 1.0)

    def forward(self, z, out=None):
        return special.expit(z, out=_out_like(z, out))

    def derivative(self, z=None, a=None, out=None):
        a = self._needs(z, a)
        out = np.subtract(1, a, out=_out_like(a, out))
        out *= a
        return out

    def backprop(self, delta, z=None, a=None):
        # δ a (1 - a) as δa - (δa) a: the compiled pass's order, so the two
        # agree bit for bit
        a = self._needs(z, a)
        delta *= a
        delta -= delta * a
        return delta

    def backprop_and_sum(self, delta, sums, z=None, a=None):
        kernels.logistic_backward(delta, self._needs(z, a))
        _column_sums(delta, sums)
        return delta


class Tanh(Activation):
    """The hyperbolic tangent, with ``f' = 1 - a**2``."""

    name = "tanh"
    output_range = (-1.0, 1.0)

    def forward(self, z, out=None):
        return np.tanh(z, out=_out_like(z, out))

    def derivative(self, z=None, a=None, out=None):
        a = self._needs(z, a)
        out = np.multiply(a, a, out=_out_like(a, out))
        np.subtract(1, out, out=out)
        return out

    def backprop_and_sum(self, delta, sums, z=None, a=None):
        kernels.tanh_backward(delta, self._needs(z, a))
        _column_sums(delta, sums)
        return delta


class ReLU(Activation):
    """The rectified linear unit ``max(z, 0)``, with ``f' = 1`` where ``a > 0``."""

    name = "relu"
    output_range = (0.0, math.inf)

    def forward(self, z, out=None):
        return np.maximum(z, 0, out=_out_like(z, out))

    def derivative(self, z=None, a=None, out=None):
        a = self._needs(z, a)
        out = _out_like(a, out)
        np.greater(a, 0, out=out)
        return out

    def add_bias_and_apply(self, z, bias):
        kernels.add_bias_relu(z, bias)
        return z

    def backprop_and_sum(self, delta, sums, z=None, a=None):
        kernels.relu_backward(delta, self._needs(z, a))
        _column_sums(delta, sums)
        return delta


class LeakyReLU(Activation):
    """``z`` for ``z > 0``, else ``negative_slope * z``.

    Parameters
    ----------
    negative_slope : float, default=0.01
        The slope for negative inputs; must be positive so that the sign of
        the output gives the branch and the derivative can be read from it.
    """

    name = "leaky_relu"

    def __init__(self, negative_slope=0.01):
        if not 0 < negative_slope < 1:
            raise ValueError(
                f"negative_slope must be in (0, 1), got {negative_slope!r}."
            )
        self.negative_slope = negative_slope

    def get_params(self, deep=True):
        return {"negative_slope": self.negative_slope}

    def forward(self, z, out=None):
        out = _out_like(z, out)
        # max(z, s z) is z for z > 0 and s z below when 0 < s < 1.
        return np.maximum(z, z * self.negative_slope, out=out)

    def derivative(self, z=None, a=None, out=None):
        a = self._needs(z, a)
        out = _out_like(a, out)
        np.greater(a, 0, out=out)
        out *= 1 - self.negative_slope
        out += self.negative_slope
        return out

    def add_bias_and_apply(self, z, bias):
        kernels.add_bias_leaky_relu(z, bias, z.dtype.type(self.negative_slope))
        return z

    def backprop_and_sum(self, delta, sums, z=None, a=None):
        # the two values of derivative(), rounded as numpy rounds them
        kind, slope = delta.dtype.type, self.negative_slope
        positive = kind(kind(1 - slope) + kind(slope))
        kernels.leaky_relu_backward(delta, self._needs(z, a), positive, kind(slope))
        _column_sums(delta, sums)
        return delta


class ELU(Activation):
    """Exponential linear unit: ``z`` for ``z > 0``, else ``alpha (exp(z) - 1)``.

    Parameters
    ----------
    alpha : float, default=1.0
        The negative saturation value is ``-alpha``.
    """

    name = "elu"
    uses = "input"

    def __init__(self, alpha=1.0):
        if not alpha > 0:
            raise ValueError(f"alpha must be positive, got {alpha!r}.")
        self.alpha = alpha

    def get_params(self, deep=True):
        return {"alpha": self.alpha}

    @property
    def output_range(self):
        return (-self.alpha, math.inf)

    def forward(self, z, out=None):
        # expm1 of min(z, 0) never overflows, whatever the size of z.
        a = np.expm1(np.minimum(z, 0))
        a *= self.alpha
        np.copyto(a, z, where=z > 0)
        out = _out_like(z, out)
        out[...] = a
        return out

    def derivative(self, z=None, a=None, out=None):
        z = self._needs(z, a)
        d = np.exp(np.minimum(z, 0))
        d *= self.alpha
        d[z > 0] = 1
        out = _out_like(z, out)
        out[...] = d
        return out


class Softplus(Activation):
    """The smooth rectifier ``log(1 + exp(z))``, with ``f' = logistic(z)``.

    Computed as ``logaddexp(0, z)``, which never overflows.
    """

    name = "softplus"
    uses = "input"
    output_range = (0.0, math.inf)

    def forward(self, z, out=None):
        return np.logaddexp(0, z, out=_out_like(z, out))

    def derivative(self, z=None, a=None, out=None):
        z = self._needs(z, a)
        return special.expit(z, out=_out_like(z, out))


class GELU(Activation):
    """Gaussian error linear unit ``z Φ(z)``, with ``f' = Φ(z) + z φ(z)``.

    ``Φ`` and ``φ`` are the standard normal distribution and density; this is
    the exact form (through ``erf``), not the tanh approximation.
    """

    name = "gelu"
    uses = "input"
    output_range = (-0.16997120747990806, math.inf)  # z Φ(z) at z ≈ -0.7518

    def forward(self, z, out=None):
        # A temporary for Φ(z): out may be z itself, which the product still needs.
        return np.multiply(z, special.ndtr(z), out=_out_like(z, out))

    def derivative(self, z=None, a=None, out=None):
        z = self._needs(z, a)
        # exp(-z²/2) underflows to 0 harmlessly for large |z|.
        pdf = np.exp(-0.5 * z * z)
        pdf *= z.dtype.type(1 / math.sqrt(2 * math.pi))
        pdf *= z
        out = special.ndtr(z, out=_out_like(z, out))
        out += pdf
        return out


class SiLU(Activation):
    """Sigmoid linear unit (swish) ``z σ(z)``, with ``f' = σ(z) (1 + z (1 - σ(z)))``."""

    name = "silu"
    uses = "input"
    output_range = (-0.2784645427610738, math.inf)  # z σ(z) at z ≈ -1.2785

    def forward(self, z, out=None):
        # A temporary for σ(z): out may be z itself, which the product still needs.
        return np.multiply(z, special.expit(z), out=_out_like(z, out))

    def derivative(self, z=None, a=None, out=None):
        z = self._needs(z, a)
        s = special.expit(z)
        out = np.subtract(1, s, out=_out_like(z, out))
        out *= z
        out += 1
        out *= s
        return out


ACTIVATIONS = {
    cls.name: cls
    for cls in (
        Step,
        Identity,
        Logistic,
        Tanh,
        ReLU,
        LeakyReLU,
        ELU,
        Softplus,
        GELU,
        SiLU,
    )
}
"""Registry of activation classes by name."""

ALIASES = {"sigmoid": "logistic"}
"""Other names accepted by :func:`get_activation`."""


def get_activation(name, **params):
    """Return the activation called ``name``.

    Parameters
    ----------
    name : str or Activation
        A registry name (see :data:`ACTIVATIONS`, plus the alias
        ``'sigmoid'``), or an :class:`Activation`, returned unchanged.
    **params
        Constructor parameters, such as ``negative_slope`` for
        ``'leaky_relu'``.

    Returns
    -------
    Activation

    Raises
    ------
    ValueError
        If the name is unknown; the message lists the valid names and the
        closest one.

    See Also
    --------
    check_activation : The same, for a parameter that must train by gradients.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn.activations import get_activation
    >>> relu = get_activation("relu")
    >>> relu.forward(np.array([-2.0, 3.0]))
    array([0., 3.])
    >>> get_activation("leaky_relu", negative_slope=0.1)
    LeakyReLU(negative_slope=0.1)
    """
    return check_activation(name, **params)


def check_activation(activation, *, differentiable=False, param="activation", **params):
    """Return the :class:`Activation` that a parameter gives, or say what is wrong.

    The one place where an activation parameter is checked, so that every
    estimator, and every entry of a per-layer list, words its errors alike.

    Parameters
    ----------
    activation : str or Activation
        A name from :data:`ACTIVATIONS` or :data:`ALIASES`, or an instance,
        returned unchanged.
    differentiable : bool, default=False
        Whether the activation must have a useful derivative, as in a layer
        trained by back-propagation (the step function has none).
    param : str, default='activation'
        The parameter's name as the user wrote it, for the message (such as
        ``'activation[1]'`` for an entry of a list).
    **params
        Constructor parameters for a name, such as ``negative_slope``.

    Returns
    -------
    Activation

    Raises
    ------
    ValueError
        For an unknown name, with the valid names sorted and the closest
        match; for a non-differentiable activation where one is needed, with
        the reason.

    Examples
    --------
    >>> from sknn.activations import check_activation
    >>> check_activation("tanh")
    Tanh()
    >>> check_activation("rleu")
    Traceback (most recent call last):
    ...
    ValueError: activation='rleu' is not an activation. Did you mean 'relu'? ...
    """
    if isinstance(activation, Activation):
        instance = activation
    elif isinstance(activation, str):
        cls = ACTIVATIONS.get(ALIASES.get(activation, activation))
        if cls is None:
            raise ValueError(_unknown_message(activation, differentiable, param))
        instance = None
    else:
        raise ValueError(
            f"{param}={activation!r} is neither an activation name nor an "
            f"Activation. {_valid_names_sentence(differentiable)}"
        )
    name = activation.name if instance is not None else cls.name
    differs = instance.differentiable if instance is not None else cls.differentiable
    if differentiable and not differs:
        raise ValueError(
            f"{param}={name!r} cannot train a hidden layer by back-propagation: "
            f"the {name} function's derivative is zero almost everywhere, so no "
            "gradient reaches the weights below it. PerceptronClassifier "
            "trains step neurons by Rosenblatt's rule instead. "
            f"{_valid_names_sentence(differentiable)}"
        )
    return instance if instance is not None else cls(**params)


def _valid_names(differentiable):
    names = [*ACTIVATIONS, *ALIASES]
    return sorted(
        name
        for name in names
        if not differentiable or ACTIVATIONS[ALIASES.get(name, name)].differentiable
    )


def _valid_names_sentence(differentiable):
    valid = ", ".join(repr(name) for name in _valid_names(differentiable))
    return (
        f"Valid names are {valid}; or pass an Activation, such as "
        "get_activation('leaky_relu', negative_slope=0.1)."
    )


def _unknown_message(name, differentiable, param):
    """The error for an unknown name: the closest valid name, then all of them."""
    valid = _valid_names(differentiable)
    every = _valid_names(False)
    if name.lower() in every:
        hint = f" Names are lower case: did you mean {name.lower()!r}?"
    else:
        close = difflib.get_close_matches(name.lower(), valid, n=1, cutoff=0.6)
        hint = f" Did you mean {close[0]!r}?" if close else ""
    return (
        f"{param}={name!r} is not an activation.{hint} "
        f"{_valid_names_sentence(differentiable)}"
    )
