"""Training diagnostics, hidden representations, and the textbook facts they show."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse, special
from sklearn.datasets import load_digits, make_moons
from sklearn.exceptions import NotFittedError
from sklearn.preprocessing import StandardScaler

import sknn._lbfgs
import sknn._network
from sknn import MLPNeuronClassifier, PerceptronClassifier
from sknn._diagnostics import (
    DIAGNOSTIC_KEYS,
    SATURATION_THRESHOLD,
    DiagnosticsRecorder,
)
from sknn._losses import get_loss
from sknn._network import Network
from sknn.activations import get_activation
from sknn.datasets import make_xor

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

HIDDEN_KEYS = DIAGNOSTIC_KEYS[1:]


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X / 16.0, y


@pytest.fixture(scope="module")
def xor():
    return make_xor(200, noise=0.2, random_state=0)


# -- the recorder against a forward pass written out by hand ---------------------


def hand_forward(net, X):
    """Pre-activations and outputs of each hidden layer, numpy only."""
    functions = {
        "relu": lambda z: np.maximum(z, 0),
        "logistic": special.expit,
        "gelu": lambda z: z * special.ndtr(z),
    }
    slopes = {
        "relu": lambda z: (z > 0).astype(float),
        "logistic": lambda z: special.expit(z) * (1 - special.expit(z)),
        "gelu": lambda z: special.ndtr(z) + z * np.exp(-z * z / 2) / np.sqrt(2 * np.pi),
    }
    layers, a = [], X
    for coef, intercept, activation in zip(net.coefs, net.intercepts, net.activations):
        z = a @ coef + intercept
        a = functions[activation.name](z)
        layers.append((a, slopes[activation.name](z)))
    return layers


def test_recorder_matches_statistics_computed_by_hand():
    rng = np.random.RandomState(0)
    names = ["relu", "logistic", "gelu"]
    net = Network(
        [5, 7, 6, 4, 3], [get_activation(n) for n in names], get_loss("log_loss")
    )
    net.initialize(rng)
    net.intercepts[0][:2] = -50.0  # two relu units that never fire
    net.coefs[1][:, 0] *= 40.0  # a logistic unit pushed into its tails
    batches = [rng.randn(9, 5), rng.randn(4, 5)]
    targets = [np.eye(3)[rng.randint(0, 3, len(X))] for X in batches]
    recorder = DiagnosticsRecorder(net)
    squares = [0.0] * 4
    for X, Y in zip(batches, targets):
        net.loss_and_gradient(X, Y, alpha=0.1)
        recorder.observe(net, len(X))
        squares = [s + (g**2).sum() for s, g in zip(squares, net.coef_grads)]
    recorder.end_epoch()
    result = recorder.result()

    sizes = [coef.size for coef in net.coefs]
    expected_rms = [np.sqrt(s / (2 * size)) for s, size in zip(squares, sizes)]
    assert_allclose(result["grad_rms"][0], expected_rms, rtol=1e-12)

    layers = hand_forward(net, np.vstack(batches))
    n = 13
    for i, (a, slope) in enumerate(layers):
        assert_allclose(result["activation_mean"][0, i], a.mean(), rtol=1e-10)
        assert_allclose(result["activation_std"][0, i], a.std(), rtol=1e-8)
        dead = np.mean(np.all(slope == 0, axis=0))
        saturated = np.mean((np.abs(slope) < SATURATION_THRESHOLD).sum(0) > n / 2)
        assert result["dead_fraction"][0, i] == dead
        assert result["saturated_fraction"][0, i] == saturated
    assert result["dead_fraction"][0, 0] >= 2 / 7  # the two silenced units
    assert result["saturated_fraction"][0, 1] >= 1 / 6
    for key in HIDDEN_KEYS:
        assert np.isnan(result[key][0, -1])


def test_recorder_reads_large_batches_in_blocks(monkeypatch):
    monkeypatch.setattr("sknn._diagnostics.BLOCK_ROWS", 5)
    rng = np.random.RandomState(1)
    net = Network([3, 8, 2], [get_activation("tanh")], get_loss("binary_log_loss"))
    net.initialize(rng)
    X, Y = rng.randn(23, 3), rng.randint(0, 2, (23, 2)).astype(float)
    net.loss_and_gradient(X, Y)
    recorder = DiagnosticsRecorder(net)
    recorder.observe(net, 23)
    recorder.end_epoch()
    a = np.tanh(X @ net.coefs[0] + net.intercepts[0])
    assert_allclose(recorder.result()["activation_std"][0, 0], a.std(), rtol=1e-10)
    assert recorder._scratch[0].size == 5 * 8


# -- the estimator's diagnostics_ ------------------------------------------------


def test_no_diagnostics_by_default(xor):
    clf = MLPNeuronClassifier((4,), max_iter=3).fit(*xor)
    assert not hasattr(clf, "diagnostics_")


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_one_row_per_epoch_one_column_per_layer(digits, solver):
    X, y = digits
    clf = MLPNeuronClassifier(
        (16, 8), solver=solver, max_iter=4, diagnostics=True, random_state=0
    ).fit(X, y)
    assert set(clf.diagnostics_) == set(DIAGNOSTIC_KEYS)
    for key, values in clf.diagnostics_.items():
        assert values.shape == (clf.n_iter_, 3), key
        assert values.dtype == np.float64
    assert np.all(clf.diagnostics_["grad_rms"] > 0)
    for key in HIDDEN_KEYS:
        assert np.isfinite(clf.diagnostics_[key][:, :2]).all()
        assert np.isnan(clf.diagnostics_[key][:, 2]).all()


def test_first_row_is_the_gradient_at_the_initial_weights(digits):
    """One batch per epoch: row 0 is the gradient before the first step."""
    X, y = digits
    clf = MLPNeuronClassifier(
        (10,),
        activation="tanh",
        solver="sgd",
        batch_size=len(X),
        shuffle=False,
        max_iter=2,
        diagnostics=True,
        random_state=3,
    ).fit(X, y)
    net = Network([64, 10, 10], [get_activation("tanh")], get_loss("log_loss"))
    net.initialize(np.random.RandomState(3))
    net.loss_and_gradient(X, np.eye(10)[y], alpha=clf.alpha)
    expected = [np.sqrt(np.mean(g**2)) for g in net.coef_grads]
    assert_allclose(clf.diagnostics_["grad_rms"][0], expected, rtol=1e-10)
    a = np.tanh(X @ net.coefs[0] + net.intercepts[0])
    assert_allclose(clf.diagnostics_["activation_mean"][0, 0], a.mean(), rtol=1e-10)
    assert not np.allclose(clf.diagnostics_["grad_rms"][1], expected)


def test_lbfgs_rows_are_the_accepted_points(digits):
    """The last L-BFGS row describes the final weights."""
    X, y = digits
    clf = MLPNeuronClassifier(
        (12,), solver="lbfgs", max_iter=6, diagnostics=True, random_state=0
    ).fit(X, y)
    (a,) = clf.hidden_activations(X)
    assert_allclose(clf.diagnostics_["activation_mean"][-1, 0], a.mean(), rtol=1e-10)
    assert_allclose(clf.diagnostics_["activation_std"][-1, 0], a.std(), rtol=1e-8)
    assert clf.diagnostics_["dead_fraction"][-1, 0] == np.mean((a == 0).all(axis=0))
    net = clf._network
    net.loss_and_gradient(X, np.eye(10)[y], alpha=clf.alpha)
    expected = [np.sqrt(np.mean(g**2)) for g in net.coef_grads]
    assert_allclose(clf.diagnostics_["grad_rms"][-1], expected, rtol=1e-8)


def test_partial_fit_and_warm_start_append_rows_and_fit_starts_afresh(xor):
    X, y = xor
    clf = MLPNeuronClassifier((5,), diagnostics=True, random_state=0)
    for _ in range(3):
        clf.partial_fit(X, y, classes=[0, 1])
    assert clf.diagnostics_["grad_rms"].shape == (3, 2)
    first_rows = clf.diagnostics_["grad_rms"].copy()
    clf.set_params(warm_start=True, max_iter=2).fit(X, y)
    assert clf.diagnostics_["grad_rms"].shape == (5, 2)
    assert_array_equal(clf.diagnostics_["grad_rms"][:3], first_rows)
    clf.set_params(warm_start=False).fit(X, y)
    assert clf.diagnostics_["grad_rms"].shape == (2, 2)
    clf.set_params(diagnostics=False).fit(X, y)
    assert not hasattr(clf, "diagnostics_")


def test_rows_match_the_loss_curve_with_early_stopping(digits):
    X, y = digits
    clf = MLPNeuronClassifier(
        (16,),
        early_stopping=True,
        n_iter_no_change=2,
        max_iter=50,
        diagnostics=True,
        random_state=0,
    ).fit(X, y)
    assert len(clf.diagnostics_["grad_rms"]) == len(clf.loss_curve_) == clf.n_iter_


def test_a_diverging_fit_keeps_the_finite_epochs(xor):
    X, y = xor
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clf = MLPNeuronClassifier(
            (8,),
            activation="identity",
            solver="sgd",
            learning_rate_init=1.0,
            max_iter=20,
            diagnostics=True,
            random_state=0,
        ).fit(X * 1e40, y)
    messages = [str(w.message) for w in caught]
    assert any("diverged" in message for message in messages)
    assert not [w for w in caught if issubclass(w.category, RuntimeWarning)]
    grad_rms = clf.diagnostics_["grad_rms"]
    assert len(grad_rms) == clf.n_iter_ < 20
    assert grad_rms[-1, 0] > 1e30 * grad_rms[0, 0]  # the explosion, on record


def test_float32_and_sparse_input(digits):
    X, y = digits
    settings = dict(
        hidden_layer_sizes=(16,), max_iter=3, diagnostics=True, random_state=0
    )
    reference = MLPNeuronClassifier(**settings).fit(X, y).diagnostics_
    single = MLPNeuronClassifier(**settings).fit(X.astype(np.float32), y)
    assert single.coefs_[0].dtype == np.float32
    spars = MLPNeuronClassifier(**settings).fit(sparse.csr_matrix(X), y).diagnostics_
    for key in DIAGNOSTIC_KEYS:
        assert single.diagnostics_[key].dtype == np.float64
        assert_allclose(single.diagnostics_[key], reference[key], rtol=1e-3)
        assert_allclose(spars[key], reference[key], rtol=1e-10)


def test_a_network_without_hidden_layers_records_gradients_only(xor):
    clf = MLPNeuronClassifier((), max_iter=3, diagnostics=True).fit(*xor)
    assert clf.diagnostics_["grad_rms"].shape == (3, 1)
    assert np.isnan(clf.diagnostics_["dead_fraction"]).all()


# -- hidden_activations ------------------------------------------------------------


def test_hidden_activations_are_the_layers_outputs(digits):
    X, y = digits
    clf = MLPNeuronClassifier(
        (9, 5), activation=["tanh", "relu"], max_iter=5, random_state=0
    ).fit(X, y)
    first, second = clf.hidden_activations(X[:20])
    expected_first = np.tanh(X[:20] @ clf.coefs_[0] + clf.intercepts_[0])
    assert_allclose(first, expected_first, rtol=1e-12)
    expected_second = np.maximum(expected_first @ clf.coefs_[1] + clf.intercepts_[1], 0)
    assert_allclose(second, expected_second, rtol=1e-12, atol=1e-15)
    logits = second @ clf.coefs_[2] + clf.intercepts_[2]
    assert_array_equal(clf.classes_[logits.argmax(1)], clf.predict(X[:20]))


def test_hidden_activations_validate_like_predict(digits):
    X, y = digits
    with pytest.raises(NotFittedError):
        MLPNeuronClassifier().hidden_activations(X)
    clf = MLPNeuronClassifier((6,), max_iter=2).fit(X.astype(np.float32), y)
    assert clf.hidden_activations(X)[0].dtype == np.float32
    with pytest.raises(ValueError, match="features"):
        clf.hidden_activations(X[:, :10])
    assert clf.hidden_activations(sparse.csr_matrix(X[:3]))[0].shape == (3, 6)


# -- the textbook facts ----------------------------------------------------------


def test_a_perceptron_cannot_fit_xor(xor):
    X, y = xor
    assert PerceptronClassifier(random_state=0).fit(X, y).score(X, y) < 0.8


def test_the_perceptrons_mistakes_reach_zero_only_on_separable_data(xor):
    X, y = xor
    stuck = PerceptronClassifier(max_iter=30, tol=None, random_state=0).fit(X, y)
    assert len(stuck.errors_) == 30 and stuck.errors_.min() > 0.2 * len(y)
    separable = y == (X[:, 0] > 0)  # two of the four corners: one line splits them
    clf = PerceptronClassifier(max_iter=30, tol=None, random_state=0)
    clf.fit(X[separable], y[separable])
    assert clf.errors_[-1] == 0 and clf.score(X[separable], y[separable]) == 1.0


@pytest.mark.parametrize("activation", ["tanh", "relu", "logistic"])
def test_one_non_linear_hidden_layer_fits_xor(xor, activation):
    X, y = xor
    clf = MLPNeuronClassifier(
        (8,), activation=activation, solver="lbfgs", random_state=0
    ).fit(X, y)
    assert clf.score(X, y) > 0.95


def test_stacked_linear_layers_cannot_fit_xor(xor):
    X, y = xor
    clf = MLPNeuronClassifier(
        (8, 8), activation="identity", solver="lbfgs", random_state=0
    ).fit(X, y)
    assert clf.score(X, y) < 0.8


def first_to_last_gradient_ratio(X, y, activation):
    clf = MLPNeuronClassifier(
        (32,) * 8,
        activation=activation,
        alpha=0.0,
        max_iter=1,
        diagnostics=True,
        random_state=0,
    ).fit(X, y)
    grad_rms = clf.diagnostics_["grad_rms"][0]
    return grad_rms[0] / grad_rms[-1]


def test_gradients_vanish_through_deep_logistic_layers(digits):
    logistic = first_to_last_gradient_ratio(*digits, "logistic")
    assert logistic < 1e-3  # orders of magnitude
    for activation in ("relu", "tanh"):
        ratio = first_to_last_gradient_ratio(*digits, activation)
        assert ratio > 1e-2
        assert ratio > 1e4 * logistic


def test_too_large_a_learning_rate_kills_relu_units_but_not_leaky_ones():
    X, y = make_moons(400, noise=0.2, random_state=0)
    settings = dict(
        hidden_layer_sizes=(32,),
        learning_rate_init=0.5,
        max_iter=30,
        diagnostics=True,
        random_state=0,
    )
    relu = MLPNeuronClassifier(activation="relu", **settings).fit(X, y)
    dead = relu.diagnostics_["dead_fraction"][:, 0]
    assert dead[-1] > 0.4
    assert dead[-1] > dead[0] + 0.2  # killed in training, not born dead
    (a,) = relu.hidden_activations(X)
    assert np.mean((a == 0).all(axis=0)) > 0.4
    leaky = MLPNeuronClassifier(activation="leaky_relu", **settings).fit(X, y)
    assert_array_equal(leaky.diagnostics_["dead_fraction"][:, 0], 0.0)
    gentle = MLPNeuronClassifier(activation="relu", **settings)
    gentle.set_params(learning_rate_init=0.001).fit(X, y)
    assert gentle.diagnostics_["dead_fraction"][-1, 0] < dead[-1] / 2


def test_large_inputs_saturate_logistic_and_tanh_units(digits):
    X, y = digits
    settings = dict(hidden_layer_sizes=(20,), max_iter=1, diagnostics=True)
    for activation in ("logistic", "tanh"):
        scaled = MLPNeuronClassifier(activation=activation, random_state=0, **settings)
        scaled.fit(StandardScaler().fit_transform(X), y)
        raw = MLPNeuronClassifier(activation=activation, random_state=0, **settings)
        raw.fit(X * 16 * 5, y)
        assert scaled.diagnostics_["saturated_fraction"][0, 0] < 0.2
        assert raw.diagnostics_["saturated_fraction"][0, 0] > 0.8


def test_lbfgs_diagnostics_read_every_piece_of_the_full_batch(monkeypatch):
    X, y = load_digits(return_X_y=True)
    X = X / 16
    params = dict(
        hidden_layer_sizes=(12,), solver="lbfgs", max_iter=4, diagnostics=True
    )
    whole = MLPNeuronClassifier(random_state=0, **params).fit(X, y)
    monkeypatch.setattr(sknn._network, "MAX_BATCH_ROWS", 500)
    monkeypatch.setattr(sknn._lbfgs, "MAX_BATCH_ROWS", 500)
    pieces = MLPNeuronClassifier(random_state=0, **params).fit(X, y)
    assert pieces._network._workspace.capacity == 500
    for key, rows in whole.diagnostics_.items():
        np.testing.assert_allclose(pieces.diagnostics_[key], rows, rtol=1e-6)
