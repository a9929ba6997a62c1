"""What MLPNeuronClassifier and MLPNeuronRegressor share: one estimator base.

A multi-layer network is the same machine whether it classifies or
regresses: the same parameters, the same network core, the same training
loops, callbacks and diagnostics. :class:`BaseMultilayerNetwork` holds all of
that. A concrete estimator adds only what makes it a classifier or a
regressor, through four hooks:

``_encode_targets(y, incremental, first_pass)``
    Validate the targets and return them as a 2-D matrix ``Y`` (indicator
    columns, or the regression targets), with each sample's class index for a
    stratified split (None where there is none to keep).
``_loss_name()``
    The loss, which owns the output function: 'binary_log_loss' or
    'log_loss' for a classifier, ``loss`` for a regressor.
``_target_weights(sample_weight, stratify, incremental, dtype)``
    Fold anything target-dependent into the sample weights (class weights).
``_validation_score(logits, Y, sample_weight)``
    Score held-out data for early stopping: accuracy, or R².
``_decode_targets(Y)``
    Turn the matrix ``Y`` back into what ``fit`` was given, for a scorer.

The estimator orchestrates and never does array math on the network itself:
:mod:`sknn._network` computes, :mod:`sknn._training` and :mod:`sknn._lbfgs`
train, and the training history comes back as a
:class:`~sknn._history.History` that is published as the fitted attributes
scikit-learn's MLPs have.
"""

import contextlib
import copy
import warnings
from abc import ABCMeta, abstractmethod
from dataclasses import replace
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.metrics import check_scoring
from sklearn.utils import check_random_state
from sklearn.utils.validation import (
    check_consistent_length,
    check_is_fitted,
    validate_data,
)

from sknn._base import (
    FLOAT_DTYPES,
    Interval,
    Options,
    StrOptions,
    check_activation_parameter,
    check_sample_weight,
    unchanged_on_error,
    validation_split,
)
from sknn._batches import MiniBatches, resolve_batch_size
from sknn._callbacks import (
    EPOCH_TASK,
    LBFGS_TASK,
    CallbackSupportMixin,
    FitTasks,
)
from sknn._diagnostics import DiagnosticsRecorder
from sknn._history import History, TrainingConfig, print_progress
from sknn._initialization import WEIGHT_INITS
from sknn._lbfgs import minimize_lbfgs
from sknn._losses import get_loss
from sknn._network import Network
from sknn._optimizers import SGD, Adam
from sknn._training import STOCHASTIC_SOLVERS, minimize_stochastic
from sknn.activations import ALIASES, Activation
from sknn.schedules import ScheduledRate, get_schedule

__all__ = ["BaseMultilayerNetwork"]

# The fitted attributes a new fit starts without; a warm start keeps them.
_FIT_STATE = (
    "_optimizer",
    "best_loss_",
    "validation_scores_",
    "validation_loss_curve_",
    "best_validation_score_",
    "learning_rate_curve_",
    "diagnostics_",
)


def _is_stochastic(est):
    if est.solver not in STOCHASTIC_SOLVERS:
        raise AttributeError(
            "partial_fit is only available for the stochastic solvers 'sgd' and "
            f"'adam', not for solver={est.solver!r}."
        )
    return True


class BaseMultilayerNetwork(CallbackSupportMixin, BaseEstimator, metaclass=ABCMeta):
    """The shared base of the multi-layer networks; not an estimator by itself.

    Subclasses implement the hooks named in the module docstring, their
    ``fit``/``partial_fit``/``predict`` methods and their ``__init__``, each
    written out with its own docstring (scikit-learn reads an estimator's
    parameters from its ``__init__`` signature, and a reader should see them
    there too; tests/test_mlp_parameters.py keeps the two in step).
    """

    _parameter_constraints: dict = {
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        # Names are checked in fit, by check_activation_parameter, whose
        # message names the closest valid name and says why step cannot train.
        "activation": [str, Activation, list, tuple],
        "solver": [StrOptions({"lbfgs", "sgd", "adam"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [
            Interval(Integral, 1, None, closed="left"),
            Options(Real, {np.inf}),
        ],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "negative_slope": [Interval(Real, 0, 1, closed="neither")],
        "diagnostics": ["boolean"],
        "weight_init": [StrOptions(set(WEIGHT_INITS)), list, tuple],
        "dropout": [Interval(Real, 0, 1, closed="left"), list, tuple],
        "scoring": [str, callable, None],
        # names are checked in fit by get_schedule; objects and callables pass
        "learning_rate_schedule": [None, str, callable],
        "warmup_fraction": [Interval(Real, 0, 1, closed="left")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "max_grad_norm": [None, Interval(Real, 0, None, closed="neither")],
    }

    _numeric_targets = False
    """Whether ``validate_data`` must find numeric targets (regression)."""

    _auto_batch_size = 200
    """What ``batch_size='auto'`` means, at most: scikit-learn's 200."""

    # -- the hooks ---------------------------------------------------------

    @abstractmethod
    def _encode_targets(self, y, incremental, first_pass):
        """Return ``(Y, stratify)``: the targets as a 2-D matrix, and class indices."""

    @abstractmethod
    def _loss_name(self):
        """Return the name of the loss to train (see :data:`sknn._losses.LOSSES`)."""

    def _target_weights(self, sample_weight, stratify, incremental, dtype):
        """Return the sample weights (of ``dtype``) with target weights folded in."""
        return sample_weight

    @abstractmethod
    def _validation_score(self, logits, Y, sample_weight):
        """Score ``logits`` against held-out targets ``Y``; higher is better."""

    @abstractmethod
    def _encode_validation(self, y_val, sample_weight_val, stratify, dtype):
        """Return ``(Y_val, weights_val)``: validation targets encoded as ``Y``."""

    @abstractmethod
    def _decode_targets(self, Y):
        """Return the targets ``Y`` as ``fit`` takes them (labels, 1-D ``y``)."""

    # -- fitting -----------------------------------------------------------

    def _fit(self, X, y, sample_weight, incremental, validation_data=None):
        first_pass = not hasattr(self, "_network") or (
            not self.warm_start and not incremental
        )
        args = (X, y, sample_weight, incremental, first_pass, validation_data)
        if not first_pass:
            return self._train(*args)
        # A refused fit from scratch leaves the estimator as it was: no
        # half-built network for a warm start to continue from.
        with unchanged_on_error(self):
            return self._train(*args)

    def _train(self, X, y, sample_weight, incremental, first_pass, validation_data):
        self._check_solver_options(validation_data)
        tasks = self._fit_tasks(X, y, sample_weight, incremental)
        hidden_sizes = self._hidden_layer_sizes()
        activations = self._activation_functions(len(hidden_sizes))
        X, y = self._validate_input(X, y, reset=first_pass)
        Y, stratify = self._encode_targets(y, incremental, first_pass)
        if sample_weight is not None:
            sample_weight = check_sample_weight(sample_weight, X, X.dtype)
        sample_weight = self._target_weights(
            sample_weight, stratify, incremental, X.dtype
        )
        layer_sizes = [self._input_width(X), *hidden_sizes, Y.shape[1]]
        # One generator for the whole fit, drawn from in scikit-learn's order:
        # the initial weights, then the validation split, then the shuffles.
        random_state = check_random_state(self.random_state)
        if first_pass:
            self._initialize(layer_sizes, activations, X.dtype, random_state)
        else:
            self._check_same_network(layer_sizes, activations)
        if validation_data is not None:
            validation_data = self._validate_validation_data(
                *validation_data, stratify, X.dtype
            )
        if not self.early_stopping:
            # past the class weights, only the early-stopping split reads the
            # class of each sample: a fit without it does not carry that
            # index (an intp per sample) through training
            stratify = None
        on_epoch_begin, on_epoch_end = tasks.begin(
            print_progress if self.verbose else None,
            fitted_state=self._state_after_epoch,
        )
        recorder = None
        if self.diagnostics:
            recorder = DiagnosticsRecorder(
                self._network, getattr(self, "diagnostics_", None)
            )
        hooks = dict(
            on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end, recorder=recorder
        )
        if self.solver == "lbfgs":
            self._check_deterministic()
            history = minimize_lbfgs(
                self._network,
                X,
                self._smoothed(Y.astype(X.dtype, copy=False)),
                self._training_config(),
                self._history,
                sample_weight,
                **hooks,
            )
        else:
            history = self._fit_stochastic(
                X,
                Y,
                stratify,
                sample_weight,
                random_state,
                incremental,
                hooks,
                validation_data,
            )
        self._publish(history)
        if recorder is not None:
            self.diagnostics_ = recorder.result()
        tasks.end()
        return self

    def _validate_input(self, X, y, reset):
        """Return validated ``X`` and ``y``.

        The first fit keeps float32 or float64 input as it is; later calls
        (warm start, partial_fit) convert to the network's dtype.
        """
        dtype = FLOAT_DTYPES if reset else self._network.dtype
        return validate_data(
            self,
            X,
            y,
            accept_sparse="csr",
            multi_output=True,
            y_numeric=self._numeric_targets,
            dtype=dtype,
            reset=reset,
        )

    def _check_solver_options(self, validation_data):
        """Refuse options that the solver, or the absence of early stopping, ignores."""
        if validation_data is not None:
            X_val, y_val, _ = validation_data
            if y_val is None or X_val is None:
                given, missing = (
                    ("X_val", "y_val") if y_val is None else ("y_val", "X_val")
                )
                raise ValueError(
                    f"{given} is provided, but {missing} was not provided."
                )
            if self.solver == "lbfgs" or not self.early_stopping:
                raise ValueError(
                    "X_val and y_val are passed to fit, but they are used only for "
                    "early stopping by the stochastic solvers: set "
                    "early_stopping=True with solver='adam' or 'sgd' (with "
                    "n_iter_no_change=np.inf the fit runs every epoch and keeps "
                    "the best one), or do not pass them."
                )
        if self.solver != "lbfgs":
            return
        stochastic_only = {
            "learning_rate_schedule": self.learning_rate_schedule is not None,
            "warmup_fraction": self.warmup_fraction > 0,
            "weight_decay": self.weight_decay > 0,
            "max_grad_norm": self.max_grad_norm is not None,
        }
        for name, used in stochastic_only.items():
            if used:
                raise ValueError(
                    f"{name}={getattr(self, name)!r} applies to the steps of the "
                    "stochastic solvers, and solver='lbfgs' takes none: use "
                    f"solver='adam' or 'sgd', or leave {name} at its default "
                    "(alpha is the L2 penalty L-BFGS minimises)."
                )

    def _validate_validation_data(
        self, X_val, y_val, sample_weight_val, stratify, dtype
    ):
        """Return ``(X_val, Y_val, weights_val)`` checked against the training data."""
        try:
            X_val = self._validate_X(X_val)
        except ValueError as error:
            raise ValueError(f"X_val does not match X: {error}") from None
        y_val = np.asarray(y_val)
        check_consistent_length(X_val, y_val)
        if X_val.shape[0] < 2:
            raise ValueError(
                "The validation set is too small. Increase 'validation_fraction' "
                "or the size of your dataset."
            )
        if sample_weight_val is not None:
            sample_weight_val = check_sample_weight(sample_weight_val, X_val, dtype)
        Y_val, weights_val = self._encode_validation(
            y_val, sample_weight_val, stratify, dtype
        )
        if weights_val is not None and not weights_val.sum() > 0:
            raise ValueError(
                "The sample weights of the validation set are all zero; give "
                "some validation samples a positive weight."
            )
        return X_val, Y_val, weights_val

    def _smoothed(self, Y):
        """``Y`` with label smoothing applied, in place (a float matrix)."""
        smoothing = self._target_smoothing()
        if smoothing is not None:
            scale, shift = smoothing
            Y *= Y.dtype.type(scale)
            Y += Y.dtype.type(shift)
        return Y

    def _target_smoothing(self):
        """``(scale, shift)`` of label smoothing on the training targets, or None."""
        return None

    def _training_config(self):
        return TrainingConfig(
            max_iter=self.max_iter,
            tol=self.tol,
            n_iter_no_change=self.n_iter_no_change,
            alpha=self.alpha,
            shuffle=self.shuffle,
            adaptive=self.solver == "sgd" and self.learning_rate == "adaptive",
            max_fun=self.max_fun,
            max_grad_norm=self.max_grad_norm,
        )

    def _fit_tasks(self, X, y, sample_weight, incremental):
        """The callback tasks of this call: one per epoch (L-BFGS iteration)."""
        return FitTasks(
            self,
            X,
            y,
            sample_weight,
            n_epochs=1 if incremental else self.max_iter,
            epoch_name=LBFGS_TASK if self.solver == "lbfgs" else EPOCH_TASK,
            task_name="partial_fit" if incremental else "fit",
        )

    def _state_after_epoch(self, info):
        """The attributes of a copy of this estimator fitted up to ``info.epoch``.

        scikit-learn's callbacks set them on a shallow copy (their
        ``fitted_estimator``). The network is copied, weights without
        workspaces, so that the copy predicts as the epoch left it while
        training goes on.
        """
        return {
            "_network": copy.deepcopy(self._network),
            "n_iter_": info.epoch,
            "loss_": info.loss,
        }

    def _hidden_layer_sizes(self):
        sizes = self.hidden_layer_sizes
        sizes = list(sizes) if hasattr(sizes, "__iter__") else [sizes]
        if any(not isinstance(size, Integral) or size <= 0 for size in sizes):
            raise ValueError(
                f"hidden_layer_sizes must be > 0, got {sizes}. Each size is the "
                "number of neurons of a hidden layer, a positive integer."
            )
        return [int(size) for size in sizes]

    def _activation_functions(self, n_hidden):
        """Return one Activation per hidden layer, checking ``activation``."""
        values = self.activation
        if isinstance(values, (str, Activation)):
            # Checked even without hidden layers, so a typo never passes.
            return [self._hidden_activation(values, "activation")] * n_hidden
        values = list(values)
        if len(values) != n_hidden:
            raise ValueError(
                f"activation lists {len(values)} names for {n_hidden} hidden "
                "layers; give one name per hidden layer, or a single name for "
                "all of them."
            )
        return [
            self._hidden_activation(value, f"activation[{i}]")
            for i, value in enumerate(values)
        ]

    def _hidden_activation(self, value, param):
        params = {}
        if isinstance(value, str) and ALIASES.get(value, value) == "leaky_relu":
            params["negative_slope"] = self.negative_slope
        return check_activation_parameter(
            value, differentiable=True, param=param, **params
        )

    def _initialize(self, layer_sizes, activations, dtype, random_state):
        """Build a new network with random weights and start a new history."""
        for name in _FIT_STATE:
            self.__dict__.pop(name, None)
        self._history = History()
        self.n_outputs_ = layer_sizes[-1]
        self.n_layers_ = len(layer_sizes)
        loss = get_loss(self._loss_name())
        self.out_activation_ = loss.out_activation
        input_layer = self._input_layer(dtype)
        self._network = Network(
            layer_sizes, activations, loss, dtype=dtype, input_layer=input_layer
        )
        self._network.initialize(random_state, self.weight_init)
        if input_layer is not None:
            input_layer.initialize(random_state)

    def _input_layer(self, dtype):
        """The trainable stage before the first dense layer; None for an MLP."""
        return None

    def _input_width(self, X):
        """The width of the first dense layer's input, for validated ``X``."""
        return X.shape[1]

    def _check_same_network(self, layer_sizes, activations):
        network = self._network
        if network.layer_sizes != layer_sizes or network.activations != activations:
            raise ValueError(
                f"The network is {network!r}, but the parameters and data now ask "
                f"for layers {layer_sizes} with activations "
                f"{[a.name for a in activations]}; warm_start and partial_fit "
                "cannot change the architecture. Set warm_start=False to start "
                "anew."
            )

    def _fit_stochastic(
        self,
        X,
        Y,
        stratify,
        sample_weight,
        random_state,
        incremental,
        hooks,
        validation_data,
    ):
        if incremental and self.early_stopping:
            raise ValueError(
                "partial_fit does not support early_stopping=True: set "
                "early_stopping=False, or call fit."
            )
        schedule = get_schedule(self.learning_rate_schedule)
        if not incremental or not hasattr(self, "_optimizer"):
            self._optimizer = self._new_optimizer()
        validation = None
        if validation_data is not None:
            validation = self._validation_scorer(*validation_data)
        elif self.early_stopping:
            X, Y, sample_weight, validation = self._hold_out(
                X, Y, stratify, sample_weight, random_state
            )
        self._prepare_dropout(random_state, incremental)
        batch_size = resolve_batch_size(
            self.batch_size, X.shape[0], self._auto_batch_size
        )
        batches = MiniBatches(
            X, Y, sample_weight, batch_size, smoothing=self._target_smoothing()
        )
        config = self._training_config()
        rate = ScheduledRate(
            schedule, self.warmup_fraction, self.max_iter * batches.n_batches
        )
        if rate.active:
            config = replace(config, rate=rate)
        return minimize_stochastic(
            self._network,
            self._optimizer,
            batches,
            config,
            self._history,
            random_state,
            validation=validation,
            incremental=incremental,
            **hooks,
        )

    def _check_deterministic(self):
        rates = (
            self.dropout if isinstance(self.dropout, (list, tuple)) else [self.dropout]
        )
        if any(rates):
            raise ValueError(
                f"dropout={self.dropout!r} needs a stochastic solver: L-BFGS "
                "minimises one deterministic function, and random masks would "
                "change it at every evaluation. Use solver='adam' or 'sgd', or "
                "set dropout=0."
            )

    def _prepare_dropout(self, random_state, incremental):
        """Give the network its dropout rates and a generator for the masks.

        The generator is seeded from ``random_state``, so a seeded fit draws
        the same masks; ``partial_fit`` goes on with the generator it has.
        With no dropout nothing is drawn, and the fit is exactly as without
        the parameter.
        """
        network = self._network
        rates = self.dropout
        if not isinstance(rates, (list, tuple)):
            rates = [rates] * len(network.activations)
        if not any(rates):
            network.set_dropout(rates, None)
            return
        rates = [float(rate) for rate in rates]
        if incremental and network.dropout == rates:
            return
        seed = random_state.randint(np.iinfo(np.int32).max)
        network.set_dropout(rates, np.random.default_rng(seed))

    def _new_optimizer(self):
        params = self._network.params
        if self.solver == "sgd":
            return SGD(
                params,
                learning_rate_init=self.learning_rate_init,
                lr_schedule=self.learning_rate,
                momentum=self.momentum,
                nesterov=self.nesterovs_momentum,
                power_t=self.power_t,
                weight_decay=self.weight_decay,
            )
        return Adam(
            params,
            learning_rate_init=self.learning_rate_init,
            beta_1=self.beta_1,
            beta_2=self.beta_2,
            epsilon=self.epsilon,
            weight_decay=self.weight_decay,
        )

    def _hold_out(self, X, Y, stratify, sample_weight, random_state):
        """Split off the validation data; return the training part and a scorer."""
        arrays = [X, Y] if sample_weight is None else [X, Y, sample_weight]
        labels = _stratification_labels(getattr(self, "classes_", None), stratify)
        try:
            train, val = validation_split(
                self.validation_fraction, random_state, labels, *arrays
            )
        except ValueError as error:
            if labels is None or labels.dtype != bool or "Classes" not in str(error):
                raise _SplitError(str(error)) from None
            # scikit-learn's words name 'True'; say which class that is.
            negative, positive = self.classes_.tolist()
            raise _SplitError(
                f"{error} (Two classes are stratified as scikit-learn does, by "
                f"whether a sample is of class {positive!r}: 'True' is that "
                f"class, 'False' the class {negative!r}.)"
            ) from None
        X_val, Y_val = val[0], val[1]
        if X_val.shape[0] < 2:
            raise _SplitError(
                "The validation set is too small. Increase 'validation_fraction' "
                "or the size of your dataset."
            )
        weights_val = val[2] if sample_weight is not None else None
        weights_train = train[2] if sample_weight is not None else None
        for part, weights in (("training", weights_train), ("validation", weights_val)):
            if weights is not None and not weights.sum() > 0:
                raise ValueError(
                    f"The sample weights of the {part} set held out for early "
                    "stopping are all zero; change random_state or "
                    "validation_fraction, or give fewer samples a zero weight."
                )
        score = self._validation_scorer(X_val, Y_val, weights_val)
        return train[0], train[1], weights_train, score

    def _validation_scorer(self, X_val, Y_val, weights_val):
        """Return a function of the current network: its validation score and loss.

        The score: ``scoring=None`` scores as scikit-learn (accuracy, or
        R²); 'loss' with the mean validation loss, negated so that higher is
        better; any other value is a scorer for
        :func:`sklearn.metrics.check_scoring`, called on the estimator as it
        stands. The loss: the mean loss on the validation data, without the
        penalty and against the true (unsmoothed) targets, from the same
        forward pass as the built-in scores (a scorer makes its own).
        """
        network = self._network
        n = len(Y_val) if weights_val is None else float(weights_val.sum())

        def logits_and_loss():
            # Overflowing weights score NaN, and a loss or R² that overflows
            # (Poisson's exp, squares of 1e200) scores -inf: both are answers
            # here, not faults to warn about.
            with np.errstate(over="ignore", invalid="ignore"):
                logits = network.logits(X_val)
                if not np.isfinite(logits).all():
                    return None, np.nan
                return logits, network.loss.value(logits, Y_val, weights_val) / n

        if self.scoring is None or self.scoring == "loss":

            def evaluate():
                logits, loss = logits_and_loss()
                if logits is None or self.scoring == "loss":
                    return -loss, loss
                with np.errstate(over="ignore", invalid="ignore"):
                    return self._validation_score(logits, Y_val, weights_val), loss

            return evaluate
        scorer = check_scoring(self, scoring=self.scoring)
        y_val = self._decode_targets(Y_val)
        kwargs = {} if weights_val is None else {"sample_weight": weights_val}

        def evaluate():
            loss = logits_and_loss()[1]
            with warnings.catch_warnings(), self._on_validated_input():
                # The held-out rows are validated arrays: no feature names.
                warnings.filterwarnings("ignore", "X does not have valid feature")
                try:
                    return float(scorer(self, X_val, y_val, **kwargs)), loss
                except _OutputOverflow:
                    return np.nan, loss  # as the built-in scores of diverging weights

        return evaluate

    def _on_validated_input(self):
        """A context in which the predict methods take validated input as it is.

        A scorer calls ``predict`` on the held-out rows, which are already
        validated; the MLPs validate them again at no harm, an estimator that
        transforms its input (the tabular networks) must not.
        """
        return contextlib.nullcontext()

    def _publish(self, history):
        """Set the fitted attributes scikit-learn's MLPs have from ``history``."""
        self._history = history
        self.n_iter_ = history.n_iter
        self.t_ = history.t
        self.loss_ = history.loss
        self.loss_curve_ = history.loss_curve
        if history.stochastic:
            self.best_loss_ = history.best_loss
            self.validation_scores_ = history.validation_scores
            self.validation_loss_curve_ = history.validation_losses
            self.best_validation_score_ = history.best_validation_score
            self.learning_rate_curve_ = history.learning_rates

    # -- predicting --------------------------------------------------------

    def hidden_activations(self, X):
        """Return the output of each hidden layer for ``X``.

        The representations the network has learnt, to inspect or plot (for
        example a two-unit layer as a scatter plot).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        activations : list of ndarray of shape (n_samples, n_units)
            One array per hidden layer, from the input onwards, in the
            network's dtype; empty for a network with no hidden layer.

        Examples
        --------
        >>> from sknn import MLPNeuronClassifier
        >>> from sknn.datasets import make_xor
        >>> X, y = make_xor(100, random_state=0)
        >>> clf = MLPNeuronClassifier((4, 3), solver="lbfgs", random_state=0)
        >>> [a.shape for a in clf.fit(X, y).hidden_activations(X[:5])]
        [(5, 4), (5, 3)]
        """
        X = self._validate_X(X)
        with np.errstate(over="ignore", invalid="ignore"):
            activations = self._network.hidden_activations(X)
        for layer in activations:
            _check_finite_outputs(layer)
        return activations

    def _validate_X(self, X):
        check_is_fitted(self)
        return validate_data(
            self, X, accept_sparse="csr", dtype=self._network.dtype, reset=False
        )

    def _logits(self, X):
        """Return the network's logits for ``X``, checked to be finite.

        Fitting keeps only weights whose logits on the training data are
        finite; input far larger than that data can still overflow. That is
        refused with the reason, never returned as inf or NaN.
        """
        X = self._validate_X(X)
        # The overflow is checked just below and reported with its cause.
        with np.errstate(over="ignore", invalid="ignore"):
            logits = self._network.logits(X)
        _check_finite_outputs(logits)
        return logits

    # -- the weights -------------------------------------------------------

    @property
    def coefs_(self):
        """The weight matrices: views of the network's parameter buffer."""
        return list(self._fitted_network().coefs)

    @coefs_.setter
    def coefs_(self, arrays):
        _copy_into(self._fitted_network().coefs, arrays, "coefs_")

    @property
    def intercepts_(self):
        """The bias vectors: views of the network's parameter buffer."""
        return list(self._fitted_network().intercepts)

    @intercepts_.setter
    def intercepts_(self, arrays):
        _copy_into(self._fitted_network().intercepts, arrays, "intercepts_")

    def _fitted_network(self):
        network = self.__dict__.get("_network")
        if network is None:
            raise AttributeError(
                f"This {type(self).__name__} has no weights yet; call fit first."
            )
        return network

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


def _stratification_labels(classes, stratify):
    """The labels that early stopping's split keeps the proportions of.

    None where there are no classes to keep (regression, multilabel targets).
    Two classes are stratified as scikit-learn stratifies them, by the
    indicator column of the second (a boolean column, which the split reads
    as the strings 'True' and 'False', and so its errors name them); more
    classes, which scikit-learn 1.9 does not stratify, by their labels, so
    that an error names them as ``y`` has them.
    """
    if stratify is None:
        return None
    if len(classes) == 2:
        return (stratify == 1)[:, np.newaxis]
    return classes[stratify]


class _SplitError(ValueError):
    """The training data cannot be split for early stopping (too small)."""


class _OutputOverflow(ValueError):
    """The network's outputs overflow on the input given to predict."""


def _check_finite_outputs(outputs):
    """Raise :class:`_OutputOverflow` for rows of ``outputs`` that are not finite."""
    finite = np.isfinite(outputs).all(axis=1)
    if not finite.all():
        rows = np.flatnonzero(~finite)
        raise _OutputOverflow(
            f"The network's output overflows on {len(rows)} sample(s) of X "
            f"(the first is row {rows[0]}): their values are far larger than "
            "those of the training data. Scale X as the training data was "
            "scaled."
        )


def _copy_into(views, arrays, name):
    """Copy ``arrays`` into the parameter ``views``, checking their shapes."""
    arrays = list(arrays)
    shapes = [view.shape for view in views]
    if [np.shape(array) for array in arrays] != shapes:
        raise ValueError(
            f"{name} must be a list of arrays of shapes {shapes}, got "
            f"{[np.shape(array) for array in arrays]}."
        )
    for view, array in zip(views, arrays):
        view[...] = array
