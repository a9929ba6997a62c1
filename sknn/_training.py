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
last finite weights instead of leaving NaN behind, and a per-epoch hook,
``on_epoch_end(est, info)``, is called with an :class:`EpochInfo` after every
epoch (verbose printing, :func:`print_progress`, is one such hook), with
``on_epoch_begin(est, epoch)`` before it (scikit-learn's callbacks need both).

The loop reads the estimator's hyper-parameters (``max_iter``, ``tol``,
``alpha``, ...) and records its progress in the estimator's fitted attributes
(``n_iter_``, ``t_``, ``loss_``, ``loss_curve_``, ``best_loss_``,
``validation_scores_``, ``best_validation_score_``), as scikit-learn does. It
stops by returning, never by raising.
"""

import math
import time
import warnings
from dataclasses import dataclass
from functools import partial

import numpy as np
import scipy.optimize
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning

__all__ = [
    "EpochInfo",
    "MiniBatches",
    "check_patience",
    "fit_lbfgs",
    "fit_stochastic",
    "print_progress",
    "resolve_batch_size",
    "run_epoch",
    "update_no_improvement_count",
]

STOCHASTIC_SOLVERS = ("sgd", "adam")

MIN_LEARNING_RATE = 1e-6
"""The adaptive schedule stops once the learning rate is at or below this."""

DIVERGENCE_ADVICE = (
    "Scale the input (for example with sklearn.preprocessing.StandardScaler) "
    "or lower learning_rate_init."
)


# -- mini-batches ------------------------------------------------------------


def resolve_batch_size(batch_size, n_samples):
    """Return the batch size to train with: 'auto' is ``min(200, n_samples)``.

    A batch size larger than the number of samples is clipped to it, with a
    warning, as scikit-learn does.
    """
    if batch_size == "auto":
        return min(200, n_samples)
    if batch_size > n_samples:
        warnings.warn(
            f"batch_size={batch_size} is larger than the {n_samples} training "
            f"samples; it is clipped to {n_samples}.",
            UserWarning,
            stacklevel=2,
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
    with np.errstate(over="ignore", invalid="ignore"):
        for X_batch, Y_batch, weights in batches:
            loss = network.loss_and_gradient(X_batch, Y_batch, weights, alpha)
            if not math.isfinite(loss):
                return loss
            if recorder is not None:
                recorder.observe(network, X_batch.shape[0])
            # The next batch recomputes the gradient: lend its buffer as the
            # step's scratch and save a weight-sized array.
            optimizer.step(network.params, network.grads, overwrite_grads=True)
            total += loss * X_batch.shape[0]
    return total / batches.n_samples


# -- stopping rules ----------------------------------------------------------


def update_no_improvement_count(est, validation_score=None):
    """Count the epochs that did not improve by at least ``est.tol``.

    Without validation data the rule watches the training loss against
    ``est.best_loss_``; with it, the validation score against
    ``est.best_validation_score_``. The best value is updated either way.

    Returns
    -------
    bool
        True when ``validation_score`` is a new best (its weights are worth
        keeping); always False without validation data.
    """
    if validation_score is None:
        loss = est.loss_curve_[-1]
        if loss > est.best_loss_ - est.tol:
            est._no_improvement_count += 1
        else:
            est._no_improvement_count = 0
        est.best_loss_ = min(est.best_loss_, loss)
        return False
    est.validation_scores_.append(validation_score)
    if validation_score < est.best_validation_score_ + est.tol:
        est._no_improvement_count += 1
    else:
        est._no_improvement_count = 0
    if validation_score > est.best_validation_score_:
        est.best_validation_score_ = validation_score
        return True
    return False


def check_patience(est, optimizer, early_stopping):
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
    if est._no_improvement_count <= est.n_iter_no_change:
        return False, None
    watched = "Validation score" if early_stopping else "Training loss"
    message = (
        f"{watched} did not improve more than tol={est.tol:f} for "
        f"{est.n_iter_no_change} consecutive epochs."
    )
    if est.solver == "sgd" and est.learning_rate == "adaptive":
        if optimizer.learning_rate > MIN_LEARNING_RATE:
            optimizer.learning_rate /= 5.0
            est._no_improvement_count = 0
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
        The accuracy on the validation data, when early stopping.
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


def print_progress(est, info):
    """A per-epoch hook that prints scikit-learn's verbose lines plus the time."""
    print(f"Iteration {info.epoch}, loss = {info.loss:.8f}, time = {info.elapsed:.2f}s")
    if info.validation_score is not None:
        print(f"Validation score: {info.validation_score:f}")
    if info.message is not None:
        print(info.message)


def _warn_divergence(epoch):
    warnings.warn(
        f"Training diverged in iteration {epoch}: the loss became non-finite. "
        f"The weights from before that iteration were kept. {DIVERGENCE_ADVICE}",
        ConvergenceWarning,
        stacklevel=2,
    )


# -- the stochastic solvers --------------------------------------------------


def fit_stochastic(
    est,
    network,
    optimizer,
    batches,
    random_state,
    validation=None,
    incremental=False,
    on_epoch_begin=None,
    on_epoch_end=None,
    recorder=None,
):
    """Train ``network`` with ``optimizer`` for up to ``est.max_iter`` epochs.

    Parameters
    ----------
    est : estimator
        Its hyper-parameters are read and its fitted attributes updated (see
        the module docstring); with ``validation``, ``est._best_params`` holds
        the best weights so far and is restored at the end.
    network : Network
    optimizer : SGD or Adam
        Built on ``network.params``.
    batches : MiniBatches
        The training data.
    random_state : numpy.random.RandomState
        Shuffles the batches when ``est.shuffle``.
    validation : callable, optional
        Returns the current network's validation score; enables early
        stopping.
    incremental : bool, default=False
        Run a single epoch (``partial_fit``).
    on_epoch_begin : callable, optional
        ``on_epoch_begin(est, epoch)`` before every epoch, ``epoch`` counted
        from 1 as ``n_iter_`` will count it. An epoch that diverges is begun
        and never ended.
    on_epoch_end : callable, optional
        ``on_epoch_end(est, info)`` after every epoch, with an
        :class:`EpochInfo`; a true return value stops training.
    recorder : DiagnosticsRecorder, optional
        Observes every batch before its step and closes every epoch.
    """
    _run_epochs(
        est,
        network,
        optimizer,
        batches,
        random_state,
        validation,
        incremental,
        on_epoch_begin,
        on_epoch_end,
        recorder,
    )
    if validation is not None:
        network.params[...] = est._best_params


def _run_epochs(
    est,
    network,
    optimizer,
    batches,
    random_state,
    validation,
    incremental,
    on_epoch_begin,
    on_epoch_end,
    recorder,
):
    start = time.perf_counter()
    last_finite = np.empty_like(network.params)
    est.n_iter_ = 0
    for _ in range(est.max_iter):
        if on_epoch_begin is not None:
            on_epoch_begin(est, est.n_iter_ + 1)
        if est.shuffle:
            batches.shuffle(random_state)
        np.copyto(last_finite, network.params)
        loss = run_epoch(network, optimizer, batches, est.alpha, recorder)
        if not (math.isfinite(loss) and np.isfinite(network.params).all()):
            network.params[...] = last_finite
            if not hasattr(est, "loss_"):
                est.loss_ = loss  # diverged at once: the only loss there is
            _warn_divergence(est.n_iter_ + 1)
            return
        _record_epoch(est, loss, batches.n_samples)
        if recorder is not None:
            recorder.end_epoch()
        score = None if validation is None else validation()
        if update_no_improvement_count(est, score):
            np.copyto(est._best_params, network.params)
        optimizer.iteration_ends(est.t_)
        stop, message = check_patience(est, optimizer, validation is not None)
        info = EpochInfo(est.n_iter_, loss, score, time.perf_counter() - start, message)
        if on_epoch_end is not None and on_epoch_end(est, info):
            return
        if stop or incremental:
            return
    warnings.warn(
        f"Stochastic optimizer: the maximum number of iterations ({est.max_iter}) "
        "was reached and the optimization has not converged yet. Increase "
        "max_iter, or scale the input.",
        ConvergenceWarning,
        stacklevel=2,
    )


def _record_epoch(est, loss, n_samples):
    est.n_iter_ += 1
    est.t_ += n_samples
    est.loss_ = loss
    est.loss_curve_.append(loss)


# -- L-BFGS ------------------------------------------------------------------


def fit_lbfgs(
    est,
    network,
    X,
    Y,
    sample_weight=None,
    on_epoch_begin=None,
    on_epoch_end=None,
    recorder=None,
):
    """Minimise the full-batch loss with scipy's L-BFGS-B.

    The objective writes the optimizer's point straight into
    ``network.params`` (every layer is a view of it, so nothing is unpacked)
    and returns the loss with a copy of the gradient buffer, which the next
    call overwrites. ``est.max_iter``, ``est.max_fun`` and ``est.tol`` (as
    ``gtol``) bound the search; ``est.n_iter_`` and ``est.loss_`` are set
    from the result. ``on_epoch_begin(est, iteration)`` is called at the
    first loss evaluation of every iteration, ``on_epoch_end`` after every
    iteration; a true return value stops the search. (Evaluations that end
    no iteration, such as a line search cut short by ``max_fun``, are begun
    and never ended.) A diagnostics ``recorder`` records every iteration as
    one epoch of one full batch, the accepted point's.
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
            on_epoch_begin(est, n_iterations + 1)
        params[...] = x
        with np.errstate(over="ignore", invalid="ignore"):
            loss = network.loss_and_gradient(X, Y, sample_weight, est.alpha)
        losses.append(loss)
        return loss, network.grads.astype(np.float64)

    def after_iteration(x):
        nonlocal n_iterations, iteration_begun
        n_iterations += 1
        iteration_begun = False
        if recorder is not None:
            # The accepted point was evaluated last: the workspaces hold it.
            recorder.observe(network, X.shape[0])
            recorder.end_epoch()
        if on_epoch_end is None:
            return
        # L-BFGS-B evaluates the accepted point last, so that is its loss.
        info = EpochInfo(n_iterations, losses[-1], None, time.perf_counter() - start)
        if on_epoch_end(est, info):
            raise StopIteration  # scipy's documented way to end the search

    result = scipy.optimize.minimize(
        loss_and_gradient,
        params.astype(np.float64),
        method="L-BFGS-B",
        jac=True,
        callback=after_iteration,
        options={"maxfun": est.max_fun, "maxiter": est.max_iter, "gtol": est.tol},
    )
    est.n_iter_ = min(int(result.nit), est.max_iter)
    if np.isfinite(result.x).all() and math.isfinite(result.fun):
        params[...] = result.x
        est.loss_ = float(result.fun)
    else:
        params[...] = start_params
        est.loss_ = network.loss_and_gradient(X, Y, sample_weight, est.alpha)
        _warn_divergence(est.n_iter_ + 1)
        return
    if result.status != 0 and not _stopped_by_hook(result):
        warnings.warn(
            f"lbfgs failed to converge after {est.n_iter_} iteration(s) "
            f"(status={result.status}): {result.message}. Increase max_iter or "
            "max_fun, or scale the input.",
            ConvergenceWarning,
            stacklevel=2,
        )


def _stopped_by_hook(result):
    return "callback" in str(result.message).lower()
