"""The command line: parsing, dispatch, help and ``python -m sknn``."""

import subprocess
import sys

import pytest
import sklearn

from sknn import _demo, cli
from sknn._info import info_lines

# The command line trains the demo's networks and reads the installation.
pytestmark = pytest.mark.slow


def test_demo_runs_the_demo_and_returns_its_status(monkeypatch, capsys):
    def broken():
        raise RuntimeError("cannot build")

    rows = [_demo.DemoRow("broken.Model", "relu", broken)]
    monkeypatch.setattr(_demo, "perceptron_rows", lambda: rows)
    monkeypatch.setattr(_demo, "mlp_rows", lambda quick: [])
    monkeypatch.setattr(_demo, "regression_rows", lambda: [])
    assert cli.main(["demo"]) == 1
    assert "broken.Model" in capsys.readouterr().out


def test_demo_defaults_to_the_real_demo():
    assert cli.build_parser().parse_args(["demo"]).quick is False
    assert cli.build_parser().parse_args(["demo", "--quick"]).quick is True


def test_info_prints_the_info_lines(capsys):
    assert cli.main(["info"]) == 0
    assert capsys.readouterr().out == "\n".join(info_lines()) + "\n"


def test_no_command_prints_help_and_fails(capsys):
    assert cli.main([]) == 2
    out = capsys.readouterr().out
    assert "demo" in out and "info" in out


def test_help_exits_zero(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--help"])
    assert exit_info.value.code == 0
    assert "--quick" not in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["demo", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "diabetes" in out and "--quick" not in out  # the test suite's option


def test_demo_has_no_plots_option(capsys):
    # The figures are the gallery's (examples/plot_*.py), not the command's.
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["demo", "--plots", "figures"])
    assert exit_info.value.code == 2
    assert "unrecognized arguments: --plots" in capsys.readouterr().err


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
