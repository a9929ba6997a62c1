"""MLPNeuronClassifier: a multi-layer network of neurons that classifies."""

from numbers import Real

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import column_or_1d
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import type_of_target, unique_labels

from sknn._base import (
    Interval,
    StrOptions,
    _fit_context,
    check_known_classes,
    class_sample_weight,
    class_weights,
    partial_fit_classes,
)
from sknn._mlp_base import BaseMultilayerNetwork, _is_stochastic
from sknn._targets import check_class_labels, warn_if_quantity

__all__ = ["MLPNeuronClassifier"]


class MLPNeuronClassifier(ClassifierMixin, BaseMultilayerNetwork):
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

    activation : str, Activation or list, default='relu'
        The activation of the hidden neurons: one for every hidden layer, or
        a list with one per hidden layer. Each is a name, or an
        :class:`~sknn.activations.Activation` such as
        ``get_activation('elu', alpha=0.5)`` for parameters other than the
        default. Any differentiable activation of :mod:`sknn.activations`:

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
        The slope of 'leaky_relu' for negative inputs, in (0, 1). A
        ``LeakyReLU`` instance given as ``activation`` keeps its own.

    diagnostics : bool, default=False
        Record, per epoch (L-BFGS: per iteration) and per layer, how the
        gradients and the hidden units behave, in ``diagnostics_``. Off, a
        fit does no extra work; on, it costs a few per-batch sums (a few
        percent of the fit time).

    weight_init : {'glorot_uniform', 'he_uniform', 'he_normal', \
            'lecun_normal'} or list of str, default='glorot_uniform'
        How the initial weights are drawn, for every weight matrix or one
        per matrix (``len(hidden_layer_sizes) + 1`` of them):

        - 'glorot_uniform': ``U(-r, r)`` with
          ``r = sqrt(6 / (fan_in + fan_out))`` (``2`` instead of ``6``
          before a logistic layer), biases likewise: scikit-learn's draws,
          exactly;
        - 'he_uniform', 'he_normal': variance ``2 / fan_in``, which keeps
          the signal's size through deep relu networks (He et al., 2015);
        - 'lecun_normal': variance ``1 / fan_in``.

        The last three start the biases at 0. All draw from
        ``random_state``.

    dropout : float or list of float, default=0.0
        The probability of dropping each hidden unit while training, for
        every hidden layer or one per hidden layer, in ``[0, 1)``. Inverted
        dropout: the units kept are scaled by ``1 / (1 - p)``, so prediction
        uses the whole network unchanged. The masks are drawn from
        ``random_state``, one per sample and epoch; 0 draws nothing. Only for
        'sgd' and 'adam': L-BFGS needs a deterministic loss.

    scoring : str, callable or None, default=None
        What ``early_stopping`` watches on the held-out data, and what
        ``validation_scores_`` holds (higher is better): None for the
        accuracy, as scikit-learn; 'loss' for the mean validation loss,
        negated; or any scorer name or callable that
        :func:`sklearn.metrics.check_scoring` accepts, called as
        ``scorer(estimator, X_val, y_val)``. The weights with the best score
        are kept.

    learning_rate_schedule : {'constant', 'cosine', 'one_cycle', \
            'cosine_restarts'}, Schedule, callable or None, default=None
        A factor on the learning rate of 'sgd' and 'adam', applied at every
        step: a name (the schedule's defaults), a schedule object from
        :mod:`sknn.schedules` (``CosineRestarts(n_cycles=3)``), or any
        callable mapping the fraction of training done, ``p`` in ``[0, 1]``
        (steps over ``max_iter`` epochs of batches), to a factor ``>= 0``.
        'cosine' decays the rate to 0, 'one_cycle' ramps it up to
        ``learning_rate_init`` and down again, 'cosine_restarts' decays it in
        cycles. None keeps scikit-learn's behaviour. It is a separate
        parameter so that ``learning_rate`` keeps exactly scikit-learn's
        meaning (per-epoch rules of 'sgd'); the two multiply. ``partial_fit``
        counts each call as one epoch of the schedule.

    warmup_fraction : float, default=0.0
        The fraction of the steps, in ``[0, 1)``, over which the learning
        rate rises linearly from 0 to its scheduled value, before any
        schedule (or before the constant rate). 'sgd' and 'adam' only.

    weight_decay : float, default=0.0
        Decoupled weight decay (AdamW, SGDW): every step first shrinks the
        weights, not the biases, by the factor ``1 - η λ``, with ``η`` the
        step's learning rate, apart from the gradient. Unlike ``alpha``, the
        L2 penalty inside the loss, it is not rescaled by Adam's adaptive
        steps. 'sgd' and 'adam' only.

    max_grad_norm : float or None, default=None
        Clip the gradient (the penalty's included) to this Euclidean norm
        before every step of 'sgd' and 'adam', by scaling it down when it is
        longer; it keeps one steep batch from throwing the weights far. None
        clips nothing.

    class_weight : dict, 'balanced' or None, default=None
        Weights of the classes in the loss, multiplying ``sample_weight``:
        ``{label: weight}``, or 'balanced' for ``n_samples / (n_classes *
        np.bincount(y))``. Not available for multilabel targets, and
        'balanced' not in ``partial_fit`` (pass a dict computed on the whole
        data instead).

    label_smoothing : float, default=0.0
        Train towards softened targets: ``(1 - ε) y + ε / K`` for ``K``
        classes with the softmax, ``(1 - ε) y + ε / 2`` for each logistic
        output (two classes, multilabel), with ``ε`` in ``[0, 1)``. It keeps
        the network from growing ever more confident, which often helps
        accuracy and hurts the log loss: see the user guide's Training
        chapter. ``loss_curve_`` reports the loss on the softened targets;
        the validation loss and scores use the true ones.

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
        The training loss after each epoch of 'sgd' or 'adam', or after each
        iteration of 'lbfgs' (which scikit-learn does not record).

    validation_scores_ : list of float or None
        The accuracy on the held-out data (or the ``scoring``) after each
        epoch, with ``early_stopping``; None otherwise.

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

    The user guide describes what both networks share: how the weights
    start and how the solvers follow scikit-learn's path (:ref:`training`),
    float32 input and a diverging fit (:ref:`numerics`), and scikit-learn's
    callbacks (:ref:`callbacks`).

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
        **BaseMultilayerNetwork._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "label_smoothing": [Interval(Real, 0, 1, closed="left")],
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
        diagnostics=False,
        weight_init="glorot_uniform",
        dropout=0.0,
        scoring=None,
        learning_rate_schedule=None,
        warmup_fraction=0.0,
        weight_decay=0.0,
        max_grad_norm=None,
        class_weight=None,
        label_smoothing=0.0,
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

    # -- fitting -----------------------------------------------------------

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
            validation score, with ``early_stopping`` and no ``X_val``);
            None weighs them equally.
        X_val : {array-like, sparse matrix} of shape (n_val, n_features), \
                default=None
            Validation data for early stopping, used instead of holding out
            ``validation_fraction`` of ``X`` (needs ``early_stopping=True``
            and a stochastic solver). In a Pipeline, ``X_val`` is transformed
            as ``X`` is with ``Pipeline(..., transform_input=["X_val"])`` and
            metadata routing (``set_fit_request(X_val=True, y_val=True)``).
        y_val : array-like of shape (n_val,) or (n_val, n_labels), default=None
            The labels of ``X_val``.
        sample_weight_val : array-like of shape (n_val,), default=None
            Weights of the validation samples in the validation score and
            loss.

        Returns
        -------
        self : MLPNeuronClassifier
            The fitted estimator.
        """
        validation_data = None
        if X_val is not None or y_val is not None:
            validation_data = (X_val, y_val, sample_weight_val)
        return self._fit(X, y, sample_weight, False, validation_data)

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
        self.classes_ = partial_fit_classes(seen, classes)
        return seen is None

    # -- the hooks of the shared base ---------------------------------------

    def _encode_targets(self, y, incremental, first_pass):
        """Return the boolean indicator matrix of the labels and the class indices.

        The class indices stratify the early-stopping split; None for
        multilabel targets, which scikit-learn splits without stratifying.
        """
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        check_class_labels(y, "MLPNeuronClassifier", "MLPNeuronRegressor")
        if not hasattr(self, "classes_") or (not self.warm_start and not incremental):
            self._label_binarizer = LabelBinarizer().fit(y)
            self.classes_ = self._label_binarizer.classes_
            if y.ndim == 1:
                warn_if_quantity(
                    self.classes_, len(y), "MLPNeuronClassifier", "MLPNeuronRegressor"
                )
        else:
            self._check_classes(unique_labels(y))
        Y = self._indicator(y)
        return Y, self._class_index(Y)

    def _encode_validation(self, y_val, sample_weight_val, stratify, dtype):
        """The validation labels as an indicator matrix, and their weights.

        The labels must be among the training classes; class weights are
        those of the training data (for 'balanced', its class counts).
        """
        if y_val.ndim == 2 and y_val.shape[1] == 1:
            y_val = column_or_1d(y_val, warn=True)
        if (y_val.ndim == 2) != (
            self._label_binarizer.y_type_ == "multilabel-indicator"
        ):
            raise ValueError(
                "y_val must be of the kind y is: "
                f"{self._label_binarizer.y_type_} targets."
            )
        if y_val.ndim == 1:
            unseen = np.setdiff1d(unique_labels(y_val), self.classes_)
            if unseen.size:
                raise ValueError(
                    f"y_val has classes not in y: {unseen.tolist()}; the "
                    f"classes are {self.classes_.tolist()}."
                )
        Y_val = self._indicator(y_val)
        if self.class_weight is not None:
            per_class = class_weights(self.class_weight, self.classes_, stratify)
            if sample_weight_val is None:
                sample_weight_val = np.ones(len(Y_val), dtype=dtype)
            index = self._class_index(Y_val)
            sample_weight_val = sample_weight_val * per_class[index].astype(dtype)
        return Y_val, sample_weight_val

    def _target_smoothing(self):
        """``(1 - ε, ε / K)`` with the softmax, ``(1 - ε, ε / 2)`` per logistic."""
        if not self.label_smoothing:
            return None
        epsilon = float(self.label_smoothing)
        multiclass = self._label_binarizer.y_type_ == "multiclass"
        n_values = len(self.classes_) if multiclass else 2
        return 1.0 - epsilon, epsilon / n_values

    def _loss_name(self):
        multiclass = self._label_binarizer.y_type_ == "multiclass"
        return "log_loss" if multiclass else "binary_log_loss"

    def _target_weights(self, sample_weight, stratify, incremental, dtype):
        """Fold ``class_weight`` into the sample weights; None if all are equal."""
        if self.class_weight is None:
            return sample_weight
        if stratify is None:
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
            sample_weight = np.ones(len(stratify), dtype=dtype)
        return class_sample_weight(
            self.class_weight, self.classes_, stratify, sample_weight
        )

    def _validation_score(self, logits, Y, sample_weight):
        """The accuracy of the ``logits`` on the indicator targets ``Y``.

        Multilabel samples count as right only with every label right, as
        ``accuracy_score`` counts them.
        """
        if self._label_binarizer.y_type_ == "multiclass":
            correct = logits.argmax(axis=1) == Y.argmax(axis=1)
        else:
            # a logistic output exceeds 1/2 exactly where its logit exceeds 0
            correct = ((logits > 0) == Y.astype(bool)).all(axis=1)
        return float(np.average(correct, weights=sample_weight))

    def _decode_targets(self, Y):
        return self._label_binarizer.inverse_transform(Y.astype(float))

    def _check_classes(self, classes):
        if self.warm_start:
            if set(classes) != set(self.classes_):
                raise ValueError(
                    "warm_start can only be used where `y` has the same classes as "
                    f"in the previous call to fit. Previously got {self.classes_}, "
                    f"`y` has {classes}"
                )
        else:
            check_known_classes(classes, self.classes_)

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

    # -- predicting --------------------------------------------------------

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
            multilabel targets, each label's probability independently. A
            model fitted on a single class has one column, of ones (where
            scikit-learn's MLPClassifier returns two).
        """
        logits = self._logits(X)
        if len(self.classes_) == 1:
            return np.ones_like(logits)  # the one class seen: certain
        logits = self._both_sides(logits)
        # The softmax's shift by the row maximum may overflow to -inf for
        # logits near the dtype's range; exp(-inf) is the right 0.
        with np.errstate(over="ignore"):
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
        logits = self._logits(X)
        if len(self.classes_) == 1:
            return np.zeros_like(logits)  # log(1) for the one class seen
        logits = self._both_sides(logits)
        # Logits near the dtype's largest value (float32: 3.4e38) are finite,
        # but the log-softmax's shift by the row maximum overflows to -inf: a
        # log-probability below the dtype's range is clipped into it.
        with np.errstate(over="ignore"):
            log_proba = self._network.loss.log_output(logits, out=logits)
        return np.maximum(log_proba, np.finfo(log_proba.dtype).min, out=log_proba)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags
