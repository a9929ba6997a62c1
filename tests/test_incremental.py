"""Streaming training: partial_fit over chunks, and sknn.incremental."""

import tracemalloc

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import SGDClassifier, SGDRegressor
from sklearn.preprocessing import StandardScaler

from sknn import MLPNeuronClassifier, PerceptronClassifier
from sknn.incremental import fit_incremental


@pytest.fixture(scope="module")
def three_classes():
    X, y = make_classification(
        n_samples=600, n_features=10, n_informative=5, n_classes=3, random_state=0
    )
    return StandardScaler().fit_transform(X), y


def row_chunks(n_samples, sizes):
    """Split ``range(n_samples)`` into consecutive slices of the given sizes."""
    bounds = np.cumsum([0, *sizes])
    assert bounds[-1] == n_samples
    return [slice(a, b) for a, b in zip(bounds[:-1], bounds[1:])]


# -- partial_fit over chunks is one pass over the whole ------------------------

PERCEPTRON_SETTINGS = [
    {},
    {"penalty": "l2", "alpha": 0.01},
    {"penalty": "l1", "alpha": 0.01},
    {"penalty": "elasticnet", "alpha": 0.01, "l1_ratio": 0.5},
    {"average": True},
    {"average": 250},
    {"activation": "logistic", "eta0": 0.1},
    {"multi_class": "multinomial"},
    {"class_weight": {0: 2.0, 1: 1.0, 2: 0.5}},
    # Averaged: without average, a mini-batch fit reports the mean over its
    # last epoch and partial_fit the mean over its call (PerceptronClassifier's
    # Notes); the average over every step runs across calls as across epochs.
    {"batch_size": 25, "penalty": "l1", "alpha": 0.001, "average": True},
]


@pytest.mark.parametrize("params", PERCEPTRON_SETTINGS, ids=str)
def test_perceptron_chunks_equal_one_fit(three_classes, params):
    X, y = three_classes
    weights = np.random.default_rng(0).uniform(0.5, 2.0, len(y))
    # Any chunk boundaries for the online rule; multiples of batch_size otherwise.
    sizes = [100, 175, 25, 300] if "batch_size" in params else [37, 200, 1, 362]
    n_epochs = 3
    streamed = PerceptronClassifier(shuffle=False, **params)
    for _ in range(n_epochs):
        for rows in row_chunks(len(y), sizes):
            streamed.partial_fit(
                X[rows], y[rows], classes=[0, 1, 2], sample_weight=weights[rows]
            )
    whole = PerceptronClassifier(shuffle=False, max_iter=n_epochs, tol=None, **params)
    whole.fit(X, y, sample_weight=weights)
    assert_allclose(streamed.coef_, whole.coef_, rtol=1e-10, atol=1e-10)
    assert_allclose(streamed.intercept_, whole.intercept_, rtol=1e-10, atol=1e-10)
    assert streamed.t_ == whole.t_ == n_epochs * len(y) + 1
    assert streamed.errors_.sum() == whole.errors_.sum()


@pytest.mark.parametrize("penalty", ["l1", "elasticnet"])
def test_perceptron_partial_fit_keeps_the_cumulative_l1_penalty(three_classes, penalty):
    # The truncated-gradient L1 step owes each weight the penalty accrued so
    # far; restarting that account at every call made chunks drift apart.
    X, y = three_classes
    params = {"penalty": penalty, "alpha": 0.01, "shuffle": False}
    halves = PerceptronClassifier(**params)
    halves.partial_fit(X[:300], y[:300], classes=[0, 1, 2])
    halves.partial_fit(X[300:], y[300:])
    once = PerceptronClassifier(**params).partial_fit(X, y, classes=[0, 1, 2])
    assert_allclose(halves.coef_, once.coef_, rtol=1e-12, atol=1e-12)
    # A new fit starts a new account.
    refit = PerceptronClassifier(max_iter=1, tol=None, **params).fit(X, y)
    assert_allclose(refit.coef_, once.coef_, rtol=1e-12, atol=1e-12)


MLP_SETTINGS = [
    {"solver": "adam"},
    {"solver": "adam", "alpha": 0.01, "activation": "tanh"},
    {"solver": "sgd", "momentum": 0.9, "nesterovs_momentum": True},
    {"solver": "sgd", "momentum": 0.5, "nesterovs_momentum": False},
    {"solver": "sgd", "learning_rate": "adaptive", "momentum": 0.0},
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("params", MLP_SETTINGS, ids=str)
def test_mlp_chunks_equal_one_fit(params, n_classes, dtype):
    X, y = make_classification(
        n_samples=400, n_features=8, n_informative=4, n_classes=n_classes,
        random_state=1,
    )  # fmt: skip
    X = StandardScaler().fit_transform(X).astype(dtype)
    n_epochs = 3
    common = dict(
        hidden_layer_sizes=(7,), batch_size=25, shuffle=False, random_state=0,
        learning_rate_init=0.01, n_iter_no_change=np.inf, **params,
    )  # fmt: skip
    streamed = MLPNeuronClassifier(**common)
    for _ in range(n_epochs):
        for rows in row_chunks(len(y), [50, 125, 25, 200]):
            streamed.partial_fit(X[rows], y[rows], classes=np.unique(y))
    whole = MLPNeuronClassifier(max_iter=n_epochs, **common)
    with pytest.warns(ConvergenceWarning):
        whole.fit(X, y)
    for ours, theirs in zip(streamed.coefs_ + streamed.intercepts_,
                            whole.coefs_ + whole.intercepts_):  # fmt: skip
        assert ours.dtype == dtype
        assert_allclose(ours, theirs, rtol=1e-6 if dtype == np.float32 else 1e-12)
    assert streamed.t_ == whole.t_ == n_epochs * len(y)
    # One loss per chunk, against one per epoch: the same samples' losses.
    per_epoch = np.reshape(streamed.loss_curve_, (n_epochs, 4)) @ [50, 125, 25, 200]
    assert_allclose(per_epoch / len(y), whole.loss_curve_, rtol=1e-5)


def test_mlp_schedules_carry_on_across_chunks(three_classes):
    X, y = three_classes
    clf = MLPNeuronClassifier(
        hidden_layer_sizes=(5,), solver="sgd", learning_rate="invscaling",
        learning_rate_init=0.1, power_t=0.5, random_state=0,
    )  # fmt: skip
    for rows in row_chunks(len(y), [200, 200, 200]):
        clf.partial_fit(X[rows], y[rows], classes=[0, 1, 2])
    # The inverse scaling counts every sample seen, not those of this chunk.
    assert clf.t_ == 600
    assert clf._optimizer.learning_rate == pytest.approx(0.1 / 601**0.5)
    adam = MLPNeuronClassifier(hidden_layer_sizes=(5,), batch_size=50, random_state=0)
    for rows in row_chunks(len(y), [200, 200, 200]):
        adam.partial_fit(X[rows], y[rows], classes=[0, 1, 2])
    assert adam._optimizer.t == 600 // 50  # Adam's step count runs on


# -- fit_incremental -----------------------------------------------------------


def streamed_by_hand(estimator, X, y, bounds, order_per_epoch, sample_weight=None):
    """The reference: partial_fit over the chunks ``bounds`` in the given orders."""
    first = True
    for order in order_per_epoch:
        for i in order:
            rows = slice(bounds[i], bounds[i + 1])
            kwargs = (
                {} if sample_weight is None else {"sample_weight": sample_weight[rows]}
            )
            if first:
                kwargs["classes"] = np.unique(y)
                first = False
            estimator.partial_fit(X[rows], y[rows], **kwargs)
    return estimator


def weights_of(estimator):
    if hasattr(estimator, "coefs_"):
        return np.concatenate(
            [a.ravel() for a in estimator.coefs_ + estimator.intercepts_]
        )
    return np.concatenate([estimator.coef_.ravel(), estimator.intercept_])


ESTIMATORS = [
    PerceptronClassifier(shuffle=False),
    PerceptronClassifier(random_state=3),
    MLPNeuronClassifier(hidden_layer_sizes=(6,), batch_size=50, random_state=0),
]


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=repr)
def test_arrays_in_chunks_match_partial_fit_by_hand(three_classes, estimator):
    X, y = three_classes
    weights = np.linspace(0.5, 1.5, len(y))
    ours = fit_incremental(
        clone(estimator), X, y, sample_weight=weights, chunk_size=150, n_epochs=2
    )
    bounds = [0, 150, 300, 450, 600]
    theirs = streamed_by_hand(clone(estimator), X, y, bounds, [range(4)] * 2, weights)
    assert_allclose(weights_of(ours), weights_of(theirs), rtol=1e-12)
    assert ours.t_ == theirs.t_


def test_shuffled_chunks_follow_the_seed(three_classes):
    X, y = three_classes
    chunks = [(X[i : i + 100], y[i : i + 100]) for i in range(0, 600, 100)]
    est = PerceptronClassifier(shuffle=False)
    ours = fit_incremental(
        clone(est), chunks, classes=[0, 1, 2], n_epochs=3, shuffle_chunks=True,
        random_state=7,
    )  # fmt: skip
    rng = np.random.RandomState(7)
    orders = [rng.permutation(6) for _ in range(3)]
    assert not all(np.array_equal(order, np.arange(6)) for order in orders)
    theirs = streamed_by_hand(clone(est), X, y, range(0, 700, 100), orders)
    assert_allclose(weights_of(ours), weights_of(theirs), rtol=1e-12)
    # The same seed gives the same model; chunk order matters to the rule.
    again = fit_incremental(
        clone(est), chunks, classes=[0, 1, 2], n_epochs=3, shuffle_chunks=True,
        random_state=7,
    )  # fmt: skip
    assert_allclose(weights_of(again), weights_of(ours))
    in_order = fit_incremental(clone(est), chunks, classes=[0, 1, 2], n_epochs=3)
    assert not np.allclose(weights_of(in_order), weights_of(ours))


def test_generator_function_is_read_anew_every_epoch(three_classes):
    X, y = three_classes
    calls = []

    def chunks():
        calls.append(1)
        for start in range(0, 600, 200):
            yield X[start : start + 200], y[start : start + 200]

    est = PerceptronClassifier(shuffle=False)
    ours = fit_incremental(clone(est), chunks, classes=[0, 1, 2], n_epochs=3)
    assert len(calls) == 3
    whole = clone(est).set_params(max_iter=3, tol=None).fit(X, y)
    assert_allclose(ours.coef_, whole.coef_, rtol=1e-10, atol=1e-10)
    # A generator object is one pass: fine for one epoch, refused for more.
    one = fit_incremental(clone(est), chunks(), classes=[0, 1, 2])
    assert one.t_ == 601
    with pytest.raises(ValueError, match="gives them once"):
        fit_incremental(clone(est), chunks(), classes=[0, 1, 2], n_epochs=2)
    with pytest.raises(ValueError, match="shuffle_chunks needs the chunks as a seq"):
        fit_incremental(clone(est), chunks, classes=[0, 1, 2], shuffle_chunks=True)


def test_chunks_with_weights_and_empty_chunks(three_classes):
    X, y = three_classes
    w = np.random.default_rng(0).uniform(0.1, 3.0, len(y))
    chunks = [
        (X[:250], y[:250], w[:250]),
        (X[:0], y[:0], w[:0]),  # nothing to learn from: skipped
        (X[250:], y[250:], w[250:]),
    ]
    est = PerceptronClassifier(shuffle=False, max_iter=1, tol=None)
    ours = fit_incremental(clone(est), chunks, classes=[0, 1, 2])
    whole = clone(est).fit(X, y, sample_weight=w)
    assert_allclose(ours.coef_, whole.coef_, rtol=1e-10, atol=1e-10)
    unweighted = clone(est).fit(X, y)
    assert not np.allclose(ours.coef_, unweighted.coef_)


def test_classes_are_found_from_y_or_required(three_classes):
    X, y = three_classes
    order = np.argsort(y, kind="stable")  # the first chunk holds class 0 only
    X, y = X[order], y[order]
    clf = fit_incremental(PerceptronClassifier(), X, y, chunk_size=100)
    assert_array_equal(clf.classes_, [0, 1, 2])
    assert clf.coef_.shape == (3, 10)
    labels = np.array(["a", "b", "c"])[y]
    clf = fit_incremental(PerceptronClassifier(), X, labels, chunk_size=100)
    assert_array_equal(clf.classes_, ["a", "b", "c"])
    chunks = [(X[i : i + 100], y[i : i + 100]) for i in range(0, 600, 100)]
    with pytest.raises(ValueError, match="classes must be given"):
        fit_incremental(PerceptronClassifier(), chunks)
    # A fitted classifier knows its classes and goes on learning.
    fitted = PerceptronClassifier(max_iter=2, tol=None).fit(X, y)
    t = fitted.t_
    fit_incremental(fitted, chunks)
    assert fitted.t_ == t + 600


def test_multilabel_targets(three_classes):
    X, _ = three_classes
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] > 0, X[:, 0] + X[:, 1] > 1]).astype(int)
    est = MLPNeuronClassifier(hidden_layer_sizes=(8,), random_state=0)
    ours = fit_incremental(clone(est), X, Y, chunk_size=200, n_epochs=2)
    assert_array_equal(ours.classes_, [0, 1, 2])
    assert ours.predict(X).shape == Y.shape
    theirs = clone(est)
    for start in [0, 200, 400, 0, 200, 400]:
        rows = slice(start, start + 200)
        theirs.partial_fit(X[rows], Y[rows], classes=[0, 1, 2])
    assert_allclose(weights_of(ours), weights_of(theirs), rtol=1e-12)


def test_dataframes_are_cut_by_position(three_classes):
    pd = pytest.importorskip("pandas")
    X, y = three_classes
    index = np.random.default_rng(0).permutation(len(y)) + 1000
    frame = pd.DataFrame(X, index=index, columns=[f"x{i}" for i in range(10)])
    labels = pd.Series(y, index=index)
    est = PerceptronClassifier(shuffle=False)
    ours = fit_incremental(clone(est), frame, labels, chunk_size=128)
    theirs = fit_incremental(clone(est), X, y, chunk_size=128)
    assert_allclose(ours.coef_, theirs.coef_)
    assert_array_equal(ours.feature_names_in_, frame.columns)


def test_memmap_and_sparse_arrays(three_classes, tmp_path):
    X, y = three_classes
    path = tmp_path / "X.dat"
    on_disk = np.memmap(path, dtype=np.float32, mode="w+", shape=X.shape)
    on_disk[:] = X
    on_disk.flush()
    on_disk = np.memmap(path, dtype=np.float32, mode="r", shape=X.shape)
    est = MLPNeuronClassifier(hidden_layer_sizes=(4,), batch_size=50, random_state=0)
    ours = fit_incremental(clone(est), on_disk, y, chunk_size=200)
    theirs = fit_incremental(clone(est), X.astype(np.float32), y, chunk_size=200)
    assert ours.coefs_[0].dtype == np.float32
    assert_allclose(weights_of(ours), weights_of(theirs))
    X_sparse = sparse.csr_matrix(np.where(np.abs(X) > 1, X, 0))
    ours = fit_incremental(PerceptronClassifier(), X_sparse, y, chunk_size=200)
    theirs = fit_incremental(
        PerceptronClassifier(), X_sparse.toarray(), y, chunk_size=200
    )
    assert_allclose(ours.coef_, theirs.coef_, rtol=1e-10, atol=1e-10)


def test_lists_are_arrays_too(three_classes):
    X, y = three_classes
    est = PerceptronClassifier(shuffle=False)
    ours = fit_incremental(clone(est), X.tolist(), y.tolist(), chunk_size=100)
    theirs = fit_incremental(clone(est), X, y, chunk_size=100)
    assert_allclose(ours.coef_, theirs.coef_)


def test_any_scikit_learn_estimator_with_partial_fit(three_classes):
    X, y = three_classes
    target = X @ np.arange(10.0)
    # A regressor's partial_fit takes no classes, and is given none.
    reg = fit_incremental(SGDRegressor(random_state=0), X, target, chunk_size=100)
    by_hand = SGDRegressor(random_state=0)
    for start in range(0, 600, 100):
        by_hand.partial_fit(X[start : start + 100], target[start : start + 100])
    assert_allclose(reg.coef_, by_hand.coef_)
    clf = fit_incremental(SGDClassifier(random_state=0), X, y, chunk_size=100)
    assert_array_equal(clf.classes_, [0, 1, 2])


def test_errors_say_what_to_do(three_classes):
    X, y = three_classes
    perceptron = PerceptronClassifier()
    with pytest.raises(TypeError, match="has no partial_fit"):
        fit_incremental(MLPNeuronClassifier(solver="lbfgs"), X, y, chunk_size=10)
    with pytest.raises(ValueError, match="chunk_size is needed"):
        fit_incremental(perceptron, X, y)
    with pytest.raises(ValueError, match="chunk_size must be"):
        fit_incremental(perceptron, X, y, chunk_size=0)
    with pytest.raises(ValueError, match="n_epochs must be"):
        fit_incremental(perceptron, X, y, chunk_size=9, n_epochs=0)
    with pytest.raises(ValueError, match="600 rows but y has 599"):
        fit_incremental(perceptron, X, y[:-1], chunk_size=9)
    with pytest.raises(ValueError, match="y is needed"):
        fit_incremental(perceptron, X, classes=[0, 1, 2])
    with pytest.raises(ValueError, match=r"a tuple \(X, y\)"):
        fit_incremental(perceptron, [X], classes=[0, 1, 2])
    with pytest.raises(ValueError, match="carry their weights"):
        fit_incremental(perceptron, [(X, y)], sample_weight=y)
    with pytest.raises(ValueError, match="have their own sizes"):
        fit_incremental(perceptron, [(X, y)], classes=[0, 1, 2], chunk_size=10)
    assert not hasattr(perceptron, "classes_")  # nothing was trained


# -- memory is bounded by the chunk --------------------------------------------


@pytest.mark.parametrize(
    "estimator",
    [
        MLPNeuronClassifier(hidden_layer_sizes=(32,), random_state=0),
        PerceptronClassifier(),
    ],
    ids=lambda est: type(est).__name__,
)
def test_peak_memory_follows_the_chunk_not_the_data(estimator):
    n_chunks, n_rows, n_features = 40, 2000, 50
    chunk_bytes = n_rows * n_features * 8

    def chunks():
        rng = np.random.default_rng(0)
        for _ in range(n_chunks):
            X = rng.normal(size=(n_rows, n_features))
            yield X, (X[:, 0] + X[:, 1] > 0).astype(np.int64)

    tracemalloc.start()
    try:
        fit_incremental(estimator, chunks, classes=[0, 1])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert estimator.t_ >= n_chunks * n_rows
    model_bytes = sum(
        a.nbytes for a in vars(estimator).values() if isinstance(a, np.ndarray)
    )
    # Two chunks may be alive at once (the generator makes the next one while
    # the last is still referenced); the data is n_chunks of them.
    assert peak < 4 * chunk_bytes + 10 * model_bytes + 2**20
    assert peak < n_chunks * chunk_bytes / 8
