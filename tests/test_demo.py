"""The demo's tables: a row per estimator and activation, each beside sklearn's."""

import io
import warnings

import pytest
from sklearn.exceptions import ConvergenceWarning

from sknn import _demo as demo

# The command line trains the demo's networks and reads the installation.
pytestmark = pytest.mark.slow

# Every estimator sknn exports gets demo rows, each beside its scikit-learn peer.
EXPECTED_MODELS = {
    "sklearn.Perceptron": ["step"],
    "sknn.PerceptronClassifier": list(demo.PERCEPTRON_ACTIVATIONS),
    "sknn.MLPNeuronClassifier": list(demo.MLP_ACTIVATIONS),
    "sklearn.MLPClassifier": [
        a for a in demo.MLP_ACTIVATIONS if a in demo.SKLEARN_MLP_ACTIVATIONS
    ],
}
EXPECTED_REGRESSORS = {
    "sknn.MLPNeuronRegressor": ["relu", "tanh", "leaky_relu"],
    "sklearn.MLPRegressor": ["relu", "tanh"],
}


def parse_table(text, index=0):
    """Return {(model, activation): (score, seconds)} from the demo's output.

    ``index`` picks the table: 0 the classifiers', 1 the regressors'.
    """
    lines = text.splitlines()
    rules = [i for i, line in enumerate(lines) if line.startswith("-----")]
    start = rules[index]
    table = {}
    for line in lines[start + 1 :]:
        if not line.strip():
            break
        model, activation, score, seconds = line.split(maxsplit=3)
        table[model, activation] = (float(score), float(seconds))
    return table


@pytest.fixture(scope="module")
def demo_run():
    """Run the quick demo once; the tests below read its status and output."""
    out = io.StringIO()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        status = demo.run_demo(quick=True, stream=out)
    return status, out.getvalue(), caught


def test_demo_exits_zero_without_convergence_warnings(demo_run):
    status, out, caught = demo_run
    assert status == 0, out
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
        first = models.index(ours)
        assert models[first + 1] == theirs


def test_demo_regression_table_puts_each_activation_beside_sklearn(demo_run):
    out = demo_run[1]
    assert "diabetes" in out and "test R²" in out
    table = parse_table(out, index=1)
    expected = {(m, a) for m, acts in EXPECTED_REGRESSORS.items() for a in acts}
    assert set(table) == expected
    models = [model for model, _ in table]
    assert models[models.index("sknn.MLPNeuronRegressor") + 1] == (
        "sklearn.MLPRegressor"
    )
    for (model, activation), (r2, seconds) in table.items():
        # a linear model (ridge) explains about 0.36 of this split's variance
        assert 0.3 < r2 < 0.6, (model, activation, r2)
        assert seconds >= 0.0
    for activation in EXPECTED_REGRESSORS["sklearn.MLPRegressor"]:
        ours = table["sknn.MLPNeuronRegressor", activation][0]
        theirs = table["sklearn.MLPRegressor", activation][0]
        assert ours == pytest.approx(theirs, abs=2e-3)


def test_demo_regressors_converge_without_warnings():
    X_train, X_test, y_train, y_test = demo.load_regression_split()
    assert abs(y_train.mean()) < 1e-12 and y_train.std() == pytest.approx(1.0)
    max_iter = demo._regression_settings()["max_iter"]
    for row in demo.regression_rows():
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # the demo must not need to hide any
            estimator = row.make().fit(X_train, y_train)
        assert estimator.n_iter_ < max_iter, (row.model, row.activation)


def test_a_failing_row_is_reported_and_fails_the_exit_status(monkeypatch):
    def broken():
        raise RuntimeError("cannot build")

    rows = [demo.DemoRow("broken.Model", "relu", broken)]
    monkeypatch.setattr(demo, "perceptron_rows", lambda: rows)
    monkeypatch.setattr(demo, "mlp_rows", lambda quick: [])
    monkeypatch.setattr(demo, "regression_rows", lambda: [])
    out = io.StringIO()
    assert demo.run_demo(stream=out) == 1
    out = out.getvalue()
    assert "broken.Model" in out and "RuntimeError: cannot build" in out


def test_demo_defaults_are_the_real_demo():
    assert demo._mlp_settings(quick=False) == {
        "hidden_layer_sizes": (64,),
        "max_iter": 200,
        "random_state": 0,
    }
