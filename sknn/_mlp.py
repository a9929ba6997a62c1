"""MLPNeuronClassifier: a multi-layer network of neurons trained by back-propagation."""

import copy
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import check_random_state, column_or_1d
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import type_of_target, unique_labels
from sklearn.utils.validation import check_is_fitted, validate_data

from sknn._base import (
    ACTIVATION_NAMES,
    FLOAT_DTYPES,
    Interval,
    Options,
    StrOptions,
    _fit_context,
    check_sample_weight,
    class_sample_weight,
    validation_split,
)
from sknn._callbacks import (
    EPOCH_TASK,
    LBFGS_TASK,
    CallbackSupportMixin,
    FitTasks,
)
from sknn._diagnostics import DiagnosticsRecorder
from sknn._losses import get_loss
from sknn._network import Network
from sknn._optimizers import SGD, Adam
from sknn._training import (
    STOCHASTIC_SOLVERS,
    MiniBatches,
    fit_lbfgs,
    fit_stochastic,
    print_progress,
    resolve_batch_size,
)
from sknn.activations import ACTIVATIONS, ALIASES, get_activation

__all__ = ["MLPNeuronClassifier"]

HIDDEN_ACTIVATIONS = frozenset(
    name
    for name in ACTIVATION_NAMES
    if ACTIVATIONS[ALIASES.get(name, name)].differentiable
)
"""The activation names a hidden layer trained by back-propagation may use."""

# The state a fit starts from scratch; a warm start or partial_fit keeps it.
_FIT_STATE = (
    "_optimizer",
    "_best_params",
    "_no_improvement_count",
    "loss_curve_",
    "best_loss_",
    "validation_scores_",
    "best_validation_score_",
    "diagnostics_",
)


def _is_stochastic(est):
    if est.solver not in STOCHASTIC_SOLVERS:
        raise AttributeError(
            "partial_fit is only available for the stochastic solvers 'sgd' and "
            f"'adam', not for solver={est.solver!r}."
        )
    return True


class MLPNeuronClassifier(CallbackSupportMixin, ClassifierMixin, BaseEstimator):
    """A multi-layer network of neurons that classifies, trained by back-propagation.

    Each neuron computes ``f(w·x + b)``; neurons are stacked in fully
    connected layers through which information flows one way, from the input
    through the hidden layers to the output. The network minimises the
    log-loss of its output with L-BFGS or mini-batch (stochastic) gradient
    descent. The constructor takes every parameter of scikit-learn's
    :class:`~sklearn.neural_network.MLPClassifier` with the same meaning and
    default, so code written for one runs with the other; a few parameters
    are added (more activations, one per layer if wished, ``negative_slope``
    and ``class_weight``).

    Parameters
    ----------
    hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
        The number of neurons in each hidden layer, from the input onwards.
        An empty tuple gives a network with no hidden layer (a multinomial
        logistic regression).

    activation : str or list of str, default='relu'
        The activation of the hidden neurons: one name for every hidden
        layer, or a list with one name per hidden layer. Any differentiable
        activation of :mod:`sknn.activations`:

        - 'identity': ``f(z) = z``, a linear layer;
        - 'logistic' (or its alias 'sigmoid'): ``f(z) = 1 / (1 + exp(-z))``;
        - 'tanh': ``f(z) = tanh(z)``;
        - 'relu': ``f(z) = max(z, 0)``;
        - 'leaky_relu': ``f(z) = z`` for ``z > 0``, else ``negative_slope * z``;
        - 'elu': ``f(z) = z`` for ``z > 0``, else ``exp(z) - 1``;
        - 'softplus': ``f(z) = log(1 + exp(z))``;
        - 'gelu': ``f(z) = z Φ(z)``, with ``Φ`` the standard normal CDF;
        - 'silu': ``f(z) = z / (1 + exp(-z))``.

        The first four are scikit-learn's choices.

    solver : {'lbfgs', 'sgd', 'adam'}, default='adam'
        How the weights are optimised.

        - 'lbfgs': the quasi-Newton method L-BFGS-B of scipy, on the full
          training set at every step;
        - 'sgd': mini-batch stochastic gradient descent, with momentum;
        - 'adam': mini-batch gradient descent with Adam's adaptive steps
          (Kingma and Ba).

        'adam' is a sound default on training sets of thousands of samples or
        more; on small ones 'lbfgs' often converges faster and better.

    alpha : float, default=0.0001
        The strength of the L2 penalty ``alpha / 2 * ||W||²`` on the weights
        (not the biases), divided like the loss by the number of samples (or
        the sum of the sample weights).

    batch_size : int or 'auto', default='auto'
        The number of samples per mini-batch of 'sgd' and 'adam'; 'auto'
        means ``min(200, n_samples)``. Ignored by 'lbfgs', which uses all the
        samples.

    learning_rate : {'constant', 'invscaling', 'adaptive'}, default='constant'
        The schedule of the step size of 'sgd'.

        - 'constant': ``learning_rate_init`` throughout;
        - 'invscaling': after each epoch, ``learning_rate_init / (t + 1) **
          power_t``, where ``t`` is the number of samples seen;
        - 'adaptive': ``learning_rate_init`` until ``n_iter_no_change``
          epochs in a row fail to improve by ``tol`` (the training loss, or
          the validation score with ``early_stopping``); then the rate is
          divided by 5, and training stops once it falls to 1e-6.

    learning_rate_init : float, default=0.001
        The initial step size of 'sgd' and 'adam'.

    power_t : float, default=0.5
        The exponent of the 'invscaling' schedule of 'sgd'.

    max_iter : int, default=200
        The most iterations to run: epochs (passes over the training data)
        for 'sgd' and 'adam', quasi-Newton iterations for 'lbfgs'.

    shuffle : bool, default=True
        Whether 'sgd' and 'adam' visit the samples in a new random order each
        epoch.

    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the shuffling and the early-stopping
        split. The draws are scikit-learn's, in its order, so the same seed
        gives the same initial weights and batches as ``MLPClassifier``.
        Pass an int for reproducible fits.

    tol : float, default=1e-4
        The improvement that counts. 'sgd' and 'adam' stop (or, with the
        'adaptive' schedule, slow down) when the training loss or
        validation score has not improved by ``tol`` for
        ``n_iter_no_change`` consecutive epochs; 'lbfgs' stops when the
        projected gradient is below it.

    verbose : bool, default=False
        Print the loss and the elapsed time after every iteration, and why
        training stopped.

    warm_start : bool, default=False
        Start ``fit`` from the weights of the previous fit instead of new
        random ones. The data must have the same classes and features.

    momentum : float, default=0.9
        The momentum of 'sgd', between 0 and 1.

    nesterovs_momentum : bool, default=True
        Whether 'sgd' uses Nesterov's momentum (when ``momentum > 0``).

    early_stopping : bool, default=False
        Whether 'sgd' and 'adam' hold out ``validation_fraction`` of the
        training data, stratified by class (except for multilabel targets),
        stop when the accuracy on it has not improved by ``tol`` for
        ``n_iter_no_change`` consecutive epochs, and keep the weights that
        scored best. (scikit-learn 1.9 stratifies binary targets only, so on
        multiclass targets the split differs from its.)

    validation_fraction : float, default=0.1
        The fraction of the training data held out for early stopping.

    beta_1 : float, default=0.9
        The decay rate of Adam's running mean of the gradient, in [0, 1).

    beta_2 : float, default=0.999
        The decay rate of Adam's running mean of the squared gradient, in
        [0, 1).

    epsilon : float, default=1e-8
        Added to the denominator of Adam's step for numerical stability.

    n_iter_no_change : int, default=10
        How many consecutive epochs without an improvement of ``tol`` 'sgd'
        and 'adam' tolerate.

    max_fun : int, default=15000
        The most loss evaluations 'lbfgs' may make (at least one per
        iteration).

    negative_slope : float, default=0.01
        The slope of 'leaky_relu' for negative inputs, in (0, 1).

    class_weight : dict, 'balanced' or None, default=None
        Weights of the classes in the loss, multiplying ``sample_weight``:
        ``{label: weight}``, or 'balanced' for ``n_samples / (n_classes *
        np.bincount(y))``. Not available for multilabel targets, and
        'balanced' not in ``partial_fit`` (pass a dict computed on the whole
        data instead).

    diagnostics : bool, default=False
        Record, per epoch (L-BFGS: per iteration) and per layer, how the
        gradients and the hidden units behave, in ``diagnostics_``. Off, a
        fit does no extra work; on, it costs a few per-batch sums (a few
        percent of the fit time).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels (for multilabel targets, the label indices).

    loss_ : float
        The loss (with the penalty) at the end of the last iteration.

    best_loss_ : float or None
        The lowest training loss reached by 'sgd' or 'adam'; None with
        ``early_stopping`` (see ``best_validation_score_``). Not set by
        'lbfgs'.

    loss_curve_ : list of float
        The training loss after each epoch of 'sgd' or 'adam'. Not set by
        'lbfgs'.

    validation_scores_ : list of float or None
        The accuracy on the held-out data after each epoch, with
        ``early_stopping``; None otherwise.

    best_validation_score_ : float or None
        The best of ``validation_scores_``, whose weights the network keeps;
        None without ``early_stopping``.

    t_ : int
        The number of training samples the stochastic solvers have seen.

    coefs_ : list of ndarray of shape (n_layers - 1,)
        ``coefs_[i]`` is the weight matrix from layer ``i`` to layer ``i +
        1``, of shape ``(n_units_i, n_units_{i+1})``. The matrices are views
        of one flat parameter buffer; assigning a list of arrays of the same
        shapes to ``coefs_`` copies them in.

    intercepts_ : list of ndarray of shape (n_layers - 1,)
        ``intercepts_[i]`` is the bias vector of layer ``i + 1``; views of
        the same buffer, assigned like ``coefs_``.

    n_features_in_ : int
        The number of features seen during fit.

    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        The names of the features seen during fit, when ``X`` has feature
        names that are all strings.

    n_iter_ : int
        The number of iterations the solver ran in the last call to fit.

    n_layers_ : int
        The number of layers, input and output included.

    n_outputs_ : int
        The number of output neurons: 1 for a binary problem, one per class
        for a multiclass problem, one per label for a multilabel one.

    out_activation_ : str
        The output function: 'logistic' for binary and multilabel targets,
        'softmax' for multiclass ones.

    diagnostics_ : dict of ndarray of shape (n_epochs, ``n_layers_ - 1``)
        With ``diagnostics=True``: one row per epoch of 'sgd' and 'adam' (per
        iteration of 'lbfgs'), one column per weight matrix ``coefs_[i]`` and
        the layer it computes (the hidden layers, then the output layer).
        Warm starts and ``partial_fit`` append rows. The keys:

        - 'grad_rms': the root mean square of the entries of the gradient of
          ``coefs_[i]`` (penalty included), over the epoch's batches; it
          shrinking towards the input is the vanishing gradient;
        - 'dead_fraction': the fraction of the layer's units whose activation
          derivative was zero on every sample of the epoch (dead relu units);
        - 'saturated_fraction': the fraction of units whose ``|f'(z)|`` was
          below 0.01 on more than half the samples: the flat tails of the
          logistic (``|z| > 4.6``) and tanh (``|z| > 3.0``), or a relu that
          is off for most samples;
        - 'activation_mean', 'activation_std': the mean and standard
          deviation of the layer's outputs over the epoch's samples and units.

        The last four describe hidden layers; the output column is NaN. They
        are read during training, before each optimizer step; samples count
        equally whatever their weight.

    See Also
    --------
    sklearn.neural_network.MLPClassifier : scikit-learn's multi-layer
        perceptron classifier, of which this is a drop-in replacement.
    sknn.activations.get_activation : The activation functions by name.
    sknn.plotting.DiagnosticsDisplay : Plots ``diagnostics_`` over the epochs.

    Notes
    -----
    With ``A_0 = X``, layer ``i + 1`` computes ``A_{i+1} = f(A_i W_i + b_i)``;
    the output layer applies the logistic function (binary, multilabel) or
    the softmax (multiclass) to its pre-activations ``z``, the logits. The
    loss minimised is the mean log-loss plus the penalty,

    ``L = (Σ_i s_i ℓ(y_i, z_i) + alpha / 2 Σ_j ||W_j||²) / Σ_i s_i``,

    with ``s_i`` the sample weights (times the class weights). The log-loss
    is computed from the logits (softplus, log-sum-exp), never from clipped
    probabilities; for the same reason :meth:`predict_log_proba` stays finite
    where a probability rounds to 0.

    Weights start Glorot-uniform, drawn from ``U(-r, r)`` with
    ``r = sqrt(6 / (fan_in + fan_out))`` (``2`` instead of ``6`` for the
    logistic), exactly as scikit-learn draws them. The stochastic solvers
    follow scikit-learn's updates and stopping rules step for step, so with
    the same ``random_state`` the two estimators take the same path, up to
    rounding. All weights live in one contiguous buffer that the optimizers
    and L-BFGS update in place.

    float32 input is trained and predicted in float32 (``coefs_`` are
    float32); any other input in float64. If the loss becomes non-finite
    (a learning rate too large for unscaled input), training stops with a
    :class:`~sklearn.exceptions.ConvergenceWarning` and the network keeps the
    last finite weights.

    With scikit-learn 1.9 or later the estimator takes scikit-learn's
    callbacks (:mod:`sklearn.callback`), for example
    ``clf.set_callbacks(ProgressBar())``, also inside a Pipeline or a search.
    A fit reports one task per epoch ('epoch'; for 'lbfgs' one per iteration,
    'lbfgs-iter'), each ending with a copy of the estimator as fitted so far
    (what a ScoringMonitor scores), and stops when a callback asks it to.

    References
    ----------
    Rumelhart, D. E., Hinton, G. E. and Williams, R. J. "Learning
    representations by back-propagating errors." Nature 323 (1986): 533-536.

    Glorot, X. and Bengio, Y. "Understanding the difficulty of training deep
    feedforward neural networks." AISTATS (2010).

    Kingma, D. P. and Ba, J. "Adam: A method for stochastic optimization."
    ICLR (2015), :arxiv:`1412.6980`.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.model_selection import train_test_split
    >>> from sknn import MLPNeuronClassifier
    >>> X, y = make_classification(n_samples=200, random_state=1)
    >>> X_train, X_test, y_train, y_test = train_test_split(
    ...     X, y, stratify=y, random_state=1
    ... )
    >>> clf = MLPNeuronClassifier(
    ...     hidden_layer_sizes=(20, 10), activation=["tanh", "relu"],
    ...     solver="lbfgs", random_state=1,
    ... ).fit(X_train, y_train)
    >>> clf.coefs_[0].shape, clf.out_activation_
    ((20, 20), 'logistic')
    >>> clf.predict(X_test[:5])
    array([0, 0, 1, 0, 1])
    >>> clf.predict_proba(X_test[:1]).round(3)
    array([[0.999, 0.001]])
    >>> print(f"{clf.score(X_test, y_test):.2f}")
    0.88
    """

    _parameter_constraints: dict = {
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "activation": [StrOptions(set(HIDDEN_ACTIVATIONS)), list, tuple],
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
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "diagnostics": ["boolean"],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        negative_slope=0.01,
        class_weight=None,
        diagnostics=False,
    ):
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
        self.class_weight = class_weight
        self.diagnostics = diagnostics

    # -- fitting -----------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the network to the data ``X`` and the labels ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The training data.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            The class labels, or a label indicator matrix for multilabel
            classification.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples in the loss (and in the
            validation score, with ``early_stopping``); None weighs them
            equally.

        Returns
        -------
        self : MLPNeuronClassifier
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight, incremental=False)

    @available_if(_is_stochastic)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """Run one epoch of the stochastic solver on ``X`` and ``y``.

        Only for ``solver='sgd'`` and ``'adam'``. Training continues from the
        current weights and optimizer state, so the data can come in parts.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The training data.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            The class labels, or a label indicator matrix.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples in the loss.
        classes : array-like of shape (n_classes,), default=None
            Every class that any call may see, e.g. ``np.unique(y_all)``.
            Required on the first call, optional afterwards; ``y`` need not
            contain all of them.

        Returns
        -------
        self : MLPNeuronClassifier
            The updated estimator.
        """
        if self._first_partial_fit(classes):
            self._label_binarizer = LabelBinarizer()
            if type_of_target(y).startswith("multilabel"):
                self._label_binarizer.fit(y)
            else:
                self._label_binarizer.fit(classes)
        return self._fit(X, y, sample_weight, incremental=True)

    def _first_partial_fit(self, classes):
        """Check ``classes`` against earlier calls; True on the first call."""
        seen = getattr(self, "classes_", None)
        if classes is None:
            if seen is None:
                raise ValueError(
                    "classes must be passed on the first call to partial_fit."
                )
            return False
        classes = unique_labels(classes)
        if seen is not None:
            if not np.array_equal(seen, classes):
                raise ValueError(
                    f"classes={classes!r} is not the same as on the last call to "
                    f"partial_fit, was {seen!r}."
                )
            return False
        self.classes_ = classes
        return True

    def _fit(self, X, y, sample_weight, incremental):
        tasks = self._fit_tasks(X, y, sample_weight, incremental)
        first_pass = not hasattr(self, "_network") or (
            not self.warm_start and not incremental
        )
        hidden_sizes = self._hidden_layer_sizes()
        activations = self._hidden_activations(len(hidden_sizes))
        X, y, Y = self._validate_input(X, y, incremental, reset=first_pass)
        class_index = self._class_index(Y)
        sample_weight = self._sample_weight(sample_weight, X, class_index, incremental)
        layer_sizes = [X.shape[1], *hidden_sizes, Y.shape[1]]
        # One generator for the whole fit, drawn from in scikit-learn's order:
        # the initial weights, then the validation split, then the shuffles.
        random_state = check_random_state(self.random_state)
        if first_pass:
            self._initialize(layer_sizes, activations, X.dtype, random_state)
        else:
            self._check_same_network(layer_sizes, activations)
        on_epoch_begin, progress = tasks.begin(
            print_progress if self.verbose else None,
            fitted_state=self._state_after_epoch,
        )
        recorder = None
        if self.diagnostics:
            recorder = DiagnosticsRecorder(
                self._network, getattr(self, "diagnostics_", None)
            )
        if self.solver == "lbfgs":
            Y = Y.astype(X.dtype)
            fit_lbfgs(
                self,
                self._network,
                X,
                Y,
                sample_weight,
                on_epoch_begin=on_epoch_begin,
                on_epoch_end=progress,
                recorder=recorder,
            )
        else:
            self._fit_stochastic(
                X,
                y,
                Y,
                class_index,
                sample_weight,
                random_state,
                incremental,
                progress,
                recorder,
                on_epoch_begin=on_epoch_begin,
            )
        if recorder is not None:
            self.diagnostics_ = recorder.result()
        tasks.end()
        return self

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
                f"hidden_layer_sizes must be positive integers, got {sizes}."
            )
        return [int(size) for size in sizes]

    def _hidden_activations(self, n_hidden):
        """Return one Activation per hidden layer, checking ``activation``."""
        names = self.activation
        names = [names] * n_hidden if isinstance(names, str) else list(names)
        if len(names) != n_hidden:
            raise ValueError(
                f"activation lists {len(names)} names for {n_hidden} hidden "
                "layers; give one name per hidden layer, or a single name for "
                "all of them."
            )
        activations = []
        for name in names:
            if not isinstance(name, str) or name not in HIDDEN_ACTIVATIONS:
                raise ValueError(
                    f"activation {name!r} is not a differentiable activation; "
                    f"valid names are {sorted(HIDDEN_ACTIVATIONS)}."
                )
            params = {}
            if ALIASES.get(name, name) == "leaky_relu":
                params["negative_slope"] = self.negative_slope
            activations.append(get_activation(name, **params))
        return activations

    def _validate_input(self, X, y, incremental, reset):
        """Return ``X``, the labels ``y`` and their boolean indicator matrix ``Y``.

        The first fit keeps float32 or float64 input as it is; later calls
        (warm start, partial_fit) convert to the network's dtype.
        """
        dtype = FLOAT_DTYPES if reset else self._network.dtype
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse="csr",
            multi_output=True,
            dtype=dtype,
            reset=reset,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if not hasattr(self, "classes_") or (not self.warm_start and not incremental):
            self._label_binarizer = LabelBinarizer().fit(y)
            self.classes_ = self._label_binarizer.classes_
        else:
            self._check_classes(unique_labels(y))
        return X, y, self._indicator(y)

    def _check_classes(self, classes):
        if self.warm_start:
            if set(classes) != set(self.classes_):
                raise ValueError(
                    "warm_start needs y to have the same classes as the previous "
                    f"fit: it had {self.classes_}, y has {classes}."
                )
        elif len(np.setdiff1d(classes, self.classes_, assume_unique=True)):
            raise ValueError(
                f"y has classes that are not in classes_ {self.classes_}: "
                f"y has {classes}."
            )

    def _indicator(self, y):
        """Return the targets as a boolean indicator matrix.

        As ``LabelBinarizer.transform`` (one column for two classes, one per
        class or label otherwise), built directly as booleans: an eighth of
        the memory of float64, and no int64 matrix on the way.
        """
        binarizer = self._label_binarizer
        if y.ndim == 2:  # multilabel, or an error the binarizer words well
            return binarizer.transform(y).astype(bool)
        index = np.searchsorted(binarizer.classes_, y)
        if binarizer.y_type_ == "multiclass":
            return index[:, np.newaxis] == np.arange(len(binarizer.classes_))
        return (index == 1)[:, np.newaxis]

    def _class_index(self, Y):
        """Each sample's class as an index into ``classes_``; None if multilabel."""
        if self._label_binarizer.y_type_ == "multiclass":
            return Y.argmax(axis=1)
        if Y.shape[1] == 1:
            return Y[:, 0].astype(np.intp)
        return None

    def _sample_weight(self, sample_weight, X, class_index, incremental):
        """Return the sample weights, class weights folded in; None if uniform."""
        if sample_weight is not None:
            sample_weight = check_sample_weight(sample_weight, X, X.dtype)
        if self.class_weight is None:
            return sample_weight
        if class_index is None:
            raise ValueError(
                "class_weight is not supported for multilabel targets; pass "
                "sample_weight instead."
            )
        if incremental and self.class_weight == "balanced":
            raise ValueError(
                "class_weight='balanced' is not supported by partial_fit, which "
                "sees only part of the data; compute the weights on all of it "
                "with sklearn.utils.compute_class_weight('balanced', ...) and "
                "pass them as a dict."
            )
        if sample_weight is None:
            sample_weight = np.ones(X.shape[0], dtype=X.dtype)
        return class_sample_weight(
            self.class_weight, self.classes_, class_index, sample_weight
        )

    def _initialize(self, layer_sizes, activations, dtype, random_state):
        """Build a new network with random weights and reset the fit's state."""
        for name in _FIT_STATE:
            self.__dict__.pop(name, None)
        self.n_iter_ = 0
        self.t_ = 0
        self.n_outputs_ = layer_sizes[-1]
        self.n_layers_ = len(layer_sizes)
        multiclass = self._label_binarizer.y_type_ == "multiclass"
        self.out_activation_ = "softmax" if multiclass else "logistic"
        loss = get_loss(self.out_activation_)
        self._network = Network(layer_sizes, activations, loss, dtype=dtype)
        self._network.initialize(random_state)

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
        y,
        Y,
        class_index,
        sample_weight,
        random_state,
        incremental,
        progress,
        recorder=None,
        on_epoch_begin=None,
    ):
        if incremental and self.early_stopping:
            raise ValueError(
                "partial_fit does not support early_stopping=True: set "
                "early_stopping=False, or call fit."
            )
        if not incremental or not hasattr(self, "_optimizer"):
            self._optimizer = self._new_optimizer()
        self._prepare_progress_record()
        validation = None
        if self.early_stopping:
            X, Y, sample_weight, validation = self._hold_out(
                X, y, Y, class_index, sample_weight, random_state
            )
        batch_size = resolve_batch_size(self.batch_size, X.shape[0])
        fit_stochastic(
            self,
            self._network,
            self._optimizer,
            MiniBatches(X, Y, sample_weight, batch_size),
            random_state,
            validation=validation,
            incremental=incremental,
            on_epoch_begin=on_epoch_begin,
            on_epoch_end=progress,
            recorder=recorder,
        )

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
            )
        return Adam(
            params,
            learning_rate_init=self.learning_rate_init,
            beta_1=self.beta_1,
            beta_2=self.beta_2,
            epsilon=self.epsilon,
        )

    def _prepare_progress_record(self):
        """Create the stochastic solvers' records that this fit does not have yet.

        A fresh fit has none; a warm start keeps those of the previous fit,
        as scikit-learn does, and adds what it lacks (after 'lbfgs', or with
        ``early_stopping`` switched).
        """
        if not hasattr(self, "loss_curve_"):
            self.loss_curve_ = []
            self._no_improvement_count = 0
        if self.early_stopping and getattr(self, "validation_scores_", None) is None:
            self.validation_scores_ = []
            self.best_validation_score_ = -np.inf
            self.best_loss_ = None
            self._best_params = self._network.params.copy()
        elif not self.early_stopping and getattr(self, "best_loss_", None) is None:
            self.best_loss_ = np.inf
            self.validation_scores_ = None
            self.best_validation_score_ = None

    def _hold_out(self, X, y, Y, class_index, sample_weight, random_state):
        """Split off the validation data; return the training part and a scorer."""
        arrays = [X, Y, y] if sample_weight is None else [X, Y, y, sample_weight]
        if class_index is None:
            # Multilabel targets are split without stratification, as
            # scikit-learn does.
            parts = train_test_split(
                *arrays, test_size=self.validation_fraction, random_state=random_state
            )
            train, val = parts[0::2], parts[1::2]
        else:
            # Stratified for multiclass targets too, where scikit-learn (1.9)
            # stratifies binary ones only; a binary split is scikit-learn's.
            train, val = validation_split(
                self.validation_fraction, random_state, class_index, *arrays
            )
        X_val, y_val = val[0], val[2]
        weights_val = val[3] if sample_weight is not None else None
        weights_train = train[3] if sample_weight is not None else None

        def validation_score():
            return self._accuracy(X_val, y_val, weights_val)

        return train[0], train[1], weights_train, validation_score

    def _accuracy(self, X, y, sample_weight=None):
        """Accuracy on validated data; NaN if the network's output is not finite."""
        logits = self._network.logits(X)
        if not np.isfinite(logits).all():
            return np.nan
        return accuracy_score(y, self._labels(logits), sample_weight=sample_weight)

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
        check_is_fitted(self)
        X = validate_data(
            self, X, accept_sparse="csr", dtype=self._network.dtype, reset=False
        )
        return self._network.hidden_activations(X)

    def _logits(self, X):
        check_is_fitted(self)
        X = validate_data(
            self, X, accept_sparse="csr", dtype=self._network.dtype, reset=False
        )
        return self._network.logits(X)

    def _labels(self, logits):
        # A logistic output exceeds 1/2 exactly where its logit exceeds 0.
        return self._label_binarizer.inverse_transform(logits, threshold=0.0)

    def _both_sides(self, logits):
        """For one logistic output, the logits of both classes: (-z, z)."""
        if self.n_outputs_ == 1:
            return np.hstack([-logits, logits])
        return logits

    def predict(self, X):
        """Predict the class of each sample in ``X``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_labels)
            The predicted classes (for multilabel targets, the indicator
            matrix of the predicted labels).
        """
        return self._labels(self._logits(X))

    def predict_proba(self, X):
        """Return the probability of each class for each sample in ``X``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            The probabilities, columns in the order of ``classes_``. For
            multilabel targets, each label's probability independently.
        """
        logits = self._both_sides(self._logits(X))
        return self._network.loss.output(logits, out=logits)

    def predict_log_proba(self, X):
        """Return the logarithm of the probability of each class in ``X``.

        Computed from the logits (log-sigmoid, log-softmax), so it stays
        finite where :meth:`predict_proba` rounds to 0, and orders the
        samples as ``log(predict_proba(X))`` does.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            The log-probabilities, columns in the order of ``classes_``.
        """
        logits = self._both_sides(self._logits(X))
        return self._network.loss.log_output(logits, out=logits)

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
        tags.classifier_tags.multi_label = True
        return tags


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
