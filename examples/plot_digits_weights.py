"""
==============================================
What the first layer learns: weights as images
==============================================

A hidden neuron of the first layer computes ``f(w·x + b)``: it responds most
to inputs that look like its weight vector ``w``. When the inputs are images,
``w`` has one weight per pixel and can itself be drawn as an image, showing
the pattern the neuron looks for.

This example trains :class:`~sknn.MLPNeuronClassifier` on scikit-learn's
bundled 8x8 images of handwritten digits and draws the weights of each of
its 32 hidden neurons.
"""

# %%
# Training on the digits
# ----------------------
# 1,797 images of 64 pixels, with values 0 to 16; dividing by 16 puts them
# in [0, 1]. One hidden layer of 32 relu units, trained by Adam; a quarter of
# the images are kept aside to test. The L2 penalty is strong
# (``alpha=1.0``): weights that the data does not hold up decay to zero,
# which leaves the learned patterns easier to see at almost no cost in
# accuracy.

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from sknn import MLPNeuronClassifier

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X / 16, y, stratify=y, random_state=0
)
clf = MLPNeuronClassifier(
    hidden_layer_sizes=(32,), alpha=1.0, max_iter=300, random_state=0
)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    clf.fit(X_train, y_train)
print(f"test accuracy: {clf.score(X_test, y_test):.3f} after {clf.n_iter_} epochs")

# %%
# The weights
# -----------
# ``coefs_[0]`` is the weight matrix from the 64 pixels to the 32 hidden
# units, of shape (64, 32): column ``j`` holds hidden unit ``j``'s weights.

W = clf.coefs_[0]
print(W.shape)
print("units with no weight left:", np.flatnonzero(np.abs(W).max(axis=0) < 1e-6))

# %%
# Each column reshaped to 8x8 and drawn with red for positive weights (the
# unit is excited by ink there) and blue for negative ones (ink there
# inhibits it), on one colour scale for all units. The patterns are pieces
# of strokes rather than whole digits: the output layer combines them. The
# left and right borders are white: the digits almost never put ink there,
# so nothing but the penalty acts on those weights. A unit white all over
# (printed above) is one whose relu was off for every training image: it
# received no gradient, the penalty shrank its weights to nothing, and it is
# *dead* (see
# :ref:`sphx_glr_auto_examples_plot_dead_relu.py`).

scale = np.abs(W).max()
fig, axes = plt.subplots(4, 8, figsize=(10, 5.4), layout="constrained")
for j, ax in enumerate(axes.flat):
    image = ax.imshow(W[:, j].reshape(8, 8), cmap="RdBu_r", vmin=-scale, vmax=scale)
    ax.set(xticks=[], yticks=[], title=f"unit {j}")
fig.colorbar(image, ax=axes, shrink=0.6, label="weight")
fig.suptitle("First-layer weights of a network trained on the digits")
plt.show()
