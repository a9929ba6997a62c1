"""
===========================================
One perceptron, one line: and why XOR fails
===========================================

A perceptron computes ``step(w·x + b)``: it answers 1 on one side of the
hyperplane ``w·x + b = 0`` and 0 on the other. In two dimensions that
hyperplane is a straight line, so a perceptron can only learn classes that
a straight line separates. Rosenblatt's rule finds such a line whenever one
exists, after finitely many mistakes (Novikoff's convergence theorem); when
none exists, it never stops making them.

This example trains :class:`~sknn.PerceptronClassifier` on two problems, one
that a line separates and the exclusive-or, which no line does, and draws
the learned boundaries and the mistakes made in each epoch.
"""

# %%
# Two problems
# ------------
# Two Gaussian clouds on either side of a line, and
# :func:`sknn.datasets.make_xor`: points around the four corners of a
# square, labelled 1 where the two coordinates have opposite signs. Both
# classes of XOR sit on a diagonal each, so any line leaves at least one
# corner on the wrong side.

import matplotlib.pyplot as plt
from sklearn.datasets import make_blobs
from sklearn.inspection import DecisionBoundaryDisplay

from sknn import PerceptronClassifier
from sknn.datasets import make_xor

problems = {
    "separable": make_blobs(
        200, centers=[[-1.5, -1], [1.5, 1]], cluster_std=0.6, random_state=0
    ),
    "XOR": make_xor(200, noise=0.25, random_state=0),
}

# %%
# Training
# --------
# ``tol=None`` makes both fits run all 30 epochs, so that the mistakes per
# epoch, which the estimator records in ``errors_``, can be compared. On the
# separable clouds the mistakes stop after the first epochs; on XOR each
# epoch makes about as many as the one before, and the final line is
# wherever the last mistakes left it.

fitted = {}
for name, (X, y) in problems.items():
    clf = PerceptronClassifier(max_iter=30, tol=None, random_state=0).fit(X, y)
    fitted[name] = clf
    print(f"{name:>9}: training accuracy {clf.score(X, y):.2f}, "
          f"mistakes in the last epoch: {clf.errors_[-1]}")  # fmt: skip

# %%
# The boundaries
# --------------
# scikit-learn's :class:`~sklearn.inspection.DecisionBoundaryDisplay` shades
# the region each class gets. The perceptron's regions are always two
# half-planes; on XOR about half the points fall in the wrong one. A network
# with a hidden layer bends the boundary and solves XOR (see
# :ref:`sphx_glr_auto_examples_plot_mlp_decision_boundaries.py`).

fig, axes = plt.subplots(1, 3, figsize=(13, 4), layout="constrained")
for ax, (name, (X, y)) in zip(axes, problems.items()):
    clf = fitted[name]
    DecisionBoundaryDisplay.from_estimator(
        clf, X, response_method="predict", cmap="RdBu", alpha=0.3, ax=ax
    )
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="RdBu", edgecolor="k", s=20)
    ax.set_title(f"{name}: accuracy {clf.score(X, y):.2f}")
for name, clf in fitted.items():
    axes[2].plot(range(1, len(clf.errors_) + 1), clf.errors_, marker=".", label=name)
axes[2].set(xlabel="epoch", ylabel="mistakes in the epoch",
            title="Rosenblatt's rule: mistakes per epoch")  # fmt: skip
axes[2].legend()
plt.show()
