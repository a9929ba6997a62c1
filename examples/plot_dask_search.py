"""
=======================================
Hyperparameter search on a Dask cluster
=======================================

A grid search fits one model per combination of parameters and fold, and the
fits are independent: they can run anywhere. scikit-learn hands them to
joblib, and joblib can hand them to a `Dask <https://www.dask.org>`_ cluster.
The search code stays the same; only the context it runs in changes.

This example searches a grid of network sizes and penalties for
:class:`~sknn.MLPNeuronClassifier` on a small Dask cluster, checks that the
results are those of the same search run here, and shows where the fits ran.
It needs ``pip install "sknn[dask]"``.
"""

# %%
# A cluster
# ---------
# ``LocalCluster`` starts a scheduler and two workers on this machine. Its
# workers are threads of this process (``processes=False``) so that the
# example runs anywhere as a plain script; worker processes would start by
# importing this script afresh, which a script prevents with ``if __name__ ==
# "__main__":``. On a real cluster, connect with ``Client("tcp://scheduler:8786")``
# instead: nothing else below changes. (sknn's test suite runs this search on
# two worker processes, which receive the estimators pickled.)

import time

import joblib
import matplotlib.pyplot as plt
import numpy as np
from distributed import Client, LocalCluster, get_task_stream
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknn import MLPNeuronClassifier

cluster = LocalCluster(
    n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
)
client = Client(cluster)
print(client)

# %%
# The search
# ----------
# A pipeline that scales the features and trains a network, and a grid of two
# hidden-layer sizes and three penalties, each scored by 3-fold
# cross-validation: 18 fits.

X, y = make_classification(
    n_samples=1500, n_features=20, n_informative=8, n_classes=3, random_state=0
)
grid = {
    "mlpneuronclassifier__hidden_layer_sizes": [(16,), (64,)],
    "mlpneuronclassifier__alpha": [1e-4, 1e-1, 3.0],
}
pipeline = make_pipeline(
    StandardScaler(),
    MLPNeuronClassifier(max_iter=300, early_stopping=True, random_state=0),
)
search = GridSearchCV(pipeline, grid, cv=3)

# %%
# Run it here, then on the cluster: the only difference is the
# ``parallel_backend`` context, which sends each fit to a worker. The task
# stream records which worker ran each task.

start = time.perf_counter()
local = GridSearchCV(pipeline, grid, cv=3).fit(X, y)
local_seconds = time.perf_counter() - start

start = time.perf_counter()
with get_task_stream(client) as tasks, joblib.parallel_backend("dask"):
    search.fit(X, y)
dask_seconds = time.perf_counter() - start

same = np.allclose(
    search.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"]
)
print(f"best parameters: {search.best_params_}")
print(f"same scores as the local search: {same}")
print(f"seconds: {local_seconds:.1f} here, {dask_seconds:.1f} on the cluster")

# %%
# The scores of the grid on the left, and on the right how many tasks each
# worker ran (joblib sends the fits in batches, one task per batch).

scores = search.cv_results_["mean_test_score"].reshape(2, 3)
workers = [task["worker"] for task in tasks.data]
names, counts = np.unique(workers, return_counts=True)

fig, (ax_grid, ax_workers) = plt.subplots(
    1, 2, figsize=(10, 4), layout="constrained", width_ratios=[3, 2]
)
image = ax_grid.imshow(scores, cmap="viridis")
for (i, j), score in np.ndenumerate(scores):
    color = "black" if score > scores.mean() else "white"
    ax_grid.text(j, i, f"{score:.3f}", ha="center", va="center", color=color)
ax_grid.set(
    xticks=range(3), xticklabels=grid["mlpneuronclassifier__alpha"],
    yticks=range(2), yticklabels=["(16,)", "(64,)"],
    xlabel="alpha", ylabel="hidden_layer_sizes",
    title="Mean cross-validated accuracy",
)  # fmt: skip
fig.colorbar(image, ax=ax_grid)
ax_workers.bar([f"worker {i}" for i in range(len(names))], counts)
ax_workers.set(ylabel="tasks", title="Where the fits ran")
plt.show()

client.close()
cluster.close()
