"""MLPNeuronRegressor: a multi-layer network that approximates a function."""

from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score
from sklearn.utils import check_array, column_or_1d
from sklearn.utils.metaestimators import available_if

from sknn._base import StrOptions, _fit_context
from sknn._mlp_base import BaseMultilayerNetwork, _is_stochastic

__all__ = ["MLPNeuronRegressor"]


class MLPNeuronRegressor(RegressorMixin, BaseMultilayerNetwork):
    """A multi-layer network of neurons that approximates a function.

    Each neuron computes ``f(w·x + b)``; neurons are stacked in fully
    connected layers through which information flows one way, from the input
    through the hidden layers to the output, whose neurons give the
    predictions. A single hidden layer of enough non-linear units can
    approximate any continuous function on a bounded domain; the network
    learns one by minimising a loss with L-BFGS or mini-batch (stochastic)
    gradient descent. The constructor takes every parameter of
    scikit-learn's :class:`~sklearn.neural_network.MLPRegressor` with the
    same meaning and default, so code written for one runs with the other; a
    few are added (more activations, one per layer if wished,
    ``negative_slope``, ``diagnostics`` and the 'absolute_error' loss).

    Parameters
    ----------
    loss : {'squared_error', 'poisson', 'absolute_error'}, \
            default='squared_error'
        What the network minimises, and so what it predicts.

        - 'squared_error': half the squared error, averaged over the
          outputs; the prediction is the conditional mean, and the output
          neurons are linear ('identity').
        - 'poisson': half the Poisson deviance, for counts and other
          non-negative targets whose variance grows with their mean. The
          output neurons apply ``exp`` to their logit (a log link), so every
          prediction is positive; ``y`` must be non-negative.
        - 'absolute_error': the absolute error, averaged over the outputs;
          the prediction is the conditional median, robust to outliers. Its
          gradient is the sign of the residual, whatever its size, so it
          suits the stochastic solvers ('adam', or 'sgd' with a decreasing
          rate); 'lbfgs' assumes a smooth loss and tends to stop early. Not
          in scikit-learn.

    hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
        The number of neurons in each hidden layer, from the input onwards.
        An empty tuple gives a network with no hidden layer: a linear model
        (with 'squared_error' and ``alpha``, ridge regression).

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
        gives the same initial weights and batches as ``MLPRegressor``.
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
        random ones. The data must have the same features and outputs.

    momentum : float, default=0.9
        The momentum of 'sgd', between 0 and 1.

    nesterovs_momentum : bool, default=True
        Whether 'sgd' uses Nesterov's momentum (when ``momentum > 0``).

    early_stopping : bool, default=False
        Whether 'sgd' and 'adam' hold out ``validation_fraction`` of the
        training data (a plain random split, as scikit-learn's), stop when
        the coefficient of determination R² on it has not improved by
        ``tol`` for ``n_iter_no_change`` consecutive epochs, and keep the
        weights that scored best.

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
        R², as scikit-learn; 'loss' for the mean validation loss,
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

    Attributes
    ----------
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
        The R² on the held-out data (or the ``scoring``) after each
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
        The number of output neurons, one per target column.

    out_activation_ : str
        The output function: 'identity' for the squared and absolute errors,
        'exp' for the Poisson loss.

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
    sklearn.neural_network.MLPRegressor : scikit-learn's multi-layer
        perceptron regressor, of which this is a drop-in replacement.
    MLPNeuronClassifier : The same network, classifying.
    sknn.activations.get_activation : The activation functions by name.
    sknn.plotting.DiagnosticsDisplay : Plots ``diagnostics_`` over the epochs.

    Notes
    -----
    With ``A_0 = X``, layer ``i + 1`` computes ``A_{i+1} = f(A_i W_i + b_i)``;
    the output layer applies the identity (or, for 'poisson', ``exp``) to
    its pre-activations ``z``, the logits. The loss minimised is

    ``L = (Σ_i s_i ℓ(y_i, z_i) + alpha / 2 Σ_j ||W_j||²) / Σ_i s_i``,

    with ``s_i`` the sample weights and, over the ``K`` outputs,
    ``ℓ = 1/(2K) Σ_k (z_k - y_k)²`` ('squared_error'),
    ``ℓ = 1/K Σ_k |z_k - y_k|`` ('absolute_error') or
    ``ℓ = Σ_k (y_k log y_k - y_k - y_k z_k + exp(z_k))`` ('poisson'), half
    the Poisson deviance computed from the logit. These are the values
    scikit-learn reports as ``loss_``. The gradients are exactly those of
    ``L``; scikit-learn back-propagates the squared error summed over the
    outputs while reporting its mean, so on multi-output targets its steps
    are ``K`` times larger (with 'adam', whose steps do not depend on the
    gradient's scale, the two still take nearly the same path). A 'poisson'
    prediction ``exp(z)`` is computed with ``z`` clipped below the overflow
    threshold, so it is never infinite.

    With ``hidden_layer_sizes=()`` the network is linear, and with
    'squared_error' its loss is ridge regression's: both minimise
    ``Σ_i (y_i - z_i)² + alpha ||W||²`` for one output, so 'lbfgs' converges
    to ``Ridge(alpha=alpha)`` (for ``K`` outputs, averaged, to
    ``Ridge(alpha=K * alpha)``).

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
    >>> import numpy as np
    >>> from sknn import MLPNeuronRegressor
    >>> x = np.linspace(-2 * np.pi, 2 * np.pi, 400).reshape(-1, 1)
    >>> y = np.sin(x).ravel()
    >>> reg = MLPNeuronRegressor(
    ...     hidden_layer_sizes=(20,), activation="tanh", solver="lbfgs",
    ...     max_iter=2000, random_state=0,
    ... ).fit(x, y)
    >>> reg.coefs_[0].shape, reg.out_activation_
    ((1, 20), 'identity')
    >>> reg.predict(x[:3]).shape
    (3,)
    >>> print(f"{reg.score(x, y):.3f}")
    1.000
    """

    _parameter_constraints: dict = {
        **BaseMultilayerNetwork._parameter_constraints,
        "loss": [StrOptions({"squared_error", "poisson", "absolute_error"})],
    }

    _numeric_targets = True

    def __init__(
        self,
        loss="squared_error",
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
    ):
        self.loss = loss
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
        """Fit the network to the data ``X`` and the targets ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The targets; non-negative for ``loss='poisson'``.
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
        y_val : array-like of shape (n_val,) or (n_val, n_outputs), default=None
            The targets of ``X_val``.
        sample_weight_val : array-like of shape (n_val,), default=None
            Weights of the validation samples in the validation score and
            loss.

        Returns
        -------
        self : MLPNeuronRegressor
            The fitted estimator.
        """
        validation_data = None
        if X_val is not None or y_val is not None:
            validation_data = (X_val, y_val, sample_weight_val)
        return self._fit(X, y, sample_weight, False, validation_data)

    @available_if(_is_stochastic)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Run one epoch of the stochastic solver on ``X`` and ``y``.

        Only for ``solver='sgd'`` and ``'adam'``. Training continues from the
        current weights and optimizer state, so the data can come in parts.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples in the loss.

        Returns
        -------
        self : MLPNeuronRegressor
            The updated estimator.
        """
        return self._fit(X, y, sample_weight, incremental=True)

    # -- the hooks of the shared base ---------------------------------------

    def _encode_targets(self, y, incremental, first_pass):
        """Return the targets as a matrix of columns; nothing to stratify."""
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if self.loss == "poisson" and (y < 0).any():
            raise ValueError(
                "Some value(s) of y are negative which is not allowed for "
                "Poisson regression (loss='poisson'): its predictions are "
                "exp of the network's output, always positive."
            )
        Y = y.reshape(-1, 1) if y.ndim == 1 else y
        if not first_pass and Y.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y has {Y.shape[1]} output(s), but the network was fitted with "
                f"{self.n_outputs_}; warm_start and partial_fit cannot change "
                "the number of outputs."
            )
        return Y, None

    def _encode_validation(self, y_val, sample_weight_val, stratify, dtype):
        """The validation targets as a matrix of the training targets' width."""
        y_val = check_array(y_val, ensure_2d=False, dtype=dtype, input_name="y_val")
        Y_val = y_val.reshape(-1, 1) if y_val.ndim == 1 else y_val
        if Y_val.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y_val has {Y_val.shape[1]} output(s), but y has {self.n_outputs_}."
            )
        if self.loss == "poisson" and (Y_val < 0).any():
            raise ValueError(
                "Some value(s) of y_val are negative which is not allowed for "
                "Poisson regression (loss='poisson')."
            )
        return Y_val, sample_weight_val

    def _loss_name(self):
        return self.loss

    def _validation_score(self, logits, Y, sample_weight):
        """The R² of the network's predictions on held-out targets ``Y``."""
        predictions = self._network.loss.output(logits, out=logits)
        return r2_score(Y, predictions, sample_weight=sample_weight)

    def _decode_targets(self, Y):
        return Y.ravel() if Y.shape[1] == 1 else Y

    # -- predicting --------------------------------------------------------

    def predict(self, X):
        """Predict the target of each sample in ``X``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The predictions, one column per output (1-D for a network fitted
            on a 1-D ``y``), in the network's dtype. For ``loss='poisson'``
            they are ``exp`` of the logits: positive and finite.
        """
        logits = self._logits(X)
        predictions = self._network.loss.output(logits, out=logits)
        if self.n_outputs_ == 1:
            return predictions.ravel()
        return predictions

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
