"""scikit-learn's callbacks (sklearn.callback, 1.9) on sknn's estimators.

The hooks of the training loop are tested without scikit-learn's callback
API; everything else with its real callbacks (ProgressBar, ScoringMonitor)
and a recording callback of the same protocol, and skipped where the
installed scikit-learn has no ``sklearn.callback``.
"""

import os
import pickle
import re
import subprocess
import sys
import warnings
from collections import Counter

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknn import MLPNeuronClassifier, MLPNeuronRegressor, PerceptronClassifier
from sknn._batches import MiniBatches
from sknn._callbacks import EPOCH_TASK, LBFGS_TASK, FitTasks
from sknn._history import History, TrainingConfig, print_progress
from sknn._lbfgs import minimize_lbfgs
from sknn._losses import get_loss
from sknn._network import Network
from sknn._optimizers import Adam
from sknn._training import minimize_stochastic
from sknn.activations import get_activation

SOLVERS = ["sgd", "adam", "lbfgs"]
KINDS = [
    *SOLVERS,
    "perceptron",
    "averaged perceptron",
    "mini-batch perceptron, early stopping",
]


def make_fit(kind, **params):
    """A small estimator of each kind whose epochs the tests count."""
    if kind in SOLVERS:
        params = dict(hidden_layer_sizes=(8,), learning_rate_init=0.01, **params)
        return MLPNeuronClassifier(solver=kind, random_state=0, **params)
    settings = {
        "perceptron": {},
        "averaged perceptron": dict(average=True),
        "mini-batch perceptron, early stopping": dict(
            batch_size=10, early_stopping=True
        ),
    }[kind]
    return PerceptronClassifier(random_state=0, **settings, **params)


def epoch_name(kind):
    return LBFGS_TASK if kind == "lbfgs" else EPOCH_TASK


def outputs(est, X):
    """What an estimator computes from X, to tell two sets of weights apart.

    Weights of a diverging fit that overflow on X are refused with a
    ValueError; its message stands in for the outputs.
    """
    try:
        if hasattr(est, "decision_function"):
            return est.decision_function(X)
        if hasattr(est, "predict_proba"):
            return est.predict_proba(X)
        return est.predict(X)
    except ValueError as error:
        if "overflow" not in str(error):
            raise
        return str(error)


quiet_convergence = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning"
)


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(
        n_samples=120, n_features=6, n_informative=4, n_classes=3, random_state=0
    )
    return StandardScaler().fit_transform(X), y


def callback_api():
    return pytest.importorskip("sklearn.callback")


def depth(context):
    """How many tasks lie above ``context`` in the whole tree."""
    n = 0
    while context.parent is not None:
        context, n = context.parent, n + 1
    return n


class Recorder:
    """A FitCallback that records every hook, propagated to nested estimators.

    ``stop_at`` makes ``on_fit_task_end`` of that epoch (counted from 1 in
    each fit) ask for training to stop.
    """

    max_propagation_depth = None

    def __init__(self, stop_at=None):
        self.stop_at = stop_at
        self.calls = Counter()
        self.epochs = []  # (parent task, fitted_estimator, its outputs then)
        self.fits = []  # (fit task, n_iter_ of the estimator at its end)
        self.open = set()

    def setup(self, estimator, context):
        self.calls["setup"] += 1

    def teardown(self, estimator, context):
        self.calls["teardown"] += 1

    def on_fit_task_begin(
        self,
        estimator,
        context,
        *,
        X=None,
        y=None,
        metadata=None,
        fitted_estimator=None,
    ):
        self.calls["begin", context.task_name, depth(context)] += 1
        self.open.add(id(context))

    def on_fit_task_end(
        self,
        estimator,
        context,
        *,
        X=None,
        y=None,
        metadata=None,
        fitted_estimator=None,
    ):
        self.calls["end", context.task_name, depth(context)] += 1
        self.open.remove(id(context))
        if (
            context.task_name in (EPOCH_TASK, LBFGS_TASK)
            and fitted_estimator is not None
        ):
            output = outputs(fitted_estimator, X)
            self.epochs.append((context.parent, fitted_estimator, output))
            siblings = sum(1 for parent, *_ in self.epochs if parent is context.parent)
            return siblings == self.stop_at
        if isinstance(estimator, (MLPNeuronClassifier, PerceptronClassifier)):
            self.fits.append((context, estimator.n_iter_))
        return False

    def epochs_of(self, fit_task):
        return [epoch for epoch in self.epochs if epoch[0] is fit_task]


# -- the training loop's hooks (no scikit-learn callback API needed) ---------


def make_problem(seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(90, 5))
    Y = np.eye(3)[(X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 1)]
    network = Network([5, 7, 3], [get_activation("tanh")], get_loss("log_loss"))
    network.initialize(np.random.RandomState(seed))
    return X, Y, network


def hook_log(log):
    def begin(epoch):
        log.append(("begin", epoch))

    def end(info):
        log.append(("end", info.epoch))

    return begin, end


@quiet_convergence
def test_the_stochastic_loop_begins_every_epoch_before_running_it():
    X, Y, network = make_problem()
    log = []
    begin, end = hook_log(log)
    minimize_stochastic(
        network,
        Adam(network.params),
        MiniBatches(X, Y, None, 32),
        TrainingConfig(max_iter=4),
        History(),
        np.random.RandomState(0),
        on_epoch_begin=begin,
        on_epoch_end=end,
    )
    assert log == [(event, k) for k in range(1, 5) for event in ("begin", "end")]


def test_lbfgs_begins_an_iteration_at_its_first_evaluation():
    X, Y, network = make_problem()
    log = []
    begin, end = hook_log(log)
    evaluate = network.loss_and_gradient

    def counted(*args, **kwargs):
        log.append(("evaluate", None))
        return evaluate(*args, **kwargs)

    network.loss_and_gradient = counted
    config = TrainingConfig(max_iter=200, tol=1e-6)
    history = minimize_lbfgs(
        network, X, Y, config, History(), on_epoch_begin=begin, on_epoch_end=end
    )
    events = [event for event in log if event[0] != "evaluate"]
    assert events == [
        (event, k) for k in range(1, history.n_iter + 1) for event in ("begin", "end")
    ]
    # Each iteration begins right before its first evaluation.
    for i, event in enumerate(log):
        if event[0] == "begin":
            assert log[i + 1][0] == "evaluate" and log[i - 1][0] != "evaluate"


# -- no callbacks, no cost ---------------------------------------------------


def test_without_callbacks_the_loop_gets_its_hooks_unchanged(data):
    X, y = data
    est = MLPNeuronClassifier()
    tasks = FitTasks(est, X, y, n_epochs=5)
    assert tasks.begin(print_progress) == (None, print_progress)
    assert tasks.begin(None) == (None, None)
    tasks.end()
    assert "_callback_fit_ctx" not in vars(est)


@pytest.mark.slow  # a new interpreter imports scikit-learn: about two seconds
def test_without_the_callback_api_everything_else_works():
    callback_api()  # the test hides it
    # scikit-learn < 1.9 has no sklearn.callback; hide its public names (the
    # private modules stay, for the installed scikit-learn's own use: those
    # sknn's imports reach are imported first, before the name is hidden).
    code = """
import sklearn.callback, sklearn.model_selection, sklearn.pipeline
import sklearn.impute, sklearn.preprocessing
del sklearn.callback.CallbackSupportMixin
import pickle
from sklearn.base import clone
from sklearn.datasets import make_classification
from sknn import MLPNeuronClassifier
from sknn._callbacks import CallbackSupportMixin
assert CallbackSupportMixin.__module__ == "sknn._callbacks"
X, y = make_classification(n_samples=60, random_state=0)
for solver in ("adam", "lbfgs"):
    clf = MLPNeuronClassifier((4,), solver=solver, max_iter=300, random_state=0)
    assert not hasattr(clf, "set_callbacks")
    clf = pickle.loads(pickle.dumps(clone(clf).fit(X, y)))
    assert clf.score(X, y) > 0.8, clf.score(X, y)
MLPNeuronClassifier((4,)).partial_fit(X, y, classes=[0, 1])
print("ok")
"""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


# -- one task per epoch ---------------------------------------------------------


@quiet_convergence
@pytest.mark.parametrize("kind", KINDS)
def test_one_task_per_epoch(data, kind):
    callback_api()
    X, y = data
    recorder = Recorder()
    clf = make_fit(kind, max_iter=12).set_callbacks(recorder).fit(X, y)
    name = epoch_name(kind)
    assert clf.n_iter_ > 2
    assert recorder.calls == {
        "setup": 1,
        ("begin", "fit", 0): 1,
        ("begin", name, 1): clf.n_iter_,
        ("end", name, 1): clf.n_iter_,
        ("end", "fit", 0): 1,
        "teardown": 1,
    }
    assert not recorder.open
    assert "_callback_fit_ctx" not in vars(clf)


@quiet_convergence
@pytest.mark.parametrize("kind", KINDS)
def test_each_epoch_comes_with_an_estimator_fitted_up_to_it(data, kind):
    callback_api()
    X, y = data
    X = X.astype(np.float32)
    recorder = Recorder()
    clf = make_fit(kind, max_iter=8).set_callbacks(recorder).fit(X, y)
    epochs = recorder.epochs
    assert len(epochs) == clf.n_iter_
    # A snapshot: after the fit, each still computes what it did at its epoch.
    for _, fitted, output in epochs:
        assert fitted is not clf and output.dtype == np.float32
        assert_array_equal(outputs(fitted, X), output)
    assert not np.array_equal(epochs[0][2], epochs[-1][2])
    assert [fitted.n_iter_ for _, fitted, _ in epochs] == list(
        range(1, clf.n_iter_ + 1)
    )
    # The last epoch's weights are the fit's.
    assert_array_equal(epochs[-1][2], outputs(clf, X))


@pytest.mark.parametrize("kind", ["adam", "perceptron"])
def test_partial_fit_is_one_epoch(data, kind):
    callback_api()
    X, y = data
    recorder = Recorder()
    clf = make_fit(kind).set_callbacks(recorder)
    for _ in range(3):
        clf.partial_fit(X, y, classes=np.unique(y))
    assert recorder.calls["begin", "partial_fit", 0] == 3
    assert recorder.calls["end", EPOCH_TASK, 1] == 3
    assert len(recorder.epochs) == 3
    assert recorder.calls["setup"] == recorder.calls["teardown"] == 3


@pytest.mark.parametrize(
    "solver, scale, params, cut_short_by",
    [
        # an epoch that diverges after others ended
        ("sgd", 1e50, {"learning_rate_init": 1.0}, "diverged"),
        # an L-BFGS iteration that diverges after others ended
        ("lbfgs", 1e153, {"activation": "identity"}, "diverged"),
    ],
)
def test_an_epoch_cut_short_is_closed_without_an_estimator(
    data, solver, scale, params, cut_short_by
):
    callback_api()
    X, y = data
    recorder = Recorder()
    clf = MLPNeuronClassifier(solver=solver, max_iter=30, random_state=0, **params)
    # The recorder's predictions on diverging data overflow (and are refused).
    with pytest.warns(ConvergenceWarning, match=cut_short_by):
        clf.set_callbacks(recorder).fit(X * scale, y)
    name = epoch_name(solver)
    assert recorder.calls["begin", name, 1] == clf.n_iter_ + 1
    assert recorder.calls["end", name, 1] == clf.n_iter_ + 1
    assert len(recorder.epochs) == clf.n_iter_
    assert not recorder.open


@pytest.mark.parametrize("kind", KINDS)
def test_a_callback_can_stop_training(data, kind):
    callback_api()
    X, y = data
    clf = make_fit(kind, max_iter=50)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        clf.set_callbacks(Recorder(stop_at=3)).fit(X, y)
    # Neither estimator's own stopping rule can fire before epoch 6.
    assert clf.n_iter_ == 3
    assert clf.score(X, y) > 0.3


def test_verbose_still_prints_every_epoch(data, capsys):
    callback_api()
    X, y = data
    recorder = Recorder()
    clf = MLPNeuronClassifier((8,), max_iter=5, verbose=True, random_state=0)
    with pytest.warns(ConvergenceWarning):
        clf.set_callbacks(recorder).fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 5
    for k, line in enumerate(lines, start=1):
        pattern = rf"Iteration {k}, loss = \d+\.\d{{8}}, time = \d+\.\d\ds"
        assert re.fullmatch(pattern, line), line
    assert len(recorder.epochs) == 5


def test_verbose_perceptron_still_prints_every_epoch(data, capsys):
    callback_api()
    X, y = data
    recorder = Recorder()
    clf = PerceptronClassifier(verbose=1, random_state=0)
    clf.set_callbacks(recorder).fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    # scikit-learn's Perceptron's report: three lines per epoch.
    assert len(lines) == 3 * clf.n_iter_
    for k in range(clf.n_iter_):
        assert lines[3 * k] == f"-- Epoch {k + 1}"
        assert lines[3 * k + 1].startswith("Norm: ")
        pattern = r"Total training time: \d+\.\d\d seconds\."
        assert re.fullmatch(pattern, lines[3 * k + 2]), lines[3 * k + 2]
    assert len(recorder.epochs) == clf.n_iter_


# -- the real callbacks ----------------------------------------------------------


@pytest.mark.parametrize("kind", ["lbfgs", "perceptron"])
def test_progress_bar(data, capsys, kind):
    api = callback_api()
    pytest.importorskip("rich")
    X, y = data
    recorder = Recorder()
    clf = make_fit(kind, max_iter=15, tol=None if kind == "perceptron" else 1e-4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.set_callbacks(api.ProgressBar(), recorder).fit(X, y)
    out = capsys.readouterr().out
    assert f"{type(clf).__name__} - fit" in out and "100%" in out
    assert recorder.calls["end", epoch_name(kind), 1] == clf.n_iter_ == 15


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_the_regressor_reports_its_epochs_and_shows_a_progress_bar(
    data, capsys, solver
):
    api = callback_api()
    pytest.importorskip("rich")
    X, _ = data
    target = X @ np.linspace(-1, 1, X.shape[1])
    recorder = Recorder()
    reg = MLPNeuronRegressor(
        hidden_layer_sizes=(8,), solver=solver, max_iter=10, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg.set_callbacks(api.ProgressBar(), recorder).fit(X, target)
    out = capsys.readouterr().out
    assert "MLPNeuronRegressor - fit" in out and "100%" in out
    assert recorder.calls["end", epoch_name(solver), 1] == reg.n_iter_ == 10
    # each epoch's snapshot predicts as the network stood then
    _, fitted, _ = recorder.epochs[-1]
    assert_array_equal(fitted.predict(X), reg.predict(X))


@quiet_convergence
@pytest.mark.parametrize("kind", ["adam", "perceptron"])
def test_progress_bar_in_a_pipeline(data, capsys, kind):
    api = callback_api()
    pytest.importorskip("rich")
    X, y = data
    recorder = Recorder()
    pipe = make_pipeline(StandardScaler(), make_fit(kind, max_iter=7))
    pipe.set_callbacks(api.ProgressBar(max_propagation_depth=None), recorder)
    pipe.fit(X, y)
    out = capsys.readouterr().out
    clf = pipe[-1]
    assert f"Pipeline - fit-final-estimator | {type(clf).__name__} - fit" in out
    assert recorder.calls["begin", EPOCH_TASK, 2] == clf.n_iter_ > 2
    assert recorder.calls["end", EPOCH_TASK, 2] == clf.n_iter_
    assert not recorder.open


@quiet_convergence
@pytest.mark.parametrize(
    "estimator, grid",
    [
        (
            MLPNeuronClassifier((8,), max_iter=6, random_state=0),
            {"solver": ["adam", "lbfgs"]},
        ),
        (PerceptronClassifier(random_state=0), {"average": [False, True]}),
    ],
    ids=["mlp", "perceptron"],
)
def test_progress_bar_in_a_grid_search(data, capsys, estimator, grid):
    api = callback_api()
    pytest.importorskip("rich")
    X, y = data
    recorder = Recorder()
    pipe = make_pipeline(StandardScaler(), estimator)
    step = pipe.steps[-1][0]
    grid = {f"{step}__{name}": values for name, values in grid.items()}
    search = GridSearchCV(pipe, grid, cv=2, n_jobs=1)
    search.set_callbacks(api.ProgressBar(max_propagation_depth=None), recorder)
    search.fit(X, y)
    out = capsys.readouterr().out
    name = type(estimator).__name__
    assert out.count(f"Pipeline - fit-final-estimator | {name} - fit") == 5
    # Four candidate fits and the refit, each with one task per epoch; the
    # fit's task lies below the search's (and a candidate's) and the pipeline's.
    assert len(recorder.fits) == 5
    for fit_task, n_iter in recorder.fits:
        assert len(recorder.epochs_of(fit_task)) == n_iter > 2
        assert depth(fit_task) in (2, 3)
    assert not recorder.open


@quiet_convergence
@pytest.mark.parametrize("kind", KINDS)
def test_scoring_monitor_records_a_score_per_epoch(data, kind):
    api = callback_api()
    pytest.importorskip("pandas")
    X, y = data
    monitor = api.ScoringMonitor(scoring=["accuracy", "balanced_accuracy"])
    clf = make_fit(kind, max_iter=10).set_callbacks(monitor).fit(X, y)
    log = monitor.get_logs().data_as_pandas
    epochs = log[log.task_name == epoch_name(kind)]
    assert len(epochs) == clf.n_iter_ > 2
    assert list(epochs.task_id) == list(range(clf.n_iter_))
    assert epochs.balanced_accuracy.between(0, 1).all()
    assert epochs.accuracy.nunique() > 1
    assert epochs.accuracy.iloc[-1] == clf.score(X, y)
    assert log[log.task_name == "fit"].accuracy.item() == clf.score(X, y)


@quiet_convergence
@pytest.mark.parametrize("kind", ["adam", "perceptron"])
def test_clone_and_pickle_with_callbacks(data, kind):
    api = callback_api()
    pytest.importorskip("rich")
    X, y = data
    monitor = api.ScoringMonitor(scoring="accuracy")
    clf = make_fit(kind, max_iter=4).set_callbacks(api.ProgressBar(), monitor)
    # scikit-learn's clone shares the callback instances.
    assert clone(clf)._skl_callbacks == clf._skl_callbacks
    restored = pickle.loads(pickle.dumps(clf.fit(X, y)))
    assert_array_equal(outputs(restored, X), outputs(clf, X))
    assert [type(cb) for cb in restored._skl_callbacks] == [
        api.ProgressBar,
        api.ScoringMonitor,
    ]
    restored.fit(X, y)  # the unpickled callbacks work, and keep the old runs
    runs = restored._skl_callbacks[1].get_logs(select="all")
    assert len(runs) == 2 and len(runs[1].data) == 1 + restored.n_iter_
    assert runs[0].data == monitor.get_logs().data
