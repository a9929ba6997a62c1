"""How a layer's first weights are drawn.

A layer's output variance is the sum of ``fan_in`` products of weights and
inputs, so the scale of the initial weights decides whether the signal, and
the gradient flowing back, keeps its size from layer to layer or shrinks (or
grows) geometrically with depth. Each scheme picks the scale for one kind of
unit:

``'glorot_uniform'`` (Glorot and Bengio, 2010)
    ``U(-r, r)`` with ``r = sqrt(6 / (fan_in + fan_out))``, balancing the
    forward and backward variances of units that are linear near 0 (tanh);
    scikit-learn's MLP uses it, with ``2`` instead of ``6`` before a logistic
    layer, and draws the biases the same way. The default, drawn exactly as
    scikit-learn draws it.
``'he_uniform'``, ``'he_normal'`` (He et al., 2015)
    Variance ``2 / fan_in``: a ReLU zeroes half its inputs, halving the
    variance, and the factor 2 restores it, so deep ReLU networks keep their
    gradients. ``U(-sqrt(6 / fan_in), sqrt(6 / fan_in))`` or
    ``N(0, 2 / fan_in)``.
``'lecun_normal'`` (LeCun et al., 1998)
    ``N(0, 1 / fan_in)``: unit variance for units that pass their input
    through unchanged near 0 (identity, tanh, SELU-like ELU).

The three added schemes start the biases at 0, as is usual for them.
"""

import numpy as np

__all__ = ["WEIGHT_INITS", "draw_layer"]

WEIGHT_INITS = ("glorot_uniform", "he_uniform", "he_normal", "lecun_normal")
"""The schemes :func:`draw_layer` knows."""


def draw_layer(scheme, n_in, n_out, random_state, feeds_logistic=False):
    """Return a weight matrix of shape ``(n_in, n_out)`` and a bias vector.

    Parameters
    ----------
    scheme : str
        One of :data:`WEIGHT_INITS`.
    n_in, n_out : int
        The layer's fan-in and fan-out.
    random_state : numpy.random.RandomState
        Advanced by the draws.
    feeds_logistic : bool, default=False
        Whether the layer's units are logistic ('glorot_uniform' then uses
        scikit-learn's narrower bound).

    Returns
    -------
    coef : ndarray of shape (n_in, n_out)
    intercept : ndarray of shape (n_out,)
    """
    if scheme == "glorot_uniform":
        factor = 2.0 if feeds_logistic else 6.0
        bound = np.sqrt(factor / (n_in + n_out))
        coef = random_state.uniform(-bound, bound, (n_in, n_out))
        return coef, random_state.uniform(-bound, bound, n_out)
    if scheme == "he_uniform":
        bound = np.sqrt(6.0 / n_in)
        coef = random_state.uniform(-bound, bound, (n_in, n_out))
    elif scheme == "he_normal":
        coef = random_state.normal(0.0, np.sqrt(2.0 / n_in), (n_in, n_out))
    elif scheme == "lecun_normal":
        coef = random_state.normal(0.0, np.sqrt(1.0 / n_in), (n_in, n_out))
    else:
        raise ValueError(
            f"Unknown weight_init {scheme!r}; valid names are {list(WEIGHT_INITS)}."
        )
    return coef, np.zeros(n_out)
