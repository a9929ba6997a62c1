"""Export sknn's estimators to ONNX through skl2onnx.

Importing this module registers a converter and a shape calculator for
:class:`~sknn.PerceptronClassifier`, :class:`~sknn.MLPNeuronClassifier`,
:class:`~sknn.MLPNeuronRegressor`, :class:`~sknn.TabularMLPClassifier` and
:class:`~sknn.TabularMLPRegressor` with skl2onnx's public registration API
(``skl2onnx.update_registered_converter``). From then on skl2onnx's own
``to_onnx`` and ``convert_sklearn`` convert these estimators, alone or inside
a :class:`~sklearn.pipeline.Pipeline` beside scikit-learn's transformers::

    import sknn.onnx  # noqa: F401  (registers the converters)
    from skl2onnx import to_onnx

    onnx_model = to_onnx(pipeline, X[:1].astype("float32"))

The graphs mirror sknn's own arithmetic rather than skl2onnx's for
scikit-learn's networks wherever the two differ in rounding: the two
probabilities of a binary classifier are the logistic of ``-z`` and ``z``
(not ``1 - p``), labels come from the logits (threshold 0, first maximum),
and the logistic function is written with ``exp(-|z|)`` because
onnxruntime's ``Sigmoid`` kernel loses the tails (its float32 kernel is a
clipped approximation, its float64 one is off by 1e-10 relative). Every
operator used has float and double kernels in onnxruntime, so a graph
converted with ``DoubleTensorType`` computes in double throughout.

The tabular estimators' graphs start with their table stage (written by
``sknn/_onnx_tables.py``): the column encoder, computed in double as sknn
computes it and rounded to the network's float32, then the numeric and
categorical embeddings. Their input is the table of ``fit``: one tensor of
all its columns (a numeric array, or an array of strings), or one tensor
per column in the order of ``fit``, as skl2onnx converts a data frame.
Numeric columns come as numbers (float or double, NaN for a missing value);
categorical columns as strings (a missing value as the empty string) or,
for numeric and boolean categories, as numbers or booleans. The graph
computes in double when its first input is double, as skl2onnx's ZipMap
decides the type of the probabilities.

The outputs follow skl2onnx's conventions for the scikit-learn estimator
each one replaces: ``label`` (int64, or string for string classes; an int64
indicator matrix for multilabel targets) and ``probabilities``, or
``output_label`` and ``output_probability`` with ZipMap; regressors output
``variable`` of shape ``(n_samples, n_outputs)``. The classifiers accept the
options ``zipmap`` (True, False, 'columns'), ``raw_scores`` (the logits, or
the perceptron's decision function, instead of probabilities), ``nocl`` and
``output_class_labels``.

:data:`ACTIVATION_OPSETS` gives, for each activation, the ONNX operators of
its graph and the smallest ``target_opset`` that converts and runs it;
:data:`TABLE_OPSETS` does the same for the parts of the table stage.
"""

import math

import numpy as np

try:
    from onnx import TensorProto, numpy_helper
    from skl2onnx import update_registered_converter
    from skl2onnx.common.data_types import (
        DoubleTensorType,
        FloatTensorType,
        Int64TensorType,
        StringTensorType,
    )
    from skl2onnx.common.utils_classifier import get_label_classes
except ImportError as error:  # pragma: no cover - exercised without the extra
    raise ImportError(
        "sknn.onnx needs skl2onnx to convert models and onnxruntime to run "
        'them; install both with: pip install "sknn[onnx]"'
    ) from error
from numpy.polynomial import chebyshev
from scipy import special

from sknn._mlp import MLPNeuronClassifier
from sknn._mlp_regressor import MLPNeuronRegressor
from sknn._onnx_tables import check_table_inputs, table_input
from sknn._perceptron import PerceptronClassifier
from sknn._tabular import TabularMLPClassifier, TabularMLPRegressor

__all__ = [
    "ACTIVATION_OPSETS",
    "BASE_OPSET",
    "CLASSIFIER_OPTIONS",
    "TABULAR_CLASSIFIER_OPTIONS",
    "OUTPUT_OPSETS",
    "TABLE_OPSETS",
    "calculate_classifier_output_shapes",
    "calculate_regressor_output_shapes",
    "calculate_tabular_classifier_output_shapes",
    "calculate_tabular_regressor_output_shapes",
    "convert_mlp_classifier",
    "convert_mlp_regressor",
    "convert_perceptron",
    "convert_tabular_classifier",
    "convert_tabular_regressor",
]

CLASSIFIER_OPTIONS = {
    "zipmap": [True, False, "columns"],
    "nocl": [True, False],
    "output_class_labels": [False, True],
    "raw_scores": [True, False],
}
"""The options the classifiers' converters accept, with their allowed values."""

TABULAR_CLASSIFIER_OPTIONS = {
    name: values for name, values in CLASSIFIER_OPTIONS.items() if name != "raw_scores"
}
"""The tabular classifier's options: no ``raw_scores``, since its probabilities
average several members' softmax outputs, which no one set of logits gives."""

BASE_OPSET = 7
"""The smallest opset of every graph: ``Add`` broadcasts the biases from 7 on."""

OUTPUT_OPSETS = {
    "logistic": ("Neg, Concat, Abs, Sub, Mul, Exp, Add, Div, Greater, Cast", 7),
    "softmax": ("Softmax, ArgMax, Gather", 7),
    "identity": ("none", 7),
    "exp": ("Min, Exp", 8),
}
"""Output functions (``out_activation_``): ONNX operators and smallest opset.

The regressor's Poisson output ``exp(min(z, log(max)))`` needs ``Min`` with
a broadcast bound, from opset 8. The perceptron needs opset 7 whatever its
activation: its labels are the sign or the argmax of ``w·x + b``, its
probabilities (logistic activation) the logistic of
:data:`ACTIVATION_OPSETS`.
"""

ACTIVATION_OPSETS = {
    "identity": ("none", 7),
    "logistic": ("Abs, Sub, Mul, Exp, Neg, Add, Div", 7),
    "tanh": ("Tanh", 7),
    "relu": ("Relu", 7),
    "leaky_relu": ("Mul, Max", 8),
    "elu": ("Neg, Relu, Exp, Sub, Mul, Add", 7),
    "softplus": ("Relu, Abs, Neg, Exp, Add, Log", 7),
    "gelu": ("float: Mul, Erf, Add; double: Relu, Abs, Exp, Div, Mul, Sub, Add", 9),
    "silu": ("as logistic, then Mul", 7),
}
"""Hidden activations: the ONNX operators of each, and the smallest opset.

Every model also needs :data:`BASE_OPSET` for its layers (``MatMul``,
``Add``). onnxruntime implements double ``Max`` from opset 8, hence
``leaky_relu``'s 8. ``gelu`` needs ``Erf`` (opset 9) in float32;
onnxruntime has no double ``Erf``, so in double the normal tail is evaluated
from a Chebyshev series (opset 7). The perceptron's activations, ``step``
among them, need no operator of their own (see :data:`OUTPUT_OPSETS`).
"""

TABLE_OPSETS = {
    "numeric columns": (
        "Gather, Concat, Cast, Sub, Div, IsNaN, Where, Max, Min, Mul, Add, Sqrt",
        9,
    ),
    "missing indicators": ("IsNaN, Gather, Cast", 9),
    "ple embedding": ("Reshape, Sub, Mul, Max, Min, Transpose, MatMul, Add", 8),
    "pbld embedding": ("Reshape, Mul, Add, Cos, Transpose, MatMul, Concat", 7),
    "string categories": ("LabelEncoder (ai.onnx.ml 2), Equal, Cast, Concat", 7),
    "numeric categories": ("Cast, Equal, MatMul, IsNaN, Where, Concat", 11),
    "embedding tables": ("Add, Gather, Reshape", 7),
    "members": ("Reshape, Concat, Mul, MatMul, Add, Sub, Transpose", 7),
    "classifier output": ("Div, Softmax, Transpose, MatMul, Reshape, ArgMax", 7),
    "regression output": ("Max, Min, Transpose, MatMul, Reshape, Cast, Mul, Add", 8),
}
"""The tabular estimators' parts: ONNX operators and smallest opset.

A graph needs the largest opset of its parts and of its activations
(:data:`ACTIVATION_OPSETS`). Imputing missing values needs ``IsNaN`` and
``Where`` (opset 9), so every table with a numeric column needs 9; a
classifier of string categories alone converts from opset 7, a regressor
from 8 (its clip to the targets' range is a broadcast ``Max`` and ``Min``,
as is the piecewise-linear embedding's). String categories are looked up
with ``LabelEncoder``
of the ``ai.onnx.ml`` domain, version 2 (its keys and values); numeric ones
(numbers, booleans) are compared with ``Equal`` in double, which opset 11
added.
"""


# -- building nodes ------------------------------------------------------------


class _Graph:
    """Adds the nodes of one converted estimator in the dtype of its input.

    The graph computes in double when the input is a ``DoubleTensorType``
    and in float32 otherwise (other input types are cast to float32, as
    skl2onnx casts them for scikit-learn's networks).
    """

    def __init__(self, scope, operator, container):
        self.scope = scope
        self.container = container
        double = isinstance(operator.inputs[0].type, DoubleTensorType)
        self.dtype = np.dtype(np.float64 if double else np.float32)
        self.proto = TensorProto.DOUBLE if double else TensorProto.FLOAT

    def op(self, op_type, *inputs, output=None, domain="", **attributes):
        """Add one node; return the name of its output."""
        if output is None:
            output = self.scope.get_unique_variable_name(op_type.lower())
        self.container.add_node(
            op_type,
            list(inputs),
            output,
            op_domain=domain,
            name=self.scope.get_unique_operator_name(op_type),
            **attributes,
        )
        return output

    def constant(self, value, name="constant", dtype=None):
        """Add an initializer holding ``value`` (in the graph's dtype by default)."""
        array = np.asarray(value, dtype=self.dtype if dtype is None else dtype)
        unique = self.scope.get_unique_variable_name(name)
        if array.dtype.kind in "OUS":
            content = [str(item).encode("utf-8") for item in array.ravel()]
            self.container.add_initializer(
                unique, TensorProto.STRING, list(array.shape), content
            )
        else:
            # A TensorProto carries the raw bytes: the weights go in bit for bit.
            tensor = numpy_helper.from_array(np.ascontiguousarray(array))
            self.container.add_initializer(unique, None, None, tensor)
        return unique

    def input(self, operator):
        """The estimator's input, cast to the graph's dtype when needed."""
        name = operator.inputs[0].full_name
        if isinstance(operator.inputs[0].type, (FloatTensorType, DoubleTensorType)):
            return name
        return self.op("Cast", name, to=self.proto)


# -- activations ---------------------------------------------------------------


def _negative_part(graph, z):
    """``min(z, 0)``, exactly, as ``-relu(-z)``."""
    return graph.op("Neg", graph.op("Relu", graph.op("Neg", z)))


def _logistic(graph, z, activation=None):
    """``σ(z) = exp(min(z, 0)) / (1 + exp(-|z|))``, accurate in both tails."""
    magnitude = graph.op("Abs", z)
    half = graph.constant(0.5, "half")
    # (z - |z|) / 2 is min(z, 0) exactly: 2z halved, or 0.
    numerator = graph.op("Exp", graph.op("Mul", graph.op("Sub", z, magnitude), half))
    one = graph.constant(1.0, "one")
    denominator = graph.op("Add", one, graph.op("Exp", graph.op("Neg", magnitude)))
    return graph.op("Div", numerator, denominator)


def _identity(graph, z, activation=None):
    return z


def _tanh(graph, z, activation=None):
    return graph.op("Tanh", z)


def _relu(graph, z, activation=None):
    return graph.op("Relu", z)


def _leaky_relu(graph, z, activation):
    # max(z, s z), sknn's own formula (onnxruntime has no double LeakyRelu).
    slope = graph.constant(activation.negative_slope, "negative_slope")
    return graph.op("Max", z, graph.op("Mul", z, slope))


def _elu(graph, z, activation):
    # relu(z) + alpha (exp(min(z, 0)) - 1): the second term is exactly 0 for
    # z > 0 (onnxruntime has no double Elu).
    one = graph.constant(1.0, "one")
    alpha = graph.constant(activation.alpha, "alpha")
    below = graph.op("Sub", graph.op("Exp", _negative_part(graph, z)), one)
    return graph.op("Add", graph.op("Relu", z), graph.op("Mul", below, alpha))


def _softplus(graph, z, activation=None):
    # log(1 + exp(z)) = max(z, 0) + log(1 + exp(-|z|)): no overflow
    # (onnxruntime has no double Softplus).
    one = graph.constant(1.0, "one")
    tail = graph.op("Exp", graph.op("Neg", graph.op("Abs", z)))
    return graph.op(
        "Add", graph.op("Relu", z), graph.op("Log", graph.op("Add", one, tail))
    )


def _silu(graph, z, activation=None):
    return graph.op("Mul", z, _logistic(graph, z))


def _gelu(graph, z, activation=None):
    if graph.dtype == np.float32:
        return _gelu_erf(graph, z)
    return _gelu_series(graph, z)


def _gelu_erf(graph, z):
    """``z Φ(z) = z (1 + erf(z / √2)) / 2``, the exact GELU, with ``Erf``."""
    scaled = graph.op("Mul", z, graph.constant(1 / math.sqrt(2), "inverse_sqrt2"))
    one_plus = graph.op("Add", graph.op("Erf", scaled), graph.constant(1.0, "one"))
    return graph.op("Mul", graph.op("Mul", z, one_plus), graph.constant(0.5, "half"))


_MILLS_SCALE = 4.0
"""The ``c`` of the map ``t = c / (c + x)`` of the normal tail's series."""

_MILLS_DEGREE = 24
"""The degree of that series: its error in GELU is below 1e-15 (see below)."""


def _mills_series():
    """Chebyshev series in ``t = c / (c + x)`` on [0, 1] of ``x Q(x) / φ(x)``.

    ``Q(x) = 1 - Φ(x)`` is the normal tail and ``φ`` the normal density;
    ``x Q(x) / φ(x)`` (``x`` times Mills' ratio) rises smoothly from 0 at
    ``x = 0`` to 1 as ``x → ∞`` (``t → 0``), so a short series in ``t``
    represents it on the whole half-line. Interpolated from scipy's
    ``erfcx`` at degree 24 it reproduces ``φ(x) × (x Q(x) / φ(x))``, the term
    GELU subtracts, to within 1e-15 for every ``x``.
    """

    def x_mills(t):
        x = _MILLS_SCALE * (1 - t) / np.maximum(t, np.finfo(float).tiny)
        value = x * math.sqrt(math.pi / 2) * special.erfcx(x / math.sqrt(2))
        return np.where(t == 0, 1.0, value)

    return chebyshev.Chebyshev.interpolate(x_mills, _MILLS_DEGREE, domain=[0, 1])


_MILLS = _mills_series()


def _gelu_series(graph, z):
    """``z Φ(z) = relu(z) - φ(z) |z| Q(|z|) / φ(z)``, without ``Erf``.

    Both signs meet in one formula: ``z Φ(z) = z - z Q(z)`` above 0 and
    ``z Q(-z)`` below it, that is ``relu(z) - |z| Q(|z|)``; the series of
    :func:`_mills_series` gives ``|z| Q(|z|) / φ(z)``.
    """
    magnitude = graph.op("Abs", z)
    scale = graph.constant(_MILLS_SCALE, "mills_scale")
    t = graph.op("Div", scale, graph.op("Add", scale, magnitude))
    density = graph.op(
        "Mul",
        graph.op("Exp", graph.op("Mul", graph.op("Mul", z, z), graph.constant(-0.5))),
        graph.constant(1 / math.sqrt(2 * math.pi), "inverse_sqrt_2pi"),
    )
    tail = graph.op("Mul", density, _clenshaw(graph, _MILLS.coef, t))
    return graph.op("Sub", graph.op("Relu", z), tail)


def _clenshaw(graph, coefficients, t):
    """Evaluate the Chebyshev series ``Σ c_k T_k(2t - 1)`` by Clenshaw's recurrence."""
    u = graph.op("Sub", graph.op("Add", t, t), graph.constant(1.0, "one"))
    two_u = graph.op("Add", u, u)
    after, later = graph.constant(0.0, "zero"), graph.constant(0.0, "zero")
    # b_k = c_k + 2u b_{k+1} - b_{k+2}, down to k = 1; then c_0 + u b_1 - b_2.
    for c in coefficients[:0:-1]:
        step = graph.op("Sub", graph.op("Mul", two_u, after), later)
        after, later = graph.op("Add", step, graph.constant(c, "chebyshev")), after
    step = graph.op("Sub", graph.op("Mul", u, after), later)
    return graph.op("Add", step, graph.constant(coefficients[0], "chebyshev"))


_ACTIVATION_GRAPHS = {
    "identity": _identity,
    "logistic": _logistic,
    "tanh": _tanh,
    "relu": _relu,
    "leaky_relu": _leaky_relu,
    "elu": _elu,
    "softplus": _softplus,
    "gelu": _gelu,
    "silu": _silu,
}


def _activation(graph, z, activation):
    """Apply the :class:`~sknn.activations.Activation` ``activation`` to ``z``."""
    return _ACTIVATION_GRAPHS[activation.name](graph, z, activation)


# -- the layers ----------------------------------------------------------------


def _layers(graph, X, estimator):
    """The network's logits: every layer's product, bias and activation."""
    activations = estimator._network.activations
    coefs, intercepts = estimator.coefs_, estimator.intercepts_
    h = X
    for i, (coef, intercept) in enumerate(zip(coefs, intercepts)):
        product = graph.op("MatMul", h, graph.constant(coef, "coefficient"))
        h = graph.op("Add", product, graph.constant(intercept, "intercept"))
        if i < len(activations):
            h = _activation(graph, h, activations[i])
    return h


def _both_sides(graph, z):
    """For one output column ``z``, the two columns ``(-z, z)``."""
    return graph.op("Concat", graph.op("Neg", z), z, axis=1)


def _labels(graph, operator, classes, index):
    """Look the class labels up at ``index``, typed as skl2onnx types them."""
    output = operator.outputs[0].full_name
    if _string_labels(classes):
        return graph.op(
            "Gather", graph.constant(classes, "classes", object), index, output=output
        )
    # Float classes are whole numbers (scikit-learn refuses others as
    # continuous targets): int64 labels, as skl2onnx gives them.
    labels = graph.constant(np.asarray(classes).astype(np.int64), "classes", np.int64)
    return graph.op("Gather", labels, index, output=output)


def _string_labels(classes):
    return np.asarray(classes).dtype.kind in "OUS"


def _argmax(graph, scores):
    return graph.op("ArgMax", scores, axis=1, keepdims=0)


def _options(scope, estimator):
    return scope.get_options(estimator, dict(raw_scores=False))


# -- converters ----------------------------------------------------------------


def convert_mlp_classifier(scope, operator, container):
    """skl2onnx converter for :class:`~sknn.MLPNeuronClassifier`.

    Outputs the labels and the probabilities (the logits with
    ``raw_scores=True``) as ``predict`` and ``predict_proba`` compute them.

    Parameters
    ----------
    scope : skl2onnx.common._topology.Scope
        Where skl2onnx makes unique names.
    operator : skl2onnx.common._topology.Operator
        The estimator's operator: ``raw_operator`` is the fitted estimator,
        ``inputs`` and ``outputs`` its variables.
    container : skl2onnx.common._container.ModelComponentContainer
        The graph being built; it receives the nodes and the weights.
    """
    graph = _Graph(scope, operator, container)
    z = _layers(graph, graph.input(operator), operator.raw_operator)
    _classifier_outputs(graph, scope, operator, z)


def _classifier_outputs(graph, scope, operator, z):
    """The labels and the probabilities (or the logits) from the logits ``z``."""
    estimator = operator.raw_operator
    raw = _options(scope, estimator)["raw_scores"]
    scores_name = operator.outputs[1].full_name
    if _is_multilabel(estimator):
        # Each label is on where its logistic output exceeds 1/2: where z > 0.
        on = graph.op("Greater", z, graph.constant(0.0, "zero"))
        graph.op("Cast", on, to=TensorProto.INT64, output=operator.outputs[0].full_name)
        scores = z if raw else _logistic(graph, z)
        graph.op("Identity", scores, output=scores_name)
        return
    if estimator.n_outputs_ == 1:
        z = _both_sides(graph, z)
        probabilities = None if raw else _logistic(graph, z)
    else:
        probabilities = None if raw else graph.op("Softmax", z, axis=1)
    graph.op("Identity", z if raw else probabilities, output=scores_name)
    _labels(graph, operator, get_label_classes(scope, estimator), _argmax(graph, z))


def convert_perceptron(scope, operator, container):
    """skl2onnx converter for :class:`~sknn.PerceptronClassifier`.

    Outputs the labels and, as the second output, ``predict_proba`` for a
    logistic perceptron or else the decision function: one column per class,
    ``(-s, s)`` for two classes, as skl2onnx outputs scikit-learn's
    ``Perceptron``.

    Parameters
    ----------
    scope : skl2onnx.common._topology.Scope
        Where skl2onnx makes unique names.
    operator : skl2onnx.common._topology.Operator
        The estimator's operator: ``raw_operator`` is the fitted estimator,
        ``inputs`` and ``outputs`` its variables.
    container : skl2onnx.common._container.ModelComponentContainer
        The graph being built; it receives the nodes and the weights.
    """
    estimator = operator.raw_operator
    graph = _Graph(scope, operator, container)
    raw = _options(scope, estimator)["raw_scores"]
    coef = graph.constant(estimator.coef_.T, "coefficient")
    product = graph.op("MatMul", graph.input(operator), coef)
    s = graph.op("Add", product, graph.constant(estimator.intercept_, "intercept"))
    if estimator.coef_.shape[0] == 1:
        s = _both_sides(graph, s)
    scores = s
    if not raw and estimator.activation in ("logistic", "sigmoid"):
        scores = _logistic(graph, s)
        if estimator.coef_.shape[0] > 1:
            # the one-vs-rest outputs, normalised to sum to one
            ones = graph.constant(np.ones((estimator.coef_.shape[0], 1)), "ones")
            scores = graph.op("Div", scores, graph.op("MatMul", scores, ones))
    graph.op("Identity", scores, output=operator.outputs[1].full_name)
    _labels(graph, operator, get_label_classes(scope, estimator), _argmax(graph, s))


def convert_mlp_regressor(scope, operator, container):
    """skl2onnx converter for :class:`~sknn.MLPNeuronRegressor`.

    Outputs ``predict``'s values as a matrix of one column per output:
    the logits, or for ``loss='poisson'`` their exponential, with the logits
    clipped where the exponential would overflow, as sknn clips them.

    Parameters
    ----------
    scope : skl2onnx.common._topology.Scope
        Where skl2onnx makes unique names.
    operator : skl2onnx.common._topology.Operator
        The estimator's operator: ``raw_operator`` is the fitted estimator,
        ``inputs`` and ``outputs`` its variables.
    container : skl2onnx.common._container.ModelComponentContainer
        The graph being built; it receives the nodes and the weights.
    """
    estimator = operator.raw_operator
    graph = _Graph(scope, operator, container)
    z = _layers(graph, graph.input(operator), estimator)
    z = _regression_output(graph, z, estimator, graph.dtype)
    graph.op("Identity", z, output=operator.outputs[0].full_name)


def _regression_output(graph, z, estimator, dtype):
    """The output function of the logits ``z``: identity, or ``exp`` clipped.

    The logits are clipped where ``exp`` would overflow in ``dtype``.
    """
    if estimator.out_activation_ != "exp":
        return z
    bound = np.log(np.finfo(dtype).max).astype(dtype)
    bound = np.nextafter(bound, dtype.type(0))  # exp(bound) is finite
    return graph.op("Exp", graph.op("Min", z, graph.constant(bound, "max_exponent")))


def _member_layers(graph, x, network):
    """Every member's logits, ``(k, n, n_outputs)``, from their stacked inputs.

    The input scale, then per layer one batched ``MatMul`` of the members'
    ``(k, n_in, n_out)`` weights and their biases, and for the hidden layers
    the parametric activation ``z + α (f(z) - z)``, in sknn's order of
    operations.
    """
    h = x
    if network.scale is not None:
        h = graph.op("Mul", h, graph.constant(network.scale[:, None, :], "scale"))
    last = len(network.coefs) - 1
    for i, (coef, intercept) in enumerate(zip(network.coefs, network.intercepts)):
        product = graph.op("MatMul", h, graph.constant(coef, "coefficient"))
        z = graph.op("Add", product, graph.constant(intercept[:, None, :], "intercept"))
        if i == last:
            return z
        h = _activation(graph, z, network.activation)
        if network.parametric_activation:
            alpha = graph.constant(network.alphas[i][:, None, :], "alpha")
            h = graph.op("Add", graph.op("Mul", graph.op("Sub", h, z), alpha), z)


def _member_mean(graph, values, n_members, width):
    """The mean over the member axis of ``(k, n, width)``: ``(n, width)``.

    A product with a column of ``1/k`` after moving the member axis last:
    the same operators at every opset (``ReduceMean`` moved its axes from
    an attribute to an input in opset 18).
    """
    moved = graph.op("Transpose", values, perm=[1, 2, 0])
    weights = graph.constant(np.full((n_members, 1), 1.0 / n_members), "member_mean")
    mean = graph.op("MatMul", moved, weights)
    return graph.op("Reshape", mean, graph.constant([-1, width], "shape", np.int64))


def convert_tabular_classifier(scope, operator, container):
    """skl2onnx converter for :class:`~sknn.TabularMLPClassifier`.

    The table stage (the column encoder and each member's input layer, see
    :ref:`deploying-tables`), the members' dense layers as batched
    products, then the members' probabilities ``softmax(z / T)`` averaged,
    and the labels at their largest.

    Parameters
    ----------
    scope : skl2onnx.common._topology.Scope
        Where skl2onnx makes unique names.
    operator : skl2onnx.common._topology.Operator
        The estimator's operator: ``raw_operator`` is the fitted estimator,
        ``inputs`` the table's columns (one tensor, or several whose widths
        add up to the columns of ``fit``) and ``outputs`` its outputs.
    container : skl2onnx.common._container.ModelComponentContainer
        The graph being built; it receives the nodes and the weights.
    """
    estimator = operator.raw_operator
    network = estimator._network
    graph = _Graph(scope, operator, container)
    z = _member_layers(graph, table_input(graph, operator), network)
    temperature = graph.constant(estimator.temperature_, "temperature")
    probabilities = graph.op("Softmax", graph.op("Div", z, temperature), axis=2)
    n_classes = len(estimator.classes_)
    mean = _member_mean(graph, probabilities, network.n_members, n_classes)
    graph.op("Identity", mean, output=operator.outputs[1].full_name)
    _labels(graph, operator, get_label_classes(scope, estimator), _argmax(graph, mean))


def convert_tabular_regressor(scope, operator, container):
    """skl2onnx converter for :class:`~sknn.TabularMLPRegressor`.

    The table stage (see :func:`convert_tabular_classifier`), the members'
    dense layers, each member's outputs clipped to the standardised
    training targets' range, their mean, then the mapping back to the
    targets' scale in double, as ``predict`` maps them.

    Parameters
    ----------
    scope : skl2onnx.common._topology.Scope
        Where skl2onnx makes unique names.
    operator : skl2onnx.common._topology.Operator
        The estimator's operator: ``raw_operator`` is the fitted estimator,
        ``inputs`` the table's columns and ``outputs`` its output.
    container : skl2onnx.common._container.ModelComponentContainer
        The graph being built; it receives the nodes and the weights.
    """
    estimator = operator.raw_operator
    network = estimator._network
    graph = _Graph(scope, operator, container)
    z = _member_layers(graph, table_input(graph, operator), network)
    z = graph.op("Max", z, graph.constant(estimator._target_low, "target_low"))
    z = graph.op("Min", z, graph.constant(estimator._target_high, "target_high"))
    z = _member_mean(graph, z, network.n_members, estimator.n_outputs_)
    double = graph.dtype == np.float64
    if not double:
        z = graph.op("Cast", z, to=TensorProto.DOUBLE)
    scale = graph.constant(estimator._target_scale, "target_scale", np.float64)
    centre = graph.constant(estimator._target_centre, "target_centre", np.float64)
    output = operator.outputs[0].full_name
    y = graph.op(
        "Add", graph.op("Mul", z, scale), centre, output=output if double else None
    )
    if not double:
        graph.op("Cast", y, to=graph.proto, output=output)


def _is_multilabel(estimator):
    # Several logistic outputs: one per label. (A binary problem has one
    # output, a multiclass one a softmax.)
    return estimator.out_activation_ == "logistic" and estimator.n_outputs_ > 1


# -- shape calculators ---------------------------------------------------------


def _check_io(operator, n_outputs):
    if len(operator.inputs) != 1 or len(operator.outputs) != n_outputs:
        raise RuntimeError(
            f"{type(operator.raw_operator).__name__} takes one input and gives "
            f"{n_outputs} output(s); got {len(operator.inputs)} and "
            f"{len(operator.outputs)}."
        )


def _check_outputs(operator, n_outputs):
    if len(operator.outputs) != n_outputs:
        raise RuntimeError(
            f"{type(operator.raw_operator).__name__} gives {n_outputs} output(s); "
            f"got {len(operator.outputs)}."
        )


def _float_type(operator):
    """The tensor type the graph computes in: double for double input, else float."""
    if isinstance(operator.inputs[0].type, DoubleTensorType):
        return DoubleTensorType
    return FloatTensorType


def calculate_classifier_output_shapes(operator):
    """Shape calculator of both classifiers: labels, and one score per class.

    Parameters
    ----------
    operator : skl2onnx.common._topology.Operator
        The estimator's operator; the types of its outputs are set in place.
    """
    _check_io(operator, 2)
    _set_classifier_outputs(operator)


def calculate_tabular_classifier_output_shapes(operator):
    """Shape calculator of :class:`~sknn.TabularMLPClassifier`.

    Checks that the inputs carry the table of ``fit`` (see
    :func:`convert_tabular_classifier`); the outputs are the MLP's.

    Parameters
    ----------
    operator : skl2onnx.common._topology.Operator
        The estimator's operator; the types of its outputs are set in place.

    Raises
    ------
    ValueError
        Where the inputs cannot carry the table: their widths do not add up
        to the columns of ``fit``, or a column's tensor cannot hold its
        values (a numeric column as strings, string categories as numbers).
    """
    _check_outputs(operator, 2)
    check_table_inputs(operator)
    _set_classifier_outputs(operator)


def calculate_tabular_regressor_output_shapes(operator):
    """Shape calculator of :class:`~sknn.TabularMLPRegressor`: one column per output.

    Parameters
    ----------
    operator : skl2onnx.common._topology.Operator
        The estimator's operator; the types of its outputs are set in place.

    Raises
    ------
    ValueError
        As :func:`calculate_tabular_classifier_output_shapes`.
    """
    _check_outputs(operator, 1)
    check_table_inputs(operator)
    _set_regressor_outputs(operator)


def _set_classifier_outputs(operator):
    estimator = operator.raw_operator
    n = operator.inputs[0].get_first_dimension()
    classes = get_label_classes(operator.scope_inst, estimator)
    if getattr(estimator, "out_activation_", None) and _is_multilabel(estimator):
        operator.outputs[0].type = Int64TensorType([n, len(classes)])
    elif _string_labels(classes):
        operator.outputs[0].type = StringTensorType([n])
    else:
        operator.outputs[0].type = Int64TensorType([n])
    operator.outputs[1].type = _float_type(operator)([n, len(classes)])


def calculate_regressor_output_shapes(operator):
    """Shape calculator of the regressor: one column per output.

    Parameters
    ----------
    operator : skl2onnx.common._topology.Operator
        The estimator's operator; the types of its outputs are set in place.
    """
    _check_io(operator, 1)
    _set_regressor_outputs(operator)


def _set_regressor_outputs(operator):
    n = operator.inputs[0].get_first_dimension()
    n_outputs = operator.raw_operator.n_outputs_
    operator.outputs[0].type = _float_type(operator)([n, n_outputs])


# -- registration --------------------------------------------------------------


def _register():
    update_registered_converter(
        PerceptronClassifier,
        "SknnPerceptronClassifier",
        calculate_classifier_output_shapes,
        convert_perceptron,
        options=CLASSIFIER_OPTIONS,
    )
    update_registered_converter(
        MLPNeuronClassifier,
        "SknnMLPNeuronClassifier",
        calculate_classifier_output_shapes,
        convert_mlp_classifier,
        options=CLASSIFIER_OPTIONS,
    )
    update_registered_converter(
        MLPNeuronRegressor,
        "SknnMLPNeuronRegressor",
        calculate_regressor_output_shapes,
        convert_mlp_regressor,
    )
    update_registered_converter(
        TabularMLPClassifier,
        "SknnTabularMLPClassifier",
        calculate_tabular_classifier_output_shapes,
        convert_tabular_classifier,
        options=TABULAR_CLASSIFIER_OPTIONS,
    )
    update_registered_converter(
        TabularMLPRegressor,
        "SknnTabularMLPRegressor",
        calculate_tabular_regressor_output_shapes,
        convert_tabular_regressor,
    )


_register()
