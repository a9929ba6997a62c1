import sys
from types import SimpleNamespace

import numpy as np
import pytest
from numpy.testing import assert_array_equal

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from sknn import MLPNeuronClassifier  # noqa: E402
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
