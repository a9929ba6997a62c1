"""Training the perceptron: its weights, an epoch, and the loop of epochs.

An epoch runs in one of two ways:

* *online* (``batch_size=1``): the compiled loop
  :func:`sknn._perceptron_online.online_epoch` visits the samples one by one
  and applies the rule, the penalties and the running average, as written
  in its docstring; this module only prepares its arrays and settings;
* *mini-batch* (``batch_size > 1``): a batch is scored with one matrix
  product, with the weights at its start, and moves them by the mean of its
  samples' updates (:func:`minibatch_epoch`).

:func:`run_epochs` is scikit-learn's loop around an epoch: shuffle, train the
problems still active, stop each one-vs-rest neuron on its own when its
objective (or validation score) stalls, with the MLP's no-improvement count,
report to the per-epoch hooks, and keep the last finite weights if training
diverges. A *problem* is what the stopping rule watches: each one-vs-rest
neuron is one, while the multinomial rule's neurons form one together.
"""

import time
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.extmath import safe_sparse_dot

from sknn._perceptron_online import ACTIVATIONS, Rule, online_epoch
from sknn._training import EpochInfo, History, update_no_improvement_count
from sknn.activations import get_activation

__all__ = ["Trainer", "Weights", "run_epochs"]


class Weights:
    """The neurons' weights ``coef`` (n_neurons, n_features) and ``intercept``,
    the running sums of the averaged perceptron (float64, per neuron), and the
    cumulative L1 penalty's memory: ``q``, what each weight has received, and
    ``u``, what every weight is owed."""

    def __init__(self, coef, intercept, averaging=False, l1=False):
        self.coef, self.intercept = coef, intercept
        n_neurons = len(intercept)
        self.avg_coef = np.zeros(coef.shape if averaging else (0, 0))
        self.avg_intercept = np.zeros(n_neurons if averaging else 0)
        self.avg_count = np.zeros(n_neurons)
        self.q = np.zeros(coef.shape if l1 else (0, 0), dtype=coef.dtype)
        self.u = 0.0
        # scikit-learn's objective reads norms that a step or a decay
        # refreshes and the L1 truncation does not.
        self.norms = np.array(
            [np.square(coef).sum(1, dtype=float), np.abs(coef).sum(1, dtype=float)]
        )

    def resume_average(self, coef, intercept, count):
        """Start the sums from an earlier average of ``count`` steps."""
        self.avg_coef += count * coef
        self.avg_intercept += count * intercept
        self.avg_count += count

    def averages(self):
        """The averaged weights and biases, in the weights' dtype; a neuron
        with no step averaged yet keeps its current weights."""
        seen = (self.avg_count > 0)[:, None]
        count = np.maximum(self.avg_count, 1)[:, None]
        coef = np.where(seen, self.avg_coef / count, self.coef)
        intercept = np.where(
            seen[:, 0], self.avg_intercept / count[:, 0], self.intercept
        )
        dtype = self.coef.dtype
        return coef.astype(dtype), intercept.astype(dtype)

    def arrays(self):
        """Every array of the training state, for a snapshot."""
        return (
            self.coef,
            self.intercept,
            self.avg_coef,
            self.avg_intercept,
            self.avg_count,
            self.q,
            self.norms,
        )

    def is_finite(self):
        return np.isfinite(self.coef).all() and np.isfinite(self.intercept).all()


class Trainer:
    """Runs epochs of a learning rule with a given penalty on :class:`Weights`.

    ``class_weight`` holds one weight per class. ``t`` (in :meth:`epoch`) is
    scikit-learn's step counter: the first sample of a fresh fit is step 1,
    and averaging starts at step ``average`` (0: no averaging).
    """

    def __init__(
        self,
        n_classes,
        class_weight,
        *,
        activation,
        multinomial,
        penalty,
        alpha,
        l1_ratio,
        eta,
        fit_intercept,
        batch_size,
        average,
    ):
        self.n_neurons = 1 if n_classes == 2 else n_classes
        self.multinomial = multinomial and n_classes > 2
        self.n_problems = 1 if self.multinomial else self.n_neurons
        self.batch_size, self.average = batch_size, average
        alpha = alpha if penalty is not None else 0.0
        l1_ratio = {"l1": 1.0, "elasticnet": l1_ratio}.get(penalty, 0.0)
        self.activation = None if activation == "step" else get_activation(activation)
        # sign[c, k]: +1 when class c is neuron k's positive class, else -1;
        # weight[c, k]: the class weight neuron k gives a sample of class c,
        # which one-vs-rest neurons give only their own class.
        if n_classes == 2:
            self.sign = np.array([[-1.0], [1.0]])
        else:
            self.sign = 2.0 * np.eye(n_classes) - 1.0
        class_weight = np.asarray(class_weight, dtype=float)[:, None]
        if n_classes == 2 or self.multinomial:
            self.weight = np.repeat(class_weight, self.n_neurons, axis=1)
        else:
            self.weight = np.where(self.sign > 0, class_weight, 1.0)
        low, high = (0.0, 0.0) if self.activation is None else self.activation.targets
        self.settings = {
            "rule": Rule.MULTINOMIAL
            if self.multinomial
            else Rule.ROSENBLATT
            if self.activation is None
            else Rule.DELTA,
            "activation": ACTIVATIONS.index(activation) if self.activation else 0,
            "slope": getattr(self.activation, "negative_slope", 1.0)
            * getattr(self.activation, "alpha", 1.0),
            "low": low,
            "high": high,
            "eta": eta,
            "rho": max(0.0, 1.0 - eta * alpha * (1.0 - l1_ratio)),
            "l1_step": eta * alpha * l1_ratio,
            "alpha": alpha,
            "l1_ratio": l1_ratio,
            "fit_intercept": fit_intercept,
            "t": 1,
            "average": average,
        }

    def new_weights(self, coef, intercept):
        return Weights(coef, intercept, self.average > 0, self.settings["l1_step"] > 0)

    def epoch(self, X, rows, y, sample_weight, weights, t, active):
        """One pass over ``rows`` (int32 row indices) for the ``active``
        neurons (the others keep their weights). Returns the summed objective
        of each problem and the number of samples the rule got wrong."""
        if self.batch_size > 1:
            return minibatch_epoch(self, X, rows, y, sample_weight, weights, t, active)
        dtype = weights.coef.dtype
        if sp.issparse(X):
            data, indices, indptr = X.data, X.indices, X.indptr
        else:
            data, indices, indptr = X.reshape(-1), _NO_INDEX, _NO_INDEX
        loss = np.zeros(self.n_neurons)
        weights.u, n_wrong = online_epoch(
            {**self.settings, "t": t},
            data,
            indices,
            indptr,
            rows,
            y,
            np.empty(0, dtype) if sample_weight is None else sample_weight,
            self.weight,
            active.view(np.uint8),
            weights.coef,
            weights.intercept,
            weights.avg_coef,
            weights.avg_intercept,
            weights.avg_count,
            weights.q,
            weights.norms,
            loss,
            np.empty(self.n_neurons),
            np.empty(self.n_neurons),
            weights.u,
        )
        return loss[: self.n_problems], n_wrong

    def penalty(self, norms):
        """``alpha ((1 - l1_ratio) ||w||² / 2 + l1_ratio |w|_1)``, per neuron."""
        s = self.settings
        return s["alpha"] * (
            (1 - s["l1_ratio"]) * 0.5 * norms[0] + s["l1_ratio"] * norms[1]
        )

    def decide(self, Z, y, sample_weight):
        """The rule applied to each row of ``Z`` on its own: the updates ``C``,
        the losses per problem and which rows were mistakes (as the kernel's
        ``decide``, for a whole batch)."""
        eta = self.settings["eta"]
        step = eta * self.weight[y]
        if sample_weight is not None:
            step *= sample_weight[:, None]
        if self.multinomial:
            rival = np.where(self.sign[y] > 0, -np.inf, Z).argmax(axis=1)
            rows = np.arange(len(y))
            margin = Z[rows, rival] - Z[rows, y]
            wrong = margin >= 0
            C = np.zeros_like(Z)
            C[rows[wrong], y[wrong]] = step[wrong, 0]
            C[rows[wrong], rival[wrong]] = -step[wrong, 0]
            return C, np.array([np.maximum(margin, 0).sum()]), wrong
        sign = self.sign[y]
        margin = sign * Z
        if self.activation is None:
            C = step * sign * (margin <= 0)
            loss = np.maximum(-margin, 0).sum(axis=0)
        else:
            A = self.activation.forward(Z.astype(float))
            low, high = self.activation.targets
            error = np.where(sign > 0, high, low) - A
            loss = 0.5 * np.square(error).sum(axis=0)
            C = step * self.activation.backprop(error, z=Z.astype(float), a=A)
        return C, loss, (margin <= 0).any(axis=1)


_NO_INDEX = np.empty(0, dtype=np.int32)


def minibatch_epoch(trainer, X, rows, y, sample_weight, weights, t, active):
    """Each batch is scored at once and moves the weights by the mean of its
    samples' updates, after one decay step; then the L1 truncation of every
    weight and, from step ``average`` on, the average, weighted by the batch
    size."""
    s = trainer.settings
    loss = np.zeros(trainer.n_problems)
    n_wrong = 0
    W, b = weights.coef, weights.intercept
    for start in range(0, len(rows), trainer.batch_size):
        batch = rows[start : start + trainer.batch_size]
        n = len(batch)
        Xb = X[batch]
        swb = None if sample_weight is None else sample_weight[batch]
        Z = np.asarray(safe_sparse_dot(Xb, W.T)) + b
        C, batch_loss, wrong = trainer.decide(Z, y[batch], swb)
        C = (C[:, active] / n).astype(W.dtype)
        if s["alpha"] > 0:
            penalty = n * trainer.penalty([np.square(W).sum(1), np.abs(W).sum(1)])
            batch_loss += penalty.sum(keepdims=True) if trainer.multinomial else penalty
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
        loss += batch_loss
        n_wrong += np.count_nonzero(wrong)
    return loss, n_wrong


def _truncate(weights, active):
    """The cumulative L1 penalty (the kernel's ``truncate``) on every weight
    of the ``active`` neurons."""
    W, q, u = weights.coef[active], weights.q[active], weights.u
    shrunk = np.where(
        W > 0,
        np.maximum(W - (u + q), 0),
        np.where(W < 0, np.minimum(W + (u - q), 0), W),
    )
    weights.q[active] = q + (shrunk - W)
    weights.coef[active] = shrunk


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
    train,
    val=None,
    verbose=0,
    on_epoch_begin=None,
    on_epoch_end=None,
):
    """Train for up to ``max_iter`` epochs, each problem until its score has
    not beaten its best by ``tol`` for ``patience`` epochs (never, with
    ``tol=None``). The score is minus the mean objective, or the accuracy on
    the rows ``val`` when given; training visits the rows ``train`` (int32).
    ``y`` holds class indices (int32), ``rng`` shuffles ``train`` in place,
    ``t`` is the step count before the first epoch. The hooks are the MLP
    loop's: ``on_epoch_begin(epoch)`` before each epoch (counted from 1) and
    ``on_epoch_end(info)`` after it, with an :class:`~sknn._training.EpochInfo`
    (the loss is the mean objective); a true return value stops training.

    A diverging epoch (non-finite weights) is undone, warned about, and
    ends training, as the MLP's. Returns the number of epochs completed and
    the mistakes made in each.
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
        last_finite = [array.copy() for array in weights.arrays()]
        with np.errstate(over="ignore", invalid="ignore"):
            loss, n_wrong = trainer.epoch(
                X, train, y, sample_weight, weights, t, active
            )
        if not weights.is_finite():
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
            val_scores = None if val is None else scores
            _report(epoch, weights, objective, t - t_start, n_wrong, val_scores)
            print(f"Total training time: {time.perf_counter() - start:.2f} seconds.")
        if tol is not None:
            for k, score in zip(problems, scores):
                if val is None:
                    histories[k].loss_curve.append(-score)
                update_no_improvement_count(
                    histories[k], tol, None if val is None else score
                )
                if histories[k].no_improvement_count >= patience:
                    active[slice(None) if trainer.multinomial else k] = False
        info = EpochInfo(
            epoch,
            float(np.mean(objective)),
            None if val is None else float(np.mean(scores)),
            time.perf_counter() - start,
        )
        if on_epoch_end is not None and on_epoch_end(info):
            break
        if not active.any():
            break
    return epoch, errors


def _warn_divergence(epoch):
    warnings.warn(
        f"Training diverged in epoch {epoch}: the weights overflowed. The weights "
        "from before that epoch were kept. Scale the input (StandardScaler or "
        "MinMaxScaler) or lower eta0.",
        ConvergenceWarning,
        stacklevel=5,
    )


def _validation_scores(trainer, weights, X, y, sample_weight, val):
    """Per active problem: each one-vs-rest neuron's weighted accuracy at
    telling its class from the rest, or the multiclass accuracy."""
    sw = np.ones(len(val)) if sample_weight is None else sample_weight[val]
    if not sw.sum() > 0:
        raise ValueError(
            "The sample weights of the validation set are all zero; change "
            "random_state or validation_fraction."
        )
    Z = np.asarray(safe_sparse_dot(X[val], weights.coef.T)) + weights.intercept
    if trainer.multinomial:
        right = Z.argmax(axis=1) == y[val]
    else:
        right = (Z > 0) == (trainer.sign[y[val]] > 0)
    return sw @ right / sw.sum()


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
    print(f"-- Epoch {epoch}\n{line}")
