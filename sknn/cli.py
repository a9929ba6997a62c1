"""The ``sknn`` command line: ``sknn demo`` and ``sknn info``.

``demo`` trains sknn's classifiers and their scikit-learn counterparts on the
same split of scikit-learn's bundled digits data, and sknn's regressor beside
scikit-learn's on its diabetes data, and prints one table for each, so the
two can be compared row by row; ``--plots DIR`` also writes figures: the
activations, loss curves by activation and by solver, the diagnostics of a
deep logistic network beside a relu one, and a perceptron against two
networks on XOR.
``info`` prints the versions and the BLAS library a bug report needs.

The same entry point serves ``python -m sknn`` and the ``sknn`` console script.
"""

import argparse
import importlib.metadata
import importlib.util
import platform
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

import sknn
from sknn.activations import ACTIVATIONS
from sknn.datasets import make_xor
from sknn.plotting import ActivationDisplay, DiagnosticsDisplay, LossCurveDisplay

PLOT_EXTRA = 'pip install "sknn[plot]"'
ONNX_EXTRA = 'pip install "sknn[onnx]"'

PERCEPTRON_ACTIVATIONS = ("step", "logistic", "tanh")
MLP_ACTIVATIONS = ("relu", "tanh", "logistic", "leaky_relu")
# MLPClassifier accepts only these; for the others sknn's row stands alone.
SKLEARN_MLP_ACTIVATIONS = frozenset({"identity", "logistic", "tanh", "relu"})
REGRESSION_ACTIVATIONS = ("relu", "tanh", "leaky_relu")
SEED = 0


@dataclass
class DemoRow:
    """One line of the demo table: a model name, its activation, a factory."""

    model: str
    activation: str
    make: Callable[[], Any]


@dataclass
class DemoResult:
    """A fitted row: its test score and fit time, or the error it raised.

    The score is the estimator's own: accuracy for a classifier, R² for a
    regressor.
    """

    row: DemoRow
    estimator: Any = None
    score: float = float("nan")
    seconds: float = float("nan")
    error: str = ""


def _mlp_settings(quick):
    # The settings both MLP columns share, so the comparison is like for like.
    return {
        "hidden_layer_sizes": (64,),
        "max_iter": 40 if quick else 200,
        "random_state": SEED,
    }


def _regression_settings():
    # Diabetes has 331 training samples for a network of 769 weights: the
    # penalty alpha=10 keeps it from fitting the noise, and adam converges
    # within max_iter (in about 360 epochs), so no ConvergenceWarning is due.
    return {
        "hidden_layer_sizes": (64,),
        "alpha": 10.0,
        "max_iter": 1000,
        "random_state": SEED,
    }


def perceptron_rows():
    """Rows for sknn's PerceptronClassifier, with sklearn's Perceptron beside it."""
    from sklearn.linear_model import Perceptron

    rows = []
    for activation in PERCEPTRON_ACTIVATIONS:
        make = partial(
            sknn.PerceptronClassifier, activation=activation, random_state=SEED
        )
        rows.append(DemoRow("sknn.PerceptronClassifier", activation, make))
        if activation == "step":
            make = partial(Perceptron, random_state=SEED)
            rows.append(DemoRow("sklearn.Perceptron", "step", make))
    return rows


def _paired_rows(ours, theirs, activations, settings):
    """A row per activation for sknn's ``ours``, each followed by sklearn's
    ``theirs`` where scikit-learn has that activation."""
    rows = []
    for activation in activations:
        for estimator in (ours, theirs):
            if estimator is ours or activation in SKLEARN_MLP_ACTIVATIONS:
                make = partial(estimator, activation=activation, **settings)
                library = "sknn" if estimator is ours else "sklearn"
                rows.append(
                    DemoRow(f"{library}.{estimator.__name__}", activation, make)
                )
    return rows


def mlp_rows(quick=False):
    """Rows for sknn's MLPNeuronClassifier beside sklearn's MLPClassifier."""
    from sklearn.neural_network import MLPClassifier

    return _paired_rows(
        sknn.MLPNeuronClassifier, MLPClassifier, MLP_ACTIVATIONS, _mlp_settings(quick)
    )


def regression_rows():
    """Rows for sknn's MLPNeuronRegressor beside sklearn's MLPRegressor."""
    from sklearn.neural_network import MLPRegressor

    return _paired_rows(
        sknn.MLPNeuronRegressor,
        MLPRegressor,
        REGRESSION_ACTIVATIONS,
        _regression_settings(),
    )


def load_regression_split():
    """Diabetes, one 75/25 split; X and y standardised with the training statistics.

    Scaling ``y`` leaves R² unchanged and lets the networks start near the
    answer (the raw targets lie between 25 and 346).
    """
    from sklearn.datasets import load_diabetes
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    X, y = load_diabetes(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=SEED
    )
    scaler = StandardScaler().fit(X_train)
    mean, scale = y_train.mean(), y_train.std()
    return (
        scaler.transform(X_train),
        scaler.transform(X_test),
        (y_train - mean) / scale,
        (y_test - mean) / scale,
    )


def load_split():
    """Digits, one stratified 75/25 split, standardised with the training statistics."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=SEED
    )
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


def fit_and_score(row, X_train, X_test, y_train, y_test):
    """Fit one row's estimator, timing only the fit, and score it on the test set."""
    from sklearn.exceptions import ConvergenceWarning

    result = DemoResult(row)
    try:
        estimator = row.make()
        with warnings.catch_warnings():
            # max_iter is fixed on purpose; running out of it is expected here.
            warnings.simplefilter("ignore", ConvergenceWarning)
            start = time.perf_counter()
            estimator.fit(X_train, y_train)
            result.seconds = time.perf_counter() - start
        result.score = estimator.score(X_test, y_test)
        result.estimator = estimator
    except Exception as exc:  # a demo reports a broken row and goes on
        result.error = f"{type(exc).__name__}: {exc}"
    return result


def format_table(results, score="test accuracy"):
    """Return the results as a fixed-width text table; ``score`` heads its column."""
    header = ("model", "activation", score, "fit seconds")
    lines = [
        (
            r.row.model,
            r.row.activation,
            f"{r.score:.4f}" if not r.error else "failed",
            f"{r.seconds:.3f}" if not r.error else r.error,
        )
        for r in results
    ]
    widths = [max(len(str(cells[i])) for cells in [header, *lines]) for i in range(3)]

    def fmt(cells):
        head = "  ".join(c.ljust(w) for c, w in zip(cells[:3], widths))
        return f"{head}  {cells[3]}".rstrip()

    rule = ("-" * widths[0], "-" * widths[1], "-" * widths[2], "-" * len(header[3]))
    return "\n".join([fmt(header), fmt(rule), *map(fmt, lines)])


def run_demo(plots=None, quick=False, stream=None):
    """Print the demo table; write figures into ``plots`` when given.

    Parameters
    ----------
    plots : path-like or None, default=None
        Directory for the PNG figures; created if missing.
    quick : bool, default=False
        Fewer MLP iterations, for the test suite. The default is the real demo.
    stream : file-like, default=None
        Where to print; ``sys.stdout`` when None.

    Returns
    -------
    int
        0 on success; 1 if a row failed or the figures could not be written.
    """
    stream = sys.stdout if stream is None else stream
    X_train, X_test, y_train, y_test = load_split()
    rows = perceptron_rows() + mlp_rows(quick)
    print(_describe(X_train, X_test, y_train, quick), file=stream)
    results = [fit_and_score(row, X_train, X_test, y_train, y_test) for row in rows]
    print(format_table(results), file=stream, flush=True)
    regression = run_regression(stream)
    status = 1 if any(r.error for r in results + regression) else 0
    if plots is not None:
        written = write_plots(
            Path(plots), results, stream, data=(X_train, y_train), quick=quick
        )
        status = max(status, written)
    return status


def run_regression(stream):
    """Print the regression table (diabetes) and return its results."""
    X_train, X_test, y_train, y_test = load_regression_split()
    settings = ", ".join(f"{k}={v}" for k, v in _regression_settings().items())
    print(
        f"\nRegression: scikit-learn's diabetes, {len(X_train)} train / "
        f"{len(X_test)} test samples, {X_train.shape[1]} features\n"
        f"(split with random_state={SEED}; X and y standardised with the "
        "training statistics).\n"
        f"Both MLP regressors use {settings};\nthe score is R².\n",
        file=stream,
    )
    rows = regression_rows()
    results = [fit_and_score(row, X_train, X_test, y_train, y_test) for row in rows]
    print(format_table(results, score="test R²"), file=stream, flush=True)
    return results


def _describe(X_train, X_test, y_train, quick):
    settings = ", ".join(f"{k}={v}" for k, v in _mlp_settings(quick).items())
    lines = [
        f"sknn {sknn.__version__} demo: scikit-learn's digits, "
        f"{len(X_train)} train / {len(X_test)} test samples, "
        f"{X_train.shape[1]} features, {len(np.unique(y_train))} classes",
        f"(stratified split, random_state={SEED}; StandardScaler fit on train).",
        f"Both MLP columns use {settings}.",
        "ConvergenceWarnings are silenced; fit seconds are wall-clock.",
    ]
    return "\n".join(lines) + "\n"


# --- figures ---------------------------------------------------------------


def _agg_figure():
    """Return a function making Agg-backed Figures, or None without matplotlib."""
    try:
        import matplotlib  # noqa: F401
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        return None

    def new_figure(**kwargs):
        # An Agg canvas of its own: no pyplot, no global backend switch.
        figure = Figure(**kwargs)
        FigureCanvasAgg(figure)
        return figure

    return new_figure


def write_plots(directory, results, stream, data=None, quick=False):
    """Write the demo's PNG figures into ``directory``; return an exit status.

    ``data`` is the training split, ``(X, y)``, for the figures that train
    networks of their own (solvers, diagnostics); without it those two are
    skipped. ``quick`` trains them for fewer epochs.
    """
    new_figure = _agg_figure()
    if new_figure is None:
        print(
            "Cannot write plots: matplotlib is not installed. "
            f"Install it with:  {PLOT_EXTRA}",
            file=sys.stderr,
        )
        return 1
    directory.mkdir(parents=True, exist_ok=True)
    written = [plot_activations(new_figure(), directory / "activations.png")]
    curves = [r for r in results if hasattr(r.estimator, "loss_curve_")]
    written.append(
        plot_loss_curves(new_figure(), curves, directory / "loss_curves.png")
    )
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        # The figures train for a fixed number of epochs on purpose.
        warnings.simplefilter("ignore", ConvergenceWarning)
        if data is not None:
            X, y = data
            written.append(
                plot_solvers(new_figure(), X, y, directory / "solvers.png", quick)
            )
            written.append(
                plot_diagnostics(
                    new_figure(), X, y, directory / "diagnostics.png", quick
                )
            )
            written.append(
                plot_remedies(new_figure(), X, y, directory / "remedies.png", quick)
            )
        written.append(plot_xor(new_figure(), directory / "xor.png"))
    for path in written:
        print(f"wrote {path}", file=stream)
    return 0


LEAKY_SLOPE_SHOWN = 0.1
"""leaky_relu's slope in ``activations.png``, ten times the default, to be seen."""


def plot_activations(figure, path, n_cols=5):
    """Draw every registered activation f (solid) and f' (dashed), one panel each."""
    names = list(ACTIVATIONS)
    n_rows = -(-len(names) // n_cols)
    figure.set_size_inches(2.8 * n_cols, 2.6 * n_rows)
    axes = figure.subplots(n_rows, n_cols, sharex=True, squeeze=False).ravel()
    for ax in axes[len(names) :]:
        ax.set_visible(False)
    # sknn's default slope, 0.01, draws leaky_relu indistinguishable from relu.
    display = ActivationDisplay.from_name(
        names,
        z_range=(-4.0, 4.0),
        ax=axes[: len(names)],
        negative_slope=LEAKY_SLOPE_SHOWN,
    )
    for ax, (name, (a, da)) in zip(display.ax_, display.curves.items()):
        # One scale for all, so the panels compare at a glance, widened only
        # where a function needs more (identity reaches -4).
        low = min(-1.6, a.min(), da.min()) - 0.2
        high = max(4.2, a.max() + 0.2, da.max() + 0.2)
        ax.set_ylim(low, high)
        ax.set_xlabel("")
        if ax is not display.ax_[0]:
            ax.get_legend().remove()
        if name == "leaky_relu":
            ax.set_title(
                f"leaky_relu (negative_slope={LEAKY_SLOPE_SHOWN})", fontsize="medium"
            )
    figure.supxlabel("z")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    return path


def plot_loss_curves(figure, results, path):
    """Draw each MLP's training loss per epoch: sknn solid, sklearn dashed."""
    figure.set_size_inches(7, 4.5)
    display = LossCurveDisplay.from_estimator(
        [r.estimator for r in results],
        labels=[f"{r.row.model.split('.')[0]} {r.row.activation}" for r in results],
        ax=figure.subplots(),
    )
    # One colour and marker per activation, one line style per library.
    colors = {name: f"C{i}" for i, name in enumerate(MLP_ACTIVATIONS)}
    for line, result in zip(display.lines_, results):
        ours = result.row.model.startswith("sknn.")
        activation = result.row.activation
        # sknn wide and pale, sklearn thin and dashed on top: equal curves show
        # as a dashed line inside a band.
        line.set_color(colors.get(activation, "0.3"))
        line.set_linestyle("-" if ours else "--")
        line.set_linewidth(3.5 if ours else 1.2)
        line.set_alpha(0.45 if ours else 1.0)
        if ours:
            _mark_activation(line, activation)
    display.ax_.set_yscale("log")
    display.ax_.set_title("Training loss on digits by activation")
    display.ax_.legend(fontsize="small")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    return path


ACTIVATION_MARKERS = {"relu": "o", "tanh": "s", "logistic": "^", "leaky_relu": "D"}
"""The marker of each activation's sknn curve in ``loss_curves.png``."""


def _mark_activation(line, activation):
    """Give an sknn loss curve its activation's marker, at epochs of its own.

    leaky_relu with its default slope trains almost exactly as relu: drawn
    the same way its band would hide relu's. Its line is thin and dash-dotted
    over relu's band instead, and the markers of the activations fall on
    different epochs, so curves that coincide still show both.
    """
    names = list(ACTIVATION_MARKERS)
    index = names.index(activation) if activation in names else len(names)
    period = max(len(line.get_xdata()) // 8, len(names))
    line.set_marker(ACTIVATION_MARKERS.get(activation, "x"))
    line.set_markevery((index * period // len(names), period))
    line.set_markersize(6)
    if activation == "leaky_relu":
        line.set(linestyle="-.", linewidth=1.5, alpha=1.0)


SOLVERS = {
    "sgd, no momentum": {"solver": "sgd", "momentum": 0.0},
    "sgd, Nesterov momentum 0.9": {"solver": "sgd"},
    "adam": {"solver": "adam"},
}
"""The solvers compared in ``solvers.png``, all at learning_rate_init=0.01."""

DEEP_LAYERS = (32,) * 8
"""The deep network of ``diagnostics.png``: eight hidden layers of 32."""


def plot_solvers(figure, X, y, path, quick=False):
    """Draw the training loss of one network under each of :data:`SOLVERS`."""
    from sknn import MLPNeuronClassifier

    estimators = [
        MLPNeuronClassifier(
            (64,),
            learning_rate_init=0.01,
            max_iter=15 if quick else 60,
            tol=0.0,
            random_state=SEED,
            **params,
        ).fit(X, y)
        for params in SOLVERS.values()
    ]
    figure.set_size_inches(7, 4.5)
    display = LossCurveDisplay.from_estimator(
        estimators, labels=list(SOLVERS), ax=figure.subplots()
    )
    display.ax_.set_yscale("log")
    display.ax_.set_title(
        "Training loss on digits by solver (64 relu units, learning rate 0.01)"
    )
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    return path


REMEDY_INITS = ("glorot_uniform", "he_uniform")
"""The initialisations compared in ``remedies.png``: sklearn's, and He's."""

DROPOUT_RATES = (0.0, 0.5)
"""The dropout rates compared in ``remedies.png``."""


def plot_remedies(figure, X, y, path, quick=False):
    """Draw three remedies: He initialisation, dropout, early stopping on the loss.

    Left, the first epoch's gradient per weight matrix of ten relu layers of
    64 on ``X, y`` (plain sgd) under each of :data:`REMEDY_INITS`. Middle,
    training and held-out accuracy of two layers of 256 on 100 noisy moons
    (2,000 more held out) under each of :data:`DROPOUT_RATES`. Right, the
    validation loss (``validation_scores_``, negated) and the training loss of
    one hidden layer of 64 on ``X, y`` with ``scoring='loss'``, the epoch
    whose weights are kept starred.
    """
    from sklearn.datasets import make_moons

    from sknn import MLPNeuronClassifier

    figure.set_size_inches(16, 4.8)
    ax_grad, ax_drop, ax_stop = figure.subplots(1, 3)
    for init in REMEDY_INITS:
        deep = MLPNeuronClassifier(
            (64,) * 10,
            solver="sgd",
            learning_rate_init=0.01,
            weight_init=init,
            max_iter=1,
            diagnostics=True,
            random_state=SEED,
        ).fit(X, y)
        grad = deep.diagnostics_["grad_rms"][0]
        layers = np.arange(1, len(grad) + 1)
        ax_grad.plot(layers, grad, "o-", label=init)
    ax_grad.set_yscale("log")
    ax_grad.set_xticks(layers, [*map(str, layers[:-1]), "out"])
    ax_grad.set(
        xlabel="weight matrix (input side first)",
        ylabel="gradient RMS, first epoch",
        title="Ten relu layers of 64 on digits (sgd):\nHe keeps the first "
        "layers' gradients",
    )
    ax_grad.legend(fontsize="small")

    X_moons, y_moons = make_moons(n_samples=2100, noise=0.35, random_state=SEED)
    train, test = (X_moons[:100], y_moons[:100]), (X_moons[100:], y_moons[100:])
    for i, rate in enumerate(DROPOUT_RATES):
        wide = MLPNeuronClassifier(
            (256, 256),
            dropout=rate,
            alpha=0.0,
            batch_size=20,
            learning_rate_init=0.003,
            tol=0.0,
            max_iter=100 if quick else 300,
            random_state=SEED,
        ).fit(*train)
        scores = [wide.score(*train), wide.score(*test)]
        bars = ax_drop.bar(
            [i - 0.2, i + 0.2],
            scores,
            0.4,
            color=["C0", "C1"],
            label=["training", "held-out"] if i == 0 else ["_", "_"],
        )
        ax_drop.bar_label(bars, fmt="%.3f", fontsize="small")
    ax_drop.set_xticks(range(len(DROPOUT_RATES)))
    ax_drop.set_xticklabels([f"dropout={rate}" for rate in DROPOUT_RATES])
    ax_drop.set(
        ylim=(0.7, 1.0),
        ylabel="accuracy",
        title="Two layers of 256 on 100 noisy moons (adam):\ndropout narrows "
        "the gap to new data",
    )
    ax_drop.legend(fontsize="small", loc="upper right")

    stopper = MLPNeuronClassifier(
        (64,),
        learning_rate_init=0.01,
        early_stopping=True,
        scoring="loss",
        max_iter=200,
        random_state=SEED,
    ).fit(X, y)
    validation = -np.asarray(stopper.validation_scores_)  # negated: a loss again
    epochs = np.arange(1, len(validation) + 1)
    ax_stop.plot(epochs, validation, "o-", markersize=3, label="validation loss")
    ax_stop.plot(epochs, stopper.loss_curve_, "--", label="training loss")
    best = int(np.argmax(stopper.validation_scores_))
    ax_stop.plot(
        epochs[best], validation[best], "k*", markersize=14, label="weights kept"
    )
    ax_stop.axvline(epochs[-1], color="0.5", linestyle=":", label="stopped")
    # log scale: the validation loss's shallow minimum shows beside the
    # training loss's fall
    ax_stop.set_yscale("log")
    ax_stop.xaxis.get_major_locator().set_params(integer=True)
    ax_stop.set(
        xlabel="epoch",
        ylabel="loss",
        title="One layer of 64 on digits, early_stopping=True:\nscoring='loss' "
        "keeps the best validation loss",
    )
    ax_stop.legend(fontsize="small")
    for ax in (ax_grad, ax_drop, ax_stop):
        ax.grid(True, alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    return path


def plot_diagnostics(figure, X, y, path, quick=False):
    """Draw the diagnostics of a deep logistic network above a relu one.

    The penalty is off (``alpha=0``): its term in the gradient would hide how
    small the logistic network's first gradients are.
    """
    from sknn import MLPNeuronClassifier

    keys = ["grad_rms", "activation_std", "saturated_fraction", "dead_fraction"]
    figure.set_size_inches(3.2 * len(keys) + 1.6, 6.4)
    axes = figure.subplots(2, len(keys), sharex=True)
    for row, activation in zip(axes, ("logistic", "relu")):
        estimator = MLPNeuronClassifier(
            DEEP_LAYERS,
            activation=activation,
            alpha=0.0,
            max_iter=8 if quick else 30,
            tol=0.0,
            diagnostics=True,
            random_state=SEED,
        ).fit(X, y)
        display = DiagnosticsDisplay.from_estimator(estimator, keys=keys, ax=row)
        display.ax_[0].set_ylabel(f"{activation} network", fontsize="large")
        display.legend_.remove()  # one legend for both rows, beside the figure
    for left, right in zip(axes[0], axes[1]):
        # one vertical scale per statistic, so the rows compare
        low = min(left.get_ylim()[0], right.get_ylim()[0])
        high = max(left.get_ylim()[1], right.get_ylim()[1])
        left.set_ylim(low, high)
        right.set_ylim(low, high)
    for ax in axes[0]:
        ax.set_xlabel("")
    figure.suptitle(
        "Eight hidden layers of 32 on digits (adam, alpha=0): the logistic "
        "network's gradients vanish towards the input"
    )
    lines = display.lines_["grad_rms"]
    labels = [line.get_label().replace(f" {activation}", "") for line in lines]
    figure.legend(lines, labels, loc="center right", fontsize="small")
    figure.tight_layout(rect=(0, 0, 1 - 1.5 / figure.get_figwidth(), 1))
    figure.savefig(path, dpi=100)
    return path


def plot_xor(figure, path):
    """Draw the decision regions of a perceptron and two networks on XOR."""
    from sklearn.inspection import DecisionBoundaryDisplay

    from sknn import MLPNeuronClassifier, PerceptronClassifier

    X, y = make_xor(200, noise=0.2, random_state=SEED)
    models = {
        # In the data's order: its line settles across the plot, cutting off
        # one cluster, the most one line can do (shuffled, it may end far away).
        "perceptron": PerceptronClassifier(shuffle=False, random_state=SEED),
        "MLP (8,) identity": MLPNeuronClassifier(
            (8,), activation="identity", solver="lbfgs", random_state=SEED
        ),
        "MLP (8,) tanh": MLPNeuronClassifier(
            (8,), activation="tanh", solver="lbfgs", random_state=SEED
        ),
    }
    figure.set_size_inches(3.6 * len(models), 3.8)
    axes = figure.subplots(1, len(models), sharey=True)
    for ax, (name, model) in zip(axes, models.items()):
        model.fit(X, y)
        DecisionBoundaryDisplay.from_estimator(
            model,
            X,
            response_method="predict",
            cmap="coolwarm",
            alpha=0.35,
            ax=ax,
            grid_resolution=200,
        )
        ax.scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", s=12, edgecolor="k")
        if isinstance(model, PerceptronClassifier):
            _draw_neuron_line(ax, model.coef_[0], model.intercept_[0])
        ax.set_title(f"{name}: accuracy {model.score(X, y):.2f}")
        ax.set_xlabel("x1")
    axes[0].set_ylabel("x2")
    figure.suptitle("XOR: one neuron draws one line; a hidden layer bends it")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    return path


def _draw_neuron_line(ax, w, b):
    """Draw the line ``w · x + b = 0`` of one neuron across ``ax``'s view."""
    xlim, ylim = ax.get_xlim(), ax.get_ylim()
    if abs(w[1]) >= abs(w[0]):
        x1 = np.array(xlim)
        x2 = -(b + w[0] * x1) / w[1]
    else:
        x2 = np.array(ylim)
        x1 = -(b + w[1] * x2) / w[0]
    ax.plot(x1, x2, "k-", linewidth=2, label="its line, w·x + b = 0")
    ax.set(xlim=xlim, ylim=ylim)
    ax.legend(loc="upper center", fontsize="small")


# --- info ------------------------------------------------------------------


def info_lines():
    """Return the lines ``sknn info`` prints: versions, platform, the compiled
    kernels' build, BLAS."""
    import scipy
    import scipy.linalg  # noqa: F401  (loads scipy's BLAS so threadpoolctl sees it)
    import sklearn
    import threadpoolctl

    rows = [
        ("sknn", sknn.__version__),
        ("numpy", np.__version__),
        ("scipy", scipy.__version__),
        ("scikit-learn", sklearn.__version__),
        ("threadpoolctl", threadpoolctl.__version__),
        *((name, _optional_version(name, ONNX_EXTRA)) for name in ONNX_PACKAGES),
        ("Python", f"{platform.python_version()} ({platform.python_implementation()})"),
        ("platform", platform.platform()),
    ]
    rows.extend(("kernels", line) for line in compiled_kernels())
    pools = threadpoolctl.threadpool_info()
    blas = [p for p in pools if p.get("user_api") == "blas"]
    for pool in blas:
        rows.append(("BLAS", _describe_pool(pool)))
    if not blas:
        rows.append(("BLAS", "none found by threadpoolctl"))
    for pool in pools:
        if pool.get("user_api") != "blas":
            rows.append((pool.get("user_api", "threadpool"), _describe_pool(pool)))
    width = max(len(key) for key, _ in rows)
    return [f"{key.ljust(width)}  {value}" for key, value in rows]


def compiled_kernels():
    """Describe the compiled kernels: one line per build (compiler and Cython
    version, from each kernel's ``BUILD``), naming its modules."""
    from importlib import import_module
    from importlib.machinery import EXTENSION_SUFFIXES

    builds = {}
    for path in sorted(Path(sknn.__file__).parent.iterdir()):
        suffix = next((s for s in EXTENSION_SUFFIXES if path.name.endswith(s)), None)
        if suffix is not None:
            name = path.name[: -len(suffix)]
            build = getattr(import_module(f"sknn.{name}"), "BUILD", None)
            key = (
                "build unknown"
                if build is None
                else (f"{build['compiler']}, Cython {build['cython']}")
            )
            builds.setdefault(key, []).append(name)
    if not builds:
        return ["none found: sknn was not built"]
    return [f"{key} ({', '.join(names)})" for key, names in builds.items()]


ONNX_PACKAGES = ("skl2onnx", "onnxruntime")
"""The packages of the onnx extra, which ``sknn info`` reports."""


def _optional_version(module, extra):
    """The installed version of ``module``, or how to install it.

    Read from the package metadata, without importing the module (importing
    onnxruntime takes a while); the distribution is looked up by module name,
    so builds such as onnxruntime-gpu count as well.
    """
    if importlib.util.find_spec(module) is None:
        return f"not installed ({extra})"
    distributions = importlib.metadata.packages_distributions().get(module, [])
    for distribution in distributions:
        try:
            return importlib.metadata.version(distribution)
        except importlib.metadata.PackageNotFoundError:
            continue
    return "installed, version unknown"


def _describe_pool(pool):
    name = f"{pool.get('internal_api')} {pool.get('version') or ''}".rstrip()
    parts = [name, f"num_threads={pool.get('num_threads')}"]
    if pool.get("architecture"):
        parts.append(f"architecture={pool['architecture']}")
    # The parent folder (numpy.libs, scipy.libs, ...) tells whose copy this is.
    filepath = Path(pool.get("filepath", "?"))
    parts.append(f"{filepath.parent.name}/{filepath.name}")
    return ", ".join(parts)


# --- entry point -----------------------------------------------------------


def build_parser():
    """Return the argparse parser for ``sknn``."""
    parser = argparse.ArgumentParser(
        prog="sknn",
        description="sknn: scikit-learn-compatible neural networks on a numpy core.",
    )
    parser.add_argument("--version", action="version", version=sknn.__version__)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = commands.add_parser(
        "demo",
        help="train sknn and scikit-learn estimators on digits and diabetes and "
        "compare them",
        description=(
            "Train sknn's classifiers and their scikit-learn counterparts on one "
            "split of scikit-learn's bundled digits data, and the regressors on "
            "its diabetes data, and print test scores (accuracy, R²) and fit "
            "times side by side."
        ),
    )
    demo.add_argument(
        "--plots",
        metavar="DIR",
        help=(
            "also write PNG figures into DIR: activations, loss curves, training "
            f"diagnostics, XOR decision regions (needs matplotlib: {PLOT_EXTRA})"
        ),
    )
    # Fewer MLP epochs for the test suite; hidden, so users only see the real demo.
    demo.add_argument("--quick", action="store_true", help=argparse.SUPPRESS)
    commands.add_parser(
        "info",
        help="print versions, platform and BLAS details for bug reports",
        description="Print sknn's, its dependencies' and Python's versions, the "
        "platform, and the BLAS libraries in use with their thread counts.",
    )
    return parser


def main(argv=None):
    """Run the ``sknn`` command line and return its exit status.

    Parameters
    ----------
    argv : list of str, default=None
        The arguments without the program name; ``sys.argv[1:]`` when None.

    Returns
    -------
    int
        The process exit status.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "demo":
        return run_demo(plots=args.plots, quick=args.quick)
    if args.command == "info":
        print("\n".join(info_lines()))
        return 0
    parser.print_help()
    return 2
