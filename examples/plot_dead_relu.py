"""
===============================
Dead relu units, and leaky relu
===============================

A relu unit outputs ``max(z, 0)``, with slope 0 for every ``z < 0``. If its
weights move so that ``z < 0`` for every training sample, the unit outputs
0 everywhere, passes no gradient back, and its weights never change again:
it is *dead*. Large steps make this likely, since one update can throw a
unit's hyperplane clear of the data. Leaky relu, ``max(z, 0.01 z)``, keeps a
small slope below zero, so a unit pushed off the data still gets a gradient
that can bring it back: it cannot die.

This example trains one network with relu at several learning rates, and
with leaky relu at the largest, and watches the fraction of dead units with
``diagnostics=True``.
"""

# %%
# Networks at several learning rates
# ----------------------------------
# Two interleaving half moons, 1,000 points; one hidden layer of 32 units,
# Adam with mini-batches of 50, 100 epochs. Only the activation and the
# learning rate change.

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.base import clone
from sklearn.datasets import make_moons
from sklearn.exceptions import ConvergenceWarning

from sknn import MLPNeuronClassifier

X, y = make_moons(1000, noise=0.2, random_state=0)
base = MLPNeuronClassifier(
    hidden_layer_sizes=(32,),
    batch_size=50,
    max_iter=100,
    n_iter_no_change=100,
    diagnostics=True,
    random_state=0,
)
runs = [("relu", 0.003), ("relu", 0.01), ("relu", 0.1), ("relu", 0.5),
        ("leaky_relu", 0.5)]  # fmt: skip
networks = {}
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    for activation, rate in runs:
        clf = clone(base).set_params(activation=activation, learning_rate_init=rate)
        networks[activation, rate] = clf.fit(X, y)

# %%
# Counting the dead
# -----------------
# ``diagnostics_["dead_fraction"]`` records, for each epoch and hidden layer,
# the fraction of units whose slope was zero on every sample of the epoch.
# Some relu units are dead from the start: their random hyperplane has all
# the data on its negative side. Training kills more, and the larger the
# step, the more: at a learning rate of 0.5 most of the layer is dead by the
# end. The leaky relu network, trained with the same large steps, has none.

for (activation, rate), clf in networks.items():
    dead = clf.diagnostics_["dead_fraction"][:, 0]
    print(f"{activation:>10}, learning rate {rate:<5}: dead at first "
          f"{dead[0]:.0%}, at the end {dead[-1]:.0%}; "
          f"accuracy {clf.score(X, y):.3f}")  # fmt: skip

# %%
# The accuracy barely suffers here: two moons need only a few units, and the
# survivors do the work. But every dead unit is capacity paid for and not
# used, and on a harder problem the survivors may not be enough.
#
# What a dead unit looks like
# ---------------------------
# :meth:`~sknn.MLPNeuronClassifier.hidden_activations` returns each hidden
# layer's outputs for given inputs. For the relu network trained at 0.5,
# every dead unit is a column of zeros: it is off for every sample.

(hidden,) = networks["relu", 0.5].hidden_activations(X)
dead_units = np.flatnonzero((hidden == 0).all(axis=0))
print(f"{len(dead_units)} of {hidden.shape[1]} units are zero on every sample")

# %%
# The figure: left, the dead fraction over the epochs for each run; right,
# the hidden layer's outputs for 200 samples (sorted by class) in the relu
# network trained at 0.5, dark where a unit is off.

fig, (ax_dead, ax_out) = plt.subplots(
    1, 2, figsize=(12, 4.2), layout="constrained", width_ratios=[1.2, 1]
)
for (activation, rate), clf in networks.items():
    style = "--" if activation == "leaky_relu" else "-"
    dead = clf.diagnostics_["dead_fraction"][:, 0]
    ax_dead.plot(np.arange(1, len(dead) + 1), dead, style,
                 label=f"{activation}, learning rate {rate}")  # fmt: skip
ax_dead.set(xlabel="epoch", ylabel="fraction of dead hidden units", ylim=(-0.03, 1),
            title="Dead units over training")  # fmt: skip
ax_dead.grid(True, alpha=0.3)
ax_dead.legend()
order = np.argsort(y[:200], kind="stable")
image = ax_out.imshow(hidden[:200][order], aspect="auto", cmap="magma",
                      interpolation="nearest")  # fmt: skip
ax_out.set(xlabel="hidden unit", ylabel="sample (sorted by class)",
           title="relu outputs, learning rate 0.5")  # fmt: skip
fig.colorbar(image, ax=ax_out, label="output")
plt.show()
