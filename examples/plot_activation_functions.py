"""
=====================================
Activation functions and their slopes
=====================================

A neuron computes ``f(w·x + b)``; the activation ``f`` decides what it can
express, and its derivative ``f'`` decides how it learns, because
back-propagation multiplies every error signal passing through the neuron by
``f'(z)``. Where ``f'`` is near zero the neuron passes almost no gradient
back: it is *saturated* (or, for the relu family, switched off).

This example draws each of sknn's activations beside its derivative and
measures, for each one, the largest slope and the share of the interval
``-6 <= z <= 6`` where the slope is below 0.01.
"""

# %%
# Every activation and its derivative
# -----------------------------------
# :class:`~sknn.plotting.ActivationDisplay` evaluates the functions from
# :mod:`sknn.activations` and draws one panel each: the function solid, its
# derivative dashed. The step function of the original perceptron comes
# first; its derivative is zero everywhere it exists, which is why it cannot
# be trained by back-propagation.

import matplotlib.pyplot as plt
import numpy as np

from sknn.activations import ACTIVATIONS, get_activation
from sknn.plotting import ActivationDisplay

names = list(ACTIVATIONS)
print(names)

# %%
# How steep, and where flat
# -------------------------
# The logistic function's slope is at most 1/4: each logistic layer a
# gradient crosses shrinks it by four or more, the root of the vanishing
# gradient in deep sigmoid networks. tanh reaches slope 1 at zero but is
# flat beyond ``|z| = 3``, sooner than the logistic (``|z| = 4.6``). The
# rectifiers keep slope 1 for every positive input however large, and relu
# has slope 0 for every negative one, which can leave a unit that never
# turns on again; leaky relu, elu, gelu and silu keep a little slope there.

z = np.linspace(-6, 6, 1201)
print(f"{'activation':<11}{'max slope':>10}{'flat (slope < 0.01)':>21}")
for name in names:
    activation = get_activation(name)
    slope = activation.derivative(z=z, a=activation.forward(z))
    flat = np.mean(np.abs(slope) < 0.01)
    print(f"{name:<11}{slope.max():>10.3f}{flat:>20.0%}")

# %%
# The figure. The grey axes cross at the origin. tanh and identity are
# symmetric about it; the logistic and relu put out no negative values, so a
# layer of them feeds the next layer inputs that all share one sign, which
# makes its weight updates share one sign too. elu, gelu, silu and leaky relu
# let some negative values through. (leaky relu is drawn with
# ``negative_slope=0.1`` so its leak is visible; the default is 0.01.)

display = ActivationDisplay.from_name(names, z_range=(-4, 4), negative_slope=0.1)
display.figure_.set_size_inches(12, 6.5)
display.figure_.suptitle("Activations f (solid) and their derivatives f' (dashed)")
display.figure_.tight_layout()
plt.show()
