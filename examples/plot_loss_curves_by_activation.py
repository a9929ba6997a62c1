"""
================================
Loss curves by hidden activation
================================

The hidden activation decides how fast a network learns as much as what it
can express: the error signal that trains each weight is multiplied by the
activation's slope on its way back. This example trains the same network on
the digits with four activations and draws the training loss after every
epoch, with scikit-learn's :class:`~sklearn.neural_network.MLPClassifier`
beside :class:`~sknn.MLPNeuronClassifier` wherever it has the activation.
"""

# %%
# The networks
# ------------
# scikit-learn's digits, standardised; one hidden layer of 64 units, Adam,
# at most 200 epochs. The two classes take the same parameters and, from the
# same ``random_state``, draw the same initial weights and mini-batches, so
# each pair computes the same network; scikit-learn has no ``leaky_relu``.

import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from sknn import MLPNeuronClassifier
from sknn.plotting import LossCurveDisplay

X, y = load_digits(return_X_y=True)
X = StandardScaler().fit_transform(X)
activations = ["relu", "tanh", "logistic", "leaky_relu"]
fits = []  # (library, activation, fitted estimator)
with warnings.catch_warnings():  # the logistic network uses up max_iter
    warnings.simplefilter("ignore", ConvergenceWarning)
    for activation in activations:
        for library, Classifier in [("sknn", MLPNeuronClassifier),
                                    ("sklearn", MLPClassifier)]:  # fmt: skip
            if library == "sklearn" and activation == "leaky_relu":
                continue
            clf = Classifier((64,), activation=activation, random_state=0)
            fits.append((library, activation, clf.fit(X, y)))

# %%
# How far each gets
# -----------------
# The loss after 10 epochs and at the end, with the number of epochs run
# (training stops once the loss has improved by less than ``tol`` for ten
# epochs). relu and tanh fall fastest; the logistic, whose slope is at most
# 1/4, is still far behind after 10 epochs and uses all 200. leaky_relu with
# its default slope of 0.01 trains almost exactly as relu. Each pair's
# curves agree to rounding.

for library, activation, clf in fits:
    curve = clf.loss_curve_
    print(f"{library:>7} {activation:<10}: {curve[9]:.3f} after 10 epochs, "
          f"{curve[-1]:.4f} after {len(curve)}")  # fmt: skip

# %%
# The figure
# ----------
# :class:`~sknn.plotting.LossCurveDisplay` draws every curve on a log scale,
# one colour per activation: sknn's wide and pale, scikit-learn's thin and
# dashed on top, so that equal curves show as a dashed line inside a band.
# leaky_relu's line is dash-dotted and its markers fall on other epochs than
# relu's, so that relu's band still shows around it.

display = LossCurveDisplay.from_estimator(
    [clf for *_, clf in fits],
    labels=[f"{library} {activation}" for library, activation, _ in fits],
)
markers = {"relu": "o", "tanh": "s", "logistic": "^", "leaky_relu": "D"}
for line, (library, activation, _) in zip(display.lines_, fits):
    ours = library == "sknn"
    line.set(color=f"C{activations.index(activation)}",
             linestyle="-" if ours else "--", linewidth=3.5 if ours else 1.2,
             alpha=0.45 if ours else 1.0)  # fmt: skip
    if ours:
        index = activations.index(activation)
        period = max(len(line.get_xdata()) // 8, len(activations))
        line.set(marker=markers[activation], markersize=6,
                 markevery=(index * period // len(activations), period))  # fmt: skip
    if activation == "leaky_relu":
        line.set(linestyle="-.", linewidth=1.5, alpha=1.0)
display.ax_.set_yscale("log")
display.ax_.set_title("Training loss on the digits by hidden activation")
display.ax_.legend(fontsize="small")
display.figure_.set_size_inches(7, 4.5)
plt.show()
