"""The README tells the truth: its demo table is what ``python -m sknn demo`` prints.

Timings vary from run to run, and the perceptron's accuracies move whenever
its training does; so the tests check the table's format (the header, the
rows and their order, the columns and number formats) against the demo's own
printing functions, and the one accuracy no change in sknn can move:
scikit-learn's Perceptron's.
"""

import re
from pathlib import Path

import pytest

from sknn import cli

README = Path(__file__).resolve().parents[1] / "README.md"


def demo_block():
    """The demo's output as the README quotes it."""
    section = README.read_text(encoding="utf-8").split("## The demo", 1)[1]
    return section.split("```text\n", 1)[1].split("```", 1)[0]


def table_rows(block):
    """The table's data rows: (model, activation, accuracy, seconds) strings."""
    lines = block.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("-----"))
    return [line.split() for line in lines[start + 1 :] if line.strip()]


@pytest.fixture(scope="module")
def split():
    return cli.load_split()


def test_readme_header_is_the_demos(split):
    X_train, X_test, y_train, _ = split
    rows = cli.perceptron_rows() + cli.mlp_rows(quick=False)
    header = cli._describe(X_train, X_test, y_train, False, rows)
    assert demo_block().startswith(header)


def test_readme_table_has_the_demos_rows_and_format(split):
    block = demo_block()
    quoted = table_rows(block)
    rows = cli.perceptron_rows() + cli.mlp_rows(quick=False)
    assert [(model, activation) for model, activation, *_ in quoted] == [
        (row.model, row.activation) for row in rows
    ]
    for _, _, accuracy, seconds in quoted:
        assert re.fullmatch(r"[01]\.\d{4}", accuracy)
        assert re.fullmatch(r"\d+\.\d{3}", seconds)
    # Printed again by the demo's own function, the quoted numbers give the
    # quoted table, character for character.
    results = [
        cli.DemoResult(row, accuracy=float(acc), seconds=float(sec))
        for row, (_, _, acc, sec) in zip(rows, quoted)
    ]
    table = cli.format_table(results)
    assert table in block


def test_readme_quotes_sklearns_perceptron_accuracy(split):
    quoted = {(model, act): acc for model, act, acc, _ in table_rows(demo_block())}
    (row,) = [r for r in cli.perceptron_rows() if r.model == "sklearn.Perceptron"]
    result = cli.fit_and_score(row, *split)
    assert f"{result.accuracy:.4f}" == quoted["sklearn.Perceptron", "step"]
