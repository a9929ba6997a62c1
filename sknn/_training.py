"""The training loop, as small named steps.

A stochastic fit (``'sgd'``, ``'adam'``) is a sequence of *epochs*: shuffle
the sample order, serve the data in mini-batches (:class:`MiniBatches`), and
for each batch compute the loss and gradient and let the optimizer step
(:func:`run_epoch`). After each epoch the loop records the loss, scores the
validation data when early stopping, counts the epochs without improvement
(:func:`update_no_improvement_count`) and decides whether to go on
(:func:`check_patience`). ``'lbfgs'`` instead hands the network's flat
parameter buffer to scipy's L-BFGS-B (:func:`fit_lbfgs`).

The rules are scikit-learn's ``MLPClassifier``'s, step for step, so a network
given the same data, initial weights and random state takes the same path.
Two things are added: a diverging fit (a non-finite loss) stops and keeps the
last weights whose outputs on the training data are finite instead of
leaving NaN behind (:func:`keep_finite_weights`), and a per-epoch hook,
``on_epoch_end(info)``, is called with an :class:`EpochInfo` after every
epoch (verbose printing, :func:`print_progress`, is one such hook), with
``on_epoch_begin(epoch)`` before it (scikit-learn's callbacks need both).

The loop knows nothing of estimators. It reads its hyper-parameters from a
:class:`TrainingConfig` and records its progress in a :class:`History`, which
a warm start or ``partial_fit`` hands back to continue from; the estimator
copies the history into its fitted attributes (``n_iter_``, ``t_``,
``loss_``, ``loss_curve_``, ...). It stops by returning, never by raising.
"""

import math
import time
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import scipy.optimize
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning

from sknn._network import MAX_BATCH_ROWS
from sknn._warnings import warn

__all__ = [
    "EpochInfo",
    "History",
    "MiniBatches",
    "check_patience",
    "fit_lbfgs",
    "fit_stochastic",
    "keep_finite_weights",
    "print_progress",
    "resolve_batch_size",
    "run_epoch",
    "Snapshots",
    "TrainingConfig",
    "update_no_improvement_count",
]

STOCHASTIC_SOLVERS = ("sgd", "adam")

MIN_LEARNING_RATE = 1e-6
"""The adaptive schedule stops once the learning rate is at or below this."""

UNIT_SCALE = (0.1, 10.0)
"""The feature scales (root mean square of a column) that need no scaling.

Outside this range the warnings advise scaling the input. Glorot's initial
weights and the default learning rates assume features of about unit scale;
a StandardScaler gives exactly 1, and the tenfold margin either side keeps
the advice for data that is clearly off, such as raw pixel intensities
(digits: up to about 13) or features in thousands.
"""


def scale_advice(X):
    """Return advice to scale ``X`` if its features are far from unit scale, else ''.

    Far means the largest feature scale above :data:`UNIT_SCALE`, or the
    median one below it. All-zero columns are ignored: no scaling changes
    them. The advice quotes the smallest and largest scale found, so the user
    sees why it applies.
    """
    with np.errstate(over="ignore"):  # squares of huge inputs are inf, and far
        if sparse.issparse(X):
            mean_square = np.asarray(X.multiply(X).mean(axis=0)).ravel()
        else:
            mean_square = np.einsum("ij,ij->j", X, X, dtype=np.float64) / len(X)
    scales = np.sqrt(mean_square[mean_square > 0])
    low, high = UNIT_SCALE
    # The median, not the minimum, below: a rarely non-zero column (a corner
    # pixel) has a tiny scale that slows nothing; all features small does.
    if not scales.size or np.median(scales) >= low and scales.max() <= high:
        return ""
    return (
        "scale the input (the features' root mean squares range from "
        f"{scales.min():.3g} to {scales.max():.3g}; "
        "sklearn.preprocessing.StandardScaler makes them 1)"
    )


def divergence_advice(X):
    """The advice a diverging fit gives: scaling where it applies, a smaller rate."""
    scaling = scale_advice(X)
    if scaling:
        return f"{scaling.capitalize()} or lower learning_rate_init."
    return "Lower learning_rate_init."


# -- mini-batches ------------------------------------------------------------


def resolve_batch_size(batch_size, n_samples):
    """Return the batch size to train with: 'auto' is ``min(200, n_samples)``.

    A batch size larger than the number of samples is clipped to it, with a
    warning, as scikit-learn does.
    """
    if batch_size == "auto":
        return min(200, n_samples)
    if batch_size > n_samples:
        warn(
            f"batch_size={batch_size} is larger than the {n_samples} training "
            f"samples; it is clipped to {n_samples}.",
            UserWarning,
        )
        return n_samples
    return batch_size


class MiniBatches:
    """A training set served in mini-batches, in order or shuffled.

    In order, each batch is a slice view of the data and nothing is copied.
    Shuffled, only an index array is permuted; each batch's rows are then
    gathered with ``np.take(..., out=)`` into buffers allocated once, the
    last, shorter batch using their leading rows. (A CSR matrix has no such
    buffer: its rows are sliced into a new matrix.)

    Targets may be stored compactly (a boolean indicator matrix takes an
    eighth of float64's memory); each batch of them is then widened into one
    reused buffer of the data's dtype.

    Parameters
    ----------
    X : {ndarray, scipy.sparse.csr_matrix} of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_outputs)
        The targets: an indicator matrix, of any dtype.
    sample_weight : ndarray of shape (n_samples,) or None
    batch_size : int

    Attributes
    ----------
    order : ndarray of int or None
        The current sample order; None until the first :meth:`shuffle`.
    n_samples : int
    """

    def __init__(self, X, Y, sample_weight, batch_size):
        self.X = X
        self.Y = Y
        self.sample_weight = sample_weight
        self.batch_size = batch_size
        self.n_samples = X.shape[0]
        self.order = None
        self._buffers = None
        self._wide_targets = None
        if Y.dtype != X.dtype:
            self._wide_targets = np.empty((batch_size, Y.shape[1]), dtype=X.dtype)

    def shuffle(self, random_state):
        """Permute the sample order in place.

        Shuffling the running order (rather than a fresh ``arange``) is what
        ``sklearn.utils.shuffle`` does to ``MLPClassifier``'s index array,
        with the same draws, so the same random state gives the same batches.
        """
        if self.order is None:
            self.order = np.arange(self.n_samples)
        random_state.shuffle(self.order)

    def __iter__(self):
        """Yield ``(X_batch, Y_batch, sample_weight_batch)`` for one epoch."""
        # What kind of data X is, asked once per epoch rather than per batch.
        if sparse.issparse(self.X):
            take_rows = None
        elif isinstance(self.X, np.ndarray):
            take_rows = self.X.take
        else:
            take_rows = partial(np.take, self.X)
        for start in range(0, self.n_samples, self.batch_size):
            stop = min(start + self.batch_size, self.n_samples)
            if self.order is None:
                yield self._slice(start, stop)
            else:
                yield self._gather(self.order[start:stop], take_rows)

    def _slice(self, start, stop):
        weights = self.sample_weight
        return (
            self.X[start:stop],
            self._widen(self.Y[start:stop]),
            None if weights is None else weights[start:stop],
        )

    def _gather(self, indices, take_rows):
        """Gather the rows ``indices``; ``take_rows`` is ``np.take`` bound to
        the dense data (None for a sparse one)."""
        X_buffer, Y_buffer, weight_buffer = self._buffers or self._allocate()
        n = len(indices)
        # The indices are valid by construction; mode="clip" lets np.take
        # write straight into `out` (mode="raise" goes through a temporary).
        if take_rows is None:
            X_batch = self.X[indices]
        else:
            X_batch = take_rows(indices, axis=0, out=X_buffer[:n], mode="clip")
        Y_batch = self.Y.take(indices, axis=0, out=Y_buffer[:n], mode="clip")
        weights = None
        if self.sample_weight is not None:
            weights = np.take(
                self.sample_weight, indices, out=weight_buffer[:n], mode="clip"
            )
        return X_batch, self._widen(Y_batch), weights

    def _widen(self, Y_batch):
        if self._wide_targets is None:
            return Y_batch
        wide = self._wide_targets[: len(Y_batch)]
        np.copyto(wide, Y_batch)
        return wide

    def _allocate(self):
        size = self.batch_size
        X_buffer = None
        if not sparse.issparse(self.X):
            X_buffer = np.empty((size, self.X.shape[1]), dtype=self.X.dtype)
        Y_buffer = np.empty((size, self.Y.shape[1]), dtype=self.Y.dtype)
        weight_buffer = None
        if self.sample_weight is not None:
            weight_buffer = np.empty(size, dtype=self.sample_weight.dtype)
        self._buffers = (X_buffer, Y_buffer, weight_buffer)
        return self._buffers


# -- one epoch ---------------------------------------------------------------


def run_epoch(network, optimizer, batches, alpha, recorder=None):
    """Take one optimizer step per mini-batch; return the epoch's mean loss.

    The mean is scikit-learn's: each batch's (weighted) mean loss times its
    number of rows, summed, over the number of samples. A non-finite batch
    loss ends the epoch at once and is returned, so that no step is taken
    from NaN gradients. A diagnostics ``recorder`` observes each batch
    between its backward pass and the step.
    """
    total = 0.0
    # Overflow is caught below as a non-finite loss and reported once, with
    # advice, instead of as numpy's warnings from deep inside the matmuls.
    # The optimizer adds the penalty's gradient in its own pass over the
    # weights, saving two; a recorder reads the whole gradient, so with one
    # the network adds it.
    in_step = recorder is None
    n_decayed = network.n_coef_params if in_step else 0
    with np.errstate(over="ignore", invalid="ignore"):
        for X_batch, Y_batch, weights in batches:
            loss = network.loss_and_gradient(
                X_batch, Y_batch, weights, alpha, penalty_gradient=not in_step
            )
            if not math.isfinite(loss):
                return loss
            if recorder is not None:
                recorder.observe(network, X_batch.shape[0])
            decay = network.decay if in_step else 0.0
            optimizer.step(network.params, network.grads, decay, n_decayed)
            total += loss * X_batch.shape[0]
    return total / batches.n_samples


# -- configuration and history ---------------------------------------------


@dataclass(frozen=True)
class TrainingConfig:
    """The hyper-parameters the loop reads, scikit-learn's names without the estimator.

    Attributes
    ----------
    max_iter : int
        The most epochs ('sgd', 'adam') or iterations ('lbfgs').
    tol : float
        The improvement that counts (L-BFGS: the projected-gradient bound).
    n_iter_no_change : int
        Epochs without an improvement of ``tol`` that patience allows.
    alpha : float
        The L2 penalty's strength.
    shuffle : bool
        Whether each epoch visits the samples in a new order.
    adaptive : bool
        Whether running out of patience divides the learning rate by 5
        instead of stopping ('sgd' with ``learning_rate='adaptive'``).
    max_fun : int
        The most loss evaluations of L-BFGS.
    """

    max_iter: int = 200
    tol: float = 1e-4
    n_iter_no_change: int = 10
    alpha: float = 0.0001
    shuffle: bool = True
    adaptive: bool = False
    max_fun: int = 15000


@dataclass
class History:
    """What training has recorded; a warm start or ``partial_fit`` continues it.

    Attributes
    ----------
    n_iter : int
        Epochs (L-BFGS iterations) run by the last call.
    t : int
        Training samples seen by the stochastic solvers, over all calls.
    loss : float or None
        The loss at the end of the last epoch (iteration).
    loss_curve : list of float
        The loss after every epoch (L-BFGS: every iteration), over all calls.
    best_loss : float or None
        The lowest epoch loss; None when early stopping watches the
        validation score instead, and not kept by L-BFGS.
    validation_scores : list of float or None
        The validation score after every epoch, when early stopping.
    best_validation_score : float or None
        The best of them; its weights are ``best_params``.
    no_improvement_count : int
        Consecutive epochs without an improvement of ``tol``.
    best_params : ndarray or None
        A copy of the parameters that scored best on the validation data.
    stochastic : bool
        Whether a stochastic solver has prepared the records above that
        L-BFGS does not keep (``best_loss`` and the validation records).
    """

    n_iter: int = 0
    t: int = 0
    loss: float | None = None
    loss_curve: list = field(default_factory=list)
    best_loss: float | None = None
    validation_scores: list | None = None
    best_validation_score: float | None = None
    no_improvement_count: int = 0
    best_params: np.ndarray | None = None
    stochastic: bool = False

    def prepare_stochastic(self, early_stopping, params):
        """Create the records a stochastic fit keeps that this history lacks.

        A new history has none; one continued from an earlier fit keeps its
        records, as scikit-learn's warm start does, and gains only those it
        lacks (after 'lbfgs', or with ``early_stopping`` switched).
        """
        self.stochastic = True
        if early_stopping and self.validation_scores is None:
            self.validation_scores = []
            self.best_validation_score = -np.inf
            self.best_loss = None
            self.best_params = params.copy()
        elif not early_stopping and self.best_loss is None:
            self.best_loss = np.inf
            self.validation_scores = None
            self.best_validation_score = None
            self.best_params = None


# -- stopping rules ----------------------------------------------------------


def update_no_improvement_count(history, tol, validation_score=None):
    """Count the epochs that did not improve by at least ``tol``.

    Without validation data the rule watches the training loss against
    ``history.best_loss``; with it, the validation score against
    ``history.best_validation_score``. The best value is updated either way.

    Returns
    -------
    bool
        True when ``validation_score`` is a new best (its weights are worth
        keeping); always False without validation data.
    """
    if validation_score is None:
        loss = history.loss_curve[-1]
        if loss > history.best_loss - tol:
            history.no_improvement_count += 1
        else:
            history.no_improvement_count = 0
        history.best_loss = min(history.best_loss, loss)
        return False
    history.validation_scores.append(validation_score)
    if validation_score < history.best_validation_score + tol:
        history.no_improvement_count += 1
    else:
        history.no_improvement_count = 0
    if validation_score > history.best_validation_score:
        history.best_validation_score = validation_score
        return True
    return False


def check_patience(history, config, optimizer, early_stopping):
    """Apply the rule for ``n_iter_no_change`` epochs without improvement.

    Once patience runs out, the 'adaptive' schedule of 'sgd' divides the
    learning rate by 5 and starts counting again, until the rate reaches
    :data:`MIN_LEARNING_RATE`; every other setting stops.

    Returns
    -------
    stop : bool
    message : str or None
        What happened, for the progress report; None while patience lasts.
    """
    if history.no_improvement_count <= config.n_iter_no_change:
        return False, None
    watched = "Validation score" if early_stopping else "Training loss"
    message = (
        f"{watched} did not improve more than tol={config.tol:f} for "
        f"{config.n_iter_no_change} consecutive epochs."
    )
    if config.adaptive:
        if optimizer.learning_rate > MIN_LEARNING_RATE:
            optimizer.learning_rate /= 5.0
            history.no_improvement_count = 0
            return False, (
                f"{message} Setting learning rate to {optimizer.learning_rate:f}."
            )
        return True, f"{message} Learning rate too small. Stopping."
    return True, f"{message} Stopping."


# -- progress ----------------------------------------------------------------


@dataclass
class EpochInfo:
    """What the per-epoch hook is told.

    Attributes
    ----------
    epoch : int
        The epoch (L-BFGS: iteration) just finished, counted from 1 in this
        call to fit (the estimator's ``n_iter_``).
    loss : float
        The epoch's training loss.
    validation_score : float or None
        The score on the validation data, when early stopping.
    elapsed : float
        Seconds since the call to fit started.
    message : str or None
        Why training stops or changed its learning rate, when it did.
    """

    epoch: int
    loss: float
    validation_score: float | None
    elapsed: float
    message: str | None = None


def print_progress(info):
    """A per-epoch hook that prints scikit-learn's verbose lines plus the time."""
    print(f"Iteration {info.epoch}, loss = {info.loss:.8f}, time = {info.elapsed:.2f}s")
    if info.validation_score is not None:
        print(f"Validation score: {info.validation_score:f}")
    if info.message is not None:
        print(info.message)


def _warn_divergence(epoch, X):
    warn(
        f"Training diverged in iteration {epoch}: the loss became non-finite. "
        "The last weights whose outputs on the training data are finite were "
        f"kept. {divergence_advice(X)}",
        ConvergenceWarning,
    )


# -- keeping finite weights --------------------------------------------------


class Snapshots:
    """The weights at the start of the last two epochs and of the call.

    A step can leave weights whose loss was never computed (the last step of
    an epoch, of a fit); they are finite numbers yet may overflow in the
    forward pass. These copies are the fallbacks :func:`keep_finite_weights`
    tries, newest first. Two buffers, made on first need, are taken in turn,
    so remembering an epoch costs one copy of the parameters; the call's
    start is copied aside only when a third epoch would overwrite it.
    """

    def __init__(self, params):
        self._params = params
        self._buffers = []
        self._start = None
        self._n_remembered = 0

    def remember(self, params):
        """Copy ``params``, the weights an epoch starts from."""
        n = self._n_remembered
        if n < 2:
            self._buffers.append(np.empty_like(self._params))
        elif n == 2:
            self._start = self._buffers[0].copy()
        np.copyto(self._buffers[n % 2], params)
        self._n_remembered += 1

    def candidates(self):
        """The remembered weights, newest first, ending with the call's start."""
        n = self._n_remembered
        newest = [self._buffers[(n - 1 - k) % 2] for k in range(min(n, 2))]
        return newest if self._start is None else [*newest, self._start]


def keep_finite_weights(network, X, candidates):
    """Set the network's weights to the first of ``candidates`` finite on ``X``.

    Finite on the training data ``X`` means the logits there are finite, so
    the fitted model predicts finite values on the data it was fitted to.
    ``candidates`` may start with ``network.params`` itself.

    Raises
    ------
    ValueError
        When no candidate is finite on ``X``, with the advice to scale the
        input or lower the learning rate.
    """
    for weights in candidates:
        if weights is not network.params:
            network.params[...] = weights
        if network.finite_on(X):
            return
    raise ValueError(
        "Training diverged: none of the weights it went through gives finite "
        f"outputs on the training data. {divergence_advice(X)}"
    )


# -- the stochastic solvers --------------------------------------------------


def fit_stochastic(
    network,
    optimizer,
    batches,
    config,
    history,
    random_state,
    validation=None,
    incremental=False,
    on_epoch_begin=None,
    on_epoch_end=None,
    recorder=None,
):
    """Train ``network`` with ``optimizer`` for up to ``config.max_iter`` epochs.

    Parameters
    ----------
    network : Network
    optimizer : SGD or Adam
        Built on ``network.params``.
    batches : MiniBatches
        The training data.
    config : TrainingConfig
    history : History
        Continued and returned; prepared for a stochastic fit if it is not.
        With ``validation``, ``history.best_params`` holds the best weights
        so far and is restored at the end.
    random_state : numpy.random.RandomState
        Shuffles the batches when ``config.shuffle``.
    validation : callable, optional
        Returns the current network's validation score (higher is better);
        enables early stopping.
    incremental : bool, default=False
        Run a single epoch (``partial_fit``).
    on_epoch_begin : callable, optional
        ``on_epoch_begin(epoch)`` before every epoch, ``epoch`` counted from
        1 as ``history.n_iter`` will count it. An epoch that diverges is
        begun and never ended.
    on_epoch_end : callable, optional
        ``on_epoch_end(info)`` after every epoch, with an :class:`EpochInfo`;
        a true return value stops training.
    recorder : DiagnosticsRecorder, optional
        Observes every batch before its step and closes every epoch.

    Returns
    -------
    History
        ``history``, updated.
    """
    history.prepare_stochastic(validation is not None, network.params)
    snapshots = Snapshots(network.params)
    diverged = _run_epochs(
        network,
        optimizer,
        batches,
        config,
        history,
        random_state,
        validation,
        incremental,
        on_epoch_begin,
        on_epoch_end,
        recorder,
        snapshots,
    )
    if validation is not None and not diverged:
        network.params[...] = history.best_params
    # The weights kept must predict finite values on the data they were fitted
    # to. A fit checks once at the end (one forward pass); partial_fit, whose
    # calls are each one epoch, checks only after a divergence.
    if diverged:
        keep_finite_weights(network, batches.X, snapshots.candidates())
    elif not incremental:
        keep_finite_weights(
            network, batches.X, [network.params, *snapshots.candidates()]
        )
    return history


def _run_epochs(
    network,
    optimizer,
    batches,
    config,
    history,
    random_state,
    validation,
    incremental,
    on_epoch_begin,
    on_epoch_end,
    recorder,
    snapshots,
):
    """Run the epochs; return True if training diverged."""
    start = time.perf_counter()
    history.n_iter = 0
    for _ in range(config.max_iter):
        if on_epoch_begin is not None:
            on_epoch_begin(history.n_iter + 1)
        if config.shuffle:
            batches.shuffle(random_state)
        snapshots.remember(network.params)
        loss = run_epoch(network, optimizer, batches, config.alpha, recorder)
        if not (math.isfinite(loss) and np.isfinite(network.params).all()):
            if history.loss is None:
                history.loss = loss  # diverged at once: the only loss there is
            _warn_divergence(history.n_iter + 1, batches.X)
            return True
        _record_epoch(history, loss, batches.n_samples)
        if recorder is not None:
            recorder.end_epoch()
        score = None if validation is None else validation()
        if update_no_improvement_count(history, config.tol, score):
            np.copyto(history.best_params, network.params)
        optimizer.iteration_ends(history.t)
        stop, message = check_patience(
            history, config, optimizer, validation is not None
        )
        info = EpochInfo(
            history.n_iter, loss, score, time.perf_counter() - start, message
        )
        if on_epoch_end is not None and on_epoch_end(info):
            return False
        if stop or incremental:
            return False
    scaling = scale_advice(batches.X)
    warn(
        f"Stochastic optimizer: the maximum number of iterations ({config.max_iter}) "
        "was reached and the optimization has not converged yet. Increase "
        f"max_iter{', or ' + scaling if scaling else ''}.",
        ConvergenceWarning,
    )
    return False


def _record_epoch(history, loss, n_samples):
    history.n_iter += 1
    history.t += n_samples
    history.loss = loss
    history.loss_curve.append(loss)


# -- L-BFGS ------------------------------------------------------------------


def fit_lbfgs(
    network,
    X,
    Y,
    config,
    history,
    sample_weight=None,
    on_epoch_begin=None,
    on_epoch_end=None,
    recorder=None,
):
    """Minimise the full-batch loss with scipy's L-BFGS-B.

    The objective writes the optimizer's point straight into
    ``network.params`` (every layer is a view of it, so nothing is unpacked)
    and returns the loss with a copy of the gradient buffer, which the next
    call overwrites. ``config.max_iter``, ``config.max_fun`` and
    ``config.tol`` (as ``gtol``) bound the search. ``history.n_iter`` and
    ``history.loss`` are set from the result, and ``history.loss_curve``
    gains the loss of every iteration (scikit-learn keeps no curve for
    L-BFGS). ``on_epoch_begin(iteration)`` is called at the first loss
    evaluation of every iteration, ``on_epoch_end(info)`` after every
    iteration; a true return value stops the search. (Evaluations that end no
    iteration, such as a line search cut short by ``max_fun``, are begun and
    never ended.) A diagnostics ``recorder`` records every iteration as one
    epoch of one full batch, the accepted point's.

    Returns
    -------
    History
        ``history``, updated.
    """
    params = network.params
    start_params = params.copy()
    losses = []
    n_iterations = 0
    iteration_begun = False
    start = time.perf_counter()

    def loss_and_gradient(x):
        nonlocal iteration_begun
        if on_epoch_begin is not None and not iteration_begun:
            iteration_begun = True
            on_epoch_begin(n_iterations + 1)
        params[...] = x
        with np.errstate(over="ignore", invalid="ignore"):
            loss = network.loss_and_gradient(X, Y, sample_weight, config.alpha)
        losses.append(loss)
        return loss, network.grads.astype(np.float64)

    def after_iteration(x):
        nonlocal n_iterations, iteration_begun
        n_iterations += 1
        iteration_begun = False
        # L-BFGS-B evaluates the accepted point last, so that is its loss.
        history.loss_curve.append(losses[-1])
        if recorder is not None:
            _observe_full_batch(recorder, network, X)
        if on_epoch_end is None:
            return
        info = EpochInfo(n_iterations, losses[-1], None, time.perf_counter() - start)
        if on_epoch_end(info):
            raise StopIteration  # scipy's documented way to end the search

    result = scipy.optimize.minimize(
        loss_and_gradient,
        params.astype(np.float64),
        method="L-BFGS-B",
        jac=True,
        callback=after_iteration,
        options={
            "maxfun": config.max_fun,
            "maxiter": config.max_iter,
            "gtol": config.tol,
        },
    )
    history.n_iter = min(int(result.nit), config.max_iter)
    if np.isfinite(result.x).all() and math.isfinite(result.fun):
        params[...] = result.x
        history.loss = float(result.fun)
        keep_finite_weights(network, X, [params, start_params])
    else:
        keep_finite_weights(network, X, [start_params])
        # The loss of weights with finite outputs may still overflow (Poisson's
        # exp); inf is then the loss to report, without numpy's warning.
        with np.errstate(over="ignore", invalid="ignore"):
            history.loss = network.loss_and_gradient(X, Y, sample_weight, config.alpha)
        _warn_divergence(history.n_iter + 1, X)
        return history
    if result.status != 0 and not _stopped_by_hook(result):
        scaling = scale_advice(X)
        warn(
            f"lbfgs failed to converge after {history.n_iter} iteration(s) "
            f"(status={result.status}): {result.message}. Increase max_iter or "
            f"max_fun{', or ' + scaling if scaling else ''}.",
            ConvergenceWarning,
        )
    return history


def _observe_full_batch(recorder, network, X):
    """Record one L-BFGS iteration as an epoch of one batch, the accepted point's.

    L-BFGS-B evaluates the accepted point last, so the gradient buffer holds
    its gradient; the hidden layers are recomputed piece by piece, since the
    full batch went through the workspaces in pieces.
    """
    recorder.observe_gradient(network)
    for start in range(0, X.shape[0], MAX_BATCH_ROWS):
        piece = X[start : start + MAX_BATCH_ROWS]
        network.fill_workspace(piece)
        recorder.observe_layers(network, piece.shape[0])
    recorder.end_epoch()


def _stopped_by_hook(result):
    return "callback" in str(result.message).lower()
