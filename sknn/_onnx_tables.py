"""The tabular estimators' table stage as ONNX nodes, for :mod:`sknn.onnx`.

:class:`~sknn.TabularMLPClassifier` and :class:`~sknn.TabularMLPRegressor`
run two stages in front of their members' dense layers: the fitted
:class:`~sknn._columns.ColumnEncoder` and each member's
:class:`~sknn._embeddings.InputLayer`. This module writes both as graph
nodes and stacks the members' inputs into one ``(k, n, n_inputs)`` tensor;
:mod:`sknn.onnx` adds the members' dense layers (batched products over the
member axis) and the outputs. The functions take the converter's graph
(``sknn.onnx._Graph``: its ``op``, ``constant``, ``dtype`` and ``proto``)
and never import
:mod:`sknn.onnx`, which imports them.

The table arrives as one tensor holding every column (a numeric array), or
as several whose widths add up to the columns of ``fit``, in their order: a
data frame converted by skl2onnx has one ``(n, 1)`` input per column, of its
own type. Numeric columns come from float, double, integer or boolean
tensors; a categorical column from a string tensor when its categories are
strings and from a numeric or boolean one when they are numbers.
:func:`check_table_inputs` refuses anything else, naming the column.

The encoder, as sknn computes it
--------------------------------
sknn's encoder computes in float64 whatever the input, then rounds its
output to the network's dtype (float32); the graph does the same, so that a
column with a large median and a small spread is centred without the
float32 cancellation that would otherwise cost it most of its digits:

* numeric columns: ``z = (x - centre) / scale``, a missing value (NaN) set
  to 0, then the smooth clip ``3 z / sqrt(z² + 9)`` after clipping ``z`` to
  ``±1e30`` (so ``±inf`` squashes to ``±3``, never to ``inf / inf``);
* one missing indicator per numeric column that had NaN in ``fit``;
* categorical columns: each value's index among the categories of ``fit``
  (1 to m, 0 for an unseen value), by a lookup (``LabelEncoder`` of the
  ``ai.onnx.ml`` domain) for strings and by ``Equal`` against the categories
  for numbers. A one-hot column compares the index with 1 to m; a coded
  column gathers the rows of its embedding table at it. A missing value is
  NaN in a float tensor and the empty string in a string tensor: it takes
  the missing category where ``fit`` saw one (one-hot), and code 0
  otherwise, as sknn reads it.

The input layers
----------------
The numeric embeddings run feature by feature as one batched ``MatMul`` of
shape ``(f, n, k) @ (f, k, d)``, as sknn runs them and in the same order of
operations: for the periodic embedding
(:class:`~sknn._embeddings.PeriodicEmbedding`) on the transposed periodic
features (``c x + b``, times ``2π``, ``cos``), so that in float32 the
arguments of the cosines are the ones sknn computes, bit for bit; for the
piecewise-linear one (:class:`~sknn._piecewise.PiecewiseLinearEmbedding`)
on the codes ``(x - left) * inverse_width``, clipped slot by slot with
``Max`` and ``Min`` (the first slot open below, the last open above), plus
the linear embedding of ``x``.
"""

import numpy as np
from onnx import TensorProto
from skl2onnx.common.data_types import DoubleTensorType, StringTensorType

from sknn._columns import _HUGE, CLIP_BOUND
from sknn._piecewise import PiecewiseLinearEmbedding

__all__ = ["check_table_inputs", "table_input"]

_ML_DOMAIN = "ai.onnx.ml"

_LABEL_ENCODER_VERSION = 2
"""``LabelEncoder`` takes keys and values from ``ai.onnx.ml`` opset 2."""


# -- where the columns are -------------------------------------------------------


def _input_widths(operator, n_features):
    """The number of columns of each input; raise if they do not add up."""
    inputs = operator.inputs
    widths = []
    for variable in inputs:
        shape = getattr(variable.type, "shape", None) or []
        width = shape[1] if len(shape) == 2 else None
        if width is None and len(inputs) == 1:
            width = n_features
        if not isinstance(width, (int, np.integer)) or len(shape) != 2:
            raise ValueError(
                f"The table's input {variable.raw_name!r} has shape {shape}; give "
                "every input two dimensions and a known number of columns, for "
                "example FloatTensorType([None, n_columns])."
            )
        widths.append(int(width))
    if sum(widths) != n_features:
        raise ValueError(
            f"The model was fitted on {n_features} columns, but its inputs hold "
            f"{sum(widths)} ({', '.join(map(str, widths))}). Give one tensor of "
            f"{n_features} columns, or one tensor per column, in the order of fit."
        )
    return widths


def _locations(operator, n_features):
    """For each column of ``fit``: the index of its input and its position there."""
    widths = _input_widths(operator, n_features)
    return [(i, p) for i, width in enumerate(widths) for p in range(width)]


def _column_name(estimator, j):
    names = getattr(estimator, "feature_names_in_", None)
    return repr(str(names[j])) if names is not None else f"{j}"


def _is_string(variable):
    return isinstance(variable.type, StringTensorType)


def _present(categories):
    """The categories of ``fit`` other than the missing value; whether it is one."""
    categories = list(categories)
    missing = [c for c in categories if c is None or c != c]
    return [c for c in categories if not (c is None or c != c)], bool(missing)


def _categories_of(encoder):
    """For each categorical column of ``fit``: its categories, one-hot or coded."""
    result = {}
    if encoder.one_hot_encoder_ is not None:
        for j, cats in zip(
            encoder.one_hot_columns_, encoder.one_hot_encoder_.categories_
        ):
            result[int(j)] = cats
    if encoder.ordinal_encoder_ is not None:
        for j, cats in zip(
            encoder.coded_columns_, encoder.ordinal_encoder_.categories_
        ):
            result[int(j)] = cats
    return result


def check_table_inputs(operator):
    """Check that the inputs can carry the table the estimator was fitted on.

    Parameters
    ----------
    operator : skl2onnx.common._topology.Operator
        The tabular estimator's operator.

    Raises
    ------
    ValueError
        Where the inputs' widths do not add up to the columns of ``fit``,
        a column arrives in a tensor that cannot hold it (numbers as
        strings, string categories as numbers), or one tensor per column
        is named after the columns of ``fit`` in another order.
    """
    estimator = operator.raw_operator
    encoder = estimator._encoder
    locations = _locations(operator, encoder.n_features_in_)
    _check_order(operator, estimator)
    categories = _categories_of(encoder)
    for j, (i, _) in enumerate(locations):
        variable = operator.inputs[i]
        name = _column_name(estimator, j)
        if j not in categories:
            if _is_string(variable):
                raise ValueError(
                    f"Column {name} is numeric, but its input {variable.raw_name!r} "
                    "is a string tensor; give it as a float or double tensor."
                )
            continue
        present, _ = _present(categories[j])
        strings = all(isinstance(c, str) for c in present)
        if strings and not _is_string(variable):
            raise ValueError(
                f"Column {name} is categorical with string categories (such as "
                f"{present[0]!r}), but its input {variable.raw_name!r} is "
                f"{type(variable.type).__name__}; give it as a string tensor "
                "(StringTensorType), a missing value as the empty string."
            )
        if not strings and _is_string(variable):
            raise ValueError(
                f"Column {name} is categorical with numeric categories (such as "
                f"{present[0]!r}), but its input {variable.raw_name!r} is a string "
                "tensor; give it as a numeric or boolean tensor, a missing value "
                "as NaN."
            )


def _check_order(operator, estimator):
    """Refuse one input per column named after the columns of fit, reordered."""
    names = getattr(estimator, "feature_names_in_", None)
    given = [variable.raw_name for variable in operator.inputs]
    if names is None or len(given) != len(names) or list(names) == given:
        return
    if sorted(map(str, names)) == sorted(given):
        raise ValueError(
            "The inputs are named after the columns of fit but come in another "
            f"order ({given}); give them in the order of fit: {list(names)}."
        )


# -- the encoder -----------------------------------------------------------------


def _columns(graph, operator, locations, columns, to=None):
    """The columns ``columns`` of the table, input by input, concatenated.

    Each input's part is cast to ``to`` (a TensorProto type) when given.
    """
    parts = []
    for i in sorted({locations[j][0] for j in columns}):
        variable = operator.inputs[i]
        positions = [locations[j][1] for j in columns if locations[j][0] == i]
        width = sum(1 for location in locations if location[0] == i)
        part = variable.full_name
        if positions != list(range(width)):
            index = graph.constant(positions, "columns", np.int64)
            part = graph.op("Gather", part, index, axis=1)
        if to is not None and not _has_type(variable, to):
            part = graph.op("Cast", part, to=to)
        parts.append(part)
    return parts[0] if len(parts) == 1 else graph.op("Concat", *parts, axis=1)


def _has_type(variable, proto):
    return proto == TensorProto.DOUBLE and isinstance(variable.type, DoubleTensorType)


def _numeric_columns(graph, operator, locations, encoder):
    """The scaled numeric columns and the missing indicators, in the graph's dtype."""
    values = _columns(
        graph, operator, locations, encoder.numeric_columns_, TensorProto.DOUBLE
    )
    missing = graph.op("IsNaN", values)
    z = graph.op(
        "Div",
        graph.op("Sub", values, _double(graph, encoder.center_, "center")),
        _double(graph, encoder.scale_, "scale"),
    )
    # the median, imputed: 0 once centred
    z = graph.op("Where", missing, _double(graph, 0.0, "zero"), z)
    z = _smooth_clip(graph, z)
    indicators = None
    if encoder.missing_indicator_ is not None:
        features = graph.constant(
            encoder.missing_indicator_.features_, "missing", np.int64
        )
        flags = graph.op("Gather", missing, features, axis=1)
        indicators = graph.op("Cast", flags, to=graph.proto)
    return z, indicators


def _double(graph, value, name):
    """A float64 constant, whatever the graph's dtype: the encoder computes in it."""
    return graph.constant(value, name, np.float64)


def _smooth_clip(graph, z):
    """``B z / sqrt(z² + B²)`` of ``z`` clipped to ``±1e30``: sknn's smooth clip.

    sknn divides by ``hypot(z, B)``; below ``1e30`` the square cannot
    overflow in float64, and the two differ by a rounding at most.
    """
    z = graph.op(
        "Min",
        graph.op("Max", z, _double(graph, -_HUGE, "lowest")),
        _double(graph, _HUGE, "highest"),
    )
    bound_squared = _double(graph, CLIP_BOUND**2, "bound_squared")
    radius = graph.op("Sqrt", graph.op("Add", graph.op("Mul", z, z), bound_squared))
    bound = _double(graph, CLIP_BOUND, "bound")
    return graph.op("Mul", graph.op("Div", z, radius), bound)


def _category_index(graph, operator, locations, j, categories, missing_code):
    """Column ``j``'s index among ``categories``: 1 to m, 0 when unseen; int64.

    A missing value gets ``missing_code``. The index is ``(n, 1)``.
    """
    present, _ = _present(categories)
    variable = operator.inputs[locations[j][0]]
    column = _columns(graph, operator, locations, [j])
    codes = list(range(1, len(present) + 1))
    if _is_string(variable):
        keys = [str(c) for c in present]
        if missing_code and "" not in keys:
            keys.append("")  # a missing value, in a string tensor
            codes.append(missing_code)
        return graph.op(
            "LabelEncoder",
            column,
            domain=_ML_DOMAIN,
            op_version=_LABEL_ENCODER_VERSION,
            keys_strings=keys,
            values_int64s=codes,
            default_int64=0,
        )
    if not _has_type(variable, TensorProto.DOUBLE):
        column = graph.op("Cast", column, to=TensorProto.DOUBLE)
    values = np.array([float(c) for c in present], dtype=np.float64)
    matches = graph.op(
        "Equal", column, graph.constant(values, "categories", np.float64)
    )
    # one match at most per row: the product picks its code, or 0
    weights = np.array(codes, dtype=np.float64)[:, np.newaxis]
    index = graph.op(
        "MatMul",
        graph.op("Cast", matches, to=TensorProto.DOUBLE),
        graph.constant(weights, "codes", np.float64),
    )
    if missing_code:
        code = graph.constant([float(missing_code)], "missing_code", np.float64)
        index = graph.op("Where", graph.op("IsNaN", column), code, index)
    return graph.op("Cast", index, to=TensorProto.INT64)


def _one_hot_columns(graph, operator, locations, encoder):
    """The one-hot columns, in the graph's dtype, as OneHotEncoder writes them."""
    blocks = []
    for j, categories in zip(
        encoder.one_hot_columns_, encoder.one_hot_encoder_.categories_
    ):
        present, has_missing = _present(categories)
        # the missing category comes last in OneHotEncoder's categories
        missing_code = len(present) + 1 if has_missing else 0
        index = _category_index(
            graph, operator, locations, int(j), categories, missing_code
        )
        positions = np.arange(1, len(categories) + 1, dtype=np.int64)
        hits = graph.op(
            "Equal", index, graph.constant(positions, "positions", np.int64)
        )
        blocks.append(graph.op("Cast", hits, to=graph.proto))
    return blocks[0] if len(blocks) == 1 else graph.op("Concat", *blocks, axis=1)


def _codes(graph, operator, locations, encoder):
    """The coded columns' codes, ``(n, n_coded)`` int64: 0 for missing or unseen."""
    indices = [
        _category_index(graph, operator, locations, int(j), categories, 0)
        for j, categories in zip(
            encoder.coded_columns_, encoder.ordinal_encoder_.categories_
        )
    ]
    return indices[0] if len(indices) == 1 else graph.op("Concat", *indices, axis=1)


# -- the input layer ---------------------------------------------------------------


def _in_network_dtype(graph, values, network_dtype):
    """Round float64 ``values`` to the network's dtype, then to the graph's."""
    network = TensorProto.FLOAT if network_dtype == np.float32 else TensorProto.DOUBLE
    values = graph.op("Cast", values, to=network)
    if network != graph.proto:
        values = graph.op("Cast", values, to=graph.proto)
    return values


def _periodic_embedding(graph, x, embedding):
    """The numeric embeddings of ``x`` (n, f), laid out as sknn lays them out."""
    f = embedding.n_features
    dtype = embedding.dtype
    x3 = graph.op("Reshape", x, graph.constant([-1, f, 1], "shape", np.int64))
    turns = graph.op("Mul", x3, graph.constant(embedding.frequencies, "frequencies"))
    if embedding.phases is not None:
        turns = graph.op("Add", turns, graph.constant(embedding.phases, "phases"))
    # 2π in the network's dtype, as sknn multiplies by it
    two_pi = graph.constant(dtype.type(2 * np.pi), "two_pi")
    turns = graph.op("Mul", turns, two_pi)
    features = graph.op("Cos", turns)
    if embedding.kind == "plr":
        features = graph.op("Concat", graph.op("Sin", turns), features, axis=2)
    # feature by feature: (f, n, k_in) @ (f, k_in, d) in one batched product
    stacked = graph.op("Transpose", features, perm=[1, 0, 2])
    hidden = graph.op("MatMul", stacked, graph.constant(embedding.coefs, "coefs"))
    intercepts = embedding.intercepts[:, np.newaxis, :]
    hidden = graph.op("Add", hidden, graph.constant(intercepts, "intercepts"))
    if embedding.kind == "plr":
        hidden = graph.op("Relu", hidden)
    learned = graph.op("Transpose", hidden, perm=[1, 0, 2])
    width = f * embedding.coefs.shape[2]
    learned = graph.op(
        "Reshape", learned, graph.constant([-1, width], "shape", np.int64)
    )
    if embedding.kind == "pbld":
        return graph.op("Concat", learned, x, axis=1)  # x itself beside them
    return learned


def _categorical_embedding(graph, codes, embedding):
    """Each coded column's table row, side by side: ``(n, n_coded * n_dims)``."""
    offsets = graph.constant(embedding.offsets, "offsets", np.int64)
    rows = graph.op("Add", codes, offsets)
    gathered = graph.op(
        "Gather", graph.constant(embedding.table, "table"), rows, axis=0
    )
    width = len(embedding.cardinalities) * embedding.n_dims
    return graph.op("Reshape", gathered, graph.constant([-1, width], "shape", np.int64))


def _piecewise_embedding(graph, x, embedding):
    """The piecewise-linear embeddings of ``x`` (n, f), as sknn computes them.

    The codes ``(x - left) * inverse_width`` are clipped by ``Max`` and
    ``Min`` against per-slot bounds: ``(-inf, 1]`` for the first slot,
    ``[0, 1]`` inside, ``[0, inf)`` for the last, as
    :meth:`~sknn._piecewise.PiecewiseLinearEmbedding.encode` clips them.
    """
    f, T, d = embedding.n_features, embedding.n_bins, embedding.n_dims
    x3 = graph.op("Reshape", x, graph.constant([-1, f, 1], "shape", np.int64))
    codes = graph.op("Sub", x3, graph.constant(embedding.left, "bin_left"))
    codes = graph.op("Mul", codes, graph.constant(embedding.inverse_width, "bin_scale"))
    low = np.zeros(T)
    low[0] = -np.inf
    high = np.ones(T)
    high[-1] = np.inf
    codes = graph.op("Max", codes, graph.constant(low, "bin_low"))
    codes = graph.op("Min", codes, graph.constant(high, "bin_high"))
    # feature by feature: (f, n, T) @ (f, T, d) in one batched product
    stacked = graph.op("Transpose", codes, perm=[1, 0, 2])
    hidden = graph.op("MatMul", stacked, graph.constant(embedding.coefs, "coefs"))
    column = graph.op("Transpose", x3, perm=[1, 0, 2])  # (f, n, 1)
    linear = embedding.linear[:, np.newaxis, :]
    hidden = graph.op(
        "Add", hidden, graph.op("Mul", column, graph.constant(linear, "linear"))
    )
    intercepts = embedding.intercepts[:, np.newaxis, :]
    hidden = graph.op("Add", hidden, graph.constant(intercepts, "intercepts"))
    learned = graph.op("Transpose", hidden, perm=[1, 0, 2])
    return graph.op("Reshape", learned, graph.constant([-1, f * d], "shape", np.int64))


def _encoded_table(graph, operator):
    """The encoder's output: scaled numbers, passthrough blocks, codes.

    The scaled numbers are rounded to the network's float32 (then to the
    graph's dtype); either part may be None (empty list) where the table
    has no such column.
    """
    estimator = operator.raw_operator
    encoder = estimator._encoder
    locations = _locations(operator, encoder.n_features_in_)
    scaled, codes, passthrough = None, None, []
    if encoder.n_numeric_:
        scaled, indicators = _numeric_columns(graph, operator, locations, encoder)
        scaled = _in_network_dtype(graph, scaled, estimator._network.dtype)
        if indicators is not None:
            passthrough.append(indicators)
    if encoder.one_hot_encoder_ is not None:
        passthrough.append(_one_hot_columns(graph, operator, locations, encoder))
    if len(encoder.coded_columns_):
        codes = _codes(graph, operator, locations, encoder)
    return scaled, passthrough, codes


def _member_input(graph, layer, scaled, passthrough, codes):
    """One member's first-layer input: its embeddings and the passthrough."""
    parts = []
    if scaled is not None:
        if layer.numeric is None:
            parts.append(scaled)
        elif isinstance(layer.numeric, PiecewiseLinearEmbedding):
            parts.append(_piecewise_embedding(graph, scaled, layer.numeric))
        else:
            parts.append(_periodic_embedding(graph, scaled, layer.numeric))
    parts.extend(passthrough)
    if layer.categorical is not None:
        parts.append(_categorical_embedding(graph, codes, layer.categorical))
    return parts[0] if len(parts) == 1 else graph.op("Concat", *parts, axis=1)


def table_input(graph, operator):
    """Every member's first-layer input, stacked: ``(k, n, n_inputs)``.

    Parameters
    ----------
    graph : sknn.onnx._Graph
        Receives the nodes, in its dtype.
    operator : skl2onnx.common._topology.Operator
        The tabular estimator's operator, its inputs checked by
        :func:`check_table_inputs`.

    Returns
    -------
    str
        The name of the ``(k, n, n_inputs)`` tensor the members' dense
        layers take.
    """
    network = operator.raw_operator._network
    encoded = _encoded_table(graph, operator)
    width = network.sizes[0]
    shape = graph.constant([1, -1, width], "member_shape", np.int64)
    members = [
        graph.op("Reshape", _member_input(graph, layer, *encoded), shape)
        for layer in network.input_layers
    ]
    return members[0] if len(members) == 1 else graph.op("Concat", *members, axis=0)
