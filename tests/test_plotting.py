import sys
from types import SimpleNamespace

import numpy as np
import pytest
from numpy.testing import assert_array_equal

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from sknn import MLPNeuronClassifier, MLPNeuronRegressor  # noqa: E402
from sknn.activations import get_activation  # noqa: E402
from sknn.datasets import make_xor  # noqa: E402
from sknn.plotting import (  # noqa: E402
    ActivationDisplay,
    DiagnosticsDisplay,
    LossCurveDisplay,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_activation_panels_draw_function_and_derivative():
    display = ActivationDisplay.from_name(["relu", "tanh", "logistic"], z_range=(-2, 2))
    assert len(display.ax_) == 3
    assert [ax.get_title() for ax in display.ax_] == ["relu", "tanh", "logistic"]
    line, d_line = display.lines_["tanh"]
    z = line.get_xdata()
    assert z[0] == -2 and z[-1] == 2
    np.testing.assert_allclose(line.get_ydata(), np.tanh(z))
    np.testing.assert_allclose(d_line.get_ydata(), 1 - np.tanh(z) ** 2)


def test_activation_overlay_on_a_given_axes():
    _, ax = plt.subplots()
    display = ActivationDisplay.from_name(
        ["leaky_relu", "elu"], overlay=True, derivative=False, ax=ax, negative_slope=0.2
    )
    assert display.ax_[0] is ax and display.figure_ is ax.figure
    assert display.lines_["elu"][1] is None
    line = display.lines_["leaky_relu"][0]
    expected = get_activation("leaky_relu", negative_slope=0.2).forward(
        line.get_xdata()
    )
    np.testing.assert_allclose(line.get_ydata(), expected)
    assert {t.get_text() for t in ax.get_legend().get_texts()} == {"leaky_relu", "elu"}


def test_activation_rejects_wrong_number_of_axes():
    _, axes = plt.subplots(1, 2)
    with pytest.raises(ValueError, match="Expected 3 axes"):
        ActivationDisplay.from_name(["relu", "tanh", "elu"], ax=axes)


def test_loss_curves_of_several_estimators_with_validation_scores():
    first = SimpleNamespace(
        loss_curve_=[1.0, 0.6, 0.4], validation_scores_=[0.5, 0.7, 0.8]
    )
    second = SimpleNamespace(loss_curve_=[1.2, 0.9], validation_scores_=None)
    _, ax = plt.subplots()
    display = LossCurveDisplay.from_estimator([first, second], labels=["a", "b"], ax=ax)
    assert display.ax_ is ax
    assert [line.get_label() for line in display.lines_] == ["a", "b"]
    np.testing.assert_array_equal(display.lines_[1].get_ydata(), [1.2, 0.9])
    np.testing.assert_array_equal(display.lines_[0].get_xdata(), [1, 2, 3])
    assert len(display.score_lines_) == 1
    np.testing.assert_array_equal(display.score_lines_[0].get_ydata(), [0.5, 0.7, 0.8])


def test_loss_curve_draws_the_validation_loss_dashed_beside_the_training_loss():
    first = SimpleNamespace(
        loss_curve_=[1.0, 0.6, 0.4],
        validation_scores_=[0.5, 0.7, 0.8],
        validation_loss_curve_=[1.1, 0.8, 0.7],
    )
    second = SimpleNamespace(loss_curve_=[1.2, 0.9], validation_scores_=None)
    display = LossCurveDisplay.from_estimator([first, second], labels=["a", "b"])
    (dashed,) = display.validation_loss_lines_
    assert dashed.axes is display.ax_ and dashed.get_linestyle() == "--"
    assert dashed.get_color() == display.lines_[0].get_color()
    np.testing.assert_array_equal(dashed.get_ydata(), [1.1, 0.8, 0.7])
    assert "validation (dashed)" in display.ax_.get_ylabel()
    # the legend names the estimators, one entry each
    assert [t.get_text() for t in display.legend_.get_texts()] == ["a", "b"]


def test_loss_curve_of_a_real_fit_with_validation_data():
    X, y = make_xor(200, random_state=0)
    clf = MLPNeuronClassifier((8,), early_stopping=True, max_iter=5, random_state=0)
    with pytest.warns(Warning):
        clf.fit(X[:150], y[:150], X_val=X[150:], y_val=y[150:])
    display = LossCurveDisplay.from_estimator(clf)
    np.testing.assert_array_equal(
        display.validation_loss_lines_[0].get_ydata(), clf.validation_loss_curve_
    )


def test_loss_curve_needs_a_fitted_stochastic_estimator():
    with pytest.raises(ValueError, match="loss_curve_"):
        LossCurveDisplay.from_estimator(SimpleNamespace(loss_curve_=None))


def test_missing_matplotlib_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"sknn\[plot\]"):
        ActivationDisplay.from_name("relu")


# -- DiagnosticsDisplay ------------------------------------------------------------


@pytest.fixture(scope="module")
def diagnosed():
    X, y = make_xor(120, random_state=0)
    return MLPNeuronClassifier(
        (6, 4),
        activation=["tanh", "relu"],
        solver="lbfgs",
        max_iter=30,
        diagnostics=True,
        random_state=0,
    ).fit(X, y)


def test_diagnostics_one_panel_per_key_one_line_per_layer(diagnosed):
    display = DiagnosticsDisplay.from_estimator(diagnosed)
    keys = list(diagnosed.diagnostics_)
    assert list(display.lines_) == keys
    assert [ax.get_title() for ax in display.ax_] == [k.replace("_", " ") for k in keys]
    grad_lines = display.lines_["grad_rms"]
    assert [line.get_label() for line in grad_lines] == [
        "hidden 1 (6 tanh)",
        "hidden 2 (4 relu)",
        "output",
    ]
    n_epochs = diagnosed.n_iter_
    for key, lines in display.lines_.items():
        expected = diagnosed.diagnostics_[key]
        # the output layer has no hidden-layer statistics, so no line
        assert len(lines) == (3 if key == "grad_rms" else 2)
        for i, line in enumerate(lines):
            assert_array_equal(line.get_xdata(), np.arange(1, n_epochs + 1))
            assert_array_equal(line.get_ydata(), expected[:, i])
    assert display.ax_[0].get_yscale() == "log"
    assert display.ax_[keys.index("dead_fraction")].get_ylim()[1] == 1.03


def test_diagnostics_on_given_axes_with_chosen_keys(diagnosed):
    figure, axes = plt.subplots(1, 2)
    display = DiagnosticsDisplay.from_estimator(
        diagnosed, keys=["activation_std", "grad_rms"], ax=axes
    )
    assert display.figure_ is figure
    assert list(display.ax_) == list(axes)
    assert list(display.lines_) == ["activation_std", "grad_rms"]
    assert axes[0].get_lines() == display.lines_["activation_std"]
    assert_array_equal(
        axes[1].get_lines()[2].get_ydata(), diagnosed.diagnostics_["grad_rms"][:, 2]
    )


def test_diagnostics_of_any_object_with_diagnostics_(diagnosed):
    recorded = {"grad_rms": np.array([[1.0, 2.0], [0.5, 1.5]])}
    display = DiagnosticsDisplay.from_estimator(SimpleNamespace(diagnostics_=recorded))
    assert [line.get_label() for line in display.lines_["grad_rms"]] == [
        "layer 1",
        "layer 2",
    ]
    assert_array_equal(display.lines_["grad_rms"][1].get_ydata(), [2.0, 1.5])


def test_diagnostics_errors_say_what_to_do(diagnosed):
    with pytest.raises(ValueError, match="diagnostics=True"):
        DiagnosticsDisplay.from_estimator(MLPNeuronClassifier())
    with pytest.raises(ValueError, match="Unknown diagnostics.*grad_norm"):
        DiagnosticsDisplay.from_estimator(diagnosed, keys="grad_norm")
    _, axes = plt.subplots(1, 2)
    with pytest.raises(ValueError, match="Expected 5 axes"):
        DiagnosticsDisplay.from_estimator(diagnosed, ax=axes)


# -- layouts and legends that show their point --------------------------------------


def test_diagnostics_fill_a_grid_with_a_legend_cell(diagnosed):
    display = DiagnosticsDisplay.from_estimator(diagnosed)
    figure = display.figure_
    assert len(display.ax_) == 5
    # five panels and the legend fill a 2 x 3 grid: no empty cell
    assert len(figure.axes) == 6 and all(ax.get_visible() for ax in figure.axes)
    assert {ax.get_subplotspec().get_geometry()[:2] for ax in figure.axes} == {(2, 3)}
    (legend_ax,) = [ax for ax in figure.axes if ax not in list(display.ax_)]
    assert display.legend_.axes is legend_ax and not legend_ax.get_lines()
    assert [t.get_text() for t in display.legend_.get_texts()] == [
        "hidden 1 (6 tanh)",
        "hidden 2 (4 relu)",
        "output",
    ]
    assert all(ax.get_legend() is None for ax in display.ax_)


def test_diagnostics_layers_differ_in_style_and_zero_panels_say_so():
    zeros = np.zeros((6, 4))
    recorded = {
        "grad_rms": np.linspace(1, 2, 24).reshape(6, 4),
        "dead_fraction": zeros,
    }
    display = DiagnosticsDisplay.from_estimator(SimpleNamespace(diagnostics_=recorded))
    for lines in display.lines_.values():
        styles = {(ln.get_color(), ln.get_linestyle(), ln.get_marker()) for ln in lines}
        assert len(styles) == len(lines) == 4
        # coinciding lines show their markers at different epochs
        assert len({str(ln.get_markevery()) for ln in lines}) > 1
    assert list(display.notes_) == ["dead_fraction"]
    note = display.notes_["dead_fraction"]
    assert note.axes is display.ax_[1] and "0 in every layer" in note.get_text()


def test_diagnostics_legend_beside_given_axes(diagnosed):
    figure, axes = plt.subplots(1, 2, figsize=(8, 3))
    display = DiagnosticsDisplay.from_estimator(
        diagnosed, keys=["grad_rms", "dead_fraction"], ax=axes
    )
    figure.canvas.draw()
    legend_box = display.legend_.get_window_extent()
    assert legend_box.x0 >= axes[1].get_window_extent().x1


def test_loss_curve_legend_covers_no_validation_curve():
    # The losses fall from top left to bottom right, so matplotlib's 'best'
    # on their axes is the upper right: where the validation scores rise to.
    rising = np.linspace(0.1, 0.95, 30)
    fitted = [
        SimpleNamespace(
            loss_curve_=np.geomspace(2, 0.05, 30), validation_scores_=rising
        ),
        SimpleNamespace(
            loss_curve_=np.geomspace(2.2, 0.06, 30), validation_scores_=rising
        ),
    ]
    display = LossCurveDisplay.from_estimator(fitted, labels=["first", "second"])
    display.figure_.canvas.draw()
    box = display.legend_.get_window_extent()
    for line in [*display.lines_, *display.score_lines_]:
        xy = line.get_transform().transform(line.get_xydata())
        assert box.count_contains(xy) == 0, line


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_loss_curve_of_lbfgs_and_what_is_missing():
    X, y = make_xor(80, random_state=0)
    lbfgs = MLPNeuronClassifier((4,), solver="lbfgs", max_iter=15, random_state=0)
    display = LossCurveDisplay.from_estimator(lbfgs.fit(X, y))
    assert len(display.lines_[0].get_ydata()) == lbfgs.n_iter_
    with pytest.raises(ValueError, match="not fitted: call fit"):
        LossCurveDisplay.from_estimator(MLPNeuronClassifier())
    from sklearn.neural_network import MLPClassifier

    theirs = MLPClassifier((4,), solver="lbfgs", max_iter=15).fit(X, y)
    with pytest.raises(ValueError, match="fitted but recorded no loss_curve_") as info:
        LossCurveDisplay.from_estimator(theirs)
    assert "fit it first" not in str(info.value)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_diagnostics_name_activation_objects_by_name():
    X, y = make_xor(60, random_state=0)
    leaky = get_activation("leaky_relu", negative_slope=0.1)
    clf = MLPNeuronClassifier(
        (3, 2),
        activation=[leaky, "tanh"],
        solver="lbfgs",
        max_iter=5,
        diagnostics=True,
        random_state=0,
    ).fit(X, y)
    display = DiagnosticsDisplay.from_estimator(clf, keys="grad_rms")
    assert [t.get_text() for t in display.legend_.get_texts()] == [
        "hidden 1 (3 leaky_relu)",
        "hidden 2 (2 tanh)",
        "output",
    ]


# -- the regressor -----------------------------------------------------------------

# The fits below run a fixed, small number of epochs on purpose.
fixed_epochs = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning"
)


@pytest.fixture(scope="module")
def curve():
    rng = np.random.RandomState(0)
    X = rng.uniform(-3, 3, (300, 1))
    return X, np.sin(X[:, 0]) + 1.5


def fit_regressor(X, y, **params):
    settings = dict(hidden_layer_sizes=(8,), max_iter=15, tol=0.0, random_state=0)
    return MLPNeuronRegressor(**{**settings, **params}).fit(X, y)


@fixed_epochs
def test_loss_curve_of_a_regressor_names_its_loss_and_r2(curve):
    regressor = fit_regressor(*curve, early_stopping=True)
    display = LossCurveDisplay.from_estimator(regressor)
    assert display.ax_.get_ylabel() == (
        "training (solid) and validation (dashed) loss (squared_error)"
    )
    assert display.score_ax_.get_ylabel() == "validation R² (dotted)"
    assert_array_equal(display.lines_[0].get_ydata(), regressor.loss_curve_)
    assert_array_equal(
        display.score_lines_[0].get_ydata(), regressor.validation_scores_
    )
    assert display.lines_[0].get_label() == "adam relu"


@fixed_epochs
def test_loss_curves_of_two_losses_name_both(curve):
    estimators = [fit_regressor(*curve), fit_regressor(*curve, loss="poisson")]
    display = LossCurveDisplay.from_estimator(estimators, labels=["squared", "poisson"])
    assert display.ax_.get_ylabel() == "training loss (squared_error, poisson)"
    assert display.score_ax_ is None
    for line, estimator in zip(display.lines_, estimators):
        assert_array_equal(line.get_ydata(), estimator.loss_curve_)


@fixed_epochs
def test_validation_axis_names_the_scoring(curve):
    X, y = curve
    by_error = fit_regressor(
        X, y, early_stopping=True, scoring="neg_mean_absolute_error"
    )
    by_loss = fit_regressor(X, y, early_stopping=True, scoring="loss")
    display = LossCurveDisplay.from_estimator(by_error)
    assert display.score_ax_.get_ylabel() == (
        "validation neg_mean_absolute_error (dotted)"
    )
    display = LossCurveDisplay.from_estimator(by_loss)
    assert display.score_ax_.get_ylabel() == "validation negative loss (dotted)"
    assert max(by_loss.validation_scores_) < 0  # a loss, negated


@fixed_epochs
def test_loss_curve_of_a_classifier_names_log_loss_and_accuracy():
    X, y = make_xor(120, random_state=0)
    clf = MLPNeuronClassifier(
        (6,), max_iter=5, tol=0.0, early_stopping=True, random_state=0
    ).fit(X, y)
    display = LossCurveDisplay.from_estimator(clf)
    assert display.ax_.get_ylabel() == (
        "training (solid) and validation (dashed) loss (log_loss)"
    )
    assert display.score_ax_.get_ylabel() == "validation accuracy (dotted)"


def test_loss_curve_of_a_plain_object_names_nothing():
    fitted = SimpleNamespace(loss_curve_=[1.0, 0.5], validation_scores_=[0.1, 0.2])
    display = LossCurveDisplay.from_estimator(fitted)
    assert display.ax_.get_ylabel() == "training loss"
    assert display.score_ax_.get_ylabel() == "validation score (dotted)"


@fixed_epochs
def test_diagnostics_of_a_multi_output_poisson_regressor(curve):
    X, y = curve
    Y = np.column_stack([y, 2 * y])
    regressor = fit_regressor(
        X, Y, hidden_layer_sizes=(5, 3), loss="poisson", diagnostics=True
    )
    display = DiagnosticsDisplay.from_estimator(regressor)
    grad_lines = display.lines_["grad_rms"]
    assert [line.get_label() for line in grad_lines] == [
        "hidden 1 (5 relu)",
        "hidden 2 (3 relu)",
        "output",
    ]
    for i, line in enumerate(grad_lines):
        assert_array_equal(line.get_xdata(), np.arange(1, regressor.n_iter_ + 1))
        assert_array_equal(line.get_ydata(), regressor.diagnostics_["grad_rms"][:, i])
    assert len(display.lines_["dead_fraction"]) == 2  # hidden layers only
