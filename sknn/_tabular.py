"""TabularMLPClassifier and TabularMLPRegressor: networks for data frames.

The estimators orchestrate four stages, each in a module of its own:

1. :class:`~sknn._columns.ColumnEncoder` turns the table as it is into a
   float matrix and integer codes (robust scaling with smooth clipping,
   missing indicators, one-hot columns or codes for categories);
2. one :class:`~sknn._embeddings.InputLayer` per member embeds the numeric
   columns (piecewise-linear, :mod:`sknn._piecewise`, or periodic) and the
   coded categories;
3. :class:`~sknn._member_network.MemberNetwork` runs the members' dense
   stacks as one batched network;
4. :mod:`sknn._member_training` splits the rows among the members, trains
   them, keeps each one's best epoch and fits the classifier's temperature.

The recipe (RealMLP's, Holzmüller et al. 2024, with piecewise-linear
embeddings and a small ensemble) was chosen once, on the eight data sets of
``benchmarks/bench_tabular.py``, by measurement; the developer notes of issue
23 hold the ablations.

Where they depart from the MLPNeuron estimators
-----------------------------------------------
Those are scikit-learn's MLP bit for bit, on sknn's core
:class:`~sknn._network.Network`. An ensemble trained as one pass needs a
member axis on every weight, a per-feature scale, a parametric activation
and a learning rate per parameter group, none of which that core has (or
should have: it would change every MLP's fit). So these estimators run
their own small core, with the same habits and the same pieces where they
fit (the compiled Adam step, the losses, the activations, the schedules,
the input layers, the progress lines), and their own parameter set: they
are not drop-ins, and have no ``partial_fit`` (the encoder is fitted on the
data of one call).
"""

import copy
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_consistent_length, check_is_fitted

from sknn._base import (
    Interval,
    StrOptions,
    _check_y,
    _fit_context,
    check_activation_parameter,
    check_sample_weight,
    unchanged_on_error,
)
from sknn._callbacks import CallbackSupportMixin, FitTasks
from sknn._columns import ColumnEncoder
from sknn._embeddings import InputLayer, PeriodicEmbedding
from sknn._history import print_progress
from sknn._losses import SoftmaxLogLoss, SquaredError
from sknn._member_network import MemberNetwork
from sknn._member_training import (
    TrainingPlan,
    fit_temperature,
    member_logits,
    member_splits,
    train_members,
)
from sknn._piecewise import PiecewiseLinearEmbedding, quantile_bin_edges

__all__ = ["TabularMLPClassifier", "TabularMLPRegressor"]

DTYPE = np.float32
"""The tabular networks compute in float32: twice the speed of float64, and
far more precision than the tables' own measurements carry."""

MAX_AUTO_BATCH = 256
"""The rows per batch of ``batch_size='auto'`` on a table large enough."""

MIN_BATCHES = 6
"""``batch_size='auto'`` keeps at least this many batches per epoch: with
256 rows a batch, a table of a few hundred rows would take one or two Adam
steps an epoch, too few for the schedule (a 300-row table scored R² 0.66
at 256 rows a batch, 0.99 at 64). No table of the benchmark is small enough
for this to change its batches."""

N_INIT_ROWS = 2048
"""The rows per member that the data-dependent initialisation looks at."""

PERIODIC_FREQUENCIES = 16
"""The learned frequencies per numeric column of the 'pbld' embedding."""

PERIODIC_SCALE = 0.1
"""The standard deviation of the 'pbld' embedding's initial frequencies."""


class _TabularNetwork(CallbackSupportMixin, BaseEstimator):
    """What the two estimators share: the table, the members, the training."""

    _parameter_constraints: dict = {
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "activation": "no_validation",
        "n_members": [Interval(Integral, 1, None, closed="left")],
        "numeric_embedding": [StrOptions({"ple", "pbld"}), None],
        "n_bins": [Interval(Integral, 1, None, closed="left")],
        "embedding_dims": [Interval(Integral, 2, None, closed="left")],
        "categorical_embedding_dims": [Interval(Integral, 1, None, closed="left")],
        "categorical_features": [StrOptions({"from_dtype"}), "array-like", None],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "batch_size": [
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither"), None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    _loss = None

    # -- fit --------------------------------------------------------------

    def _fit(self, X, y, sample_weight):
        # A fit that fails (a bad table, a diverging first epoch) leaves the
        # estimator as it found it: nothing half-fitted.
        with unchanged_on_error(self):
            return self._fit_unguarded(X, y, sample_weight)

    def _fit_unguarded(self, X, y, sample_weight):
        if y is None:  # scikit-learn's words, before any work on X
            raise ValueError(
                f"This {type(self).__name__} estimator requires y to be passed, "
                "but the target y is None."
            )
        hidden = _hidden_layer_sizes(self.hidden_layer_sizes)
        activation = check_activation_parameter(self.activation, differentiable=True)
        encoder = ColumnEncoder(self.categorical_features, dtype=DTYPE).fit(X)
        table = encoder.transform(X)
        dense, codes = table.dense, table.codes
        Y, targets, stratify, fitted = self._encode_targets(y)
        check_consistent_length(dense, Y)
        weights = None
        if sample_weight is not None:
            weights = check_sample_weight(sample_weight, dense, np.float64)
        # Everything has been checked: only now is anything set.
        self._encoder = encoder
        self.n_features_in_ = encoder.n_features_in_
        names = getattr(encoder, "feature_names_in_", None)
        if names is None:
            self.__dict__.pop("feature_names_in_", None)
        else:
            self.feature_names_in_ = names
        for name, value in fitted.items():
            setattr(self, name, value)

        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        rng = np.random.default_rng(seed)
        train, validation = member_splits(
            len(dense), self.n_members, self.validation_fraction, stratify, seed
        )
        self._network = self._build_network(encoder, dense, hidden, activation, rng)
        n_init = min(train.shape[1], N_INIT_ROWS)
        init_rows = np.stack(
            [rng.choice(rows, n_init, replace=False) for rows in train]
        )
        self._network.initialize(rng, dense[init_rows], codes[init_rows])
        plan = TrainingPlan(
            learning_rate=self.learning_rate_init,
            max_iter=self.max_iter,
            batch_size=_batch_size(self.batch_size, train.shape[1]),
            dropout=self.dropout,
        )
        tasks = FitTasks(self, X, y, sample_weight, n_epochs=self.max_iter)
        on_epoch_begin, on_epoch_end = tasks.begin(
            print_progress if self.verbose else None,
            fitted_state=self._state_after_epoch,
        )
        result = train_members(
            self._network,
            self._loss,
            dense,
            codes,
            Y,
            targets,
            weights,
            train,
            validation,
            plan,
            rng,
            on_epoch_begin,
            on_epoch_end,
        )
        self._record(result)
        self._after_training(dense, codes, Y, validation)
        tasks.end()
        return self

    def _state_after_epoch(self, info):
        """The attributes of a copy that predicts as epoch ``info.epoch`` left it.

        scikit-learn's callbacks set them on a shallow copy (their
        ``fitted_estimator``): the members' weights as they are, not the best
        ones kept so far, and (for the classifier) no temperature yet.
        """
        state = {
            "_network": copy.deepcopy(self._network),
            "n_iter_": info.epoch,
            "loss_": info.loss,
        }
        if isinstance(self, ClassifierMixin):
            state["temperature_"] = 1.0
        return state

    def _build_network(self, encoder, dense, hidden, activation, rng):
        n_numeric = encoder.n_numeric_
        edges = None
        if self.numeric_embedding == "ple" and n_numeric:
            edges = quantile_bin_edges(dense[:, :n_numeric], self.n_bins)

        def numeric():
            if not n_numeric or self.numeric_embedding is None:
                return None
            if self.numeric_embedding == "ple":
                return PiecewiseLinearEmbedding(edges, self.embedding_dims, DTYPE)
            return PeriodicEmbedding(
                n_numeric,
                PERIODIC_FREQUENCIES,
                self.embedding_dims,
                PERIODIC_SCALE,
                "pbld",
                DTYPE,
            )

        layers = [
            InputLayer(
                n_numeric,
                encoder.n_dense_ - n_numeric,
                encoder.cardinalities_,
                numeric=numeric(),
                n_categorical_dims=self.categorical_embedding_dims,
                dtype=DTYPE,
            )
            for _ in range(self.n_members)
        ]
        return MemberNetwork(
            layers, hidden, self._n_network_outputs, activation, dtype=DTYPE
        )

    def _record(self, result):
        self.loss_curve_ = [float(v) for v in result.loss_curve]
        self.loss_ = self.loss_curve_[-1]
        self.n_iter_ = result.n_iter
        if result.validation_loss_curve is None:
            self.validation_loss_curve_ = None
            self.validation_scores_ = None
            self.best_validation_score_ = None
            self.best_epochs_ = None
            self.best_loss_ = min(self.loss_curve_)
        else:
            self.validation_loss_curve_ = [
                float(v) for v in result.validation_loss_curve
            ]
            self.validation_scores_ = [-v for v in self.validation_loss_curve_]
            self.best_validation_score_ = -float(result.best_losses.mean())
            self.best_epochs_ = result.best_epochs
            self.best_loss_ = None

    def _after_training(self, dense, codes, Y, validation):
        """A hook for what follows training (the classifier's temperature)."""

    def _logits(self, X):
        check_is_fitted(self)
        table = self._encoder.transform(X)
        return member_logits(self._network, table.dense, table.codes)

    # -- no partial_fit: the encoder is fitted on the data of one call --------

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        return tags


def _batch_size(value, n_train):
    if value == "auto":
        return max(1, min(MAX_AUTO_BATCH, -(-n_train // MIN_BATCHES)))
    return value


def _hidden_layer_sizes(value):
    sizes = np.atleast_1d(np.asarray(value))
    if sizes.size == 0:
        return ()
    if (
        sizes.ndim != 1
        or not np.issubdtype(sizes.dtype, np.integer)
        or np.any(sizes < 1)
    ):
        raise ValueError(
            "hidden_layer_sizes must be a sequence of positive integers, got "
            f"{value!r}."
        )
    return tuple(int(size) for size in sizes)


class TabularMLPClassifier(ClassifierMixin, _TabularNetwork):
    """A network that classifies the rows of a table: data frames in, no tuning.

    It takes a numpy array, a pandas DataFrame or a polars DataFrame as it
    is: numeric columns with missing values, categorical columns from their
    dtype. Inside ``fit`` it learns the preprocessing from the training data
    alone (robust scaling with smooth clipping and missing indicators for
    numbers, one-hot columns or embedding tables for categories), embeds
    each numeric column piecewise-linearly on its quantiles, and trains a
    small ensemble of networks as one batched pass, with the procedure the
    tabular-network literature found to work across tables (RealMLP,
    Holzmüller et al. 2024): a learned scale per input feature, parametric
    activations, dropout, Adam with ``beta_2=0.95`` and a cosine schedule,
    label smoothing. Member ``i`` holds out fold ``i`` of the rows and keeps
    its best epoch on it; a temperature fitted on those folds calibrates the
    averaged probabilities. Its defaults are its own, chosen on eight real
    tables: it is not a drop-in replacement for scikit-learn's
    MLPClassifier (that is :class:`MLPNeuronClassifier`), and it has no
    ``partial_fit``.

    Parameters
    ----------
    hidden_layer_sizes : array-like of int, default=(128, 128, 128)
        The number of units in each hidden layer of every member.

    activation : str or Activation, default='relu'
        ``f`` of the hidden layers' parametric activation
        ``z + α (f(z) - z)`` (``α`` learned per unit, from 1): any
        differentiable activation of :mod:`sknn.activations`. With 'relu'
        it is a PReLU whose negative slope ``1 - α`` starts at 0.

    n_members : int, default=3
        The networks of the ensemble, trained together as one batched pass;
        their outputs are averaged. More members cost proportionally more
        time.

    numeric_embedding : {'ple', 'pbld'} or None, default='ple'
        How each numeric column enters the network, after robust scaling
        and smooth clipping: 'ple' (piecewise-linear encoding on the
        column's quantile bins, a learned linear map, plus a linear
        embedding; Gorishniy et al. 2022), 'pbld' (RealMLP's periodic
        embedding: 16 learned frequencies and phases, ``cos``, a linear map,
        the value itself beside it), or None for the scaled value alone.

    n_bins : int, default=48
        The most quantile bins per numeric column of the 'ple' embedding
        (fewer where the column has fewer distinct values).

    embedding_dims : int, default=8
        The outputs per numeric column of its embedding.

    categorical_embedding_dims : int, default=8
        The outputs per embedded categorical column.

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

    learning_rate_init : float, default=0.04
        The peak learning rate of Adam (``beta_1=0.9``, ``beta_2=0.95``),
        which a cosine schedule takes to 0 over the ``max_iter`` epochs.
        Each group of parameters steps at a factor of it: the dense weights
        at ``1 / √n_in``, the biases, the activations' ``α`` and the numeric
        embeddings at 0.1, the input scale at 6.

    batch_size : int or 'auto', default='auto'
        The rows per mini-batch of each member (all of them when fewer).
        'auto' is 256, or fewer on a small table so that an epoch has at
        least 6 batches: ``min(256, ceil(n_train / 6))``, with ``n_train``
        the rows each member trains on.

    max_iter : int, default=40
        The epochs to train; each member keeps the weights of its best one.

    dropout : float, default=0.15
        The probability of dropping each hidden unit while training (in
        steps of 1/256), held for the first half of training and then taken
        to 0 along a cosine (:class:`~sknn.schedules.FlatCosine`).

    label_smoothing : float, default=0.1
        Train towards ``(1 - ε) y + ε / K``: the network stays calibrated
        rather than ever more confident.

    validation_fraction : float or None, default=0.2
        The share of the rows each member holds out to choose its best
        epoch (and, for the classifier, the temperature): member ``i``
        holds out fold ``i`` of ``round(1 / validation_fraction)`` folds,
        stratified by class. None, or a table too small for the folds,
        trains every member on all the rows and keeps the last epoch.

    temperature_scaling : bool, default=True
        Divide the logits by the temperature that minimises the log-loss
        on the members' validation folds, before the softmax.

    random_state : int, RandomState instance or None, default=None
        Seeds the folds, the initial weights, the shuffles and the dropout.

    verbose : bool, default=False
        Print the training loss and the validation score after every epoch.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    n_features_in_ : int
        The number of columns seen in ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        The column names seen in ``fit``, where they are all strings.
    loss_ : float
        The training loss of the last epoch.
    loss_curve_ : list of float
        The training loss of each epoch: the mean over the members and the
        batches of the log-loss against the smoothed labels.
    validation_loss_curve_ : list of float or None
        The members' mean validation log-loss after each epoch; None
        without validation.
    validation_scores_ : list of float or None
        The negated ``validation_loss_curve_``; None without validation.
    best_validation_score_ : float or None
        The negated mean of the members' best validation losses, whose
        weights the members keep; None without validation.
    best_loss_ : float or None
        The lowest training loss, when there is no validation (the last
        epoch is kept then); None otherwise.
    best_epochs_ : ndarray of shape (n_members,) or None
        The epoch (from 1) each member keeps; None without validation.
    temperature_ : float
        The temperature the logits are divided by (1 when not fitted).
    n_iter_ : int
        The epochs run.

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
        **_TabularNetwork._parameter_constraints,
        "label_smoothing": [Interval(Real, 0, 1, closed="left")],
        "temperature_scaling": ["boolean"],
    }

    _loss = SoftmaxLogLoss()

    def __init__(
        self,
        *,
        hidden_layer_sizes=(128, 128, 128),
        activation="relu",
        n_members=3,
        numeric_embedding="ple",
        n_bins=48,
        embedding_dims=8,
        categorical_embedding_dims=8,
        categorical_features="from_dtype",
        learning_rate_init=0.04,
        batch_size="auto",
        max_iter=40,
        dropout=0.15,
        label_smoothing=0.1,
        validation_fraction=0.2,
        temperature_scaling=True,
        random_state=None,
        verbose=False,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.n_members = n_members
        self.numeric_embedding = numeric_embedding
        self.n_bins = n_bins
        self.embedding_dims = embedding_dims
        self.categorical_embedding_dims = categorical_embedding_dims
        self.categorical_features = categorical_features
        self.learning_rate_init = learning_rate_init
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.dropout = dropout
        self.label_smoothing = label_smoothing
        self.validation_fraction = validation_fraction
        self.temperature_scaling = temperature_scaling
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the encoder and the members to the table ``X`` and the labels ``y``.

        Parameters
        ----------
        X : {array-like, pandas DataFrame, polars DataFrame} of shape \
                (n_samples, n_features)
            The table, as it is.
        y : array-like of shape (n_samples,)
            The class labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples in the training and validation losses.

        Returns
        -------
        self : TabularMLPClassifier
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight)

    def _encode_targets(self, y):
        y = _check_y(y)
        check_classification_targets(y)
        classes, codes = np.unique(y, return_inverse=True)
        if len(classes) < 2:
            raise ValueError(
                "This estimator needs samples of at least 2 classes in the data, "
                f"but the data contains only one class: {classes[0]!r}."
            )
        Y = np.eye(len(classes), dtype=DTYPE)[codes]
        epsilon = self.label_smoothing
        targets = (Y * (1 - epsilon) + epsilon / len(classes)).astype(DTYPE)
        return Y, targets, codes, {"classes_": classes}

    @property
    def _n_network_outputs(self):
        return len(self.classes_)

    def _after_training(self, dense, codes, Y, validation):
        self.temperature_ = 1.0
        if self.temperature_scaling and validation is not None:
            logits = member_logits(self._network, dense, codes, validation)
            labels = Y[validation].argmax(axis=2)
            self.temperature_ = fit_temperature(logits, labels)

    def predict_proba(self, X):
        """The averaged, temperature-scaled class probabilities of the rows of ``X``.

        Parameters
        ----------
        X : {array-like, pandas DataFrame, polars DataFrame} of shape \
                (n_samples, n_features)
            The table, with the columns of ``fit``.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            The mean over the members of ``softmax(z / temperature_)``.
        """
        logits = self._logits(X) / self.temperature_
        k, n, n_classes = logits.shape
        flat = logits.reshape(k * n, n_classes)
        self._loss.output(flat, out=flat)
        return logits.mean(axis=0)

    def predict_log_proba(self, X):
        """The logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : {array-like, pandas DataFrame, polars DataFrame} of shape \
                (n_samples, n_features)
            The table, with the columns of ``fit``.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X):
        """The most probable class of each row of ``X``.

        Parameters
        ----------
        X : {array-like, pandas DataFrame, polars DataFrame} of shape \
                (n_samples, n_features)
            The table, with the columns of ``fit``.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            The class labels.
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


class TabularMLPRegressor(RegressorMixin, _TabularNetwork):
    """A network that regresses on the rows of a table: data frames in, no tuning.

    :class:`TabularMLPClassifier`'s table stage, ensemble and training
    procedure, for numeric targets: they are standardised inside ``fit``,
    each member's predictions are clipped to the range of the training
    targets, averaged, and mapped back to the targets' scale. Not a drop-in
    replacement for scikit-learn's MLPRegressor (that is
    :class:`MLPNeuronRegressor`), and without ``partial_fit``.

    Parameters
    ----------
    hidden_layer_sizes : array-like of int, default=(128, 128, 128)
        The number of units in each hidden layer of every member.

    activation : str or Activation, default='relu'
        ``f`` of the hidden layers' parametric activation
        ``z + α (f(z) - z)`` (``α`` learned per unit, from 1): any
        differentiable activation of :mod:`sknn.activations`. With 'relu'
        it is a PReLU whose negative slope ``1 - α`` starts at 0.

    n_members : int, default=3
        The networks of the ensemble, trained together as one batched pass;
        their outputs are averaged. More members cost proportionally more
        time.

    numeric_embedding : {'ple', 'pbld'} or None, default='ple'
        How each numeric column enters the network, after robust scaling
        and smooth clipping: 'ple' (piecewise-linear encoding on the
        column's quantile bins, a learned linear map, plus a linear
        embedding; Gorishniy et al. 2022), 'pbld' (RealMLP's periodic
        embedding: 16 learned frequencies and phases, ``cos``, a linear map,
        the value itself beside it), or None for the scaled value alone.

    n_bins : int, default=48
        The most quantile bins per numeric column of the 'ple' embedding
        (fewer where the column has fewer distinct values).

    embedding_dims : int, default=8
        The outputs per numeric column of its embedding.

    categorical_embedding_dims : int, default=8
        The outputs per embedded categorical column.

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

    learning_rate_init : float, default=0.2
        The peak learning rate of Adam (``beta_1=0.9``, ``beta_2=0.95``),
        which a cosine schedule takes to 0 over the ``max_iter`` epochs.
        Each group of parameters steps at a factor of it: the dense weights
        at ``1 / √n_in``, the biases, the activations' ``α`` and the numeric
        embeddings at 0.1, the input scale at 6.

    batch_size : int or 'auto', default='auto'
        The rows per mini-batch of each member (all of them when fewer).
        'auto' is 256, or fewer on a small table so that an epoch has at
        least 6 batches: ``min(256, ceil(n_train / 6))``, with ``n_train``
        the rows each member trains on.

    max_iter : int, default=40
        The epochs to train; each member keeps the weights of its best one.

    dropout : float, default=0.15
        The probability of dropping each hidden unit while training (in
        steps of 1/256), held for the first half of training and then taken
        to 0 along a cosine (:class:`~sknn.schedules.FlatCosine`).

    validation_fraction : float or None, default=0.2
        The share of the rows each member holds out to choose its best
        epoch (and, for the classifier, the temperature): member ``i``
        holds out fold ``i`` of ``round(1 / validation_fraction)`` folds,
        stratified by class. None, or a table too small for the folds,
        trains every member on all the rows and keeps the last epoch.

    random_state : int, RandomState instance or None, default=None
        Seeds the folds, the initial weights, the shuffles and the dropout.

    verbose : bool, default=False
        Print the training loss and the validation score after every epoch.

    Attributes
    ----------
    n_features_in_ : int
        The number of columns seen in ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        The column names seen in ``fit``, where they are all strings.
    n_outputs_ : int
        The number of target columns.
    loss_ : float
        The training loss of the last epoch.
    loss_curve_ : list of float
        The training loss of each epoch: the mean over the members and the
        batches of half the squared error on the standardised targets.
    validation_loss_curve_ : list of float or None
        The members' mean validation loss after each epoch; None without
        validation.
    validation_scores_ : list of float or None
        The negated ``validation_loss_curve_``; None without validation.
    best_validation_score_ : float or None
        The negated mean of the members' best validation losses, whose
        weights the members keep; None without validation.
    best_loss_ : float or None
        The lowest training loss, when there is no validation (the last
        epoch is kept then); None otherwise.
    best_epochs_ : ndarray of shape (n_members,) or None
        The epoch (from 1) each member keeps; None without validation.
    n_iter_ : int
        The epochs run.

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

    _loss = SquaredError()

    def __init__(
        self,
        *,
        hidden_layer_sizes=(128, 128, 128),
        activation="relu",
        n_members=3,
        numeric_embedding="ple",
        n_bins=48,
        embedding_dims=8,
        categorical_embedding_dims=8,
        categorical_features="from_dtype",
        learning_rate_init=0.2,
        batch_size="auto",
        max_iter=40,
        dropout=0.15,
        validation_fraction=0.2,
        random_state=None,
        verbose=False,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.n_members = n_members
        self.numeric_embedding = numeric_embedding
        self.n_bins = n_bins
        self.embedding_dims = embedding_dims
        self.categorical_embedding_dims = categorical_embedding_dims
        self.categorical_features = categorical_features
        self.learning_rate_init = learning_rate_init
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.dropout = dropout
        self.validation_fraction = validation_fraction
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the encoder and the members to the table ``X`` and the targets ``y``.

        Parameters
        ----------
        X : {array-like, pandas DataFrame, polars DataFrame} of shape \
                (n_samples, n_features)
            The table, as it is.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples in the training and validation losses.

        Returns
        -------
        self : TabularMLPRegressor
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight)

    def _encode_targets(self, y):
        y = _check_y(y, multi_output=True, y_numeric=True)
        values = np.asarray(y, dtype=np.float64).reshape(len(y), -1)
        centre = values.mean(axis=0)
        spread = values.std(axis=0)
        spread[~(spread > 0)] = 1.0
        standardised = (values - centre) / spread
        Y = standardised.astype(DTYPE)
        fitted = {
            "n_outputs_": Y.shape[1],
            "_target_centre": centre,
            "_target_scale": spread,
            "_target_low": standardised.min(axis=0),
            "_target_high": standardised.max(axis=0),
            "_target_ndim": np.ndim(y),
        }
        return Y, Y, None, fitted

    @property
    def _n_network_outputs(self):
        return self.n_outputs_

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
            The mean of the members' predictions, each clipped to the range
            of the training targets, in the targets' own scale.
        """
        logits = self._logits(X)
        np.clip(logits, self._target_low, self._target_high, out=logits)
        prediction = logits.mean(axis=0) * self._target_scale + self._target_centre
        return prediction.ravel() if self._target_ndim == 1 else prediction

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
