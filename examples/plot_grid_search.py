"""
====================================================
Choosing the activation and the width by grid search
====================================================

Which activation, and how many hidden units? Neither has an answer in
general, but on a given problem cross-validation can measure it. Because
:class:`~sknn.MLPNeuronClassifier` is a scikit-learn estimator, scikit-learn's
:class:`~sklearn.model_selection.GridSearchCV` can try every combination
inside a pipeline, with no glue code.

This example searches four activations and six hidden-layer widths and plots
the cross-validated accuracy of each combination.
"""

# %%
# The problem, the pipeline and the grid
# --------------------------------------
# :func:`~sklearn.datasets.make_gaussian_quantiles` draws 1,000 points from a
# 5-dimensional Gaussian and labels them by distance from its centre: three
# classes in nested spherical shells, which no hyperplane separates. The
# pipeline standardises the features (fitted on the training folds only, as
# it should be) and trains a network with one hidden layer by L-BFGS. A
# pipeline step's parameters are named ``<step>__<parameter>``;
# ``make_pipeline`` names each step after its class in lower case.

import warnings

import matplotlib.pyplot as plt
import pandas as pd
from sklearn.datasets import make_gaussian_quantiles
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknn import MLPNeuronClassifier

X, y = make_gaussian_quantiles(
    n_samples=1000, n_features=5, n_classes=3, random_state=0
)
pipeline = make_pipeline(
    StandardScaler(),
    MLPNeuronClassifier(solver="lbfgs", max_iter=300, random_state=0),
)
activations = ["identity", "logistic", "tanh", "relu"]
widths = [1, 2, 4, 8, 16, 32]
grid = {
    "mlpneuronclassifier__activation": activations,
    "mlpneuronclassifier__hidden_layer_sizes": [(w,) for w in widths],
}

# %%
# The search
# ----------
# 24 combinations, each scored by 3-fold stratified cross-validation: 72
# fits, then one more of the best combination on all the data, which
# ``search`` then predicts with.

cv = StratifiedKFold(3, shuffle=True, random_state=0)
search = GridSearchCV(pipeline, grid, cv=cv, return_train_score=True)
with warnings.catch_warnings():  # some fits use up max_iter; they still score
    warnings.simplefilter("ignore", ConvergenceWarning)
    search.fit(X, y)
print("best:", search.best_params_, f"accuracy {search.best_score_:.3f}")

# %%
# The results
# -----------
# ``cv_results_`` holds one row per combination; as a DataFrame it pivots
# into a table of widths by activations.

results = pd.DataFrame(search.cv_results_)
results["width"] = [
    sizes[0] for sizes in results["param_mlpneuronclassifier__hidden_layer_sizes"]
]
results["activation"] = results["param_mlpneuronclassifier__activation"]
mean = results.pivot(index="width", columns="activation", values="mean_test_score")
std = results.pivot(index="width", columns="activation", values="std_test_score")
train = results.pivot(index="width", columns="activation", values="mean_train_score")
print("validation accuracy:", mean.round(3), sep="\n")
print("training accuracy:", train.round(3), sep="\n")

# %%
# Three things show. The ``identity`` network stays at chance, one in three,
# whatever its width: stacked linear layers are one linear map, and shells
# need a curved boundary. The non-linear networks need enough units to
# build one: a handful of them give only a rough polytope. And past some
# width the validation accuracy falls again for some activations while the
# training accuracy keeps rising: with only a light penalty
# (``alpha=1e-4``) L-BFGS fits the training folds ever more closely, and the
# larger network overfits. A search that adds ``alpha`` to the grid would
# show how much a stronger penalty recovers.

fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
for activation in activations:
    ax.errorbar(widths, mean[activation], yerr=std[activation], marker="o",
                capsize=3, label=activation)  # fmt: skip
ax.axhline(1 / 3, color="gray", linestyle=":", label="chance")
ax.set_xscale("log", base=2)
ax.set_xticks(widths, [str(w) for w in widths])
ax.set(xlabel="hidden units", ylabel="cross-validated accuracy",
       title="Accuracy by activation and width (mean ± std, 3 folds)")  # fmt: skip
ax.grid(True, alpha=0.3)
ax.legend()
plt.show()
