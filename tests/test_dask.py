"""sknn with Dask: dask arrays, dask-ml's Incremental, search on a cluster, pickling.

The tests that need dask, distributed or dask-ml skip without them; the
pickling tests need only the standard library.
"""

import io
import os
import pickle
import subprocess
import sys
import textwrap
import threading
import types
from pathlib import Path

import joblib
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.stats import loguniform
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV
from sklearn.preprocessing import StandardScaler

import sknn
from sknn import (
    MLPNeuronClassifier,
    MLPNeuronRegressor,
    PerceptronClassifier,
    fit_incremental,
)

pytestmark = [
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
    # a local cluster per test, and subprocesses: slow for the fast loop
    pytest.mark.slow,
]


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(
        n_samples=480, n_features=8, n_informative=5, n_classes=3, random_state=0
    )
    return StandardScaler().fit_transform(X), y


def weights_of(estimator):
    if hasattr(estimator, "coefs_"):
        arrays = estimator.coefs_ + estimator.intercepts_
    else:
        arrays = [estimator.coef_, estimator.intercept_]
    return np.concatenate([np.ravel(a) for a in arrays])


# -- dask arrays ---------------------------------------------------------------


@pytest.fixture(scope="module")
def da():
    return pytest.importorskip("dask.array")


@pytest.mark.parametrize(
    "estimator",
    [
        PerceptronClassifier(shuffle=False),
        MLPNeuronClassifier(hidden_layer_sizes=(6,), batch_size=40, random_state=0),
    ],
    ids=lambda est: type(est).__name__,
)
def test_dask_arrays_train_like_numpy_chunks(da, data, estimator):
    X, y = data
    w = np.linspace(0.5, 2.0, len(y))
    # Columns in two chunks too: each training chunk is whole rows.
    X_lazy = da.from_array(X, chunks=(120, 4))
    y_lazy, w_lazy = da.from_array(y, chunks=120), da.from_array(w, chunks=60)
    ours = fit_incremental(
        clone(estimator), X_lazy, y_lazy, sample_weight=w_lazy, n_epochs=2
    )
    theirs = fit_incremental(
        clone(estimator), X, y, sample_weight=w, chunk_size=120, n_epochs=2
    )
    assert_array_equal(ours.classes_, [0, 1, 2])
    assert_allclose(weights_of(ours), weights_of(theirs), rtol=1e-12)
    # chunk_size overrides the dask chunks.
    ours = fit_incremental(clone(estimator), X_lazy, y, chunk_size=80)
    theirs = fit_incremental(clone(estimator), X, y, chunk_size=80)
    assert_allclose(weights_of(ours), weights_of(theirs), rtol=1e-12)


def test_dask_chunks_are_computed_one_at_a_time(da, data):
    X, y = data
    log = []

    def computed(block, block_info=None):
        log.append(("compute", block_info[0]["chunk-location"][0]))
        return block

    class Logged(PerceptronClassifier):
        def partial_fit(self, X, y, classes=None, sample_weight=None):
            log.append(("train", len(X)))
            return super().partial_fit(X, y, classes, sample_weight)

    X_lazy = da.from_array(X, chunks=(160, 8)).map_blocks(computed, dtype=X.dtype)
    clf = fit_incremental(Logged(), X_lazy, da.from_array(y, chunks=160))
    assert log == [
        ("compute", 0), ("train", 160),
        ("compute", 1), ("train", 160),
        ("compute", 2), ("train", 160),
    ]  # fmt: skip
    assert clf.t_ == len(y) + 1


def test_classes_from_a_dask_y_and_unknown_chunk_sizes(da, data):
    X, y = data
    order = np.argsort(y, kind="stable")  # the first chunk holds class 0 only
    X_lazy = da.from_array(X[order], chunks=(100, 8))
    y_lazy = da.from_array(y[order], chunks=100)
    clf = fit_incremental(PerceptronClassifier(), X_lazy, y_lazy)
    assert_array_equal(clf.classes_, [0, 1, 2])
    kept = X_lazy[:, 0] > 0
    with pytest.raises(ValueError, match="compute_chunk_sizes"):
        fit_incremental(PerceptronClassifier(), X_lazy[kept], y_lazy[kept])


# -- dask-ml's Incremental -----------------------------------------------------


@pytest.mark.parametrize(
    "estimator",
    [
        PerceptronClassifier(shuffle=False, average=True),
        MLPNeuronClassifier(hidden_layer_sizes=(6,), batch_size=40, random_state=0),
    ],
    ids=lambda est: type(est).__name__,
)
def test_dask_ml_incremental_wraps_sknn(da, data, estimator):
    wrappers = pytest.importorskip("dask_ml.wrappers")
    X, y = data
    X_lazy, y_lazy = da.from_array(X, chunks=(120, 8)), da.from_array(y, chunks=120)
    inc = wrappers.Incremental(clone(estimator), shuffle_blocks=False)
    inc.fit(X_lazy, y_lazy, classes=[0, 1, 2])
    ours = fit_incremental(clone(estimator), X_lazy, y_lazy)
    assert_allclose(weights_of(inc.estimator_), weights_of(ours), rtol=1e-12)
    assert_array_equal(inc.predict(X_lazy).compute(), ours.predict(X))
    assert inc.score(X_lazy, y_lazy) == pytest.approx(ours.score(X, y))


def test_dask_ml_incremental_wraps_the_regressor(da, data):
    wrappers = pytest.importorskip("dask_ml.wrappers")
    X, y = data
    target = X @ np.linspace(-1, 1, X.shape[1])  # a continuous target
    regressor = MLPNeuronRegressor(
        hidden_layer_sizes=(6,), batch_size=40, learning_rate_init=0.01, random_state=0
    )
    X_lazy = da.from_array(X, chunks=(120, 8))
    target_lazy = da.from_array(target, chunks=120)
    inc = wrappers.Incremental(clone(regressor), shuffle_blocks=False)
    inc.fit(X_lazy, target_lazy)
    ours = fit_incremental(clone(regressor), X_lazy, target_lazy)
    assert_allclose(weights_of(inc.estimator_), weights_of(ours), rtol=1e-12)
    assert_allclose(inc.predict(X_lazy).compute(), ours.predict(X), rtol=1e-12)
    # (Incremental.score goes through dask-ml's own r2_score, which fails on
    # this dask's arrays of unknown chunk sizes whatever the regressor.)
    assert ours.score(X, target) > 0.2  # one epoch of 12 steps, yet learning


# -- search on a distributed cluster -------------------------------------------


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    )
    # Not the default client: the other tests compute dask arrays locally.
    client = distributed.Client(cluster, set_as_default=False)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def search_on_cluster(client, search, X, y):
    """Fit ``search`` with joblib's dask backend; return it and the workers used."""
    from distributed import get_task_stream

    with get_task_stream(client) as tasks, joblib.parallel_backend(
        "dask", client=client
    ):  # fmt: skip
        search.fit(X, y)
    return search, {task["worker"] for task in tasks.data}


def assert_same_search(remote, local):
    assert remote.cv_results_["params"] == local.cv_results_["params"]
    assert_allclose(
        remote.cv_results_["mean_test_score"],
        local.cv_results_["mean_test_score"],
        rtol=1e-12,
    )
    assert remote.best_params_ == local.best_params_
    assert_allclose(
        weights_of(remote.best_estimator_), weights_of(local.best_estimator_)
    )


def test_grid_search_on_a_cluster_equals_the_local_run(client, data):
    X, y = data
    search = GridSearchCV(
        MLPNeuronClassifier(hidden_layer_sizes=(8,), max_iter=25, random_state=0),
        {"alpha": [1e-4, 1e-1], "activation": ["relu", "tanh"]},
        cv=3,
    )
    remote, workers = search_on_cluster(client, clone(search), X, y)
    local = clone(search).fit(X, y)
    assert workers  # the fits ran on the cluster's workers
    assert len(set(local.cv_results_["mean_test_score"])) > 1
    assert_same_search(remote, local)


def test_randomized_search_on_a_cluster_equals_the_local_run(client, data):
    X, y = data
    search = RandomizedSearchCV(
        PerceptronClassifier(),
        {
            "alpha": loguniform(1e-5, 1e-1),
            "penalty": [None, "l2", "elasticnet"],
            "average": [False, True],
        },
        n_iter=6,
        cv=3,
        random_state=0,
    )
    remote, workers = search_on_cluster(client, clone(search), X, y)
    local = clone(search).fit(X, y)
    assert workers
    assert_same_search(remote, local)


def test_models_travel_to_and_from_worker_processes(client, data):
    X, y = data
    mlp = MLPNeuronClassifier(hidden_layer_sizes=(8,), max_iter=20, random_state=0)
    # Fitted on a worker and sent back ...
    remote = client.submit(clone(mlp).fit, X, y).result()
    local = clone(mlp).fit(X, y)
    assert_allclose(weights_of(remote), weights_of(local), rtol=1e-12)
    # ... and a local model sent to a worker predicts as it does here.
    perceptron = PerceptronClassifier().fit(X, y)
    for model, method in ((local, "predict_proba"), (perceptron, "decision_function")):
        function = getattr(type(model), method)
        on_worker = client.submit(function, model, X)
        assert_allclose(on_worker.result(), function(model, X))


# -- pickling across processes -------------------------------------------------


def fitted_models(X, y):
    """Both estimators after fit and after partial_fit, in their main settings."""
    return [
        MLPNeuronClassifier(hidden_layer_sizes=(8,), max_iter=20, random_state=0).fit(
            X, y
        ),
        MLPNeuronClassifier(hidden_layer_sizes=(8,), solver="lbfgs", max_iter=20).fit(
            X, y
        ),
        MLPNeuronClassifier(
            solver="sgd", activation="leaky_relu", random_state=0
        ).partial_fit(X, y, classes=[0, 1, 2]),
        PerceptronClassifier(penalty="elasticnet", average=True).fit(X, y),
        PerceptronClassifier(activation="logistic").partial_fit(X, y, [0, 1, 2]),
    ]


UNSHIPPABLE = (
    types.FunctionType,  # lambdas and closures above all
    types.MethodType,
    types.BuiltinMethodType,
    types.GeneratorType,
    types.ModuleType,
    io.IOBase,
    type(threading.Lock()),
    type(threading.RLock()),
)


def walk_state(obj, path="estimator", seen=None):
    """Yield ``(path, value)`` for everything reachable from ``obj``'s state."""
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return
    seen.add(id(obj))
    yield path, obj
    if isinstance(obj, np.ndarray | type):
        return
    if isinstance(obj, dict):
        children = [(f"{path}[{key!r}]", value) for key, value in obj.items()]
    elif isinstance(obj, list | tuple | set | frozenset):
        children = [(f"{path}[{i}]", value) for i, value in enumerate(obj)]
    else:
        children = [(f"{path}.{k}", v) for k, v in getattr(obj, "__dict__", {}).items()]
    for child_path, child in children:
        yield from walk_state(child, child_path, seen)


def test_fitted_state_holds_only_data(data):
    X, y = data
    for model in fitted_models(X, y):
        found = [
            path for path, value in walk_state(model) if isinstance(value, UNSHIPPABLE)
        ]
        assert found == [], f"{type(model).__name__} holds {found}"
        assert any(isinstance(v, np.ndarray) for _, v in walk_state(model))


def test_pickled_models_predict_the_same_in_another_process(data, tmp_path):
    X, y = data
    models = fitted_models(X, y)
    with open(tmp_path / "models.pkl", "wb") as file:
        pickle.dump((models, X, y), file)
    # The other process unpickles, predicts, and trains each model that can
    # further by one partial_fit call.
    script = textwrap.dedent(
        """
        import pickle, sys
        models, X, y = pickle.load(open(sys.argv[1], "rb"))
        out = []
        for model in models:
            labels = model.predict(X)
            scores = (model.predict_proba(X) if hasattr(model, "predict_proba")
                      else model.decision_function(X))
            if hasattr(model, "partial_fit"):
                model.partial_fit(X, y)
            out.append((labels, scores, model))
        pickle.dump(out, open(sys.argv[2], "wb"))
        """
    )
    root = str(Path(sknn.__file__).resolve().parent.parent)
    subprocess.run(
        [sys.executable, "-c", script, tmp_path / "models.pkl", tmp_path / "out.pkl"],
        check=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([root, *sys.path])},
        timeout=120,
    )
    with open(tmp_path / "out.pkl", "rb") as file:
        results = pickle.load(file)
    for model, (labels, scores, trained) in zip(models, results):
        local = (
            model.predict_proba(X)
            if hasattr(model, "predict_proba")
            else model.decision_function(X)
        )
        assert_array_equal(labels, model.predict(X))
        assert_array_equal(scores, local)
        if hasattr(model, "partial_fit"):
            # The optimizer state travelled too: training goes on identically.
            model.partial_fit(X, y)
            assert_array_equal(weights_of(trained), weights_of(model))


def test_cloudpickle_round_trip(data):
    cloudpickle = pytest.importorskip("cloudpickle")
    X, y = data
    for model in fitted_models(X, y):
        copy = cloudpickle.loads(cloudpickle.dumps(model))
        assert_array_equal(copy.predict(X), model.predict(X))
        assert_array_equal(weights_of(copy), weights_of(model))
