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

from sknn import _demo as demo

README = Path(__file__).resolve().parents[1] / "README.md"


def demo_block():
    """The demo's output as the README quotes it."""
    section = README.read_text(encoding="utf-8").split("## The demo", 1)[1]
    return section.split("```text\n", 1)[1].split("```", 1)[0]


def tables(block):
    """Each table's data rows, as (model, activation, score, seconds) strings."""
    found, rows = [], None
    for line in block.splitlines():
        if line.startswith("-----"):
            rows = []
            found.append(rows)
        elif not line.strip():
            rows = None
        elif rows is not None:
            rows.append(line.split())
    return found


def table_rows(block):
    """The classification table's data rows."""
    return tables(block)[0]


@pytest.fixture(scope="module")
def split():
    return demo.load_split()


def test_readme_header_is_the_demos(split):
    X_train, X_test, y_train, _ = split
    header = demo._describe(X_train, X_test, y_train, False)
    assert demo_block().startswith(header)


@pytest.mark.parametrize(
    "which, make_rows, score",
    [
        (
            0,
            lambda: demo.perceptron_rows() + demo.mlp_rows(quick=False),
            "test accuracy",
        ),
        (1, demo.regression_rows, "test R²"),
    ],
    ids=["classification", "regression"],
)
def test_readme_table_has_the_demos_rows_and_format(which, make_rows, score):
    block = demo_block()
    quoted = tables(block)[which]
    rows = make_rows()
    assert [(model, activation) for model, activation, *_ in quoted] == [
        (row.model, row.activation) for row in rows
    ]
    for _, _, value, seconds in quoted:
        assert re.fullmatch(r"-?[01]\.\d{4}", value)
        assert re.fullmatch(r"\d+\.\d{3}", seconds)
    # Printed again by the demo's own function, the quoted numbers give the
    # quoted table, character for character.
    results = [
        demo.DemoResult(row, score=float(value), seconds=float(sec))
        for row, (_, _, value, sec) in zip(rows, quoted)
    ]
    assert demo.format_table(results, score=score) in block


def test_readme_quotes_sklearns_perceptron_accuracy(split):
    quoted = {(model, act): acc for model, act, acc, _ in table_rows(demo_block())}
    (row,) = [r for r in demo.perceptron_rows() if r.model == "sklearn.Perceptron"]
    result = demo.fit_and_score(row, *split)
    assert f"{result.score:.4f}" == quoted["sklearn.Perceptron", "step"]


def test_readme_figures_are_the_gallerys():
    # Each figure the README shows is a copy of one that the docs build's
    # gallery writes (sphinx-gallery names it sphx_glr_<example>_<n>.png), so
    # the example that draws it exists and the caption names it; and no
    # figure is left in docs/images that the README no longer shows.
    root = README.parent
    shown = re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", README.read_text(encoding="utf-8"))
    assert shown
    for image in shown:
        path = Path(image)
        assert path.parent == Path("docs/images") and (root / path).is_file()
        produced_by = re.fullmatch(r"sphx_glr_(plot_\w+)_\d{3}\.png", path.name)
        assert produced_by, image
        example = f"examples/{produced_by[1]}.py"
        assert (root / example).is_file()
        assert f"`{example}`" in README.read_text(encoding="utf-8")
    committed = {f"docs/images/{p.name}" for p in (root / "docs/images").iterdir()}
    assert committed == set(shown)
