"""
==============================================
A curve fitted by networks of growing width
==============================================

A network with one hidden layer of enough non-linear units can approximate
any continuous function on a bounded interval as closely as we wish (the
universal approximation theorem). How many is enough depends on the curve.
This example fits two periods of a sine with
:class:`~sknn.MLPNeuronRegressor` networks of one hidden layer of tanh
units, from one unit to sixteen, and measures the R² of each on points they
were not trained on.
"""

# %%
# The curve
# ---------
# 300 points of ``sin(x)`` on [-2π, 2π] with a little noise (standard
# deviation 0.1) for training; the noiseless curve on a fine grid to judge
# the fit. A straight line explains about 0.15 of this curve's variance.

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sknn import MLPNeuronRegressor

rng = np.random.RandomState(0)
X = rng.uniform(-2 * np.pi, 2 * np.pi, size=(300, 1))
y = np.sin(X[:, 0]) + rng.normal(scale=0.1, size=300)
grid = np.linspace(-2 * np.pi, 2 * np.pi, 400).reshape(-1, 1)
truth = np.sin(grid[:, 0])

# %%
# Networks of growing width
# -------------------------
# Each network is one hidden layer of ``width`` tanh units and a linear
# output unit, trained with L-BFGS, which suits a small data set. Width 0
# is the network with no hidden layer (``hidden_layer_sizes=()``): a linear
# model.

widths = [0, 1, 2, 3, 4, 8, 16]
fits = {}
for width in widths:
    network = MLPNeuronRegressor(
        hidden_layer_sizes=(width,) if width else (),
        activation="tanh",
        solver="lbfgs",
        max_iter=1000,
        random_state=0,
    )
    with warnings.catch_warnings():
        # a few narrow networks use all 1000 iterations; they are the point
        warnings.simplefilter("ignore", ConvergenceWarning)
        network.fit(X, y)
    fits[width] = network
    print(f"width {width:2d}: R² {network.score(grid, truth):.4f}")

# %%
# Each tanh unit is one smooth step, placed and scaled by its weights; the
# output adds the steps up. One step can only follow one slope of the sine,
# two cannot make its four bends, and three are already enough here: from
# width 3 on, R² is above 0.99 and the remaining error is mostly the
# training noise. Wider networks do no better on this curve, and cost more
# to train; a curve with more bends would need more units.

fig, (ax_fit, ax_r2) = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
ax_fit.scatter(X[:, 0], y, s=6, color="0.7", label="training data")
ax_fit.plot(grid[:, 0], truth, "k--", linewidth=1, label="sin(x)")
for width in (0, 1, 2, 3):
    ax_fit.plot(grid[:, 0], fits[width].predict(grid), label=f"width {width}")
ax_fit.set(xlabel="x", ylabel="y", title="The fitted curves")
ax_fit.legend(fontsize="small", loc="lower left")

scores = [fits[width].score(grid, truth) for width in widths]
ax_r2.plot(widths, scores, "o-")
ax_r2.axhline(1.0, color="0.5", linewidth=0.8)
ax_r2.set_xscale("symlog", linthresh=1)
ax_r2.set_xticks(widths, [str(w) for w in widths])
ax_r2.set(
    xlabel="tanh units in the hidden layer (0: a linear model)",
    ylabel="R² on the noiseless curve",
    title="Width needed for two periods of a sine",
)
ax_r2.grid(True, alpha=0.3)
plt.show()
