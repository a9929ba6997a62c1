"""TabularMLPClassifier and TabularMLPRegressor: networks for data frames.

The same dense core, kernels and training loop as the MLPNeuron estimators,
with one stage in front of them and their own defaults. :class:`_TableStage`
is that stage: in ``fit`` it fits a :class:`~sknn._columns.ColumnEncoder` to
the data frame as it is (categorical columns from their dtype, missing values
imputed and flagged, numeric columns robustly scaled and smoothly clipped),
and gives the network an :class:`~sknn._embeddings.InputLayer` (periodic
embeddings of the numeric columns, tables for the categorical codes) whose
parameters train with the rest. ``predict`` runs the fitted encoder again.

The two estimators are the MLPNeuron estimators with this stage mixed in
first, so every hook of :class:`~sknn._mlp_base.BaseMultilayerNetwork` that
sees the input (validating it, sizing the first layer, building the input
layer) is the stage's. The regressor also standardises its targets inside
and maps its predictions back.
"""

import contextlib
from dataclasses import replace
from numbers import Integral, Real

import numpy as np
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_consistent_length, check_is_fitted

from sknn._base import Interval, StrOptions, _check_y, _fit_context
from sknn._columns import ColumnEncoder
from sknn._embeddings import InputLayer, PeriodicEmbedding
from sknn._mlp import MLPNeuronClassifier
from sknn._mlp_base import _SplitError
from sknn._mlp_regressor import MLPNeuronRegressor

__all__ = ["TabularMLPClassifier", "TabularMLPRegressor"]

DTYPE = np.float32
"""The tabular networks compute in float32: twice the speed of float64, and
far more precision than the tables' own measurements carry."""

_TABLE_CONSTRAINTS = {
    "categorical_features": [
        StrOptions({"from_dtype"}),
        "array-like",
        None,
    ],
    "numeric_embedding": [StrOptions({"pbld", "plr"}), None],
    "n_frequencies": [Interval(Integral, 1, None, closed="left")],
    "embedding_dims": [Interval(Integral, 2, None, closed="left")],
    "frequency_scale": [Interval(Real, 0, None, closed="neither")],
    "categorical_embedding_dims": [Interval(Integral, 1, None, closed="left")],
}


def _never(estimator):
    return False


class _TableStage:
    """The table encoder and the input layer, in front of an MLPNeuron estimator."""

    _auto_batch_size = 256

    # -- the input ---------------------------------------------------------

    def _validate_input(self, X, y, reset):
        """Fit the encoder on the first pass; return the encoded matrix and ``y``."""
        if y is None:  # scikit-learn's words, before any work on X
            raise ValueError(
                f"This {type(self).__name__} estimator requires y to be passed, "
                "but the target y is None."
            )
        if reset:
            self._encoder = ColumnEncoder(self.categorical_features, dtype=DTYPE)
            self._encoder.fit(X)
            self.n_features_in_ = self._encoder.n_features_in_
            names = getattr(self._encoder, "feature_names_in_", None)
            if names is None:
                self.__dict__.pop("feature_names_in_", None)
            else:
                self.feature_names_in_ = names
        matrix = self._encode(X)
        y = _check_y(y, multi_output=True, y_numeric=self._numeric_targets)
        check_consistent_length(matrix, y)
        return matrix, y

    def _validate_X(self, X):
        check_is_fitted(self)
        if self._validated_input:
            return X
        return self._encode(X)

    _validated_input = False

    @contextlib.contextmanager
    def _on_validated_input(self):
        self._validated_input = True
        try:
            yield
        finally:
            del self._validated_input

    def _encode(self, X):
        """The network's input: the dense columns, then the codes, as one matrix."""
        table = self._encoder.transform(X)
        return np.hstack([table.dense, table.codes.astype(DTYPE)])

    # -- the input layer ---------------------------------------------------

    def _input_layer(self, dtype):
        encoder = self._encoder
        numeric = None
        if self.numeric_embedding is not None and encoder.n_numeric_:
            numeric = PeriodicEmbedding(
                encoder.n_numeric_,
                n_frequencies=self.n_frequencies,
                n_dims=self.embedding_dims,
                sigma=self.frequency_scale,
                kind=self.numeric_embedding,
                dtype=dtype,
            )
        return InputLayer(
            encoder.n_numeric_,
            encoder.n_dense_ - encoder.n_numeric_,
            encoder.cardinalities_,
            numeric=numeric,
            n_categorical_dims=self.categorical_embedding_dims,
            dtype=dtype,
        )

    def _input_width(self, X):
        return self._input_layer(DTYPE).n_outputs

    def _training_config(self):
        # The encoder scales the input, so advice to scale it would be wrong
        # (its code columns are large on purpose); and a fixed number of
        # epochs, the best of them kept, is the plan, not a failure to
        # converge.
        return replace(
            super()._training_config(), advise_scaling=False, warn_at_max_iter=False
        )

    def _hold_out(self, X, Y, stratify, sample_weight, random_state):
        # A table too small to hold out a validation set that the split can
        # stratify trains on all of it and keeps the last epoch.
        try:
            return super()._hold_out(X, Y, stratify, sample_weight, random_state)
        except _SplitError:
            return X, Y, sample_weight, None

    # -- no partial_fit: the encoder is fitted on the data of one call ------

    @available_if(_never)
    def partial_fit(self, X, y, **kwargs):
        """Not available: the table encoder is fitted on all the data of ``fit``."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        return tags


class TabularMLPClassifier(_TableStage, MLPNeuronClassifier):
    """A network that classifies the rows of a table: data frames in, no tuning.

    It takes a numpy array, a pandas DataFrame or a polars DataFrame as it
    is: numeric columns with missing values, categorical columns from their
    dtype. Inside ``fit`` it learns the preprocessing from the training data
    alone (robust scaling with smooth clipping and missing indicators for
    numbers, one-hot columns or embedding tables for categories), embeds each
    numeric column periodically, and trains three hidden layers with a
    procedure that the tabular-network literature found to work across
    tables (RealMLP, Holzmüller et al. 2024): Adam with ``beta_2=0.95``, a
    cosine learning-rate schedule, label smoothing, and the best epoch on a
    held-out fifth. Its defaults are its own: it is not a drop-in
    replacement for scikit-learn's MLPClassifier (that is
    :class:`MLPNeuronClassifier`), and it has no ``partial_fit``.

    Parameters
    ----------
    categorical_features : 'from_dtype', None, array-like of bool, int or str, \
            default='from_dtype'
        Which columns are categorical. 'from_dtype': those of category,
        enum, string, object or bool dtype in a data frame (all columns of
        a numpy array of strings or objects; none of a numeric array); None:
        none; or a boolean mask, column indices or column names, as
        :class:`~sklearn.ensemble.HistGradientBoostingClassifier` takes them.
        Columns with at most 8 categories are one-hot encoded, the others
        embedded (``categorical_embedding_dims``); a missing value is a
        category of its own, and a category unseen in ``fit`` is read as
        missing.

    numeric_embedding : {'pbld', 'plr'} or None, default='pbld'
        How each numeric column enters the network, after robust scaling
        and smooth clipping: 'pbld' (RealMLP's periodic embedding, learned
        frequencies and phases, ``cos``, a linear map, and the value
        itself beside it), 'plr' (Gorishniy et al.'s periodic-linear-relu),
        or None for the scaled value alone.

    n_frequencies : int, default=16
        The learned frequencies per numeric column.

    embedding_dims : int, default=4
        The outputs per numeric column of its embedding.

    frequency_scale : float, default=0.1
        The standard deviation of the initial frequencies (in turns per
        unit of the scaled column).

    categorical_embedding_dims : int, default=8
        The outputs per embedded categorical column.

    hidden_layer_sizes : array-like of int, default=(256, 256, 256)
        The number of neurons in each hidden layer.

    activation : str, Activation or list, default='relu'
        The hidden layers' activation (see :class:`MLPNeuronClassifier`).

    solver : {'adam', 'sgd', 'lbfgs'}, default='adam'
        How the weights are optimised.

    alpha : float, default=0.0
        The L2 penalty on the dense weights.

    batch_size : int or 'auto', default='auto'
        The samples per mini-batch; 'auto' is ``min(256, n_samples)``.

    learning_rate : {'constant', 'invscaling', 'adaptive'}, default='constant'
        The per-epoch schedule of 'sgd' (see :class:`MLPNeuronClassifier`).

    learning_rate_init : float, default=0.003
        The peak step size of 'adam' and 'sgd'.

    power_t : float, default=0.5
        The exponent of 'invscaling'.

    max_iter : int, default=40
        The epochs to train (the best one is kept, see ``early_stopping``).

    shuffle : bool, default=True
        Whether to visit the samples in a new order each epoch.

    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the validation split and the shuffles.

    tol : float, default=1e-4
        The improvement that counts for ``n_iter_no_change``.

    verbose : bool, default=False
        Print the loss after every epoch.

    warm_start : bool, default=False
        Start ``fit`` from the previous fit's weights (the data must have
        the same columns and targets).

    momentum : float, default=0.9
        The momentum of 'sgd'.

    nesterovs_momentum : bool, default=True
        Whether 'sgd' uses Nesterov's momentum.

    early_stopping : bool, default=True
        Hold out ``validation_fraction`` of the data (or use ``X_val``) and
        keep the weights of the epoch that scored best on it.

    validation_fraction : float, default=0.2
        The share of the data held out.

    beta_1 : float, default=0.9
        Adam's decay rate of the gradient's running mean.

    beta_2 : float, default=0.95
        Adam's decay rate of the squared gradient's running mean (RealMLP's
        0.95: steps adapt faster than with the usual 0.999).

    epsilon : float, default=1e-8
        Added to Adam's denominator.

    n_iter_no_change : int or np.inf, default=np.inf
        Epochs without improvement before stopping; the default runs every
        epoch and keeps the best.

    max_fun : int, default=15000
        The most loss evaluations of 'lbfgs'.

    negative_slope : float, default=0.01
        The slope of 'leaky_relu' below 0.

    diagnostics : bool, default=False
        Record per-layer training diagnostics in ``diagnostics_``.

    weight_init : str or list of str, default='glorot_uniform'
        How the dense layers' initial weights are drawn.

    dropout : float or list of float, default=0.0
        The probability of dropping each hidden unit while training.

    scoring : str, callable or None, default='loss'
        What picks the best epoch on the validation data: 'loss' (the mean
        validation loss), None (accuracy or R²), or a scorer.

    learning_rate_schedule : str, Schedule, callable or None, default='cosine'
        The factor on the learning rate at each step (:mod:`sknn.schedules`).

    warmup_fraction : float, default=0.0
        The share of the steps of linear warm-up.

    weight_decay : float, default=0.0
        Decoupled weight decay on the dense weights.

    max_grad_norm : float or None, default=None
        Clip each step's gradient to this norm.
    class_weight : dict, 'balanced' or None, default=None
        Weights of the classes in the loss.

    label_smoothing : float, default=0.1
        Train towards ``(1 - ε) y + ε / K``: the network stays calibrated
        rather than ever more confident.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    n_features_in_ : int
        The number of columns seen in ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        The column names seen in ``fit``, where they are all strings.
    loss_ : float
        The training loss at the end of the last epoch.
    loss_curve_ : list of float
        The training loss after each epoch.
    validation_scores_ : list of float or None
        The validation score after each epoch (with ``scoring='loss'``, the
        negated validation loss); None without a validation set.
    validation_loss_curve_ : list of float or None
        The mean validation loss after each epoch; None without one.
    best_validation_score_ : float or None
        The best validation score, whose weights the network keeps.
    best_loss_ : float or None
        The lowest training loss, when there is no validation set.
    learning_rate_curve_ : list of float
        The learning rate of each epoch's last step.
    n_iter_ : int
        The epochs run.
    t_ : int
        The training samples seen.
    coefs_ : list of ndarray
        The dense layers' weight matrices; ``coefs_[0]`` takes the input
        layer's outputs.
    intercepts_ : list of ndarray
        The dense layers' biases.
    n_layers_ : int
        The number of dense layers, input and output included.
    n_outputs_ : int
        The number of outputs.
    out_activation_ : str
        The output function.

    See Also
    --------
    TabularMLPRegressor : The same network for regression.
    MLPNeuronClassifier : The drop-in replacement for scikit-learn's MLP.
    sklearn.ensemble.HistGradientBoostingClassifier : Gradient-boosted trees.

    Examples
    --------
    >>> import pandas as pd
    >>> from sknn import TabularMLPClassifier
    >>> X = pd.DataFrame({"size": [1.0, 2.5, None, 4.0] * 25,
    ...                   "colour": ["red", "blue", "red", "green"] * 25})
    >>> y = (X["colour"] == "red").to_numpy()
    >>> clf = TabularMLPClassifier(max_iter=5, random_state=0).fit(X, y)
    >>> clf.predict(X.head(3))
    array([ True, False,  True])
    """

    _parameter_constraints: dict = {
        **MLPNeuronClassifier._parameter_constraints,
        **_TABLE_CONSTRAINTS,
    }

    def __init__(
        self,
        categorical_features="from_dtype",
        numeric_embedding="pbld",
        n_frequencies=16,
        embedding_dims=4,
        frequency_scale=0.1,
        categorical_embedding_dims=8,
        hidden_layer_sizes=(256, 256, 256),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.003,
        power_t=0.5,
        max_iter=40,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=True,
        validation_fraction=0.2,
        beta_1=0.9,
        beta_2=0.95,
        epsilon=1e-8,
        n_iter_no_change=np.inf,
        max_fun=15000,
        negative_slope=0.01,
        diagnostics=False,
        weight_init="glorot_uniform",
        dropout=0.0,
        scoring="loss",
        learning_rate_schedule="cosine",
        warmup_fraction=0.0,
        weight_decay=0.0,
        max_grad_norm=None,
        class_weight=None,
        label_smoothing=0.1,
    ):
        self.categorical_features = categorical_features
        self.numeric_embedding = numeric_embedding
        self.n_frequencies = n_frequencies
        self.embedding_dims = embedding_dims
        self.frequency_scale = frequency_scale
        self.categorical_embedding_dims = categorical_embedding_dims
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.negative_slope = negative_slope
        self.diagnostics = diagnostics
        self.weight_init = weight_init
        self.dropout = dropout
        self.scoring = scoring
        self.learning_rate_schedule = learning_rate_schedule
        self.warmup_fraction = warmup_fraction
        self.weight_decay = weight_decay
        self.max_grad_norm = max_grad_norm
        self.class_weight = class_weight
        self.label_smoothing = label_smoothing

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(
        self,
        X,
        y,
        sample_weight=None,
        *,
        X_val=None,
        y_val=None,
        sample_weight_val=None,
    ):
        """Fit the encoder and the network to the table ``X`` and the labels ``y``.

        Parameters
        ----------
        X : {array-like, pandas DataFrame, polars DataFrame} of shape \
                (n_samples, n_features)
            The table, as it is.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            The class labels, or a label indicator matrix.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples in the loss.
        X_val : table of shape (n_val, n_features), default=None
            Validation data for the best epoch, instead of holding out
            ``validation_fraction`` of ``X``.
        y_val : array-like of shape (n_val,) or (n_val, n_labels), default=None
            The labels of ``X_val``.
        sample_weight_val : array-like of shape (n_val,), default=None
            Weights of the validation samples.

        Returns
        -------
        self : TabularMLPClassifier
            The fitted estimator.
        """
        validation_data = None
        if X_val is not None or y_val is not None:
            validation_data = (X_val, y_val, sample_weight_val)
        return self._fit(X, y, sample_weight, False, validation_data)


class TabularMLPRegressor(_TableStage, MLPNeuronRegressor):
    """A network that regresses on the rows of a table: data frames in, no tuning.

    :class:`TabularMLPClassifier`'s table stage and training procedure, for
    numeric targets, which it standardises inside ``fit`` (and maps back in
    ``predict``), so that the defaults suit targets of any scale. Not a
    drop-in replacement for scikit-learn's MLPRegressor (that is
    :class:`MLPNeuronRegressor`), and without ``partial_fit``.

    Parameters
    ----------
    loss : {'squared_error', 'absolute_error', 'poisson'}, \
            default='squared_error'
        The loss; 'poisson' targets are scaled by their mean, not centred.
    categorical_features : 'from_dtype', None, array-like of bool, int or str, \
            default='from_dtype'
        Which columns are categorical. 'from_dtype': those of category,
        enum, string, object or bool dtype in a data frame (all columns of
        a numpy array of strings or objects; none of a numeric array); None:
        none; or a boolean mask, column indices or column names, as
        :class:`~sklearn.ensemble.HistGradientBoostingClassifier` takes them.
        Columns with at most 8 categories are one-hot encoded, the others
        embedded (``categorical_embedding_dims``); a missing value is a
        category of its own, and a category unseen in ``fit`` is read as
        missing.

    numeric_embedding : {'pbld', 'plr'} or None, default='pbld'
        How each numeric column enters the network, after robust scaling
        and smooth clipping: 'pbld' (RealMLP's periodic embedding, learned
        frequencies and phases, ``cos``, a linear map, and the value
        itself beside it), 'plr' (Gorishniy et al.'s periodic-linear-relu),
        or None for the scaled value alone.

    n_frequencies : int, default=16
        The learned frequencies per numeric column.

    embedding_dims : int, default=4
        The outputs per numeric column of its embedding.

    frequency_scale : float, default=0.1
        The standard deviation of the initial frequencies (in turns per
        unit of the scaled column).

    categorical_embedding_dims : int, default=8
        The outputs per embedded categorical column.

    hidden_layer_sizes : array-like of int, default=(256, 256, 256)
        The number of neurons in each hidden layer.

    activation : str, Activation or list, default='relu'
        The hidden layers' activation (see :class:`MLPNeuronClassifier`).

    solver : {'adam', 'sgd', 'lbfgs'}, default='adam'
        How the weights are optimised.

    alpha : float, default=0.0
        The L2 penalty on the dense weights.

    batch_size : int or 'auto', default='auto'
        The samples per mini-batch; 'auto' is ``min(256, n_samples)``.

    learning_rate : {'constant', 'invscaling', 'adaptive'}, default='constant'
        The per-epoch schedule of 'sgd' (see :class:`MLPNeuronClassifier`).

    learning_rate_init : float, default=0.003
        The peak step size of 'adam' and 'sgd'.

    power_t : float, default=0.5
        The exponent of 'invscaling'.

    max_iter : int, default=40
        The epochs to train (the best one is kept, see ``early_stopping``).

    shuffle : bool, default=True
        Whether to visit the samples in a new order each epoch.

    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the validation split and the shuffles.

    tol : float, default=1e-4
        The improvement that counts for ``n_iter_no_change``.

    verbose : bool, default=False
        Print the loss after every epoch.

    warm_start : bool, default=False
        Start ``fit`` from the previous fit's weights (the data must have
        the same columns and targets).

    momentum : float, default=0.9
        The momentum of 'sgd'.

    nesterovs_momentum : bool, default=True
        Whether 'sgd' uses Nesterov's momentum.

    early_stopping : bool, default=True
        Hold out ``validation_fraction`` of the data (or use ``X_val``) and
        keep the weights of the epoch that scored best on it.

    validation_fraction : float, default=0.2
        The share of the data held out.

    beta_1 : float, default=0.9
        Adam's decay rate of the gradient's running mean.

    beta_2 : float, default=0.95
        Adam's decay rate of the squared gradient's running mean (RealMLP's
        0.95: steps adapt faster than with the usual 0.999).

    epsilon : float, default=1e-8
        Added to Adam's denominator.

    n_iter_no_change : int or np.inf, default=np.inf
        Epochs without improvement before stopping; the default runs every
        epoch and keeps the best.

    max_fun : int, default=15000
        The most loss evaluations of 'lbfgs'.

    negative_slope : float, default=0.01
        The slope of 'leaky_relu' below 0.

    diagnostics : bool, default=False
        Record per-layer training diagnostics in ``diagnostics_``.

    weight_init : str or list of str, default='glorot_uniform'
        How the dense layers' initial weights are drawn.

    dropout : float or list of float, default=0.0
        The probability of dropping each hidden unit while training.

    scoring : str, callable or None, default='loss'
        What picks the best epoch on the validation data: 'loss' (the mean
        validation loss), None (accuracy or R²), or a scorer.

    learning_rate_schedule : str, Schedule, callable or None, default='cosine'
        The factor on the learning rate at each step (:mod:`sknn.schedules`).

    warmup_fraction : float, default=0.0
        The share of the steps of linear warm-up.

    weight_decay : float, default=0.0
        Decoupled weight decay on the dense weights.

    max_grad_norm : float or None, default=None
        Clip each step's gradient to this norm.

    Attributes
    ----------
    n_features_in_ : int
        The number of columns seen in ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        The column names seen in ``fit``, where they are all strings.
    loss_ : float
        The training loss at the end of the last epoch, on the standardised
        targets (as every loss here).
    loss_curve_ : list of float
        The training loss after each epoch.
    validation_scores_ : list of float or None
        The validation score after each epoch (with ``scoring='loss'``, the
        negated validation loss); None without a validation set.
    validation_loss_curve_ : list of float or None
        The mean validation loss after each epoch; None without one.
    best_validation_score_ : float or None
        The best validation score, whose weights the network keeps.
    best_loss_ : float or None
        The lowest training loss, when there is no validation set.
    learning_rate_curve_ : list of float
        The learning rate of each epoch's last step.
    n_iter_ : int
        The epochs run.
    t_ : int
        The training samples seen.
    coefs_ : list of ndarray
        The dense layers' weight matrices; ``coefs_[0]`` takes the input
        layer's outputs.
    intercepts_ : list of ndarray
        The dense layers' biases.
    n_layers_ : int
        The number of dense layers, input and output included.
    n_outputs_ : int
        The number of outputs.
    out_activation_ : str
        The output function.

    See Also
    --------
    TabularMLPClassifier : The same network for classes.
    MLPNeuronRegressor : The drop-in replacement for scikit-learn's MLP.
    sklearn.ensemble.HistGradientBoostingRegressor : Gradient-boosted trees.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from sknn import TabularMLPRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = pd.DataFrame({"area": rng.uniform(20, 200, 200),
    ...                   "city": rng.choice(["a", "b", "c"], 200)})
    >>> y = 3000 * X["area"] + 1e5 * (X["city"] == "a")
    >>> reg = TabularMLPRegressor(max_iter=20, random_state=0).fit(X, y)
    >>> bool(reg.score(X, y) > 0.9)
    True
    """

    _parameter_constraints: dict = {
        **MLPNeuronRegressor._parameter_constraints,
        **_TABLE_CONSTRAINTS,
    }

    def __init__(
        self,
        loss="squared_error",
        categorical_features="from_dtype",
        numeric_embedding="pbld",
        n_frequencies=16,
        embedding_dims=4,
        frequency_scale=0.1,
        categorical_embedding_dims=8,
        hidden_layer_sizes=(256, 256, 256),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.003,
        power_t=0.5,
        max_iter=40,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=True,
        validation_fraction=0.2,
        beta_1=0.9,
        beta_2=0.95,
        epsilon=1e-8,
        n_iter_no_change=np.inf,
        max_fun=15000,
        negative_slope=0.01,
        diagnostics=False,
        weight_init="glorot_uniform",
        dropout=0.0,
        scoring="loss",
        learning_rate_schedule="cosine",
        warmup_fraction=0.0,
        weight_decay=0.0,
        max_grad_norm=None,
    ):
        self.loss = loss
        self.categorical_features = categorical_features
        self.numeric_embedding = numeric_embedding
        self.n_frequencies = n_frequencies
        self.embedding_dims = embedding_dims
        self.frequency_scale = frequency_scale
        self.categorical_embedding_dims = categorical_embedding_dims
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.negative_slope = negative_slope
        self.diagnostics = diagnostics
        self.weight_init = weight_init
        self.dropout = dropout
        self.scoring = scoring
        self.learning_rate_schedule = learning_rate_schedule
        self.warmup_fraction = warmup_fraction
        self.weight_decay = weight_decay
        self.max_grad_norm = max_grad_norm

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(
        self,
        X,
        y,
        sample_weight=None,
        *,
        X_val=None,
        y_val=None,
        sample_weight_val=None,
    ):
        """Fit the encoder and the network to the table ``X`` and the targets ``y``.

        Parameters
        ----------
        X : {array-like, pandas DataFrame, polars DataFrame} of shape \
                (n_samples, n_features)
            The table, as it is.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples in the loss.
        X_val : table of shape (n_val, n_features), default=None
            Validation data for the best epoch, instead of holding out
            ``validation_fraction`` of ``X``.
        y_val : array-like of shape (n_val,) or (n_val, n_outputs), default=None
            The targets of ``X_val``.
        sample_weight_val : array-like of shape (n_val,), default=None
            Weights of the validation samples.

        Returns
        -------
        self : TabularMLPRegressor
            The fitted estimator.
        """
        validation_data = None
        if X_val is not None or y_val is not None:
            validation_data = (X_val, y_val, sample_weight_val)
        return self._fit(X, y, sample_weight, False, validation_data)

    # -- standardised targets ------------------------------------------------

    def _encode_targets(self, y, incremental, first_pass):
        Y, stratify = super()._encode_targets(y, incremental, first_pass)
        if first_pass:
            Y64 = np.asarray(Y, dtype=np.float64)
            centre = np.zeros(Y.shape[1]) if self.loss == "poisson" else Y64.mean(0)
            spread = Y64.std(0) if self.loss != "poisson" else Y64.mean(0)
            spread[~(spread > 0)] = 1.0
            self._target_centre, self._target_scale = centre, spread
        return self._standardise(Y), stratify

    def _encode_validation(self, y_val, sample_weight_val, stratify, dtype):
        Y_val, weights = super()._encode_validation(
            y_val, sample_weight_val, stratify, dtype
        )
        return self._standardise(Y_val), weights

    def _standardise(self, Y):
        return ((Y - self._target_centre) / self._target_scale).astype(DTYPE)

    def _decode_targets(self, Y):
        return super()._decode_targets(Y * self._target_scale + self._target_centre)

    def predict(self, X):
        """Predict the targets of the rows of the table ``X``.

        Parameters
        ----------
        X : {array-like, pandas DataFrame, polars DataFrame} of shape \
                (n_samples, n_features)
            The table, with the columns of ``fit``.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The predictions, in the targets' own scale.
        """
        standardised = np.asarray(super().predict(X), dtype=np.float64)
        scale, centre = self._target_scale, self._target_centre
        if standardised.ndim == 1:
            scale, centre = scale[0], centre[0]
        return standardised * scale + centre
