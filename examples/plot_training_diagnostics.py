"""
==============================================
Looking inside training: the layer diagnostics
==============================================

A loss curve says whether a network learns, not where it fails to. With
``diagnostics=True``, :class:`~sknn.MLPNeuronClassifier` records four
statistics per epoch and per layer in ``diagnostics_``:

- ``grad_rms``, the root mean square of the gradient that reaches each
  weight matrix: how hard the optimizer can push on it;
- ``activation_std``, the spread of each hidden layer's outputs over the
  samples: a layer whose outputs barely vary passes little on;
- ``saturated_fraction``, the units whose slope ``|f'(z)|`` was below 0.01
  on more than half the samples (the flat tails of the logistic and tanh);
- ``dead_fraction``, the units whose slope was zero on every sample (relu
  units that never turn on).

This example trains two deep networks that differ only in their activation,
and reads the four statistics side by side.
"""

# %%
# Two deep networks
# -----------------
# The digits, scaled to [0, 1]; eight hidden layers of 32 units, Adam, 30
# epochs (``tol=0`` so that both run all of them). The penalty is off
# (``alpha=0``): its term in the gradient would hide how small the logistic
# network's first gradients are.

import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

from sknn import MLPNeuronClassifier
from sknn.plotting import DiagnosticsDisplay

X, y = load_digits(return_X_y=True)
X = X / 16
networks = {}
with warnings.catch_warnings():  # 30 epochs is short, on purpose
    warnings.simplefilter("ignore", ConvergenceWarning)
    for activation in ["logistic", "relu"]:
        networks[activation] = MLPNeuronClassifier(
            (32,) * 8,
            activation=activation,
            alpha=0.0,
            max_iter=30,
            tol=0.0,
            diagnostics=True,
            random_state=0,
        ).fit(X, y)
for activation, clf in networks.items():
    print(f"{activation:>8}: training accuracy {clf.score(X, y):.3f}")

# %%
# Where the gradient goes
# -----------------------
# Each statistic is an array of shape ``(n_epochs, n_layers)``: one row per
# epoch, one column per weight matrix from the input side to the output. In
# the first epoch the logistic network's gradient shrinks by almost a decade
# at every layer on its way back to the input, so its first layers barely
# learn; the relu network's gradients stay within a decade of the output's.

for activation, clf in networks.items():
    first_epoch = clf.diagnostics_["grad_rms"][0]
    print(f"{activation:>8}: " + " ".join(f"{g:.0e}" for g in first_epoch))

# %%
# The units themselves
# --------------------
# The hidden-layer statistics have no value for the output layer (its last
# column is NaN). No logistic unit is saturated: the units sit where the
# logistic's slope is largest, and that slope, at most 1/4, is what shrinks
# the gradient. Some relu units are dead (over a third of one layer at the
# end), and about a third are off on most samples; the others carry the
# network to the training accuracy printed above.

for activation, clf in networks.items():
    saturated = clf.diagnostics_["saturated_fraction"][-1, :-1]
    dead = clf.diagnostics_["dead_fraction"][-1, :-1]
    print(f"{activation:>8}: saturated {saturated.round(2)}")
    print(f"{'':>8}  dead      {dead.round(2)}")

# %%
# The figure
# ----------
# :class:`~sknn.plotting.DiagnosticsDisplay` draws each statistic over the
# epochs, one line per layer: the logistic network above, the relu network
# below, on one vertical scale per statistic so that the rows compare.

keys = ["grad_rms", "activation_std", "saturated_fraction", "dead_fraction"]
fig, axes = plt.subplots(2, len(keys), figsize=(14.4, 6.4), sharex=True)
for row, (activation, clf) in zip(axes, networks.items()):
    display = DiagnosticsDisplay.from_estimator(clf, keys=keys, ax=row)
    display.ax_[0].set_ylabel(f"{activation} network", fontsize="large")
    display.legend_.remove()  # one legend for both rows, beside the figure
for top, bottom in zip(axes[0], axes[1]):
    low = min(top.get_ylim()[0], bottom.get_ylim()[0])
    high = max(top.get_ylim()[1], bottom.get_ylim()[1])
    top.set_ylim(low, high)
    bottom.set_ylim(low, high)
    top.set_xlabel("")
fig.suptitle(
    "Eight hidden layers of 32 on the digits (adam, alpha=0): the logistic "
    "network's gradients vanish towards the input"
)
lines = display.lines_["grad_rms"]
labels = [line.get_label().replace(" relu", "") for line in lines]
fig.legend(lines, labels, loc="center right", fontsize="small")
fig.tight_layout(rect=(0, 0, 1 - 1.5 / fig.get_figwidth(), 1))
plt.show()
