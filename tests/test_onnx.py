"""The ONNX export: onnxruntime must predict what sknn predicts."""

import importlib
import subprocess
import sys
import warnings

import numpy as np
import onnx
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknn import (
    MLPNeuronClassifier,
    MLPNeuronRegressor,
    PerceptronClassifier,
    TabularMLPClassifier,
    TabularMLPRegressor,
)
from sknn.activations import ACTIVATIONS

skl2onnx = pytest.importorskip("skl2onnx")
ort = pytest.importorskip("onnxruntime")
sknn_onnx = pytest.importorskip("sknn.onnx")

# Every test converts and runs an ONNX graph; together they take seconds.
pytestmark = pytest.mark.slow

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


def saturate(estimator, X, dtype=None):
    """Scale the output layer so that the largest |logit| on X is SATURATED_LOGIT.

    Some rows' probabilities then round to 0 and 1: the graph must keep the
    tails as sknn keeps them. ``dtype`` is the network's, X's by default.
    """
    logits = estimator._logits(X)
    factor = SATURATED_LOGIT[dtype or X.dtype.type] / np.abs(logits).max()
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


# -- the tabular estimators -------------------------------------------------------

TABLE_RTOL = 3e-5
"""The relative tolerance of the tabular classifiers' probabilities.

sknn computes the tabular networks in float32 whatever the input, so both
graphs are held to float32's precision. At the saturated logit of 30 that
is coarser than RTOL[np.float32]: a tail probability's relative error is
its logit's absolute error, and sknn's own float32 logits differ from the
double graph's (the same float32 weights, evaluated in double) by up to
2e-5 there, ten units in the last place. The classifier divides its logits
by its temperature before the softmax, which multiplies those errors by
``1 / T`` where ``T < 1`` (:func:`proba_rtol`). Regression outputs, not
saturated, keep RTOL[np.float32].
"""


def proba_rtol(classifier):
    """:data:`TABLE_RTOL`, widened by the classifier's ``1 / temperature_``."""
    return TABLE_RTOL / min(classifier.temperature_, 1.0)


def table(dtype, n_samples=200, seed=0):
    """Numeric columns as tables hold them: NaN, a large median, long tails.

    Column 0 has missing values (a missing indicator), column 1 a median of
    10,000 and a spread of 0.1 (float32 centring would lose its digits),
    column 2 heavy tails; column 3 has no missing value in fit.
    """
    rng = np.random.RandomState(seed)
    X = rng.randn(n_samples, 4)
    X[::9, 0] = np.nan
    X[:, 1] = 1e4 + 0.1 * X[:, 1]
    X[:, 2] = rng.standard_cauchy(n_samples) * 50
    return X.astype(dtype)


def extremes(X):
    """``X`` with infinities, NaN where fit saw none, and the dtype's extremes."""
    X = X.copy()
    top = np.finfo(X.dtype).max
    X[0] = [np.inf, -np.inf, np.nan, np.nan]
    X[1] = [-np.inf, np.inf, top, -top]
    X[2] = [top, -top, 1e30, -1e-30]
    X[3, 3] = np.nan
    return X


def table_y(task, X):
    signal = np.nan_to_num(X[:, 0].astype(np.float64)) + X[:, 3]
    if task == "binary":
        return (signal > 0).astype(int)
    if task == "multiclass":
        return np.digitize(signal, [-0.5, 0.5])
    if task == "two outputs":
        return np.column_stack([1000 + 50 * signal, 3 + np.abs(X[:, 3])])
    return 5 + np.abs(signal)  # one output, positive for the Poisson loss


def tabular(estimator, **params):
    params = {
        "hidden_layer_sizes": (16, 16),
        "n_bins": 8,
        "max_iter": 3,
        "random_state": 0,
        **params,
    }
    return estimator(**params)


def saturate_members(estimator, X):
    """Scale the members' output layers: their largest |logit| on X is 30.

    Some rows' probabilities then round to 0 and 1 in float32: the graph
    must keep the tails as sknn keeps them.
    """
    factor = SATURATED_LOGIT[np.float32] / np.abs(estimator._logits(X)).max()
    estimator._network.coefs[-1] *= factor
    estimator._network.intercepts[-1] *= factor
    return estimator


def assert_table_close(actual, expected, dtype, rtol=TABLE_RTOL):
    """Equal to float32's precision, relative, in the graph's ``dtype``; finite."""
    assert actual.dtype == dtype
    assert np.isfinite(actual).all()
    np.testing.assert_allclose(
        actual, expected, rtol=rtol, atol=np.finfo(np.float32).tiny
    )


def frame_feed(sess, frame):
    """One ``(n, 1)`` array per input, strings with missing values as ""."""
    feed = {}
    for item in sess.get_inputs():
        column = frame[[item.name]].to_numpy()
        if item.type == "tensor(string)":
            column = np.where(pd_isna(column), "", column).astype(str)
        feed[item.name] = column
    return feed


def pd_isna(values):
    pd = pytest.importorskip("pandas")
    return pd.isna(values)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("task", ["binary", "multiclass"])
@pytest.mark.parametrize("embedding", ["ple", "pbld", None])
def test_tabular_classifier_matches_sknn(embedding, task, dtype):
    X = table(dtype)
    clf = tabular(TabularMLPClassifier, numeric_embedding=embedding)
    clf = saturate_members(clf.fit(X, table_y(task, X)), X)
    X = extremes(X)
    labels, probabilities = run(clf, X, options={"zipmap": False})
    np.testing.assert_array_equal(labels, clf.predict(X))
    assert_table_close(probabilities, clf.predict_proba(X), dtype, proba_rtol(clf))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("task", ["one output", "two outputs"])
@pytest.mark.parametrize("embedding", ["ple", "pbld"])
def test_tabular_regressor_matches_sknn(embedding, task, dtype):
    X = table(dtype)
    y = table_y(task, X)
    reg = tabular(TabularMLPRegressor, numeric_embedding=embedding)
    reg = reg.fit(X, y)
    X = extremes(X)
    (predictions,) = run(reg, X)
    expected = reg.predict(X).reshape(len(X), -1)
    assert predictions.shape == expected.shape
    assert_table_close(predictions, expected, dtype, RTOL[np.float32])


def test_tabular_regressor_maps_back_large_targets():
    # Targets a million apart in scale and centre: the graph's mapping back
    # runs in double, as predict's, so float32 serving keeps their digits.
    X = table(np.float32)
    y = 1e6 + 1e3 * table_y("one output", X)
    reg = tabular(TabularMLPRegressor).fit(X, y)
    assert abs(reg._target_centre[0]) > 1e6
    (predictions,) = run(reg, X)
    assert_table_close(
        predictions.ravel(), reg.predict(X), np.float32, RTOL[np.float32]
    )


def first_layer_input(onx, estimator):
    """``onx`` with the members' stacked, scaled first-layer input as its output."""
    shape = list(estimator._network.coefs[0].shape)
    weights = {i.name for i in onx.graph.initializer if list(i.dims) == shape}
    (product,) = [
        node
        for node in onx.graph.node
        if node.op_type == "MatMul" and node.input[1] in weights
    ]
    del onx.graph.output[:]
    onx.graph.output.append(
        onnx.helper.make_tensor_value_info(
            product.input[0], onnx.TensorProto.FLOAT, None
        )
    )
    return onx


@pytest.mark.parametrize("embedding", ["ple", "pbld", None])
def test_tabular_input_layers_of_the_graph_are_sknn_s(embedding):
    # Up to the first dense layer the graph computes what sknn's encoder,
    # the members' input layers and the input scale write, before any layer
    # amplifies the rounding: huge, infinite and missing values included.
    X = table(np.float32)
    clf = tabular(TabularMLPClassifier, numeric_embedding=embedding)
    clf = clf.set_params(hidden_layer_sizes=(7,)).fit(X, table_y("binary", X))
    X = extremes(X)
    onx = first_layer_input(skl2onnx.to_onnx(clf, X[:1]), clf)
    sess = ort.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    (embedded,) = sess.run(None, {"X": X})
    network = clf._network
    encoded = clf._encoder.transform(X)
    expected = np.empty((network.n_members, len(X), network.sizes[0]), np.float32)
    for member, layer in zip(expected, network.input_layers):
        layer.forward(encoded.dense, encoded.codes, member)
    expected *= network.scale[:, None, :]
    np.testing.assert_allclose(embedded, expected, rtol=1e-6, atol=1e-6)


def test_the_tabular_classifier_has_no_raw_scores():
    X = table(np.float32)
    clf = tabular(TabularMLPClassifier).fit(X, table_y("binary", X))
    with pytest.raises(NameError, match="raw_scores"):
        skl2onnx.to_onnx(clf, X[:1], options={"raw_scores": True})


@pytest.mark.parametrize("dtype", DTYPES)
def test_tabular_classifier_in_a_pipeline(dtype):
    # StandardScaler lets NaN through (not infinities); the network imputes it.
    X = table(dtype)
    clf = tabular(TabularMLPClassifier)
    pipe = make_pipeline(StandardScaler(), clf).fit(X, table_y("multiclass", X))
    X = X.copy()
    X[:3] = [[np.nan, 0, np.nan, np.nan], [np.nan] * 4, [-1e30, 1e30, 0, 0]]
    labels, probabilities = run(pipe, X, options={"zipmap": False})
    np.testing.assert_array_equal(labels, pipe.predict(X))
    assert_table_close(
        probabilities, pipe.predict_proba(X), dtype, proba_rtol(pipe[-1])
    )


def test_tabular_regressor_in_a_pipeline():
    X = table(np.float32)
    reg = tabular(TabularMLPRegressor)
    pipe = make_pipeline(StandardScaler(), reg).fit(X, table_y("two outputs", X))
    (predictions,) = run(pipe, X)
    assert_table_close(predictions, pipe.predict(X), np.float32, RTOL[np.float32])


def test_tabular_zipmap_and_string_classes():
    X = table(np.float32)
    y = np.array(["low", "mid", "high"])[table_y("multiclass", X)]
    clf = tabular(TabularMLPClassifier).fit(X, y)
    labels, dictionaries = run(clf, X)
    np.testing.assert_array_equal(labels, clf.predict(X))
    scores = np.array([[row[c] for c in clf.classes_] for row in dictionaries])
    assert_table_close(scores.astype(np.float32), clf.predict_proba(X), np.float32)


# -- categorical columns -------------------------------------------------------------


def shop_frame(n_samples=300, seed=0):
    """A data frame with numbers, few and many string categories, and booleans."""
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(seed)
    frame = pd.DataFrame(
        {
            "price": rng.lognormal(3, 1, n_samples),
            "colour": rng.choice(["red", "green", "blue", None], n_samples),
            "city": rng.choice([f"city {i}" for i in range(12)] + [None], n_samples),
            "member": rng.rand(n_samples) > 0.3,
            "visits": rng.poisson(4, n_samples).astype(float),
        }
    )
    frame["colour"] = frame["colour"].astype(object)
    frame["city"] = frame["city"].astype(object)
    frame.loc[::11, "price"] = np.nan
    return frame


def shop_test(frame):
    """``frame`` with categories unseen in fit, missing values and infinities."""
    test = frame.copy()
    test.loc[0, "colour"] = "purple"
    test.loc[1, "city"] = "atlantis"
    test.loc[2, ["colour", "city"]] = None
    test.loc[3, "price"] = np.inf
    test.loc[4, "visits"] = np.nan
    return test


@pytest.mark.parametrize("dtype", DTYPES)
def test_tabular_classifier_from_a_data_frame(dtype):
    frame = shop_frame()
    frame[["price", "visits"]] = frame[["price", "visits"]].astype(dtype)
    y = (frame["colour"] == "red").to_numpy() ^ (frame["price"] > 20).to_numpy()
    clf = tabular(TabularMLPClassifier).fit(frame, y)
    encoder = clf._encoder
    # colour and member one-hot (the missing colour a category of its own),
    # city coded for an embedding table
    assert list(encoder.one_hot_columns_) == [1, 3]
    assert list(encoder.coded_columns_) == [2]
    clf = saturate_members(clf, frame)
    test = shop_test(frame)
    sess = session(
        clf, frame[:1].fillna({"colour": "", "city": ""}), options={"zipmap": False}
    )
    assert [item.type for item in sess.get_inputs()] == [
        f"tensor({'float' if dtype == np.float32 else 'double'})",
        "tensor(string)",
        "tensor(string)",
        "tensor(bool)",
        f"tensor({'float' if dtype == np.float32 else 'double'})",
    ]
    labels, probabilities = sess.run(None, frame_feed(sess, test))
    np.testing.assert_array_equal(labels, clf.predict(test))
    assert_table_close(probabilities, clf.predict_proba(test), dtype, proba_rtol(clf))


def house_frame(dtype, n_samples=300, seed=0):
    """A data frame whose categorical columns hold numbers and booleans."""
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(seed)
    rooms = rng.randint(1, 13, n_samples).astype(dtype)
    rooms[::13] = np.nan
    floor = rng.randint(0, 4, n_samples).astype(dtype)
    floor[::17] = np.nan
    return pd.DataFrame(
        {
            "area": rng.lognormal(4, 0.5, n_samples).astype(dtype),
            "grade": rng.randint(1, 6, n_samples),  # int64: one-hot
            "rooms": rooms,  # 12 values and NaN: coded
            "garden": rng.rand(n_samples) > 0.5,
            "street": rng.randint(0, 20, n_samples),  # 20 values: coded
            "floor": floor,  # 4 values and NaN: one-hot, NaN a category
        }
    )


@pytest.mark.parametrize("dtype", DTYPES)
def test_tabular_regressor_with_numeric_categories(dtype):
    frame = house_frame(dtype)
    y = 1e5 + 1e3 * frame["area"] + 2e4 * frame["grade"] - 1e4 * frame["garden"]
    categorical = ["grade", "rooms", "garden", "street", "floor"]
    reg = tabular(TabularMLPRegressor, categorical_features=categorical)
    reg = reg.fit(frame, y)
    assert list(reg._encoder.one_hot_columns_) == [1, 3, 5]
    assert list(reg._encoder.coded_columns_) == [2, 4]
    test = frame.copy()
    test.loc[0, "grade"] = 9  # unseen
    test.loc[1, "rooms"] = 40.0  # unseen
    test.loc[2, "rooms"] = np.nan
    test.loc[3, "area"] = np.inf
    test.loc[4, "street"] = -1  # unseen
    test.loc[5:9, "floor"] = np.nan
    sess = session(reg, frame[:1])
    types = [item.type for item in sess.get_inputs()]
    float_type = "tensor(float)" if dtype == np.float32 else "tensor(double)"
    assert types == [
        float_type,
        "tensor(int64)",
        float_type,
        "tensor(bool)",
        "tensor(int64)",
        float_type,
    ]
    (predictions,) = sess.run(None, frame_feed(sess, test))
    assert_table_close(predictions.ravel(), reg.predict(test), dtype, RTOL[np.float32])


def strings_model():
    """A classifier of a numpy array of strings, and that array.

    A numpy array of strings is categorical throughout: one string tensor
    carries every column, a missing value as the empty string.
    """
    rng = np.random.RandomState(0)
    X = np.column_stack(
        [
            rng.choice(["a", "b", "c"], 300),
            rng.choice([f"shop {i}" for i in range(15)], 300),
        ]
    ).astype(object)
    X[::10, 1] = None
    y = (X[:, 0] == "a") | (X[:, 1] == "shop 3")
    return X, tabular(TabularMLPClassifier).fit(X, y)


def strings_test(X):
    test = X.copy()
    test[0, 0], test[1, 1] = "z", "shop 99"
    return test, np.where(pd_isna(test), "", test).astype(str)


def test_tabular_classifier_from_one_string_tensor():
    X, clf = strings_model()
    assert list(clf._encoder.coded_columns_) == [1]
    test, feed = strings_test(X)
    labels, probabilities = run(clf, feed, options={"zipmap": False})
    np.testing.assert_array_equal(labels, clf.predict(test))
    assert_table_close(
        probabilities, clf.predict_proba(test), np.float32, proba_rtol(clf)
    )


# -- what the tabular converters refuse ---------------------------------------------


def shop_model(drop=()):
    frame = shop_frame().drop(columns=list(drop))
    y = (frame["colour"] == "red").to_numpy()
    return frame, tabular(TabularMLPClassifier).fit(frame, y)


def typed(frame, **types):
    """skl2onnx's initial types for ``frame``: one ``(n, 1)`` input per column."""
    data_types = skl2onnx.common.data_types
    default = {"O": data_types.StringTensorType, "b": data_types.BooleanTensorType}
    return [
        (
            name,
            types.get(name, default.get(dtype.kind, data_types.DoubleTensorType))(
                [None, 1]
            ),
        )
        for name, dtype in zip(frame.columns, frame.dtypes)
    ]


def test_string_categories_in_a_numeric_tensor_are_refused():
    frame, clf = shop_model()
    initial_types = typed(frame, colour=skl2onnx.common.data_types.DoubleTensorType)
    with pytest.raises(
        ValueError, match="'colour' is categorical with string.*string tensor"
    ):
        skl2onnx.to_onnx(clf, initial_types=initial_types)


def test_a_numeric_column_in_a_string_tensor_is_refused():
    frame, clf = shop_model()
    initial_types = typed(frame, price=skl2onnx.common.data_types.StringTensorType)
    with pytest.raises(ValueError, match="'price' is numeric.*float or double"):
        skl2onnx.to_onnx(clf, initial_types=initial_types)


def test_numeric_categories_in_a_string_tensor_are_refused():
    frame = house_frame(np.float64)
    reg = tabular(TabularMLPRegressor, categorical_features=["grade"])
    reg = reg.fit(frame, frame["area"])
    initial_types = typed(frame, grade=skl2onnx.common.data_types.StringTensorType)
    with pytest.raises(ValueError, match="'grade' is categorical with numeric"):
        skl2onnx.to_onnx(reg, initial_types=initial_types)


def test_inputs_that_do_not_add_up_to_the_columns_are_refused():
    X = table(np.float32)
    reg = tabular(TabularMLPRegressor).fit(X, table_y("one output", X))
    initial_types = [("X", skl2onnx.common.data_types.FloatTensorType([None, 3]))]
    with pytest.raises(ValueError, match="fitted on 4 columns.*hold 3"):
        skl2onnx.to_onnx(reg, initial_types=initial_types)


def test_named_columns_in_another_order_are_refused():
    frame, clf = shop_model()
    initial_types = typed(frame)
    initial_types[0], initial_types[4] = initial_types[4], initial_types[0]
    with pytest.raises(ValueError, match="in the order of fit"):
        skl2onnx.to_onnx(clf, initial_types=initial_types)


# -- the tabular opsets ---------------------------------------------------------------


def converted_at(model, sample, opset, **kwargs):
    onx = skl2onnx.to_onnx(model, sample, target_opset=opset, **kwargs)
    assert {o.domain: o.version for o in onx.opset_import}[""] <= opset
    return ort.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("embedding", ["ple", "pbld"])
def test_smallest_opset_of_a_numeric_table(embedding, dtype):
    parts = ["numeric columns", "missing indicators", f"{embedding} embedding"]
    parts += ["members", "regression output"]
    opset = max(sknn_onnx.TABLE_OPSETS[part][1] for part in parts)
    X = table(dtype)
    reg = tabular(TabularMLPRegressor, numeric_embedding=embedding)
    reg = reg.fit(X, table_y("one output", X))
    X = extremes(X)
    sess = converted_at(reg, X[:1], opset)
    (predictions,) = sess.run(None, {"X": X})
    assert_table_close(predictions.ravel(), reg.predict(X), dtype, RTOL[np.float32])
    with pytest.raises(RuntimeError, match="IsNaN"):
        skl2onnx.to_onnx(reg, X[:1], target_opset=opset - 1)


def test_smallest_opset_of_string_categories():
    X, clf = strings_model()
    parts = ["string categories", "embedding tables", "members", "classifier output"]
    opset = max(sknn_onnx.TABLE_OPSETS[part][1] for part in parts)
    assert opset == 7
    test, feed = strings_test(X)
    sess = converted_at(clf, feed[:1], opset, options={"zipmap": False})
    labels, probabilities = sess.run(None, {"X": feed})
    np.testing.assert_array_equal(labels, clf.predict(test))
    assert_table_close(
        probabilities, clf.predict_proba(test), np.float32, proba_rtol(clf)
    )


def test_smallest_opset_of_numeric_categories():
    frame = house_frame(np.float32)
    reg = tabular(TabularMLPRegressor, categorical_features=["grade", "rooms"])
    reg = reg.fit(frame, frame["area"] * frame["grade"])
    opset = sknn_onnx.TABLE_OPSETS["numeric categories"][1]
    sess = converted_at(reg, frame[:1], opset)
    (predictions,) = sess.run(None, frame_feed(sess, frame))
    assert_table_close(predictions.ravel(), reg.predict(frame), np.float32, 1e-5)
    with pytest.raises(Exception, match="Equal"):
        converted_at(reg, frame[:1], opset - 1)


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
