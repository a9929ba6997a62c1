"""
========================================================
Remedies: He initialisation, dropout and early stopping
========================================================

The gallery has shown networks failing: gradients that shrink on their way
back to the input, and units that die. This example shows three remedies
that scikit-learn's ``MLPClassifier`` does not offer and sknn's estimators
take as parameters, each off by default so that a plain fit stays
scikit-learn's:

- ``weight_init='he_uniform'`` draws the first weights at the scale that
  keeps a relu network's signal, and its gradient, the same size from layer
  to layer;
- ``dropout=0.5`` switches off a random half of the hidden units for every
  sample while training, so that no unit can rely on another to fit the
  noise;
- ``scoring='loss'`` makes ``early_stopping`` watch the validation loss
  instead of the validation accuracy.

Each is measured with what the estimator records: ``diagnostics_``,
``loss_curve_`` and ``validation_scores_``.
"""

# %%
# A deep relu network, two initialisations
# -----------------------------------------
# Ten hidden layers of 64 relu units on the digits (standardised), trained by
# plain stochastic gradient descent at a learning rate of 0.01. scikit-learn
# draws the weights from Glorot's uniform distribution, of variance
# ``2 / (fan_in + fan_out)``: here ``1 / 64`` per weight. A relu zeroes about
# half of its inputs, so each layer halves the variance of the signal it
# passes on, forward and backward. He's initialisation doubles the variance,
# ``2 / fan_in``, to make up for it. ``diagnostics=True`` records the gradient
# each weight matrix receives; three seeds for each.

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits, make_moons
from sklearn.exceptions import ConvergenceWarning
from sklearn.inspection import DecisionBoundaryDisplay
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sknn import MLPNeuronClassifier

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

deep = {}
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    for init in ["glorot_uniform", "he_uniform"]:
        deep[init] = [
            MLPNeuronClassifier(
                hidden_layer_sizes=(64,) * 10,
                solver="sgd",
                learning_rate_init=0.01,
                weight_init=init,
                max_iter=10,
                diagnostics=True,
                random_state=seed,
            ).fit(X_train, y_train)
            for seed in range(3)
        ]

# %%
# ``diagnostics_["grad_rms"][0]`` is the first epoch's gradient for each
# weight matrix, input side first, output last. With Glorot's weights, the
# last hidden layer's gradient is several times the first's, and all of them
# are small; with He's, they stay within a factor of 1.5, and the first
# layer's is some twenty times larger. In ten epochs the Glorot network has
# barely left the loss of guessing, ``log(10) = 2.3``, while the He network
# classifies most digits.

for init, networks in deep.items():
    first_epoch = np.array([clf.diagnostics_["grad_rms"][0] for clf in networks])
    ratio = first_epoch[:, -2] / first_epoch[:, 0]  # last hidden over first
    accuracy = [clf.score(X_test, y_test) for clf in networks]
    print(f"{init:>14}: last/first hidden gradient {ratio.min():.1f}-"
          f"{ratio.max():.1f}, first layer's {first_epoch[:, 0].mean():.0e}, "
          f"test accuracy after 10 epochs {np.mean(accuracy):.2f}")  # fmt: skip

# %%
# A wide network on a few noisy points, with and without dropout
# --------------------------------------------------------------
# 100 points of two noisy half moons to train on, 2,000 more to test on, and
# two hidden layers of 256 units trained by Adam for 300 epochs with no
# penalty: far more capacity than the points need, so the boundary bends
# round the noise. Dropout drops each hidden unit with probability 0.5 for
# every sample of every batch, and scales the kept ones by 2 so that the
# prediction, which uses every unit, sees outputs of the same size. Three
# seeds (data and network) for each rate.


def moons(seed):
    X, y = make_moons(n_samples=2100, noise=0.35, random_state=seed)
    return X[:100], y[:100], X[100:], y[100:]


wide = dict(
    hidden_layer_sizes=(256, 256),
    alpha=0.0,
    batch_size=20,
    learning_rate_init=0.003,
    tol=0.0,
    max_iter=300,
)
fits = {0.0: [], 0.5: []}
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    for seed in range(3):
        Xm_train, ym_train, Xm_test, ym_test = moons(seed)
        for rate in fits:
            clf = MLPNeuronClassifier(dropout=rate, random_state=seed, **wide)
            clf.fit(Xm_train, ym_train)
            fits[rate].append(
                (clf, clf.score(Xm_train, ym_train), clf.score(Xm_test, ym_test))
            )
for rate, runs in fits.items():
    train, test = np.mean([run[1:] for run in runs], axis=0)
    print(f"dropout {rate}: training accuracy {train:.3f}, held-out {test:.3f}, "
          f"gap {train - test:.3f}")  # fmt: skip

# %%
# Without dropout the network fits its 100 points better and the 2,000 new
# ones worse: dropout narrows the gap between the two and raises the held-out
# accuracy. Its training loss stays higher, as it should: every epoch it
# trains a different thinned network on each sample.
#
# Early stopping on the validation loss
# -------------------------------------
# ``early_stopping=True`` holds out ``validation_fraction`` of the training
# data and keeps the weights of the epoch that scored best on it, stopping
# once ``n_iter_no_change`` epochs have not improved. scikit-learn scores the
# accuracy; on 40 held-out points it moves in steps of 1/40 and can stall
# within a few epochs. ``scoring='loss'`` watches the mean validation loss
# (stored negated, so that higher is better), which moves with every change
# in the network's confidence. The wide network again, on 200 noisy moons.

stopping = {"no early stopping": dict(early_stopping=False)}
stopping["accuracy (default)"] = dict(early_stopping=True)
stopping["scoring='loss'"] = dict(early_stopping=True, scoring="loss")
stopped = {name: [] for name in stopping}
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    for seed in range(3):
        X_es, y_es = make_moons(n_samples=2200, noise=0.35, random_state=seed)
        for name, params in stopping.items():
            clf = MLPNeuronClassifier(
                **{**wide, "tol": 1e-4}, validation_fraction=0.2, random_state=seed
            )
            clf.set_params(**params).fit(X_es[:200], y_es[:200])
            stopped[name].append((clf, clf.score(X_es[200:], y_es[200:])))
for name, runs in stopped.items():
    epochs = [clf.n_iter_ for clf, _ in runs]
    accuracy = np.mean([score for _, score in runs])
    print(f"{name:>18}: epochs {epochs}, held-out accuracy {accuracy:.3f}")

# %%
# Both kinds of early stopping end far sooner than the loss on the training
# data would. Watching the accuracy, an epoch that merely ties the best score
# is no improvement, so a run can end on a plateau its first lucky epoch
# set; the validation loss still falls while the accuracy stands still, and
# the weights it keeps do better on the 2,000 new points.

# %%
# The figure
# ----------
# Top: the first epoch's gradient per weight matrix, and the training loss,
# for each initialisation (seed 0). Middle: the decision regions of the
# first moons without and with dropout, the training points drawn on them,
# and the mean accuracies over the three seeds. Bottom: the validation
# scores of the first seed's two early-stopping runs, each stopping point
# marked, and the validation loss beside the training loss.

fig = plt.figure(figsize=(14, 12), layout="constrained")
top, middle, bottom = fig.subfigures(3, 1, height_ratios=[1, 1.1, 1])

ax_grad, ax_loss = top.subplots(1, 2)
layers = np.arange(1, 12)
for init, networks in deep.items():
    clf = networks[0]
    ax_grad.plot(layers, clf.diagnostics_["grad_rms"][0], "o-", label=init)
    ax_loss.plot(np.arange(1, 11), clf.loss_curve_, "o-", label=init)
ax_grad.set_yscale("log")
ax_grad.set_xticks(layers, [*map(str, layers[:-1]), "out"])
ax_grad.set(xlabel="weight matrix (input side first)", ylabel="gradient RMS",
            title="Gradient per layer, first epoch")  # fmt: skip
ax_loss.set(xlabel="epoch", ylabel="training loss", title="Training loss")
for ax in (ax_grad, ax_loss):
    ax.grid(True, alpha=0.3)
    ax.legend()
top.suptitle("Ten hidden layers of 64 relu units on digits (sgd, rate 0.01)")

ax_none, ax_drop, ax_acc = middle.subplots(1, 3, width_ratios=[1, 1, 0.8])
Xm_train, ym_train, _, _ = moons(0)
for ax, rate in [(ax_none, 0.0), (ax_drop, 0.5)]:
    clf, train, test = fits[rate][0]
    DecisionBoundaryDisplay.from_estimator(
        clf, Xm_train, response_method="predict", cmap="coolwarm", alpha=0.35,
        ax=ax, grid_resolution=150,
    )  # fmt: skip
    ax.scatter(*Xm_train.T, c=ym_train, cmap="coolwarm", s=14, edgecolor="k")
    ax.set_title(f"dropout {rate}: training {train:.2f}, held-out {test:.2f}")
means = {
    rate: np.mean([run[1:] for run in runs], axis=0) for rate, runs in fits.items()
}
positions = np.arange(len(means))
ax_acc.bar(positions - 0.2, [m[0] for m in means.values()], 0.4, label="training")
ax_acc.bar(positions + 0.2, [m[1] for m in means.values()], 0.4, label="held-out")
ax_acc.set_xticks(positions, [f"dropout {rate}" for rate in means])
ax_acc.set(ylim=(0.7, 1.0), ylabel="accuracy", title="Mean over three seeds")
ax_acc.legend()
middle.suptitle("Two layers of 256 units on 100 noisy moons (adam, 300 epochs)")

ax_val, ax_vloss = bottom.subplots(1, 2)
for name in ["accuracy (default)", "scoring='loss'"]:
    clf, _ = stopped[name][0]
    scores = np.array(clf.validation_scores_)
    epochs = np.arange(1, len(scores) + 1)
    ax = ax_val if name.startswith("accuracy") else ax_vloss
    values = scores if ax is ax_val else -scores  # the loss, lower is better
    ax.plot(epochs, values, "o-", markersize=3, label=f"validation, {name}")
    best = int(np.argmax(scores))
    ax.plot(epochs[best], values[best], "k*", markersize=14, label="weights kept")
    ax.axvline(len(scores), color="0.5", linestyle=":", label="stopped")
ax_vloss.plot(np.arange(1, len(clf.loss_curve_) + 1), clf.loss_curve_, "--",
              label="training loss")  # fmt: skip
ax_val.set(xlabel="epoch", ylabel="validation accuracy",
           title="Early stopping on the accuracy")  # fmt: skip
ax_vloss.set(xlabel="epoch", ylabel="loss", title="Early stopping on the loss")
for ax in (ax_val, ax_vloss):
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")
bottom.suptitle("The wide network on 200 noisy moons, 40 of them held out")
plt.show()
