"""Training the members of a :class:`~sknn._member_network.MemberNetwork`.

Three steps, each a function:

:func:`member_splits`
    Which rows each member trains and validates on: member ``i`` holds out
    fold ``i`` of a (stratified, for classes) split into
    ``round(1 / validation_fraction)`` folds, so the members see different
    data (an ensemble of cross-validation models) and every one of them has
    a validation set of its own. All members train on the same number of
    rows, so that their batches stack.
:func:`train_members`
    The epoch loop: mini-batches drawn per member from its rows, Adam with a
    cosine learning-rate schedule and a flat-then-cosine dropout schedule
    (:mod:`sknn.schedules`), and after each epoch every member's validation
    loss; each member keeps the weights of its own best epoch. The losses
    are sknn's (:mod:`sknn._losses`): softmax log-loss against smoothed
    labels, or half the squared error.
:func:`fit_temperature`
    One temperature ``T`` for the members' logits (``softmax(z / T)``),
    the one that minimises the log-loss on their validation folds: a
    calibration the ensemble gets for the price of one scalar search.

The curves follow the MLP estimators' conventions: ``loss_curve`` holds the
training loss of each epoch (the mean over the members and the batches),
``validation_loss_curve`` the mean of the members' validation losses, and
the epoch hooks are the MLP estimators' (the verbose lines of
:func:`sknn._history.print_progress`, scikit-learn's callbacks through
:class:`sknn._callbacks.FitTasks`).
"""

import time
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import minimize_scalar
from sklearn.model_selection import KFold, StratifiedKFold

from sknn._divergence import all_finite, raise_unusable_fit, warn_divergence
from sknn._embeddings import _Buffers
from sknn._history import EpochInfo
from sknn.schedules import Cosine, FlatCosine, ScheduledRate

__all__ = ["TrainingPlan", "fit_temperature", "member_splits", "train_members"]

PREDICT_CHUNK = 2048
"""Rows per forward pass when predicting or validating."""

MAX_LOG_TEMPERATURE = 2.5
"""The temperature is searched in ``[exp(-2.5), exp(2.5)]`` (0.08 to 12)."""


def member_splits(n_samples, n_members, validation_fraction, stratify, seed):
    """Each member's training rows and validation rows.

    Parameters
    ----------
    n_samples : int
    n_members : int
    validation_fraction : float or None
        The share of the rows each member holds out; None for none.
    stratify : ndarray of shape (n_samples,) or None
        Class codes to stratify the folds on.
    seed : int
        Seeds the folds' shuffle.

    Returns
    -------
    train : ndarray of int of shape (n_members, n_train)
    validation : ndarray of int of shape (n_members, n_val) or None
        None where there is no validation: ``validation_fraction`` None, or
        too few rows (or, for classes, too few of the rarest class) for
        the folds; every member then trains on every row.
    """
    everything = np.broadcast_to(np.arange(n_samples), (n_members, n_samples))
    if validation_fraction is None:
        return everything.copy(), None
    n_folds = max(n_members, round(1 / validation_fraction))
    if stratify is not None:
        enough = np.bincount(stratify).min() >= n_folds
        splitter = StratifiedKFold(n_folds, shuffle=True, random_state=seed)
    else:
        enough = n_samples >= 2 * n_folds
        splitter = KFold(n_folds, shuffle=True, random_state=seed)
    if not enough:
        return everything.copy(), None
    folds = list(splitter.split(np.zeros((n_samples, 1)), stratify))[:n_members]
    n_train = min(len(train) for train, _ in folds)
    n_val = min(len(val) for _, val in folds)
    train = np.stack([train[:n_train] for train, _ in folds])
    validation = np.stack([val[:n_val] for _, val in folds])
    return train, validation


@dataclass
class TrainingPlan:
    """The procedure's settings, as the estimator's parameters give them."""

    learning_rate: float
    max_iter: int
    batch_size: int
    dropout: float
    beta_1: float = 0.9
    beta_2: float = 0.95
    epsilon: float = 1e-8


@dataclass
class TrainingResult:
    """What :func:`train_members` records."""

    loss_curve: list = field(default_factory=list)
    validation_loss_curve: list | None = None
    best_losses: np.ndarray | None = None
    best_epochs: np.ndarray | None = None
    n_iter: int = 0


def _gather(rows, dense, codes):
    return dense[rows], codes[rows]


def member_logits(network, dense, codes, rows=None):
    """The members' logits, in chunks of :data:`PREDICT_CHUNK` rows.

    ``rows`` of shape (k, n) gives each member its own rows; None gives every
    member all of ``dense``. Returns float64 of shape (k, n, n_outputs).
    """
    k = network.n_members
    n = len(dense) if rows is None else rows.shape[1]
    out = np.empty((k, n, network.sizes[-1]))
    for start in range(0, n, PREDICT_CHUNK):
        stop = min(start + PREDICT_CHUNK, n)
        if rows is None:
            batch = dense[start:stop], codes[start:stop]
        else:
            batch = _gather(rows[:, start:stop], dense, codes)
        out[:, start:stop] = network.forward(*batch)
    return out


def _validation_losses(network, loss, dense, codes, Y, weights, rows):
    """Each member's mean loss on its validation rows (float64)."""
    logits = member_logits(network, dense, codes, rows)
    losses = np.empty(network.n_members)
    for i in range(network.n_members):
        sample = loss.sample_losses(logits[i], Y[rows[i]].astype(np.float64))
        w = None if weights is None else weights[rows[i]]
        losses[i] = np.average(sample, weights=w)
    return losses


def train_members(
    network,
    loss,
    dense,
    codes,
    Y,
    targets,
    weights,
    train,
    validation,
    plan,
    rng,
    on_epoch_begin=None,
    on_epoch_end=None,
):
    """Train the members; each keeps the weights of its best epoch.

    Parameters
    ----------
    network : MemberNetwork
        Initialised; its parameters are trained in place.
    loss : sknn._losses.Loss
        The training loss and output delta (softmax log-loss or squared
        error).
    dense, codes : ndarray
        The encoded table: (n, n_dense) floats and (n, n_codes) codes.
    Y : ndarray of shape (n, n_outputs)
        The validation targets (one-hot labels or standardised values).
    targets : ndarray of shape (n, n_outputs)
        The training targets (``Y`` with its labels smoothed).
    weights : ndarray of shape (n,) or None
        The samples' weights in the losses.
    train, validation : ndarray of int
        From :func:`member_splits`.
    plan : TrainingPlan
    rng : numpy.random.Generator
        Draws the shuffles and the dropout masks.
    on_epoch_begin : callable, optional
        ``on_epoch_begin(epoch)`` before each epoch (counted from 1).
    on_epoch_end : callable, optional
        ``on_epoch_end(info)`` after each, with a
        :class:`~sknn._history.EpochInfo`; training stops when it returns
        True (the verbose printer, scikit-learn's callbacks).

    Returns
    -------
    TrainingResult
    """
    k, n_train = train.shape
    batch_size = min(plan.batch_size, n_train)
    n_batches = -(-n_train // batch_size)
    n_steps = n_batches * plan.max_iter
    rate = ScheduledRate(Cosine(), 0.0, n_steps)
    dropout = ScheduledRate(FlatCosine(), 0.0, n_steps)
    network.start_training(plan.learning_rate, plan.beta_1, plan.beta_2, plan.epsilon)
    result = TrainingResult()
    if validation is not None:
        result.validation_loss_curve = []
        result.best_losses = np.full(k, np.inf)
        result.best_epochs = np.zeros(k, dtype=int)
        best = network.params.copy()
    started = time.perf_counter()
    last_finite = network.params.copy()
    for epoch in range(1, plan.max_iter + 1):
        if on_epoch_begin is not None:
            on_epoch_begin(epoch)
        # an overflow is caught below, as a non-finite loss, not warned about
        with np.errstate(over="ignore", invalid="ignore"):
            epoch_loss = _train_epoch(
                network,
                loss,
                (dense, codes, targets, weights),
                train,
                batch_size,
                rng,
                (rate, dropout, plan.dropout),
                (epoch - 1) * n_batches,
            )
        if not (np.isfinite(epoch_loss) and all_finite(network.params)):
            _diverged(epoch, network, last_finite)
            break
        last_finite[...] = network.params
        result.loss_curve.append(epoch_loss)
        score = None
        if validation is not None:
            with np.errstate(over="ignore", invalid="ignore"):
                losses = _validation_losses(
                    network, loss, dense, codes, Y, weights, validation
                )
            result.validation_loss_curve.append(float(losses.mean()))
            score = -float(losses.mean())
            for i in np.flatnonzero(losses < result.best_losses):
                np.copyto(best, network.params, where=network.member_masks[i])
                result.best_losses[i] = losses[i]
                result.best_epochs[i] = epoch
        result.n_iter = epoch
        if on_epoch_end is not None:
            info = EpochInfo(
                epoch, result.loss_curve[-1], score, time.perf_counter() - started
            )
            if on_epoch_end(info):
                break
    if validation is not None:
        network.params[...] = best
    return result


def _train_epoch(network, loss, data, train, batch_size, rng, schedules, step):
    """One pass over each member's rows in a new order; the mean training loss.

    ``data`` is ``(dense, codes, targets, weights)``, ``schedules`` the
    learning rate's and the dropout's schedules and the peak dropout, ``step``
    the number of steps taken before this epoch.
    """
    dense, codes, targets, weights = data
    rate, dropout, p_drop = schedules
    k, n_train = train.shape
    n_outputs = targets.shape[1]
    order = np.stack([rng.permutation(rows) for rows in train])
    workspaces = {}
    total, n_batches = 0.0, 0
    for start in range(0, n_train, batch_size):
        rows = order[:, start : start + batch_size]
        m = rows.shape[1]
        logits = network.forward(
            _take(dense, rows, workspaces, "dense"),
            _take(codes, rows, workspaces, "codes"),
            p_drop * dropout.factor(step),
            rng,
            keep=True,
        )
        flat = logits.reshape(k * m, n_outputs)
        w = None
        if weights is not None:
            w = _take(weights, rows, workspaces, "weights").reshape(-1)
        batch_targets = _take(targets, rows, workspaces, "targets")
        total += loss.value_and_delta(
            flat, batch_targets.reshape(k * m, n_outputs), w, 1.0 / m
        ) / (k * m)
        network.backward(logits)
        network.step(rate.factor(step))
        step += 1
        n_batches += 1
    return total / n_batches


def _take(array, rows, workspaces, name):
    """``array[rows]``, written into the workspace ``name``: no new array per batch.

    ``workspaces`` maps a dtype to its :class:`~sknn._embeddings._Buffers`.
    """
    buffers = workspaces.setdefault(array.dtype, _Buffers(array.dtype))
    out = buffers.get(name, rows.shape + array.shape[1:])
    # mode="clip" (the rows are valid) lets numpy write into out unbuffered
    return np.take(array, rows, axis=0, out=out, mode="clip")


def _diverged(epoch, network, last_finite):
    """Stop a fit whose loss or weights became non-finite in ``epoch``.

    In the first epoch there is nothing to keep (the initial weights are no
    fit): scikit-learn's error. Later, the weights at the end of the last
    finite epoch are kept, with a warning.
    """
    if epoch == 1:
        raise_unusable_fit(None, advise=False)
    network.params[...] = last_finite
    warn_divergence(epoch, None, advise=False)


def fit_temperature(logits, labels):
    """The temperature that minimises the log-loss of ``softmax(logits / T)``.

    Parameters
    ----------
    logits : ndarray of shape (k, n, n_classes)
        Each member's logits on its validation rows.
    labels : ndarray of int of shape (k, n)
        The class codes of those rows.

    Returns
    -------
    float
        ``T`` in ``[exp(-2.5), exp(2.5)]``, by a bounded scalar search on
        ``log T``.
    """
    logits = np.asarray(logits, dtype=np.float64)

    def log_loss(log_temperature):
        z = logits / np.exp(log_temperature)
        z -= z.max(axis=2, keepdims=True)
        log_p = z - np.log(np.exp(z).sum(axis=2, keepdims=True))
        return -np.take_along_axis(log_p, labels[..., None], axis=2).mean()

    found = minimize_scalar(
        log_loss, bounds=(-MAX_LOG_TEMPERATURE, MAX_LOG_TEMPERATURE), method="bounded"
    )
    return float(np.exp(found.x))
