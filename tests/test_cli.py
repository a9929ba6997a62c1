import contextlib
import importlib.metadata
import importlib.util
import io
import subprocess
import sys
import warnings
from types import SimpleNamespace

import numpy as np
import pytest
import scipy
import sklearn
from sklearn.exceptions import ConvergenceWarning

import sknn
from sknn import cli
from sknn.activations import ACTIVATIONS

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

# Every estimator sknn exports gets demo rows, each beside its scikit-learn peer.
EXPECTED_MODELS = {
    "sklearn.Perceptron": ["step"],
    **(
        {"sknn.PerceptronClassifier": list(cli.PERCEPTRON_ACTIVATIONS)}
        if hasattr(sknn, "PerceptronClassifier")
        else {}
    ),
    **(
        {
            "sknn.MLPNeuronClassifier": list(cli.MLP_ACTIVATIONS),
            "sklearn.MLPClassifier": [
                a for a in cli.MLP_ACTIVATIONS if a in cli.SKLEARN_MLP_ACTIVATIONS
            ],
        }
        if hasattr(sknn, "MLPNeuronClassifier")
        else {}
    ),
}


def parse_table(text):
    """Return {(model, activation): (accuracy, seconds)} from the demo's output."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("-----"))
    table = {}
    for line in lines[start + 1 :]:
        if not line.strip() or line.startswith("wrote "):
            break
        model, activation, accuracy, seconds = line.split(maxsplit=3)
        table[model, activation] = (float(accuracy), float(seconds))
    return table


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    """Run the quick demo with plots once; the tests below read its results."""
    plots = tmp_path_factory.mktemp("plots")
    out, err = io.StringIO(), io.StringIO()
    with (
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
        warnings.catch_warnings(record=True) as caught,
    ):
        warnings.simplefilter("always")
        status = cli.main(["demo", "--quick", "--plots", str(plots)])
    return status, out.getvalue(), err.getvalue(), plots, caught


def test_demo_exits_zero_without_convergence_warnings(demo_run):
    status, out, err, _, caught = demo_run
    assert status == 0, err
    assert not [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert "digits" in out


def test_demo_table_has_a_row_per_estimator_and_activation(demo_run):
    table = parse_table(demo_run[1])
    expected = {(m, a) for m, acts in EXPECTED_MODELS.items() for a in acts}
    assert set(table) == expected
    for accuracy, seconds in table.values():
        assert 0.0 <= accuracy <= 1.0
        assert seconds >= 0.0


def test_demo_accuracies_are_sensible_on_digits(demo_run):
    table = parse_table(demo_run[1])
    for (model, activation), (accuracy, _) in table.items():
        floor = 0.85 if "MLP" in model or activation == "step" else 0.75
        assert accuracy > floor, (model, activation, accuracy)


def test_demo_puts_sklearn_beside_sknn(demo_run):
    models = [model for model, _ in parse_table(demo_run[1])]
    for ours, theirs in [
        ("sknn.PerceptronClassifier", "sklearn.Perceptron"),
        ("sknn.MLPNeuronClassifier", "sklearn.MLPClassifier"),
    ]:
        if ours in models:
            first = models.index(ours)
            assert models[first + 1] == theirs


def test_demo_plots_are_written_and_reported(demo_run):
    _, out, _, plots, _ = demo_run
    names = [
        "activations.png",
        "loss_curves.png",
        "solvers.png",
        "diagnostics.png",
        "remedies.png",
        "xor.png",
    ]
    assert sorted(p.name for p in plots.iterdir()) == sorted(names)
    for name in names:
        path = plots / name
        data = path.read_bytes()
        assert data.startswith(PNG_MAGIC) and len(data) > 10_000
        assert f"wrote {path}" in out


def test_activation_figure_has_one_titled_panel_per_activation(tmp_path):
    new_figure = cli._agg_figure()
    figure = new_figure()
    cli.plot_activations(figure, tmp_path / "a.png")
    panels = [ax for ax in figure.axes if ax.get_visible()]
    titles = [ax.get_title().split()[0] for ax in panels]
    assert titles == list(ACTIVATIONS)
    for ax in panels:
        styles = [line.get_linestyle() for line in ax.get_lines()]
        assert "-" in styles and "--" in styles  # f solid, f' dashed
        # no curve is cut off by the panel's limits (identity reaches -4)
        low, high = ax.get_ylim()
        for line in ax.get_lines()[:2]:  # f and f' (then the axes at 0)
            assert low < line.get_ydata().min() and line.get_ydata().max() < high
    # leaky_relu drawn with a slope that shows: its left half is not relu's
    panel = {title: ax for title, ax in zip(titles, panels)}
    leaky = panel["leaky_relu"].get_lines()[0].get_ydata()
    relu = panel["relu"].get_lines()[0].get_ydata()
    assert relu[0] == 0 and leaky[0] <= -0.4
    assert "negative_slope=0.1" in panel["leaky_relu"].get_title()


def test_loss_curve_figure_keeps_relu_visible_under_leaky_relu(tmp_path):
    # leaky_relu at its default slope trains as relu does: equal curves
    curve = np.geomspace(2.0, 0.1, 40)
    results = [
        cli.DemoResult(
            cli.DemoRow(model, activation, None),
            estimator=SimpleNamespace(loss_curve_=curve, validation_scores_=None),
        )
        for model, activation in [
            ("sknn.MLPNeuronClassifier", "relu"),
            ("sklearn.MLPClassifier", "relu"),
            ("sknn.MLPNeuronClassifier", "leaky_relu"),
        ]
    ]
    figure = cli._agg_figure()()
    cli.plot_loss_curves(figure, results, tmp_path / "l.png")
    relu, _, leaky = figure.axes[0].get_lines()
    assert relu.get_marker() != leaky.get_marker()
    assert relu.get_markevery() != leaky.get_markevery()
    # the leaky line is thinner than relu's band, which shows around it
    assert leaky.get_linewidth() < relu.get_linewidth()
    assert leaky.get_linestyle() != relu.get_linestyle()


@pytest.fixture(scope="module")
def digits_train():
    X_train, _, y_train, _ = cli.load_split()
    return X_train, y_train


def test_solver_figure_compares_the_solvers_loss_curves(tmp_path, digits_train):
    figure = cli._agg_figure()()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        cli.plot_solvers(figure, *digits_train, tmp_path / "s.png", quick=True)
    (ax,) = figure.axes
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == list(cli.SOLVERS)
    final = {line.get_label(): line.get_ydata()[-1] for line in lines}
    assert all(len(line.get_ydata()) == 15 for line in lines)
    # momentum helps plain sgd, and adam goes lower still
    assert (
        final["adam"] < final["sgd, Nesterov momentum 0.9"] < final["sgd, no momentum"]
    )


def test_diagnostics_figure_shows_vanishing_logistic_gradients(tmp_path, digits_train):
    figure = cli._agg_figure()()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        cli.plot_diagnostics(figure, *digits_train, tmp_path / "d.png", quick=True)
    panels = figure.axes[:8]
    assert [ax.get_title() for ax in panels[:4]] == [
        "grad rms",
        "activation std",
        "saturated fraction",
        "dead fraction",
    ]
    assert "logistic" in panels[0].get_ylabel() and "relu" in panels[4].get_ylabel()

    def first_to_last(ax):
        lines = ax.get_lines()
        assert len(lines) == len(cli.DEEP_LAYERS) + 1  # one per layer
        return lines[0].get_ydata()[0] / lines[-1].get_ydata()[0]

    assert first_to_last(panels[0]) < 1e-3  # logistic
    assert first_to_last(panels[4]) > 1e-2  # relu
    assert (tmp_path / "d.png").read_bytes().startswith(PNG_MAGIC)


def test_remedies_figure_shows_he_dropout_and_early_stopping(tmp_path, digits_train):
    figure = cli._agg_figure()()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        cli.plot_remedies(figure, *digits_train, tmp_path / "r.png", quick=True)
    ax_grad, ax_drop, ax_stop = figure.axes

    # left: the first epoch's gradient per weight matrix, one line per init
    grad = {line.get_label(): line.get_ydata() for line in ax_grad.get_lines()}
    assert list(grad) == list(cli.REMEDY_INITS)
    glorot, he = grad["glorot_uniform"], grad["he_uniform"]
    assert len(glorot) == len(he) == 11  # ten hidden layers and the output
    # the last hidden layer's gradient over the first's (3 seeds: 2.3-4.6, 1.3-1.5)
    assert glorot[-2] / glorot[0] > 2.5
    assert he[-2] / he[0] < 1.8
    assert he[0] > 10 * glorot[0]

    # middle: training and held-out accuracy per dropout rate, in that order
    heights = np.array([bar.get_height() for bar in ax_drop.patches])
    (train_0, test_0), (train_5, test_5) = heights.reshape(len(cli.DROPOUT_RATES), 2)
    assert train_0 - test_0 > (train_5 - test_5) + 0.03  # a narrower gap
    assert test_5 > test_0
    labels = [tick.get_text() for tick in ax_drop.get_xticklabels()]
    assert labels == ["dropout=0.0", "dropout=0.5"]

    # right: the star marks the lowest validation loss, and the fit stopped
    # n_iter_no_change + 1 epochs after it without reaching max_iter
    lines = {line.get_label(): line for line in ax_stop.get_lines()}
    validation = lines["validation loss"].get_ydata()
    training = lines["training loss"].get_ydata()
    (star_x,), (star_y,) = lines["weights kept"].get_data()
    assert len(validation) == len(training) < 200
    assert star_y == validation.min() and star_x == np.argmin(validation) + 1
    assert lines["stopped"].get_xdata()[0] == len(validation) == star_x + 11
    assert training[-1] < training[int(star_x) - 1]  # still falling: overfitting
    assert (tmp_path / "r.png").read_bytes().startswith(PNG_MAGIC)


def test_xor_figure_shows_the_perceptron_fail_and_a_hidden_layer_succeed(tmp_path):
    figure = cli._agg_figure()()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        cli.plot_xor(figure, tmp_path / "x.png")
    panels = [ax for ax in figure.axes if ax.get_title()]
    accuracy = {
        ax.get_title().split(":")[0]: float(ax.get_title().split()[-1]) for ax in panels
    }
    assert accuracy["perceptron"] < 0.8
    assert accuracy["MLP (8,) identity"] < 0.8
    assert accuracy["MLP (8,) tanh"] > 0.95
    for ax in panels:
        assert ax.collections  # the decision regions and the points
    # the perceptron's one line crosses its panel, and leaves XOR points of
    # both classes on one side: no line separates them
    (line,) = panels[0].get_lines()
    assert "w·x + b = 0" in line.get_label()
    (x0, x1), (y0, y1) = panels[0].get_xlim(), panels[0].get_ylim()
    (ax_, bx), (ay, by) = line.get_data()
    t = np.linspace(0, 1, 101)
    xs, ys = ax_ + t * (bx - ax_), ay + t * (by - ay)
    assert ((xs > x0) & (xs < x1) & (ys > y0) & (ys < y1)).sum() > 10
    (points,) = [c for c in panels[0].collections if len(c.get_offsets()) == 200]
    xy, labels = points.get_offsets(), points.get_array()
    side = (xy[:, 0] - ax_) * (by - ay) - (xy[:, 1] - ay) * (bx - ax_) > 0
    assert side.any() and not side.all()
    assert max(len(set(labels[side == s])) for s in (True, False)) == 2


def hide_matplotlib(monkeypatch):
    # A None entry in sys.modules makes `import` raise ImportError, as if the
    # package were not installed.
    for name in [m for m in sys.modules if m.split(".")[0] == "matplotlib"]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "matplotlib", None)


def test_plots_without_matplotlib_say_how_to_install(monkeypatch, capsys, tmp_path):
    hide_matplotlib(monkeypatch)
    monkeypatch.setattr(cli, "mlp_rows", lambda quick: [])  # keep this test fast
    status = cli.main(["demo", "--quick", "--plots", str(tmp_path / "figs")])
    out, err = capsys.readouterr()
    assert status == 1
    assert 'pip install "sknn[plot]"' in err
    assert ("sklearn.Perceptron", "step") in parse_table(out)  # the table still prints
    assert not (tmp_path / "figs").exists()


def test_a_failing_row_is_reported_and_fails_the_exit_status(monkeypatch, capsys):
    def broken():
        raise RuntimeError("cannot build")

    rows = [cli.DemoRow("broken.Model", "relu", broken)]
    monkeypatch.setattr(cli, "perceptron_rows", lambda: rows)
    monkeypatch.setattr(cli, "mlp_rows", lambda quick: [])
    assert cli.main(["demo"]) == 1
    out = capsys.readouterr().out
    assert "broken.Model" in out and "RuntimeError: cannot build" in out


def test_demo_defaults_are_the_real_demo():
    assert cli.build_parser().parse_args(["demo"]).quick is False
    assert cli._mlp_settings(quick=False) == {
        "hidden_layer_sizes": (64,),
        "max_iter": 200,
        "random_state": 0,
    }


def test_info_prints_versions_and_blas(capsys):
    assert cli.main(["info"]) == 0
    out = capsys.readouterr().out
    for name, version in [
        ("sknn", sknn.__version__),
        ("numpy", np.__version__),
        ("scipy", scipy.__version__),
        ("scikit-learn", sklearn.__version__),
        ("Python", ".".join(map(str, sys.version_info[:3]))),
    ]:
        line = next(line for line in out.splitlines() if line.split()[0] == name)
        assert version in line
    blas = [line for line in out.splitlines() if line.startswith("BLAS")]
    assert blas and all("num_threads=" in line for line in blas)


@pytest.mark.parametrize("module", cli.ONNX_PACKAGES)
def test_info_reports_the_onnx_extra(module, capsys, monkeypatch):
    assert cli.main(["info"]) == 0
    line = next(
        line for line in capsys.readouterr().out.splitlines() if line.startswith(module)
    )
    try:
        version = importlib.metadata.version(module)
    except importlib.metadata.PackageNotFoundError:
        assert 'not installed (pip install "sknn[onnx]")' in line
    else:
        assert line.split()[1] == version

    find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *args: None if name == module else find_spec(name, *args),
    )
    assert cli.main(["info"]) == 0
    line = next(
        line for line in capsys.readouterr().out.splitlines() if line.startswith(module)
    )
    assert line.split(maxsplit=1)[1] == 'not installed (pip install "sknn[onnx]")'


def test_no_command_prints_help_and_fails(capsys):
    assert cli.main([]) == 2
    out = capsys.readouterr().out
    assert "demo" in out and "info" in out


def test_help_exits_zero(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--help"])
    assert exit_info.value.code == 0
    assert "--plots" not in capsys.readouterr().out  # that is demo's option
    with pytest.raises(SystemExit):
        cli.main(["demo", "--help"])
    out = capsys.readouterr().out
    assert "--plots" in out and "--quick" not in out


def test_python_dash_m_sknn_info_exits_zero():
    completed = subprocess.run(
        [sys.executable, "-m", "sknn", "info"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("sknn ")
    assert sklearn.__version__ in completed.stdout
