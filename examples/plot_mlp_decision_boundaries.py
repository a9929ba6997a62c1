"""
===============================================
Decision boundaries of a network per activation
===============================================

A network with one hidden layer computes ``g(f(X W1 + b1) W2 + b2)``. If the
hidden activation ``f`` is linear, the two layers collapse into one linear
map and the network can draw only a straight boundary, like a single
perceptron. Any non-linear ``f`` lets it bend the boundary, and the kind of
bend follows the kind of ``f``: smooth curves from tanh and the logistic,
polygons from the piecewise-linear relu.

This example trains the same small network with five hidden activations on
three problems a straight line cannot solve and draws every boundary.
"""

# %%
# The problems and the networks
# -----------------------------
# Two half moons, a circle inside a ring, and the exclusive-or, each with
# 200 noisy points, standardised. Every network has one hidden layer of 16
# units and is trained by L-BFGS, which on a few hundred points converges
# in a fraction of a second.

import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import make_circles, make_moons
from sklearn.exceptions import ConvergenceWarning
from sklearn.inspection import DecisionBoundaryDisplay
from sklearn.preprocessing import StandardScaler

from sknn import MLPNeuronClassifier
from sknn.datasets import make_xor

problems = {
    "moons": make_moons(200, noise=0.2, random_state=0),
    "circles": make_circles(200, noise=0.1, factor=0.5, random_state=0),
    "XOR": make_xor(200, noise=0.3, random_state=0),
}
problems = {
    name: (StandardScaler().fit_transform(X), y) for name, (X, y) in problems.items()
}
activations = ["identity", "logistic", "tanh", "relu", "gelu"]

# %%
# Training
# --------
# Fifteen fits: each problem with each activation. The training accuracy
# tells the story before the figure does: ``identity`` is stuck at what a
# straight line achieves, every non-linear activation gets close to 1.

fitted = {}
with warnings.catch_warnings():  # a few fits use up max_iter; they are fine
    warnings.simplefilter("ignore", ConvergenceWarning)
    for name, (X, y) in problems.items():
        for activation in activations:
            clf = MLPNeuronClassifier(
                hidden_layer_sizes=(16,),
                activation=activation,
                solver="lbfgs",
                max_iter=500,
                random_state=0,
            )
            fitted[name, activation] = clf.fit(X, y)
        scores = [f"{a} {fitted[name, a].score(X, y):.2f}" for a in activations]
        print(f"{name:>8}: " + "  ".join(scores))

# %%
# The boundaries
# --------------
# One row per problem, one column per activation; the shading is the
# predicted probability of class 1. The identity network's boundary is a
# line in every row. relu's boundaries are made of straight pieces, which
# meet where a hidden unit switches on or off, while tanh, the logistic and
# gelu give smooth curves.

fig, axes = plt.subplots(3, 5, figsize=(15, 9), layout="constrained")
for row, (name, (X, y)) in zip(axes, problems.items()):
    for ax, activation in zip(row, activations):
        clf = fitted[name, activation]
        DecisionBoundaryDisplay.from_estimator(
            clf, X, response_method="predict_proba", cmap="RdBu", alpha=0.6,
            grid_resolution=150, ax=ax, xlabel="", ylabel="",
        )  # fmt: skip
        ax.scatter(X[:, 0], X[:, 1], c=y, cmap="RdBu", edgecolor="k", s=12)
        ax.set_title(f"{name}, {activation}: {clf.score(X, y):.2f}", fontsize=10)
        ax.set(xticks=[], yticks=[])
plt.show()
