"""Training the perceptron: its weights, an epoch, and the loop of epochs.

With ``batch_size=1`` an epoch is one call of the compiled loop
:func:`sknn._perceptron_online.online_epoch`; this module prepares its arrays
and settings and holds its dtype dispatch. With ``batch_size > 1`` a batch is
scored with one matrix product and moves the weights by the mean of its
samples' updates, which the same compiled rule decides (:func:`minibatch_epoch`).
:func:`run_epochs` is the loop around an epoch, with the MLP's no-improvement
count, hooks and divergence policy. A *problem* is what the stopping rule
watches: each one-vs-rest neuron is one; the multinomial rule's neurons are one.
"""

import time

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.extmath import safe_sparse_dot

from sknn._history import EpochInfo, History
from sknn._perceptron_online import ACTIVATIONS, Rule, decide_rows, online_epoch
from sknn._stopping import update_no_improvement_count
from sknn._warnings import warn
from sknn.activations import get_activation

__all__ = ["Trainer", "Weights", "minibatch_epoch", "run_epochs"]


class Weights:
    """The weights ``coef`` (n_neurons, n_features) and ``intercept``, the
    averaged perceptron's running sums (float64, counted per neuron), the
    cumulative L1 penalty's memory (``q`` received per weight, ``u`` owed to
    each) and the norms scikit-learn's objective reads (refreshed by a step
    or a decay, not by the L1 truncation)."""

    def __init__(self, coef, intercept, averaging=False, l1=False):
        self.coef, self.intercept = coef, intercept
        self.avg_coef = np.zeros(coef.shape if averaging else (0, 0))
        self.avg_intercept = np.zeros(len(intercept) if averaging else 0)
        self.avg_count = np.zeros(len(intercept))
        self.q = np.zeros(coef.shape if l1 else (0, 0), dtype=coef.dtype)
        self.u = 0.0
        # In float64, where a float32 weight's square is finite; a float64
        # weight beyond 1e154 has an infinite square, the truthful norm. A
        # row at a time: the temporaries of the whole matrix at once were a
        # fit's largest (three times the weights' size).
        self.norms = np.empty((2, len(coef)))
        with np.errstate(over="ignore"):
            for k, row in enumerate(coef):
                wide = row.astype(float)
                self.norms[0, k] = (wide * wide).sum()
                self.norms[1, k] = abs(wide).sum()

    def arrays(self):
        """Every array of the training state, for a snapshot."""
        return (self.coef, self.intercept, self.avg_coef, self.avg_intercept,
                self.avg_count, self.q, self.norms)  # fmt: skip

    def resume_average(self, coef, intercept, count):
        """Start the sums from an earlier average of ``count`` steps."""
        self.avg_coef += count * coef
        self.avg_intercept += count * intercept
        self.avg_count += count

    def averages(self):
        """The averaged weights and biases in the weights' dtype; a neuron
        with no step averaged yet keeps its current weights."""
        count = self.avg_count[:, None]
        seen = count > 0
        coef = np.where(seen, self.avg_coef / np.maximum(count, 1), self.coef)
        bias = np.where(
            seen[:, 0], self.avg_intercept / np.maximum(count[:, 0], 1), self.intercept
        )
        return coef.astype(self.coef.dtype), bias.astype(self.coef.dtype)


class Trainer:
    """Runs epochs of a rule with a penalty on :class:`Weights`.

    ``class_weight`` holds one weight per class. ``t`` (in :meth:`epoch`) is
    scikit-learn's step counter: the first sample of a fresh fit is step 1,
    and averaging starts at step ``average`` (0: never).
    """

    def __init__(self, n_classes, class_weight, *, activation, multinomial,
                 penalty, alpha, l1_ratio, eta, fit_intercept, batch_size,
                 average):  # fmt: skip
        self.n_neurons = 1 if n_classes == 2 else n_classes
        self.multinomial = multinomial and n_classes > 2
        self.n_problems = 1 if self.multinomial else self.n_neurons
        self.batch_size, self.average = batch_size, average
        alpha = alpha if penalty is not None else 0.0
        l1_ratio = {"l1": 1.0, "elasticnet": l1_ratio}.get(penalty, 0.0)
        # sign[c, k] is +1 when class c is neuron k's class, else -1;
        # weight[c, k] the class weight neuron k gives a sample of class c:
        # one-vs-rest neurons of several classes weigh only their own class.
        self.sign = (
            np.array([[-1.0], [1.0]]) if n_classes == 2 else 2 * np.eye(n_classes) - 1
        )
        weight = np.asarray(class_weight, dtype=float)[:, None]
        own_class_only = n_classes > 2 and not self.multinomial
        self.weight = (
            np.where(self.sign > 0, weight, 1.0)
            if own_class_only
            else np.repeat(weight, self.n_neurons, 1)
        )
        f = None if activation.name == "step" else activation
        if f is not None and type(f) is not type(get_activation(f.name)):
            raise ValueError(
                f"activation={f!r}: the perceptron's compiled delta rule knows "
                f"the built-in activations only, {', '.join(ACTIVATIONS)}."
            )
        rule = (
            Rule.MULTINOMIAL
            if self.multinomial
            else Rule.DELTA
            if f
            else Rule.ROSENBLATT
        )
        self.settings = {
            "rule": rule,
            "activation": ACTIVATIONS.index(f.name) if f else 0,
            "slope": getattr(f, "negative_slope", getattr(f, "alpha", 1.0)),
            "low": f.targets[0] if f else 0.0,
            "high": f.targets[1] if f else 0.0,
            "eta": eta,
            "rho": max(0.0, 1.0 - eta * alpha * (1.0 - l1_ratio)),
            "l1_step": eta * alpha * l1_ratio,
            "alpha": alpha,
            "l1_ratio": l1_ratio,
            "fit_intercept": fit_intercept,
            "t": 1,
            "average": average,
        }
        self._scratch = np.empty((2, self.n_neurons))

    def new_weights(self, coef, intercept):
        return Weights(coef, intercept, self.average > 0, self.settings["l1_step"] > 0)

    def epoch(self, X, rows, y, sample_weight, weights, t, active):
        """One pass over ``rows`` (int32 row indices) for the ``active``
        neurons. Returns the summed objective of each problem (0 for the
        inactive ones) and the number of samples the rule got wrong."""
        if sample_weight is None:
            sample_weight = np.empty(0, weights.coef.dtype)
        if self.batch_size > 1:
            return minibatch_epoch(self, X, rows, y, sample_weight, weights, t, active)
        if sp.issparse(X):
            data, indices, indptr = X.data, X.indices, X.indptr
        else:
            data, indices, indptr = X.reshape(-1), _NO_INDEX, _NO_INDEX
        loss = np.zeros(self.n_neurons)
        z, c = self._scratch
        weights.u, n_wrong = online_epoch(
            {**self.settings, "t": t}, data, indices, indptr, rows, y,
            sample_weight, self.weight, active.view(np.uint8), weights.coef,
            weights.intercept, weights.avg_coef, weights.avg_intercept,
            weights.avg_count, weights.q, weights.norms, loss, z, c, weights.u,
        )  # fmt: skip
        return loss[: self.n_problems], n_wrong

    def penalty(self, W):
        """``alpha ((1 - l1_ratio) ||w||² / 2 + l1_ratio |w|_1)`` per problem."""
        s = self.settings
        l2, l1 = (W * W).sum(1, dtype=float), abs(W).sum(1, dtype=float)
        penalty = s["alpha"] * ((1 - s["l1_ratio"]) * 0.5 * l2 + s["l1_ratio"] * l1)
        return penalty.sum(keepdims=True) if self.multinomial else penalty


_NO_INDEX = np.empty(0, dtype=np.int32)


def minibatch_epoch(trainer, X, rows, y, sample_weight, weights, t, active):
    """Each batch is scored with the weights at its start and moves them by
    the mean of its samples' updates, after one decay step; then comes the
    L1 truncation of every weight and, from step ``average`` on, the
    average, weighted by the batch size."""
    s, W, b = trainer.settings, weights.coef, weights.intercept
    loss, n_wrong = np.zeros(trainer.n_neurons), 0
    for start in range(0, len(rows), trainer.batch_size):
        batch = rows[start : start + trainer.batch_size]
        Xb, yb, n = X[batch], y[batch], len(batch)
        Z = np.asarray(safe_sparse_dot(Xb, W.T), dtype=float) + b
        C = np.empty_like(Z)
        swb = sample_weight[batch] if len(sample_weight) else sample_weight
        n_wrong += decide_rows(
            s, Z, yb, swb, trainer.weight, active.view(np.uint8), C, loss
        )
        if s["alpha"] > 0:
            loss[: trainer.n_problems] += n * trainer.penalty(W)
        C = (C[:, active] / n).astype(W.dtype)
        if s["rho"] != 1.0:
            W[active] *= s["rho"]
        W[active] += np.asarray(safe_sparse_dot(Xb.T, C)).T
        if s["fit_intercept"]:
            b[active] += C.sum(axis=0)
        if s["l1_step"] > 0:
            weights.u += s["l1_step"]
            _truncate(weights, active)
        if 0 < trainer.average <= t + start + n - 1:
            weights.avg_coef[active] += n * W[active]
            weights.avg_intercept[active] += n * b[active]
            weights.avg_count[active] += n
    return loss[: trainer.n_problems], n_wrong


def _truncate(weights, active):
    """The kernel's ``truncate`` on every weight of the ``active`` neurons."""
    W, q, u = weights.coef[active], weights.q[active], weights.u
    shrunk = np.where(
        W > 0,
        np.maximum(W - (u + q), 0),
        np.where(W < 0, np.minimum(W + (u - q), 0), W),
    )
    weights.q[active] = q + (shrunk - W)
    weights.coef[active] = shrunk


def run_epochs(trainer, weights, X, y, sample_weight, *, max_iter, tol, patience,
               shuffle, rng, t, train, val=None, verbose=0, on_epoch_begin=None,
               on_epoch_end=None):  # fmt: skip
    """Train up to ``max_iter`` epochs on the rows ``train`` (int32, shuffled
    in place by ``rng``), each problem until its score has not beaten its
    best by ``tol`` for ``patience`` epochs (never with ``tol=None``): minus
    the mean objective, or the accuracy on the rows ``val``. ``y`` holds
    class indices (int32); ``t`` is the step count before the first epoch.
    The hooks are the MLP loop's: ``on_epoch_begin(epoch)``, then
    ``on_epoch_end(info)`` with an :class:`~sknn._training.EpochInfo`, whose
    true return stops training. A diverging epoch is undone with a warning
    and ends training. Returns the epochs completed and each one's mistakes.
    """
    histories = [History() for _ in range(trainer.n_problems)]
    for history in histories:
        history.prepare_stochastic(val is not None, weights.intercept)
    active = np.ones(trainer.n_neurons, dtype=bool)
    t_start, errors, start = t, [], time.perf_counter()
    for epoch in range(1, max_iter + 1):
        if on_epoch_begin is not None:
            on_epoch_begin(epoch)
        if shuffle:
            rng.shuffle(train)
        # The weights an epoch starts from, into buffers made once: a new
        # copy each epoch lived beside the last one's until it replaced it.
        if epoch == 1:
            last_finite = [array.copy() for array in weights.arrays()]
        else:
            for finite, array in zip(last_finite, weights.arrays()):
                np.copyto(finite, array)
        with np.errstate(over="ignore", invalid="ignore"):
            loss, n_wrong = trainer.epoch(
                X, train, y, sample_weight, weights, t, active
            )
        if not (
            np.isfinite(weights.coef).all() and np.isfinite(weights.intercept).all()
        ):
            for array, finite in zip(weights.arrays(), last_finite):
                array[...] = finite
            _warn_divergence(epoch)
            return epoch - 1, errors
        t += len(train)
        errors.append(n_wrong)
        problems = np.flatnonzero(active[: trainer.n_problems])
        objective = loss[problems] / len(train)
        scores = -objective
        if val is not None:
            scores = _validation_scores(trainer, weights, X, y, sample_weight, val)
            scores = scores[problems]
        if verbose:
            _report(epoch, weights, objective, t - t_start, n_wrong, val, scores)
            print(f"Total training time: {time.perf_counter() - start:.2f} seconds.")
        for k, score in zip(problems, scores) if tol is not None else ():
            if val is None:
                histories[k].loss_curve.append(-score)
            update_no_improvement_count(
                histories[k], tol, None if val is None else score
            )
            if histories[k].no_improvement_count >= patience:
                active[slice(None) if trainer.multinomial else k] = False
        elapsed = time.perf_counter() - start
        val_score = None if val is None else float(np.mean(scores))
        info = EpochInfo(epoch, float(np.mean(objective)), val_score, elapsed)
        if on_epoch_end is not None and on_epoch_end(info) or not active.any():
            break
    return epoch, errors


def _warn_divergence(epoch):
    warn(
        f"Training diverged in epoch {epoch}: the weights overflowed. The weights "
        "from before that epoch were kept. Scale the input (StandardScaler or "
        "MinMaxScaler) or lower eta0.",
        ConvergenceWarning,
    )


def _validation_scores(trainer, weights, X, y, sample_weight, val):
    """Each one-vs-rest neuron's weighted accuracy at telling its class from
    the rest, or the multinomial rule's multiclass accuracy."""
    sw = sample_weight[val] if sample_weight is not None else np.ones(len(val))
    if not sw.sum() > 0:
        raise ValueError(
            "The sample weights of the validation set are all zero; change "
            "random_state or validation_fraction."
        )
    Z = np.asarray(safe_sparse_dot(X[val], weights.coef.T)) + weights.intercept
    if trainer.multinomial:  # one problem: a column of one score
        right = (Z.argmax(axis=1) == y[val])[:, None]
    else:
        right = (Z > 0) == (trainer.sign[y[val]] > 0)
    return sw @ right / sw.sum()


def _report(epoch, weights, losses, n_seen, n_wrong, val, scores):
    bias = weights.intercept
    bias = bias[0] if len(bias) == 1 else np.linalg.norm(bias)
    line = (
        f"Norm: {np.linalg.norm(weights.coef):.2f}, "
        f"NNZs: {np.count_nonzero(weights.coef)}, Bias: {bias:.6f}, "
        f"T: {n_seen}, Avg. loss: {np.mean(losses):.6f}, Mistakes: {n_wrong}"
    )
    if val is not None:
        line += f", Validation score: {np.mean(scores):.6f}"
    print(f"-- Epoch {epoch}\n{line}")
