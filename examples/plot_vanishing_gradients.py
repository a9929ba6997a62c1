"""
=============================================
Vanishing gradients in a deep sigmoid network
=============================================

Back-propagation sends the error from the output back to the input one layer
at a time, and at each layer multiplies it by the layer's weights and by the
slope ``f'(z)`` of its activation. The logistic function's slope is at most
1/4, so in every logistic layer the slope alone divides the signal by four
or more: after eight layers, the first layer's weights receive a gradient
some hundred thousand times smaller than the last layer's, and barely learn.
tanh has slope 1 at zero and relu wherever it is active, so their signal
keeps its size.

This example trains the same deep network, eight hidden layers of 32 units,
with each of the three activations and ``diagnostics=True``, which records
the gradient that reaches every layer in every epoch.
"""

# %%
# Three deep networks
# -------------------
# The digits, scaled to [0, 1]; plain stochastic gradient descent (with
# momentum), so that the step each layer takes is proportional to the
# gradient it receives. All three train for 40 epochs.

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

from sknn import MLPNeuronClassifier
from sknn.plotting import DiagnosticsDisplay, LossCurveDisplay

X, y = load_digits(return_X_y=True)
X = X / 16
networks = {}
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    for activation in ["logistic", "tanh", "relu"]:
        networks[activation] = MLPNeuronClassifier(
            hidden_layer_sizes=(32,) * 8,
            activation=activation,
            solver="sgd",
            learning_rate_init=0.05,
            max_iter=40,
            n_iter_no_change=40,
            diagnostics=True,
            random_state=0,
        ).fit(X, y)
for activation, clf in networks.items():
    print(f"{activation:>8}: training accuracy {clf.score(X, y):.3f}")

# %%
# The gradient layer by layer
# ---------------------------
# ``diagnostics_["grad_rms"]`` has one row per epoch and one column per
# weight matrix, from the input to the output: the root mean square of the
# gradient the optimizer was given for it. In the first epoch, the logistic
# network's first layer gets a gradient five orders of magnitude smaller
# than its output layer's; tanh's and relu's gradients stay within a factor
# of ten from one end to the other.

for activation, clf in networks.items():
    first_epoch = clf.diagnostics_["grad_rms"][0]
    print(f"{activation:>8}: " + " ".join(f"{g:.0e}" for g in first_epoch))

# %%
# This is not saturation: ``diagnostics_["saturated_fraction"]`` shows that
# no logistic unit spends most samples on a flat tail of the curve. The
# units work where the slope is largest, and even that slope, 1/4, shrinks
# the signal too much when it is multiplied in eight times.

print(networks["logistic"].diagnostics_["saturated_fraction"][0][:-1])

# %%
# The figure
# ----------
# Left, the first epoch's gradient per layer on a log scale. Middle,
# :class:`~sknn.plotting.DiagnosticsDisplay` draws the logistic network's
# gradients over the epochs, one line per layer, decades apart all along.
# Right, the training loss: the logistic network is stuck at the loss of
# guessing, ``log(10) = 2.3``, while the others learn.

fig, axes = plt.subplots(1, 3, figsize=(15, 4.2), layout="constrained")
layers = np.arange(1, 10)
for activation, clf in networks.items():
    axes[0].plot(layers, clf.diagnostics_["grad_rms"][0], "o-", label=activation)
axes[0].set_yscale("log")
axes[0].set_xticks(layers, [*map(str, layers[:-1]), "out"])
axes[0].set(xlabel="layer (input side first)", ylabel="gradient RMS",
            title="Gradient per layer, first epoch")  # fmt: skip
axes[0].grid(True, alpha=0.3)
axes[0].legend()
DiagnosticsDisplay.from_estimator(networks["logistic"], keys="grad_rms", ax=[axes[1]])
axes[1].set_title("Logistic network, each layer over the epochs")
axes[1].get_legend().remove()  # nine lines: label the two ends instead
for line in (axes[1].lines[0], axes[1].lines[-1]):
    axes[1].annotate(line.get_label(), (20, line.get_ydata()[19]),
                     xytext=(0, 4), textcoords="offset points", fontsize=8)  # fmt: skip
LossCurveDisplay.from_estimator(
    list(networks.values()), labels=list(networks), ax=axes[2]
)
axes[2].set_title("Training loss")
plt.show()
