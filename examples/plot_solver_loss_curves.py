"""
================================
Three solvers, three loss curves
================================

:class:`~sknn.MLPNeuronClassifier` trains its weights with one of three
solvers, as scikit-learn's :class:`~sklearn.neural_network.MLPClassifier`
does:

- ``'sgd'``: mini-batch stochastic gradient descent with momentum: small
  steps along the gradient of a few hundred samples at a time;
- ``'adam'``: mini-batch steps too, each weight's step scaled by running
  averages of its gradient and squared gradient;
- ``'lbfgs'``: a quasi-Newton method on the whole training set, which builds
  a picture of the loss's curvature from its last steps.

This example trains one network on the digits with each and draws the
training loss they reach after each iteration.
"""

# %%
# The data and the network
# ------------------------
# scikit-learn's 8x8 digits, scaled to [0, 1]; one hidden layer of 64 relu
# units. The settings that differ are the solver's own: ``'sgd'`` gets a
# learning rate of 0.1 (its default, 0.001, is far too timid for this
# problem), ``'adam'`` keeps its default 0.001.

import warnings

import matplotlib.pyplot as plt
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

from sknn import MLPNeuronClassifier
from sknn.plotting import LossCurveDisplay

X, y = load_digits(return_X_y=True)
X = X / 16
base = MLPNeuronClassifier(hidden_layer_sizes=(64,), max_iter=100, random_state=0)
with warnings.catch_warnings():  # 100 iterations is short, on purpose
    warnings.simplefilter("ignore", ConvergenceWarning)
    sgd = clone(base).set_params(solver="sgd", learning_rate_init=0.1).fit(X, y)
    adam = clone(base).set_params(solver="adam").fit(X, y)

# %%
# Following L-BFGS
# ----------------
# The stochastic solvers record the loss after every epoch in
# ``loss_curve_``. L-BFGS keeps no curve, but it is deterministic: from the
# same initial weights (the same ``random_state``), a run stopped after
# ``k`` iterations has reached exactly the point that iteration ``k`` of a
# longer run reaches, and its ``loss_`` is the loss there. A few such runs
# trace the curve.

steps = [1, 2, 3, 5, 8, 12, 20, 30, 40, 50, 70, 100]
lbfgs_loss = []
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    for k in steps:
        lbfgs = clone(base).set_params(solver="lbfgs", max_iter=k).fit(X, y)
        lbfgs_loss.append(lbfgs.loss_)
print(f"sgd: {sgd.loss_:.1e}, adam: {adam.loss_:.1e} after 100 epochs")
print(f"lbfgs: {lbfgs.loss_:.1e}, converged after {lbfgs.n_iter_} iterations")

# %%
# The curves
# ----------
# :class:`~sknn.plotting.LossCurveDisplay` draws the two stochastic curves;
# L-BFGS's points go on the same axes. An iteration is one epoch (one pass
# over the data in mini-batches) for ``'sgd'`` and ``'adam'``, one
# quasi-Newton step (one or a few passes over the whole data) for
# ``'lbfgs'``. The stochastic solvers make fast progress early, each epoch
# taking several steps; L-BFGS is slower at first, then, once its picture of
# the curvature is good, drives the loss of this small problem down by orders
# of magnitude and stops (after the number of iterations printed above) when
# the gradient is below ``tol``. On large data sets the balance turns: a
# stochastic epoch makes many steps for the price of one full gradient.

display = LossCurveDisplay.from_estimator(
    [sgd, adam], labels=["sgd, learning_rate_init=0.1", "adam"]
)
display.ax_.plot(steps, lbfgs_loss, "o-", color="tab:green", label="lbfgs")
display.ax_.set_yscale("log")
display.ax_.legend()
display.ax_.set_title("Training loss on the digits, one hidden layer of 64 units")
plt.show()
