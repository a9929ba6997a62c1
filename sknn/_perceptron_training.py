"""Training the perceptron: its weights, an epoch, and the loop of epochs.

:class:`Trainer` runs one pass over the samples in one of three ways, chosen
by the settings:

* *online* (``batch_size=1`` without an L1 term): the samples go through the
  block scan of :mod:`sknn._perceptron_scan`, which makes the
  sample-by-sample rule's updates with whole-block products;
* *sample by sample* (``batch_size=1`` with an L1 term): the cumulative L1
  penalty truncates the weights of each sample's features after its step,
  which no block product can express, so the rule runs one row at a time;
* *mini-batch* (``batch_size > 1``): a batch is scored at once with the
  weights at its start and moves them by the mean of its updates.

Each way also sums the epoch's objective (every sample's loss before its
update, plus the penalty of the weights it was scored with) per *problem*,
and keeps the running sums of the averaged perceptron.

:func:`run_epochs` is scikit-learn's loop around it: shuffle, train the
problems still active, stop each one-vs-rest problem on its own when its
objective (or validation score) stalls, report, and refuse to go on with
weights that overflowed.
"""

import copy
import time

import numpy as np
import scipy.sparse as sp
from sklearn.utils.extmath import safe_sparse_dot

from sknn._perceptron_scan import DENSE_BLOCK, Decay, Scan, scan_block
from sknn._training import EpochInfo

__all__ = ["NoImprovement", "Rows", "Trainer", "Weights", "run_epochs"]


def _norms(W):
    """Per neuron (column): ``||w||²`` and ``|w|_1``, summed in float64."""
    return (
        np.einsum("ij,ij->j", W, W, dtype=np.float64),
        np.abs(W).sum(axis=0, dtype=np.float64),
    )


class Weights:
    """Weights ``coef`` (n_features, n_neurons) and ``intercept``, plus the
    running sums of an averaged perceptron and the L1 penalty's memory."""

    _column_arrays = (
        "coef",
        "intercept",
        "avg_coef",
        "avg_intercept",
        "avg_count",
        "q",
        "sq_norm",
        "l1_norm",
    )

    def __init__(self, coef, intercept, averaging=False, l1=False):
        self.coef = coef
        self.intercept = intercept
        self.avg_coef = np.zeros_like(coef) if averaging else None
        self.avg_intercept = np.zeros_like(intercept) if averaging else None
        self.avg_count = np.zeros(coef.shape[1]) if averaging else None
        self.q = np.zeros_like(coef) if l1 else None  # L1 penalty received
        self.u = 0.0  # L1 penalty each weight should have received
        # scikit-learn's objective reads norms that are refreshed when a neuron
        # is updated or decayed, but not when the L1 step truncates it.
        self.sq_norm, self.l1_norm = _norms(coef) if l1 else (None, None)

    def columns(self, cols):
        """A copy holding only the neurons ``cols``."""
        part = copy.copy(self)
        for name in self._column_arrays:
            value = getattr(self, name)
            if value is not None:
                setattr(part, name, np.ascontiguousarray(value[..., cols]))
        return part

    def put_columns(self, cols, part):
        for name in self._column_arrays:
            value = getattr(self, name)
            if value is not None:
                value[..., cols] = getattr(part, name)
        self.u = part.u

    def accumulate_average(self, scale=1.0):
        """Add the current weights, counted ``scale`` times, to the sums."""
        self.avg_coef += scale * self.coef
        self.avg_intercept += scale * self.intercept
        self.avg_count += scale

    def resume_average(self, coef, intercept, count):
        """Start the sums from an earlier average of ``count`` steps."""
        self.avg_coef += count * coef
        self.avg_intercept += count * intercept
        self.avg_count += count

    def averages(self):
        """The averaged weights and biases, in the weights' dtype; a neuron
        with no step averaged yet keeps its current weights."""
        seen = self.avg_count > 0
        count = np.maximum(self.avg_count, 1)
        coef = np.where(seen, self.avg_coef / count, self.coef)
        intercept = np.where(seen, self.avg_intercept / count, self.intercept)
        dtype = self.coef.dtype
        return coef.astype(dtype, copy=False), intercept.astype(dtype, copy=False)


class Rows:
    """The training samples of one epoch, in the order they are visited."""

    def __init__(self, X, y, sample_weight, order=None):
        self.X, self.order = X, order
        if order is not None:  # small: reorder once, then slice
            y, sample_weight = y[order], sample_weight[order]
        self.y, self.sample_weight = y, sample_weight

    def __len__(self):
        return len(self.y)

    def block(self, start, stop):
        if self.order is None:
            Xb = self.X[start:stop]
        elif sp.issparse(self.X):
            Xb = self.X[self.order[start:stop]]
        else:
            Xb = np.take(self.X, self.order[start:stop], axis=0)
        return Xb, self.y[start:stop], self.sample_weight[start:stop]


def _row_norms(Xb):
    if sp.issparse(Xb):
        return np.asarray(Xb.multiply(Xb).sum(axis=1)).ravel()
    return np.einsum("ij,ij->i", Xb, Xb)


def _truncate(weights, features):
    """The cumulative L1 penalty of Tsuruoka, Tsujii and Ananiadou (2009):
    pull each weight towards zero by the penalty ``u`` it is owed minus what
    it already received (``q``), never across zero."""
    W, q, u = weights.coef[features], weights.q[features], weights.u
    shrunk = np.where(
        W > 0,
        np.maximum(W - (u + q), 0),
        np.where(W < 0, np.minimum(W + (u - q), 0), W),
    )
    weights.q[features] = q + (shrunk - W)
    weights.coef[features] = shrunk


class Trainer:
    """Runs epochs of a learning rule with a given penalty on :class:`Weights`.

    ``t`` is scikit-learn's step counter: the first sample of a fresh fit is
    step 1, and averaging starts at step ``average`` (0: no averaging).
    """

    def __init__(
        self,
        rule,
        *,
        penalty,
        alpha,
        l1_ratio,
        eta,
        fit_intercept,
        batch_size,
        average,
        dtype,
        sparse,
    ):
        self.rule = rule
        self.fit_intercept = fit_intercept
        self.batch_size = batch_size
        self.average = average
        self.alpha = alpha if penalty is not None else 0.0
        self.l1_ratio = {"l1": 1.0, "elasticnet": l1_ratio}.get(penalty, 0.0)
        rho = max(0.0, 1.0 - eta * self.alpha * (1.0 - self.l1_ratio))
        self.l1_step = eta * self.alpha * self.l1_ratio
        self.decay = Decay(rho, fit_intercept, dtype)
        self.scan = Scan(sparse, rule.updates_every_sample)

    def new_weights(self, coef, intercept):
        return Weights(coef, intercept, self.average > 0, self.l1_step > 0)

    def penalty(self, sq_norm, l1_norm):
        """``alpha ((1 - l1_ratio) ||w||² / 2 + l1_ratio |w|_1)``, per neuron."""
        return self.alpha * (
            (1 - self.l1_ratio) * 0.5 * sq_norm + self.l1_ratio * l1_norm
        )

    def averaging(self, t):
        return 0 < self.average <= t

    def epoch(self, rows, weights, t, active):
        """One pass over ``rows`` for the ``active`` problems (the others'
        neurons keep their weights). Returns the summed objective of each
        active problem and the number of samples the rule got wrong."""
        if active.all():
            return self._epoch(self.rule, rows, weights, t)
        cols = np.flatnonzero(active)  # one-vs-rest: a problem is a neuron
        part = weights.columns(cols)
        result = self._epoch(self.rule.columns(cols), rows, part, t)
        weights.put_columns(cols, part)
        return result

    def _epoch(self, rule, rows, weights, t):
        if self.batch_size > 1:
            return self._minibatch_epoch(rule, rows, weights, t)
        if self.l1_step > 0:
            return self._sample_epoch(rule, rows, weights, t)
        return self._online_epoch(rule, rows, weights, t)

    def _online_epoch(self, rule, rows, weights, t):
        """Rosenblatt's or the delta rule, one sample at a time, in blocks."""
        loss = np.zeros(rule.n_problems)
        n_wrong = pos = 0
        while pos < len(rows):
            dense, size = self.scan.plan()
            stop = min(pos + size, len(rows))
            if t + pos < self.average:  # let averaging start on a block edge
                stop = min(stop, pos + self.average - (t + pos))
            Xb, yb, swb = rows.block(pos, stop)
            blk = rule.block(yb, swb)
            Z, C = scan_block(rule, self.decay, Xb, blk, weights, dense)
            block_loss, wrong = rule.losses(Z, blk)
            if self.decay.active:  # the L2 term of the objective
                norms = self.decay.squared_norm_sum(weights, Z, C, _row_norms(Xb))
                block_loss += rule.per_problem(self.penalty(norms, 0.0))
            self.decay.apply(weights, Xb, C, self.averaging(t + pos))
            self.scan.observe(np.count_nonzero(wrong), len(C))
            loss += block_loss
            n_wrong += np.count_nonzero(wrong)
            pos = stop
        return loss, n_wrong

    def _minibatch_epoch(self, rule, rows, weights, t):
        """Each batch is scored at once and moves the weights by the mean of
        its samples' updates, after one decay step."""
        loss = np.zeros(rule.n_problems)
        n_wrong = 0
        for start in range(0, len(rows), self.batch_size):
            Xb, yb, swb = rows.block(start, start + self.batch_size)
            n = Xb.shape[0]
            blk = rule.block(yb, swb)
            Z = Xb @ weights.coef + weights.intercept
            block_loss, wrong = rule.losses(Z, blk)
            if self.alpha > 0:
                penalty = self.penalty(*_norms(weights.coef))
                block_loss += n * rule.per_problem(penalty)
            C = rule.batch_updates(Z, blk)
            C /= n
            if self.decay.active:
                weights.coef *= self.decay.rho
            weights.coef += Xb.T @ C
            if self.fit_intercept:
                weights.intercept += C.sum(axis=0)
            if self.l1_step > 0:
                weights.u += self.l1_step
                _truncate(weights, slice(None))
            if self.averaging(t + start + n - 1):
                weights.accumulate_average(n)
            loss += block_loss
            n_wrong += np.count_nonzero(wrong)
        return loss, n_wrong

    def _sample_epoch(self, rule, rows, weights, t):
        """The online rule with an L1 term, truly one sample at a time: the
        truncation touches every weight of the sample's features each step."""
        loss = np.zeros(rule.n_problems)
        n_wrong = 0
        for start in range(0, len(rows), DENSE_BLOCK):
            Xb, yb, swb = rows.block(start, start + DENSE_BLOCK)
            blk = rule.block(yb, swb)
            Z = np.empty((Xb.shape[0], weights.coef.shape[1]), dtype=weights.coef.dtype)
            C = np.zeros_like(Z)
            penalty = self._sample_steps(rule, Xb, blk, weights, Z, C, t + start)
            block_loss, wrong = rule.losses(Z, blk)
            loss += block_loss + rule.per_problem(penalty)
            n_wrong += np.count_nonzero(wrong)
        return loss, n_wrong

    def _sample_steps(self, rule, Xb, blk, weights, Z, C, t):
        """Score, update, decay and truncate row by row, as scikit-learn does;
        fills ``Z`` and ``C`` and returns the block's penalty terms."""
        W, rho = weights.coef, self.decay.rho
        sq_norm, l1_norm = weights.sq_norm, weights.l1_norm
        penalty = np.zeros(W.shape[1])
        for i in range(Xb.shape[0]):
            if sp.issparse(Xb):
                lo, hi = Xb.indptr[i], Xb.indptr[i + 1]
                x, features = Xb.data[lo:hi], Xb.indices[lo:hi]
            else:
                x, features = Xb[i], slice(None)
            z = Z[i]
            z[:] = x @ W[features]
            z += weights.intercept
            penalty += self.penalty(sq_norm, l1_norm)
            rule.update(z, C[i], *(rows[i] for rows in blk))
            if self.decay.active:
                W *= rho
                sq_norm *= rho * rho
                l1_norm *= rho
            changed = C[i] != 0
            if changed.any():
                W[features] += np.outer(x, C[i])
                if self.fit_intercept:
                    weights.intercept += C[i]
                sq_norm[changed] = np.square(W[:, changed]).sum(axis=0)
                l1_norm[changed] = np.abs(W[:, changed]).sum(axis=0)
            weights.u += self.l1_step
            _truncate(weights, features)
            if self.averaging(t + i):
                weights.accumulate_average()
        return penalty


class NoImprovement:
    """scikit-learn's stopping rule, kept for each problem separately: a
    problem stops after ``patience`` epochs in a row whose score did not beat
    the best so far by ``tol``. With ``tol=None`` nothing stops."""

    def __init__(self, n_problems, tol, patience):
        self.tol, self.patience = tol, patience
        self.best = np.full(n_problems, -np.inf)
        self.count = np.zeros(n_problems, dtype=int)

    def update(self, scores, active):
        """Record the scores of the ``active`` problems; return which stop now."""
        if self.tol is None:
            return np.zeros_like(active)
        idx = np.flatnonzero(active)
        stalled = scores < self.best[idx] + self.tol
        self.count[idx] = np.where(stalled, self.count[idx] + 1, 0)
        self.best[idx] = np.maximum(self.best[idx], scores)
        stop = np.zeros_like(active)
        stop[idx] = self.count[idx] >= self.patience
        return stop


def run_epochs(
    trainer,
    weights,
    X,
    y,
    sample_weight,
    *,
    max_iter,
    tol,
    patience,
    shuffle,
    rng,
    t,
    train=None,
    val=None,
    verbose=0,
    on_epoch_begin=None,
    on_epoch_end=None,
):
    """Train for up to ``max_iter`` epochs, each problem until its score has
    not beaten its best by ``tol`` for ``patience`` epochs (never, with
    ``tol=None``). The score is minus the mean objective, or the accuracy on
    the rows ``val`` when given (training then visits only ``train``).
    ``y`` holds class indices, ``rng`` shuffles, ``t`` is the step count
    before the first epoch. ``on_epoch_begin(epoch)`` is called before each
    epoch (counted from 1) and ``on_epoch_end(info)`` after it, with an
    :class:`~sknn._training.EpochInfo` (the loss is the mean objective); a
    true return value stops training. Returns the number of epochs run and
    the mistakes made in each."""
    rule = trainer.rule
    stopper = NoImprovement(rule.n_problems, tol, patience)
    active = np.ones(rule.n_problems, dtype=bool)
    n_train = X.shape[0] if train is None else len(train)
    t_start, errors, start = t, [], time.perf_counter()
    for epoch in range(max_iter):
        if on_epoch_begin is not None:
            on_epoch_begin(epoch + 1)
        order = train
        if shuffle:
            order = rng.permutation(n_train if train is None else train)
        rows = Rows(X, y, sample_weight, order)
        # A diverging fit overflows mid-epoch; it is reported just below.
        with np.errstate(over="ignore", invalid="ignore"):
            loss, n_wrong = trainer.epoch(rows, weights, t, active)
        t += n_train
        errors.append(n_wrong)
        _check_finite(weights, epoch)
        if val is None:
            scores = -loss / n_train
        else:
            scores = _validation_scores(rule, weights, X, y, sample_weight, val)
            scores = scores[active]
        if verbose:
            val_scores = scores if val is not None else None
            _report(epoch, weights, loss / n_train, t - t_start, n_wrong, val_scores)
            print(f"Total training time: {time.perf_counter() - start:.2f} seconds.")
        active &= ~stopper.update(scores, active)
        if on_epoch_end is not None:
            info = EpochInfo(
                epoch + 1,
                float(np.mean(loss)) / n_train,
                None if val is None else float(np.mean(scores)),
                time.perf_counter() - start,
            )
            if on_epoch_end(info):
                break
        if not active.any():
            break
    return epoch + 1, errors


def _validation_scores(rule, weights, X, y, sample_weight, val):
    if not sample_weight[val].sum() > 0:
        raise ValueError(
            "The sample weights of the validation set are all zero; change "
            "random_state or validation_fraction."
        )
    Z = np.asarray(safe_sparse_dot(X[val], weights.coef)) + weights.intercept
    return rule.validation_scores(Z, y[val], sample_weight[val])


def _check_finite(weights, epoch):
    if not (np.isfinite(weights.coef).all() and np.isfinite(weights.intercept).all()):
        raise ValueError(
            f"The weights overflowed during epoch {epoch + 1}: the updates grew "
            "without bound. Scale the input (StandardScaler or MinMaxScaler) "
            "or lower eta0."
        )


def _report(epoch, weights, losses, n_seen, n_wrong, val_scores):
    bias = weights.intercept
    bias = bias[0] if len(bias) == 1 else np.linalg.norm(bias)
    line = (
        f"Norm: {np.linalg.norm(weights.coef):.2f}, "
        f"NNZs: {np.count_nonzero(weights.coef)}, Bias: {bias:.6f}, "
        f"T: {n_seen}, Avg. loss: {np.mean(losses):.6f}, Mistakes: {n_wrong}"
    )
    if val_scores is not None:
        line += f", Validation score: {np.mean(val_scores):.6f}"
    print(f"-- Epoch {epoch + 1}\n{line}")
