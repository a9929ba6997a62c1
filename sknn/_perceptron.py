"""PerceptronClassifier: McCulloch-Pitts neurons trained by the perceptron's rules.

The estimator is the scikit-learn face of the perceptron: its parameters and
their validation, the class labels, the initial and stored weights, and
prediction. The training lives in :mod:`sknn._perceptron_training` (the
weights, an epoch, the loop of epochs), whose online epoch is the compiled
loop :mod:`sknn._perceptron_online`.
"""

import functools
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from scipy.special import expit, log_expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.extmath import safe_sparse_dot
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted, validate_data

from sknn._base import (
    FLOAT_DTYPES,
    Interval,
    StrOptions,
    _fit_context,
    check_activation_parameter,
    check_known_classes,
    check_sample_weight,
    class_weights,
    partial_fit_classes,
    validation_split,
)
from sknn._callbacks import CallbackSupportMixin, FitTasks
from sknn._perceptron_training import Trainer, run_epochs
from sknn._targets import check_class_labels, warn_if_quantity
from sknn._warnings import warn
from sknn.activations import ALIASES, Activation

__all__ = ["PerceptronClassifier"]

# A single linear neuron that regresses: the perceptron's counterpart for a quantity.
_REGRESSOR = "a regressor, such as sknn's MLPNeuronRegressor(hidden_layer_sizes=())"


def _activation_name(activation):
    """The registry name of an activation parameter, a name or an Activation."""
    if isinstance(activation, Activation):
        return activation.name
    return ALIASES.get(activation, activation)


def _has_probabilities(estimator):
    if _activation_name(estimator.activation) != "logistic":
        raise AttributeError(
            "probability estimates are only available with activation='logistic' "
            f"(got activation={estimator.activation!r}): the neuron's output is "
            "a probability only for the logistic function."
        )
    return True


def _initial(value, shape, dtype, name):
    """Zeros of ``shape``, or a copy of ``value`` in that shape; a weight
    matrix must have a row's length last."""
    if value is None:
        return np.zeros(shape, dtype=dtype)
    value = np.asarray(value, dtype=dtype)
    rows = len(shape) == 2
    if value.size != np.prod(shape) or rows and value.shape[-1] != shape[1]:
        # scikit-learn's wording first (it calls coef_init ``coef_``), then
        # the shapes.
        provided = "``coef_``" if name == "coef_init" else name
        raise ValueError(
            f"Provided {provided} does not match dataset. {name} has shape "
            f"{value.shape}; this problem needs {shape}: one "
            f"{'row of weights' if rows else 'bias'} per neuron."
        )
    return value.reshape(shape).copy()


def _normalised_log_sigmoids(scores):
    """``log(sigmoid(s) / sum(sigmoid(s)))`` per row, without leaving log space.

    ``log_expit`` is exact where ``expit`` underflows, and the row's
    normaliser is a log-sum-exp, so rows whose every score is very negative
    still come out finite, whatever the dtype.
    """
    log_proba = log_expit(scores)
    # Shift by the row maximum first and add nothing back: logsumexp's own
    # result adds the maximum back, and with scores of 1e5 in float32 (spacing
    # 0.008) the normalised probabilities then summed to 1 only within 1%.
    log_proba -= log_proba.max(axis=1, keepdims=True)
    log_proba -= np.log(np.exp(log_proba).sum(axis=1, keepdims=True))
    return log_proba


_SCORE_ROWS = 1024
"""Rows per product in the end-of-fit check of the scores (10 classes in
float64: 80 KB)."""


def _score_bound(X, coef, intercept):
    """A bound on every ``|x · w + b|``: ``max|x| · n_features · max|w| + max|b|``.

    Read from the extremes alone, with no array made; in double precision,
    where the bound of float32 scores cannot overflow (and an infinite or NaN
    bound, which compares false, sends the caller to the scores themselves).
    """
    values = X.data if sp.issparse(X) else X
    largest_x = max(float(values.max()), -float(values.min())) if values.size else 0.0
    largest_w = max(float(coef.max()), -float(coef.min())) if coef.size else 0.0
    largest_b = float(np.abs(intercept).max()) if intercept.size else 0.0
    return largest_x * X.shape[1] * largest_w + largest_b


class PerceptronClassifier(CallbackSupportMixin, ClassifierMixin, BaseEstimator):
    """Perceptron classifier: McCulloch-Pitts neurons trained online.

    Each neuron computes ``f(w · x + b)``. Two classes use one neuron; more
    classes use one neuron per class over the same input (a single-layer
    network) and predict the class whose neuron has the largest
    pre-activation ``w · x + b``. With the default ``activation='step'`` the
    neurons learn by Rosenblatt's rule, updating only on a mistake; with a
    differentiable activation they learn by the delta rule.

    The parameters are a superset of
    :class:`sklearn.linear_model.Perceptron`'s, with the same names, defaults
    and meaning, and with the defaults (and ``shuffle=False``) the fitted
    ``coef_`` and ``intercept_`` are scikit-learn's. The added parameters are
    ``activation``, ``batch_size``, ``average`` and ``multi_class``.

    Parameters
    ----------
    penalty : {'l2', 'l1', 'elasticnet'}, default=None
        The regularisation term. ``'l2'`` shrinks the weights by
        ``1 - eta0 * alpha`` before each step; ``'l1'`` and ``'elasticnet'``
        add a truncated-gradient L1 step (see Notes). ``None`` for none.

    alpha : float, default=0.0001
        Strength of the regularisation term, if there is one.

    l1_ratio : float, default=0.15
        The Elastic Net mixing parameter, ``0 <= l1_ratio <= 1``: 0 is the
        L2 penalty, 1 the L1 penalty. Used only with ``penalty='elasticnet'``.

    fit_intercept : bool, default=True
        Whether to learn the bias ``b``. If False it stays at its initial
        value (zero unless ``intercept_init`` is given).

    max_iter : int, default=1000
        The largest number of passes over the training data (epochs) in
        :meth:`fit`. :meth:`partial_fit` always makes one pass.

    tol : float or None, default=1e-3
        The stopping criterion: a neuron stops when its objective (or its
        validation score, with ``early_stopping``) has not improved by at
        least ``tol`` for ``n_iter_no_change`` epochs in a row. ``None``
        trains for exactly ``max_iter`` epochs.

    shuffle : bool, default=True
        Whether to visit the training samples in a new random order each
        epoch.

    verbose : int, default=0
        If positive, print one report per epoch: the weight norm, the non-zero
        weights, the bias (its norm for several neurons), the samples seen,
        the mean objective of the neurons still training and the mistakes.

    eta0 : float, default=1.0
        The learning rate, a constant that multiplies every update.

    n_jobs : int, default=None
        Accepted for compatibility with scikit-learn's ``Perceptron``, without
        effect: the neurons of all classes learn in one pass over the data.

    random_state : int, RandomState instance or None, default=0
        Seeds the shuffling of the samples and the validation split. Pass an
        int for reproducible results. See :term:`Glossary <random_state>`.

    early_stopping : bool, default=False
        Whether to set aside a stratified fraction ``validation_fraction`` of
        the training data and stop each neuron when its accuracy on it has
        not improved by ``tol`` for ``n_iter_no_change`` epochs. The weights
        are those of the last epoch, not of the best one, as in scikit-learn.

    validation_fraction : float, default=0.1
        The fraction of the training data set aside by ``early_stopping``.

    n_iter_no_change : int, default=5
        The number of epochs without improvement to wait before stopping.

    class_weight : dict, 'balanced' or None, default=None
        Weights of the classes, ``{class_label: weight}`` (one if not given);
        ``'balanced'`` uses ``n_samples / (n_classes * np.bincount(y))``. As in
        scikit-learn, a one-vs-rest neuron of several classes weighs only the
        samples of its own class; the weight multiplies their updates.

    warm_start : bool, default=False
        If True, :meth:`fit` starts from the previous ``coef_`` and
        ``intercept_`` instead of from zero (:term:`warm_start`).

    activation : str or Activation, default='step'
        The neuron's activation function, a name from
        :data:`sknn.activations.ACTIVATIONS` (or the alias ``'sigmoid'``), or
        an :class:`~sknn.activations.Activation` instance.
        ``'step'`` trains by Rosenblatt's rule; any other activation trains
        by the delta rule towards the ends of its output range. An activation
        whose derivative is zero at zero (``'relu'``) cannot leave the initial
        zero weights: give it ``coef_init``.

    batch_size : int, default=1
        The samples per update. 1 is the online rule; larger batches are
        scored at once and move the weights by their mean update.

    average : bool or int, default=False
        If True, ``coef_`` and ``intercept_`` are the average of the weights
        after every step (the averaged perceptron). An int ``n`` starts the
        average once ``n`` samples have been seen, as in
        :class:`sklearn.linear_model.SGDClassifier`. In mini-batch mode the
        average runs over the weights after each batch, weighted by its size.

    multi_class : {'ovr', 'multinomial'}, default='ovr'
        More than two classes: ``'ovr'``, each neuron learns its class against
        the rest (as scikit-learn); ``'multinomial'``, the multiclass
        perceptron (``activation='step'`` only). Two classes use one neuron.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.

    coef_ : ndarray of shape (1, n_features) if n_classes == 2 else \
            (n_classes, n_features)
        The weights ``w`` of the neurons, one row per neuron.

    intercept_ : ndarray of shape (1,) if n_classes == 2 else (n_classes,)
        The biases ``b`` of the neurons.

    n_features_in_ : int
        Number of features seen during :term:`fit`.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`. Defined only when `X`
        has feature names that are all strings.

    n_iter_ : int
        The number of epochs run; with several neurons, the largest number
        any neuron ran before its stopping rule fired.

    t_ : float
        scikit-learn's step counter: ``n_iter_ * n_samples + 1`` after
        :meth:`fit`, increased by ``n_samples`` by each :meth:`partial_fit`.

    errors_ : ndarray of shape (n_epochs,)
        The training samples the rule got wrong (for at least one neuron
        still training, with the weights of the moment) in each epoch of the
        last :meth:`fit` and later :meth:`partial_fit` calls.

    See Also
    --------
    sklearn.linear_model.Perceptron : scikit-learn's perceptron, whose
        parameters and results this estimator reproduces.
    sklearn.linear_model.SGDClassifier : Linear classifiers trained by SGD;
        ``average`` follows its meaning.
    sklearn.neural_network.MLPClassifier : Multi-layer perceptron.

    Notes
    -----
    Neuron ``k`` scores ``z_k = w_k · x + b_k``; ``s`` is a sample's weight
    times its class weight (a one-vs-rest neuron weighs only its own class),
    ``eta`` is ``eta0`` and ``y_k = +1`` for the neuron's class, else -1.
    Each sample makes the update ``w_k += c_k x``, ``b_k += c_k`` with

    * **Rosenblatt's rule** (``activation='step'``): ``c_k = eta s y_k`` when
      ``y_k z_k <= 0`` (a tie is a mistake), else 0; descent on the
      perceptron loss ``max(0, -y_k z_k)``;
    * **the delta rule** (any other ``f``): ``c_k = eta s (t_k - f(z_k))
      f'(z_k)``, ``t_k`` the end of ``f``'s output range (clipped to
      ``[-1, 1]``) of the neuron's class or of the rest; descent on
      ``(t_k - f(z_k))^2 / 2``;
    * **the multiclass perceptron** (``multi_class='multinomial'``): with
      ``r = argmax_{k != y} z_k``, when ``z_y <= z_r``, ``c_y = eta s`` and
      ``c_r = -eta s``; descent on ``max(0, z_r - z_y)``.

    **Penalties**, as scikit-learn applies them: before each step the weights
    shrink by ``max(0, 1 - eta alpha (1 - l1_ratio))``; after it, each weight
    of the sample's features moves towards zero, never across it, by the L1
    penalty ``eta alpha l1_ratio`` accumulated so far minus what it has
    received (the cumulative penalty of Tsuruoka et al.). The L2 step and
    averaging touch every weight at every step.

    **Stopping.** A neuron's objective is its mean loss over the epoch (each
    sample's loss before its update) plus the penalty; it stops after
    ``n_iter_no_change`` epochs that do not beat its best by ``tol``, or with
    ``early_stopping`` its validation accuracy. One-vs-rest neurons stop
    independently, as scikit-learn's binary problems; the multinomial rule's
    neurons stop together. A diverging epoch is undone with a
    ConvergenceWarning, and training stops there.

    **Mini-batches** (``batch_size = B > 1``): the updates of a batch are all
    computed with the weights at its start, and the weights move by their
    mean. **Averaging** follows :class:`sklearn.linear_model.SGDClassifier`,
    across :meth:`partial_fit` calls too; with an L1 term each step ends
    after the truncation (scikit-learn averages before it).

    **Speed.** The online rule runs as one compiled loop over the samples, in
    which the neurons of all classes learn from a sample while it is in
    cache, so the data is read once per epoch.

    **Progress.** With scikit-learn 1.9 or later the estimator takes
    scikit-learn's callbacks (:mod:`sklearn.callback`), one task per epoch.
    Its record of training is ``errors_``, the mistakes of each epoch.

    References
    ----------
    F. Rosenblatt (1958). The perceptron: a probabilistic model for
    information storage and organization in the brain. Psychological Review
    65(6), 386-408.

    B. Widrow and M. E. Hoff (1960). Adaptive switching circuits. IRE WESCON
    Convention Record, 96-104.

    M. Collins (2002). Discriminative training methods for hidden Markov
    models: theory and experiments with perceptron algorithms. EMNLP.

    Y. Tsuruoka, J. Tsujii and S. Ananiadou (2009). Stochastic gradient
    descent training for L1-regularized log-linear models with cumulative
    penalty. ACL-IJCNLP.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sknn import PerceptronClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = PerceptronClassifier(random_state=0).fit(X, y)
    >>> clf.coef_.shape
    (10, 64)
    >>> round(clf.score(X, y), 3)
    0.958

    The same data with the multiclass perceptron rule, averaged:

    >>> clf = PerceptronClassifier(multi_class="multinomial", average=True)
    >>> round(clf.fit(X, y).score(X, y), 3)
    0.998

    Logistic neurons trained by the delta rule give probabilities; like any
    gradient rule they want scaled inputs:

    >>> clf = PerceptronClassifier(activation="logistic", eta0=0.5).fit(X / 16, y)
    >>> clf.predict_proba(X[:1] / 16).round(2)
    array([[0.94, 0.  , 0.  , 0.  , 0.01, 0.  , 0.  , 0.  , 0.01, 0.03]])
    """

    _parameter_constraints: dict = {
        "penalty": [StrOptions({"l2", "l1", "elasticnet"}), None],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        "fit_intercept": ["boolean"],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left"), None],
        "shuffle": ["boolean"],
        "verbose": ["verbose"],
        "eta0": [Interval(Real, 0, None, closed="neither")],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "class_weight": [StrOptions({"balanced"}), dict, None],
        "warm_start": ["boolean"],
        # Names are checked in fit, by check_activation_parameter.
        "activation": [str, Activation],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "average": [Interval(Integral, 0, None, closed="neither"), "boolean"],
        "multi_class": [StrOptions({"ovr", "multinomial"})],
    }

    def __init__(
        self,
        *,
        penalty=None,
        alpha=0.0001,
        l1_ratio=0.15,
        fit_intercept=True,
        max_iter=1000,
        tol=1e-3,
        shuffle=True,
        verbose=0,
        eta0=1.0,
        n_jobs=None,
        random_state=0,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=5,
        class_weight=None,
        warm_start=False,
        activation="step",
        batch_size=1,
        average=False,
        multi_class="ovr",
    ):
        self.penalty = penalty
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.shuffle = shuffle
        self.verbose = verbose
        self.eta0 = eta0
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.class_weight = class_weight
        self.warm_start = warm_start
        self.activation = activation
        self.batch_size = batch_size
        self.average = average
        self.multi_class = multi_class

    # ----------------------------------------------------------------- fit

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, coef_init=None, intercept_init=None, sample_weight=None):
        """Fit the neurons by repeated passes over the training data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; float32 data is trained and stored in float32.

        y : array-like of shape (n_samples,)
            Target class labels.

        coef_init : ndarray of shape (n_classes, n_features), default=None
            Initial weights (one row, or a vector, for two classes).

        intercept_init : ndarray of shape (n_classes,), default=None
            Initial biases (one value for two classes).

        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples, multiplying every update they cause (and
            the class weights). Uniform if None.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        tasks = FitTasks(self, X, y, sample_weight, n_epochs=self.max_iter)
        self._check_rule_parameters()
        X, y = self._validate_training_data(X, y, reset=True)
        if self.warm_start and hasattr(self, "coef_"):
            coef_init = self.coef_ if coef_init is None else coef_init
            if intercept_init is None:
                intercept_init = self.intercept_
        for name in ("_standard_coef", "_average_coef", "_l1_penalty", "errors_"):
            self.__dict__.pop(name, None)
        classes = np.unique(y)
        warn_if_quantity(classes, len(y), "PerceptronClassifier", _REGRESSOR)
        self._train(X, y, classes, sample_weight, coef_init, intercept_init, tasks)
        if self.tol is not None and self.n_iter_ == self.max_iter:
            warn(
                f"PerceptronClassifier reached max_iter={self.max_iter} epochs "
                "before its stopping rule fired; increase max_iter to train longer.",
                ConvergenceWarning,
            )
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Make one pass over the given samples, continuing from the current weights.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A batch of training data.

        y : array-like of shape (n_samples,)
            Its class labels, all among ``classes``.

        classes : array-like of shape (n_classes,), default=None
            Every class across all calls. Required on the first call (``y``
            need not contain them all); later calls may omit it.

        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples. Uniform if None.

        Returns
        -------
        self : object
            The updated estimator.
        """
        first_call = not hasattr(self, "classes_")
        tasks = FitTasks(self, X, y, sample_weight, n_epochs=1, task_name="partial_fit")
        self._check_rule_parameters()
        if self.early_stopping:
            raise ValueError(
                "early_stopping should be False with partial_fit: early stopping "
                "needs fit, which holds out a validation set, while partial_fit "
                "learns from every sample it is given."
            )
        if first_call and self.class_weight == "balanced":
            raise ValueError(
                "class_weight='balanced' cannot be computed from one batch of "
                "partial_fit. Compute the weights from a sample of the training "
                "labels with sklearn.utils.compute_class_weight and pass them "
                "as a dict."
            )
        X, y = self._validate_training_data(X, y, reset=first_call)
        classes = partial_fit_classes(getattr(self, "classes_", None), classes)
        check_known_classes(y, classes, peer="sgd")
        self._train(X, y, classes, sample_weight, None, None, tasks, fit=False)
        return self

    def _check_rule_parameters(self):
        self._activation = check_activation_parameter(
            self.activation, differentiable=False
        )
        if self.multi_class == "multinomial" and self._activation.name != "step":
            raise ValueError(
                "multi_class='multinomial' is the multiclass perceptron rule, which "
                f"needs activation='step' (got activation={self.activation!r}). "
                "With a differentiable activation each neuron follows the delta "
                "rule on its own: use multi_class='ovr'."
            )

    def _validate_training_data(self, X, y, reset):
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse="csr",
            dtype=FLOAT_DTYPES,
            order="C",
            reset=reset,
        )
        check_class_labels(y, "PerceptronClassifier", _REGRESSOR)
        if sp.issparse(X) and X.indices.dtype != np.int32:
            # The compiled loop reads int32 indices, as scikit-learn's SGD.
            if max(X.nnz, X.shape[1]) >= 2**31:
                raise ValueError(
                    "PerceptronClassifier takes sparse matrices of fewer than "
                    "2**31 stored values and columns."
                )
            X = X.copy()
            X.indices, X.indptr = X.indices.astype(np.int32), X.indptr.astype(np.int32)
        return X, y

    def _train(
        self, X, y, classes, sample_weight, coef_init, intercept_init, tasks, fit=True
    ):
        """Train on (X, y): max_iter epochs with the stopping rule for fit,
        one epoch without it for partial_fit; report to the callbacks' ``tasks``.
        Nothing is stored on the estimator before every check has passed."""
        if len(classes) < 2:
            raise ValueError(
                "The number of classes has to be greater than one; got 1 class: "
                f"{classes.tolist()}. PerceptronClassifier needs samples of "
                "at least two classes."
            )
        y_index = np.searchsorted(classes, y).astype(np.int32)
        if sample_weight is not None:
            sample_weight = check_sample_weight(sample_weight, X, X.dtype)
        trainer = self._trainer(classes, y_index)
        weights = self._start_weights(trainer, X, coef_init, intercept_init, fit)
        train, val = np.arange(X.shape[0], dtype=np.int32), None
        if fit and self.early_stopping:
            (train,), (val,) = validation_split(
                self.validation_fraction, self.random_state, y, train
            )
            train, val = np.sort(train), np.sort(val)
        # As scikit-learn, draw one seed per fit from random_state, then
        # shuffle every epoch from a generator of its own.
        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        self.classes_ = classes
        t = int(self.t_) if not fit and hasattr(self, "t_") else 1
        on_epoch_begin, on_epoch_end = tasks.begin(
            fitted_state=functools.partial(
                self._state_after_epoch, trainer, weights, t, X.shape[0]
            )
        )
        # Overflow while training (unscaled input, an unbounded activation)
        # is caught as non-finite weights, or scores, and reported as a
        # ValueError with advice, not as numpy's warnings.
        with np.errstate(over="ignore", invalid="ignore"):
            n_iter, errors = run_epochs(
                trainer,
                weights,
                X,
                y_index,
                sample_weight,
                max_iter=self.max_iter if fit else 1,
                tol=self.tol if fit else None,
                patience=self.n_iter_no_change,
                shuffle=self.shuffle,
                rng=np.random.default_rng(seed),
                t=t,
                train=train,
                val=val,
                verbose=self.verbose,
                on_epoch_begin=on_epoch_begin,
                on_epoch_end=on_epoch_end,
            )
        self._store_weights(trainer, weights, t + n_iter * X.shape[0], n_iter)
        self._check_finite_scores(X)
        previous = [] if fit else getattr(self, "errors_", [])
        self.errors_ = np.concatenate([previous, errors]).astype(np.int64)
        tasks.end()

    def _check_finite_scores(self, X):
        """Refuse weights that are finite but overflow on the training data.

        Unbounded activations (identity, relu, elu, ...) on unscaled float32
        input can grow the weights until ``X @ coef`` overflows, although each
        weight is finite; such a model would predict nothing. A bound read
        from the extremes of X and the weights settles almost every fit;
        only near overflow are the scores computed, ``_SCORE_ROWS`` rows at a
        time (the scores of every row at once were the largest allocation of
        a fit: 12.2 MB for 160,000 rows and 10 classes in float64, where the
        weights take 8 KB).
        """
        coef, intercept = self.coef_, self.intercept_
        if _score_bound(X, coef, intercept) < float(np.finfo(coef.dtype).max) / 2:
            return
        rows = _SCORE_ROWS
        if sp.issparse(X) and X.nnz:
            # a slice of CSR rows is a copy of their stored values: as many
            # rows as hold about _SCORE_ROWS * 32 of them (384 KB)
            rows = max(1, _SCORE_ROWS * 32 * X.shape[0] // X.nnz)
        for start in range(0, X.shape[0], rows):
            with np.errstate(over="ignore", invalid="ignore"):
                scores = safe_sparse_dot(
                    X[start : start + rows], coef.T, dense_output=True
                )
                scores += intercept
            if not np.isfinite(scores).all():
                raise ValueError(
                    "The weights grew so large that the neurons' pre-activations "
                    "overflow on the training data. Scale the input "
                    "(StandardScaler or MinMaxScaler) or lower eta0."
                )

    def _state_after_epoch(self, trainer, weights, t, n_samples, info):
        """The attributes of a copy of this estimator stopped after ``info.epoch``.

        scikit-learn's callbacks set them on a shallow copy (their
        ``fitted_estimator``): copies of the weights :meth:`_store_weights`
        would keep (the averages, once averaging has begun), so that the
        copy predicts as the epoch left the neurons while training goes on.
        """
        if 0 < trainer.average <= t + info.epoch * n_samples - 1:
            coef, intercept = weights.averages()
        else:
            coef, intercept = weights.coef.copy(), weights.intercept.copy()
        return {"coef_": coef, "intercept_": intercept, "n_iter_": info.epoch}

    def _trainer(self, classes, y_index):
        return Trainer(
            len(classes),
            class_weights(self.class_weight, classes, y_index),
            activation=self._activation,
            multinomial=self.multi_class == "multinomial",
            penalty=self.penalty,
            alpha=self.alpha,
            l1_ratio=self.l1_ratio,
            eta=self.eta0,
            fit_intercept=self.fit_intercept,
            batch_size=self.batch_size,
            average=int(self.average),
        )

    def _start_weights(self, trainer, X, coef_init, intercept_init, fit):
        n_neurons, n_features = trainer.n_neurons, X.shape[1]
        resume = not fit and hasattr(self, "_standard_coef")
        if resume:
            coef_init, intercept_init = self._standard_coef, self._standard_intercept
        coef = _initial(coef_init, (n_neurons, n_features), X.dtype, "coef_init")
        intercept = _initial(intercept_init, (n_neurons,), X.dtype, "intercept_init")
        weights = trainer.new_weights(coef, intercept)
        if resume and trainer.average and hasattr(self, "_average_coef"):
            # The stored average holds the steps since averaging began.
            seen = max(0.0, self.t_ - trainer.average)
            weights.resume_average(self._average_coef, self._average_intercept, seen)
        if resume and weights.q.size and hasattr(self, "_l1_penalty"):
            # The cumulative L1 penalty runs on across partial_fit calls as it
            # does across epochs, so that chunks add up to one pass over all.
            weights.u, received = self._l1_penalty
            weights.q[...] = received
        return weights

    def _store_weights(self, trainer, weights, t, n_iter):
        self.n_iter_ = n_iter
        self.t_ = float(t)
        # The training weights themselves: nothing writes to them after the
        # fit (a later partial_fit starts from a copy of them).
        self._standard_coef = weights.coef
        self._standard_intercept = weights.intercept
        coef, intercept = self._standard_coef, self._standard_intercept
        for name in ("_average_coef", "_average_intercept", "_l1_penalty"):
            self.__dict__.pop(name, None)
        if trainer.average:
            self._average_coef, self._average_intercept = weights.averages()
            if trainer.average <= self.t_ - 1:
                coef, intercept = self._average_coef, self._average_intercept
        self.coef_ = coef.copy()
        self.intercept_ = intercept.copy()
        if weights.q.size:
            self._l1_penalty = (weights.u, weights.q.copy())

    # ------------------------------------------------------------- predict

    def decision_function(self, X):
        """Pre-activations ``w · x + b`` of the neurons.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            One column per neuron; a vector for two classes, positive for
            ``classes_[1]``.
        """
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse="csr", dtype=FLOAT_DTYPES, reset=False)
        # An overflow is checked just below and reported with its cause.
        with np.errstate(over="ignore", invalid="ignore"):
            scores = safe_sparse_dot(X, self.coef_.T, dense_output=True)
            scores += self.intercept_
        if not np.isfinite(scores).all():
            rows = np.flatnonzero(~np.isfinite(scores).all(axis=1))
            raise ValueError(
                f"The neurons' pre-activations overflow on {len(rows)} sample(s) "
                f"of X (the first is row {rows[0]}): their values are far larger "
                "than those of the training data. Scale X as the training data "
                "was scaled."
            )
        return scores.ravel() if scores.shape[1] == 1 else scores

    def predict(self, X):
        """Predict the class of each sample: the neuron with the largest
        pre-activation (for two classes, ``classes_[1]`` where it is positive).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            The predicted class labels.
        """
        scores = self.decision_function(X)
        index = (scores > 0).astype(int) if scores.ndim == 1 else scores.argmax(axis=1)
        return self.classes_[index]

    @available_if(_has_probabilities)
    def predict_proba(self, X):
        """Class probabilities from logistic neurons (``activation='logistic'``).

        For two classes the neuron's output is the probability of
        ``classes_[1]``; with more classes the outputs of the one-vs-rest
        neurons are normalised to sum to one.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            The probability of each class, in the order of ``classes_``.
        """
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return np.column_stack([expit(-scores), expit(scores)])
        # In log space: where every sigmoid of a row underflows to 0 (scores
        # of -100 in float32, -750 in float64) their plain sum would be 0/0.
        return np.exp(_normalised_log_sigmoids(scores))

    @available_if(_has_probabilities)
    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`, computed from the pre-activations.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            The log-probability of each class, in the order of ``classes_``.
        """
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return np.column_stack([log_expit(-scores), log_expit(scores)])
        return _normalised_log_sigmoids(scores)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
