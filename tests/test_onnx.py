"""The ONNX export: onnxruntime must predict what sknn predicts."""

import importlib
import subprocess
import sys
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknn import MLPNeuronClassifier, MLPNeuronRegressor, PerceptronClassifier
from sknn.activations import ACTIVATIONS

skl2onnx = pytest.importorskip("skl2onnx")
ort = pytest.importorskip("onnxruntime")
sknn_onnx = pytest.importorskip("sknn.onnx")

HIDDEN = [name for name, cls in ACTIVATIONS.items() if cls.differentiable]
DTYPES = [np.float32, np.float64]
RTOL = {np.float32: 1e-5, np.float64: 1e-10}
"""The relative tolerance of probabilities and regression outputs by dtype."""

SATURATED_LOGIT = {np.float32: 30.0, np.float64: 60.0}
"""The largest |logit| of the test classifiers, by dtype.

Far enough that probabilities round to 1 (and their complements are tiny),
near enough that the test measures the graph rather than summation order: a
tail probability's relative error is the logit's absolute error, and one unit
in the last place of a float32 logit of 30 is already 2e-6.
"""


def fit(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y)


def make_X(dtype, n_samples=60, n_features=4, seed=0, large=30.0):
    """Gaussian rows, the first fifth of them scaled up ``large`` times."""
    X = np.random.RandomState(seed).randn(n_samples, n_features)
    X[: n_samples // 5] *= large
    return X.astype(dtype)


def make_y(task, n_samples=60, seed=1):
    rng = np.random.RandomState(seed)
    if task == "binary":
        return rng.randint(0, 2, n_samples)
    if task == "multiclass":
        return rng.randint(0, 3, n_samples)
    if task == "multilabel":
        return (rng.rand(n_samples, 3) > 0.5).astype(int)
    if task == "multioutput":
        return rng.rand(n_samples, 2) * 3
    return rng.rand(n_samples) * 3  # one output, positive for the Poisson loss


def saturate(estimator, X):
    """Scale the output layer so that the largest |logit| on X is SATURATED_LOGIT.

    Some rows' probabilities then round to 0 and 1: the graph must keep the
    tails as sknn keeps them.
    """
    logits = estimator._logits(X)
    factor = SATURATED_LOGIT[X.dtype.type] / np.abs(logits).max()
    coefs, intercepts = estimator.coefs_, estimator.intercepts_
    estimator.coefs_ = [*coefs[:-1], coefs[-1] * factor]
    estimator.intercepts_ = [*intercepts[:-1], intercepts[-1] * factor]
    return estimator


def session(model, X, **kwargs):
    onx = skl2onnx.to_onnx(model, X[:1], **kwargs)
    return ort.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )


def run(model, X, **kwargs):
    sess = session(model, X, **kwargs)
    return sess.run(None, {sess.get_inputs()[0].name: X})


def assert_close(actual, expected, dtype):
    """Equal to RTOL[dtype] relative, down to the dtype's smallest normal number.

    Below it (underflowing probabilities) floats have no relative precision
    left to compare.
    """
    assert actual.dtype == dtype
    np.testing.assert_allclose(
        actual, expected, rtol=RTOL[dtype], atol=np.finfo(dtype).tiny
    )


def assert_scores_close(actual, expected, dtype):
    """Equal to RTOL[dtype] relative to the largest score.

    A decision function sums terms of both signs: a score near 0 made of
    large terms has no relative precision, in sknn or in onnxruntime.
    """
    assert actual.dtype == dtype
    scale = RTOL[dtype] * np.abs(expected).max()
    np.testing.assert_allclose(actual, expected, rtol=RTOL[dtype], atol=scale)


def mlp(activation, **params):
    return MLPNeuronClassifier(
        (5, 4),
        activation=activation,
        max_iter=20,
        learning_rate_init=0.05,
        random_state=0,
        **params,
    )


# -- the MLP classifier ---------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("task", ["binary", "multiclass", "multilabel"])
@pytest.mark.parametrize("activation", HIDDEN)
def test_mlp_classifier_matches_sknn(activation, task, dtype):
    X = make_X(dtype)
    clf = saturate(fit(mlp(activation), X, make_y(task)), X)
    labels, probabilities = run(clf, X, options={"zipmap": False})
    expected = clf.predict_proba(X)
    # saturated rows: a probability rounds to 1, or is far below rounding error
    assert expected.max() == 1.0 or expected.min() < np.finfo(dtype).eps / 1000
    np.testing.assert_array_equal(labels, clf.predict(X))
    assert labels.dtype == np.int64
    assert_close(probabilities, expected, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_mlp_classifier_per_layer_activations(dtype):
    X = make_X(dtype)
    clf = MLPNeuronClassifier(
        (6, 5, 4, 3),
        activation=["gelu", "leaky_relu", "elu", "silu"],
        negative_slope=0.2,
        max_iter=20,
        random_state=0,
    )
    clf = saturate(fit(clf, X, make_y("multiclass")), X)
    labels, probabilities = run(clf, X, options={"zipmap": False})
    np.testing.assert_array_equal(labels, clf.predict(X))
    assert_close(probabilities, clf.predict_proba(X), dtype)


@pytest.mark.parametrize("task", ["binary", "multiclass", "multilabel"])
def test_mlp_classifier_raw_scores_are_the_logits(task):
    X = make_X(np.float64)
    clf = fit(mlp("relu"), X, make_y(task))
    labels, scores = run(clf, X, options={"zipmap": False, "raw_scores": True})
    logits = clf._logits(X)
    expected = np.hstack([-logits, logits]) if task == "binary" else logits
    assert_close(scores, expected, np.float64)
    np.testing.assert_array_equal(labels, clf.predict(X))


def test_multilabel_labels_are_an_int64_indicator_matrix():
    X = make_X(np.float32)
    clf = fit(mlp("tanh"), X, make_y("multilabel"))
    sess = session(clf, X, options={"zipmap": False})
    assert sess.get_outputs()[0].shape == [None, 3]
    labels, _ = sess.run(None, {"X": X})
    assert labels.dtype == np.int64 and labels.shape == (len(X), 3)
    np.testing.assert_array_equal(labels, clf.predict(X))


def test_zipmap_gives_one_dictionary_per_sample():
    X = make_X(np.float32)
    clf = fit(mlp("relu"), X, make_y("multiclass"))
    sess = session(clf, X)
    assert [o.name for o in sess.get_outputs()] == [
        "output_label",
        "output_probability",
    ]
    labels, dictionaries = sess.run(None, {"X": X})
    np.testing.assert_array_equal(labels, clf.predict(X))
    table = np.array([[row[c] for c in clf.classes_] for row in dictionaries])
    assert_close(table.astype(np.float32), clf.predict_proba(X), np.float32)


def test_zipmap_columns_gives_one_output_per_class():
    X = make_X(np.float32)
    clf = fit(mlp("relu"), X, make_y("multiclass"))
    sess = session(clf, X, options={"zipmap": "columns"})
    outputs = sess.run(None, {"X": X})
    assert [o.name for o in sess.get_outputs()] == ["output_label", "i0", "i1", "i2"]
    columns = np.column_stack(outputs[1:])
    assert_close(columns, clf.predict_proba(X), np.float32)


def test_nocl_numbers_the_classes():
    X = make_X(np.float64)
    y = np.array([10, 20, 30])[make_y("multiclass")]
    clf = fit(mlp("relu"), X, y)
    labels, _ = run(clf, X, options={"zipmap": False, "nocl": True})
    np.testing.assert_array_equal(clf.classes_[labels], clf.predict(X))


def test_float_classes_give_int64_labels():
    X = make_X(np.float64)
    clf = fit(mlp("relu"), X, make_y("multiclass") + 1.0)
    labels, _ = run(clf, X, options={"zipmap": False})
    assert labels.dtype == np.int64
    np.testing.assert_array_equal(labels, clf.predict(X))


def test_integer_input_is_cast_to_float():
    X = np.random.RandomState(0).randint(-5, 5, size=(40, 4))
    clf = fit(mlp("tanh"), X, make_y("multiclass", 40))
    initial_types = [("X", skl2onnx.common.data_types.Int64TensorType([None, 4]))]
    labels, probabilities = run(
        clf, X, initial_types=initial_types, options={"zipmap": False}
    )
    np.testing.assert_array_equal(labels, clf.predict(X))
    assert_close(probabilities, clf.predict_proba(X).astype(np.float32), np.float32)


def test_string_labels_from_a_dataframe():
    pd = pytest.importorskip("pandas")
    X = make_X(np.float32)
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    y = np.array(["cat", "dog", "eel"])[make_y("multiclass")]
    clf = fit(mlp("gelu"), frame, y)
    initial_types = [("X", skl2onnx.common.data_types.FloatTensorType([None, 4]))]
    onx = skl2onnx.to_onnx(clf, initial_types=initial_types)
    sess = ort.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    assert sess.get_outputs()[0].type == "tensor(string)"
    labels, dictionaries = sess.run(None, {"X": frame.to_numpy()})
    np.testing.assert_array_equal(labels, clf.predict(frame))
    assert set(dictionaries[0]) == {"cat", "dog", "eel"}
    table = np.array([[row[c] for c in clf.classes_] for row in dictionaries])
    assert_close(table.astype(np.float32), clf.predict_proba(frame), np.float32)


# -- the MLP regressor ------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "loss, task",
    [
        ("squared_error", "one output"),
        ("squared_error", "multioutput"),
        ("absolute_error", "one output"),
        ("poisson", "one output"),
        ("poisson", "multioutput"),
    ],
)
@pytest.mark.parametrize("activation", HIDDEN)
def test_mlp_regressor_matches_sknn(activation, loss, task, dtype):
    # exp of a linear network's outputs on rows 30 times the others' scale
    # overflows float32 at once, and such a fit is refused; 10 times saturates
    X = make_X(dtype, large=10.0 if loss == "poisson" else 30.0)
    y = make_y(task)
    reg = MLPNeuronRegressor(
        loss,
        hidden_layer_sizes=(5, 4),
        activation=activation,
        max_iter=20,
        learning_rate_init=0.05,
        random_state=0,
    )
    reg = fit(reg, X, y)
    (predictions,) = run(reg, X)
    expected = reg.predict(X).reshape(len(X), -1)
    assert predictions.shape == expected.shape
    assert_close(predictions, expected, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_poisson_output_is_clipped_as_sknn_clips_it(dtype):
    X = make_X(dtype)
    reg = fit(
        MLPNeuronRegressor("poisson", (3,), max_iter=5, random_state=0), X, X[:, 0] ** 2
    )
    # A huge output bias: exp(z) would overflow without the clip at log(max).
    reg.intercepts_ = [reg.intercepts_[0], reg.intercepts_[1] + 1e4]
    (predictions,) = run(reg, X)
    expected = reg.predict(X)[:, np.newaxis]
    assert np.isfinite(predictions).all()
    np.testing.assert_array_equal(predictions, expected)


# -- the perceptron -------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("task", ["binary", "multiclass"])
@pytest.mark.parametrize("activation", [*ACTIVATIONS, "sigmoid"])
def test_perceptron_matches_sknn(activation, task, dtype):
    X = make_X(dtype)
    # Fitted on moderate rows: the delta rule diverges on the large ones.
    clf = fit(
        PerceptronClassifier(
            activation=activation, eta0=0.1, max_iter=20, random_state=0
        ),
        make_X(dtype, large=1.0),
        make_y(task),
    )
    labels, scores = run(clf, X, options={"zipmap": False})
    np.testing.assert_array_equal(labels, clf.predict(X))
    if activation in ("logistic", "sigmoid"):
        expected = clf.predict_proba(X)
    else:
        expected = clf.decision_function(X)
        if task == "binary":
            expected = np.column_stack([-expected, expected])
    assert_scores_close(scores, expected, dtype)


def test_perceptron_raw_scores_are_the_decision_function():
    X = make_X(np.float64)
    clf = fit(PerceptronClassifier(activation="logistic"), X, make_y("multiclass"))
    _, scores = run(clf, X, options={"zipmap": False, "raw_scores": True})
    assert_scores_close(scores, clf.decision_function(X), np.float64)


@pytest.mark.parametrize("task", ["binary", "multiclass"])
def test_perceptron_step_at_exactly_zero(task):
    # With no bias, the zero row scores exactly 0 for every neuron: sknn
    # predicts classes_[0] (binary: not > 0; multiclass: the first maximum).
    X = make_X(np.float64)
    clf = fit(PerceptronClassifier(fit_intercept=False), X, make_y(task) + 5)
    X[0] = 0.0
    labels, _ = run(clf, X, options={"zipmap": False})
    assert clf.predict(X[:1])[0] == clf.classes_[0] == labels[0]
    np.testing.assert_array_equal(labels, clf.predict(X))


# -- pipelines, opsets, inputs --------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
def test_pipeline_with_a_scaler(dtype):
    X = make_X(dtype)
    pipe = fit(make_pipeline(StandardScaler(), mlp("silu")), X, make_y("multiclass"))
    labels, probabilities = run(pipe, X, options={"zipmap": False})
    np.testing.assert_array_equal(labels, pipe.predict(X))
    assert_close(probabilities, pipe.predict_proba(X), dtype)

    reg = MLPNeuronRegressor(hidden_layer_sizes=(5,), max_iter=20, random_state=0)
    pipe = fit(make_pipeline(StandardScaler(), reg), X, make_y("multioutput"))
    (predictions,) = run(pipe, X)
    assert_close(predictions, pipe.predict(X), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("activation", HIDDEN)
def test_smallest_opset_of_each_activation(activation, dtype):
    _, opset = sknn_onnx.ACTIVATION_OPSETS[activation]
    X = make_X(dtype)
    clf = fit(mlp(activation), X, make_y("multiclass"))
    onx = skl2onnx.to_onnx(clf, X[:1], target_opset=opset, options={"zipmap": False})
    assert {o.domain: o.version for o in onx.opset_import}[""] <= opset
    sess = ort.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    labels, probabilities = sess.run(None, {"X": X})
    np.testing.assert_array_equal(labels, clf.predict(X))
    assert_close(probabilities, clf.predict_proba(X), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_smallest_opset_of_the_perceptron_and_the_outputs(dtype):
    X = make_X(dtype)
    perceptron = PerceptronClassifier(activation="logistic", eta0=0.1)
    perceptron = fit(perceptron, make_X(dtype, large=1.0), make_y("multiclass"))
    labels, probabilities = run(
        perceptron, X, target_opset=sknn_onnx.BASE_OPSET, options={"zipmap": False}
    )
    np.testing.assert_array_equal(labels, perceptron.predict(X))
    assert_close(probabilities, perceptron.predict_proba(X), dtype)

    poisson = MLPNeuronRegressor("poisson", (3,), max_iter=5, random_state=0)
    poisson = fit(poisson, X, make_y("one output"))
    opset = sknn_onnx.OUTPUT_OPSETS[poisson.out_activation_][1]
    (predictions,) = run(poisson, X, target_opset=opset)
    assert_close(predictions.ravel(), poisson.predict(X), dtype)


def test_gelu_needs_opset_9_in_float32_only():
    X = make_X(np.float32)
    clf = fit(mlp("gelu"), X, make_y("binary"))
    with pytest.raises(Exception, match="Erf"):
        skl2onnx.to_onnx(clf, X[:1], target_opset=8, options={"zipmap": False})
    (predictions,) = run(
        fit(MLPNeuronRegressor(activation="gelu", max_iter=5), X, X[:, 0]),
        X.astype(np.float64),
        target_opset=7,
    )
    assert predictions.dtype == np.float64


def test_float64_model_with_float32_input():
    # The usual deployment: fitted on float64, served in float32.
    X = make_X(np.float64)
    clf = saturate(fit(mlp("relu"), X, make_y("multiclass")), X)
    labels, probabilities = run(clf, X.astype(np.float32), options={"zipmap": False})
    np.testing.assert_array_equal(labels, clf.predict(X))
    assert probabilities.dtype == np.float32
    np.testing.assert_allclose(
        probabilities, clf.predict_proba(X), rtol=1e-4, atol=1e-6
    )


# -- without the extra ----------------------------------------------------------


def test_import_without_skl2onnx_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "skl2onnx", None)  # "import skl2onnx" fails
    monkeypatch.delitem(sys.modules, "sknn.onnx")
    with pytest.raises(ImportError, match=r'pip install "sknn\[onnx\]"'):
        importlib.import_module("sknn.onnx")


def test_sknn_imports_without_skl2onnx():
    code = (
        "import sys\n"
        "sys.modules['skl2onnx'] = sys.modules['onnxruntime'] = None\n"
        "import sknn, sknn.cli; print(sknn.MLPNeuronClassifier.__name__)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "MLPNeuronClassifier"
