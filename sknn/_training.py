"""The stochastic solvers' training loop, as small named steps.

A stochastic fit (``'sgd'``, ``'adam'``) is a sequence of *epochs*
(:func:`minimize_stochastic`): shuffle the sample order, serve the data in
mini-batches (:class:`~sknn._batches.MiniBatches`), and for each batch
compute the loss and gradient and let the optimizer step
(:func:`one_epoch`). After each epoch the loop (:func:`_epoch_loop`)
records the loss, scores the validation data when early stopping, counts the
epochs without improvement and decides whether to go on (the stopping rules
of :mod:`sknn._stopping`). ``'lbfgs'`` has its own driver,
:mod:`sknn._lbfgs`.

The rules are scikit-learn's ``MLPClassifier``'s, step for step, so a network
given the same data, initial weights and random state takes the same path.
Two things are added: a diverging fit (a non-finite loss) stops and keeps the
last weights whose outputs on the training data are finite
(:mod:`sknn._divergence`) instead of leaving NaN behind, and a per-epoch
hook, ``on_epoch_end(info)``, is called with an
:class:`~sknn._history.EpochInfo` after every epoch (verbose printing is one
such hook), with ``on_epoch_begin(epoch)`` before it (scikit-learn's
callbacks need both).

The loop knows nothing of estimators. It reads its hyper-parameters from a
:class:`~sknn._history.TrainingConfig` and records its progress in a
:class:`~sknn._history.History`. It stops by returning, never by raising.
"""

import math
import time
from functools import partial

import numpy as np

from sknn._compiled_epoch import CompiledEpochs, numpy_reason
from sknn._divergence import (
    Snapshots,
    all_finite,
    keep_finite_weights,
    raise_unusable_fit,
    warn_divergence,
)
from sknn._history import EpochInfo
from sknn._network import l2_decay
from sknn._optimizers import gradient_norm
from sknn._stopping import (
    check_patience,
    update_no_improvement_count,
    warn_nan_score,
    warn_not_converged,
)
from sknn._threads import one_blas_thread

__all__ = [
    "STOCHASTIC_SOLVERS",
    "epoch_runner",
    "minimize_stochastic",
    "one_epoch",
]

STOCHASTIC_SOLVERS = ("sgd", "adam")

# -- one epoch ---------------------------------------------------------------


def one_epoch(
    network,
    optimizer,
    batches,
    alpha,
    recorder=None,
    rate=None,
    first_step=0,
    max_grad_norm=None,
):
    """Take one optimizer step per mini-batch; return the epoch's mean loss.

    The mean is scikit-learn's: each batch's (weighted) mean loss times its
    number of rows, summed, over the number of samples. A non-finite batch
    loss ends the epoch at once and is returned, so that no step is taken
    from NaN gradients. A diagnostics ``recorder`` observes each batch
    between its backward pass and the step.

    The L2 penalty's gradient, ``decay * W``, is added in one place: inside
    the optimizer's step, in the same pass over memory as the update (the
    network's gradient buffer holds the data term only). So are the
    schedule's factor on the learning rate (``rate``, a
    :class:`~sknn.schedules.ScheduledRate`, evaluated at each step counted
    from ``first_step``) and the scale that clips the penalised gradient to
    ``max_grad_norm``.
    """
    total = 0.0
    n_decayed = network.n_coef_params
    factor, scale = 1.0, 1.0
    step = first_step
    # Overflow is caught below as a non-finite loss and reported once, with
    # advice, instead of as numpy's warnings from deep inside the matmuls.
    with np.errstate(over="ignore", invalid="ignore"):
        for X_batch, Y_batch, weights in batches:
            n_rows = X_batch.shape[0]
            loss = network.loss_and_gradient(
                X_batch, Y_batch, weights, alpha, penalty_gradient=False
            )
            if not math.isfinite(loss):
                return loss
            decay = l2_decay(alpha, n_rows, weights)
            if recorder is not None:
                recorder.observe(network, n_rows, decay)
            if rate is not None:
                factor = rate.factor(step)
            if max_grad_norm is not None:
                norm = gradient_norm(network.params, network.grads, decay, n_decayed)
                scale = max_grad_norm / norm if norm > max_grad_norm else 1.0
            optimizer.step(
                network.params, network.grads, decay, n_decayed, factor, scale
            )
            step += 1
            total += loss * n_rows
    return total / batches.n_samples


# -- the loop ----------------------------------------------------------------


def minimize_stochastic(
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
        Returns the current network's validation score (higher is better)
        and its mean validation loss; enables early stopping.
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

    Notes
    -----
    The epochs run with one BLAS thread (:mod:`sknn._threads` says why);
    the libraries' thread counts are restored afterwards.
    """
    # a history with epochs in it: this call goes on from an earlier fit
    snapshots = Snapshots(network.params, keep_start=bool(history.loss_curve))
    history.prepare_stochastic(validation is not None, network.params)
    with one_blas_thread():
        outcome = _epoch_loop(
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
    diverged = outcome == _DIVERGED
    if validation is not None and not diverged:
        network.params[...] = history.best_params
    # The weights kept must predict finite values on the data they were fitted
    # to. A fit checks once at the end (one forward pass); partial_fit, whose
    # calls are each one epoch, checks only after a divergence.
    advise = config.advise_scaling
    if diverged:
        keep_finite_weights(network, batches.X, snapshots.candidates(), advise)
    elif not incremental:
        keep_finite_weights(
            network, batches.X, [network.params, *snapshots.candidates()], advise
        )
    # The fallbacks go before the warning's advice reads X (a pass with a
    # buffer of its own), so that the two never add up in the fit's peak.
    del snapshots
    if outcome == _EXHAUSTED and config.warn_at_max_iter:
        warn_not_converged(
            config.max_iter, batches.X if config.advise_scaling else None
        )
    return history


def epoch_runner(network, optimizer, batches, config, recorder=None):
    """Return ``run(first_step)``, which trains one epoch and returns its mean loss.

    ``first_step`` counts the optimizer steps taken before the epoch, for the
    learning-rate schedule. The compiled epoch (:mod:`sknn._compiled_epoch`)
    where it runs this fit, else :func:`one_epoch`; both take the same steps.
    """
    rate, max_norm = config.rate, config.max_grad_norm
    if numpy_reason(network, optimizer, batches, recorder) is not None:
        return partial(_numpy_epoch, network, optimizer, batches, config, recorder)
    epochs = CompiledEpochs(network, optimizer, batches, config.shuffle)
    n_batches = batches.n_batches

    def run(first_step):
        # the schedule's factors for the epoch's steps, asked for up front
        factors = None
        if rate is not None:
            steps = range(first_step, first_step + n_batches)
            factors = np.fromiter(map(rate.factor, steps), float, n_batches)
        return epochs.run(config.alpha, factors, max_norm)

    return run


def _numpy_epoch(network, optimizer, batches, config, recorder, first_step):
    return one_epoch(
        network,
        optimizer,
        batches,
        config.alpha,
        recorder,
        config.rate,
        first_step,
        config.max_grad_norm,
    )


def _epoch_loop(
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
    """Run the epochs; return how they ended: diverged, stopped or exhausted."""
    start = time.perf_counter()
    run_epoch = epoch_runner(network, optimizer, batches, config, recorder)
    history.n_iter = 0
    nan_warned = False
    for _ in range(config.max_iter):
        if on_epoch_begin is not None:
            on_epoch_begin(history.n_iter + 1)
        if config.shuffle:
            batches.shuffle(random_state)
        snapshots.remember(network.params)
        # partial_fit counts its calls as the epochs of the schedule
        epoch = len(history.learning_rates) if incremental else history.n_iter
        first_step = epoch * batches.n_batches
        loss = run_epoch(first_step)
        if not (math.isfinite(loss) and all_finite(network.params)):
            if not history.loss_curve:
                raise_unusable_fit(batches.X, config.advise_scaling)
            if history.loss is None:
                history.loss = loss  # diverged at once: the only loss there is
            warn_divergence(history.n_iter + 1, batches.X, config.advise_scaling)
            return _DIVERGED
        _record_epoch(history, loss, batches.n_samples)
        history.learning_rates.append(
            _last_rate(optimizer, config.rate, first_step + batches.n_batches - 1)
        )
        if recorder is not None:
            recorder.end_epoch()
        score = None
        if validation is not None:
            score, validation_loss = validation()
            history.validation_losses.append(validation_loss)
        if score is not None and math.isnan(score) and not nan_warned:
            nan_warned = True
            warn_nan_score(history.n_iter)
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
            return _STOPPED
        if stop or incremental:
            return _STOPPED
    return _EXHAUSTED


_DIVERGED, _STOPPED, _EXHAUSTED = "diverged", "stopped", "exhausted"
"""How the epochs ended: a non-finite loss, a stopping rule, or max_iter."""


def _last_rate(optimizer, rate, step):
    """The rate of ``step``: the optimizer's, times the schedule's factor."""
    return optimizer.learning_rate * (1.0 if rate is None else rate.factor(step))


def _record_epoch(history, loss, n_samples):
    history.n_iter += 1
    history.t += n_samples
    history.loss = loss
    history.loss_curve.append(loss)
