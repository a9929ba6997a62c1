"""Training the perceptron: its rule's settings, patience, and the passes over X.

An epoch is one call of the compiled pass
:func:`sknn._perceptron_online.train_pass`, online or a batch at a time, on
the weights of a :class:`~sknn._perceptron_weights.Weights`. :class:`Trainer`
fills the rule's settings from the estimator's; :class:`Patience` is the
stopping rule; :func:`train_neurons` runs the epochs with the MLP's hooks and
divergence policy (:mod:`sknn._divergence`). A *problem* is what the stopping
rule watches: each one-vs-rest neuron is one; the multinomial rule's neurons
are one.
"""

import time

import numpy as np
import scipy.sparse as sp
from sklearn.utils.extmath import safe_sparse_dot

from sknn._divergence import keep_finite_weights, warn_divergence
from sknn._history import EpochInfo
from sknn._perceptron_online import ActivationCode, Rule, train_pass
from sknn._perceptron_weights import Weights
from sknn.activations import get_activation

__all__ = ["Neurons", "Patience", "Trainer", "train_neurons"]

ROWS_AT_ONCE = 4096
"""Rows scored per product outside training, so that scoring X costs a few
megabytes, not a copy of X's size (validation, the final overflow check)."""


class Trainer:
    """The neurons a problem needs and the rule that trains them.

    ``class_weight`` holds one weight per class; ``average`` is the step
    from which the weights are averaged (0: never). The other parameters are
    the estimator's (``eta`` is ``eta0``).
    """

    def __init__(
        self,
        n_classes,
        class_weight,
        activation,
        *,
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
        # Mini-batches without averaging report each neuron's mean weights
        # over its last epoch (see PerceptronClassifier's Notes).
        self.average, self.epoch_average = average, batch_size > 1 and not average
        alpha = alpha if penalty is not None else 0.0
        l1_ratio = {"l1": 1.0, "elasticnet": l1_ratio}.get(penalty, 0.0)
        self.penalised, self.l1 = alpha > 0, eta * alpha * l1_ratio > 0
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
        codes = ActivationCode.__members__
        if type(activation) is not type(get_activation(activation.name)):
            raise ValueError(
                f"activation={activation!r}: the perceptron's compiled rule knows "
                f"the built-in activations only, {', '.join(map(str.lower, codes))}."
            )
        self.rule = Rule(
            codes[activation.name.upper()],
            multinomial=self.multinomial,
            slope=getattr(
                activation, "negative_slope", getattr(activation, "alpha", 0)
            ),
            low=activation.targets[0],
            high=activation.targets[1],
            eta=eta,
            alpha=alpha,
            l1_ratio=l1_ratio,
            fit_intercept=fit_intercept,
            batch_size=batch_size,
            average=1 if self.epoch_average else average,
            class_weight=self.weight,
        )

    def new_weights(self, coef, intercept):
        """The training state of neurons starting from ``coef`` and ``intercept``."""
        averaging = self.average > 0 or self.epoch_average
        penalised, l1 = self.penalised, self.l1
        return Weights(coef, intercept, averaging=averaging, penalised=penalised, l1=l1)

    def accuracies(self, weights, X, y, sample_weight, rows):
        """Each one-vs-rest neuron's weighted accuracy at telling its class
        from the rest on ``rows``, or the multinomial rule's accuracy."""
        sw = sample_weight[rows] if sample_weight is not None else np.ones(len(rows))
        if not sw.sum() > 0:
            raise ValueError(
                "The sample weights of the validation set are all zero; change "
                "random_state or validation_fraction."
            )
        right = np.zeros(self.n_problems)
        for start in range(0, len(rows), ROWS_AT_ONCE):
            part = rows[start : start + ROWS_AT_ONCE]
            Z = safe_sparse_dot(X[part], weights.coef.T, dense_output=True)
            Z += weights.intercept
            if self.multinomial:  # one problem: a column of one score
                correct = (Z.argmax(axis=1) == y[part])[:, None]
            else:
                correct = (Z > 0) == (self.sign[y[part]] > 0)
            right += sw[start : start + ROWS_AT_ONCE] @ correct
        return right / sw.sum()


class Patience:
    """Each problem's best score and the epochs since it beat it by ``tol``.

    A score is minus the epoch's mean objective, or a validation accuracy;
    an epoch counts as an improvement when its score is at least the best so
    far plus ``tol`` (a NaN score never is). A problem whose last
    ``n_iter_no_change`` epochs did not improve is out of patience.
    """

    def __init__(self, n_problems, tol, n_iter_no_change):
        self.tol, self.n_iter_no_change = tol, n_iter_no_change
        self.best = np.full(n_problems, -np.inf)
        self.waited = np.zeros(n_problems, dtype=int)

    def out_of_patience(self, problems, scores):
        """Record the ``scores`` of ``problems``; return those out of patience."""
        improved = scores >= self.best[problems] + self.tol
        self.waited[problems] = np.where(improved, 0, self.waited[problems] + 1)
        self.best[problems] = np.fmax(self.best[problems], scores)
        return problems[self.waited[problems] >= self.n_iter_no_change]


class Neurons:
    """Fitted weights as :func:`~sknn._divergence.keep_finite_weights` sees them."""

    def __init__(self, coef, intercept):
        self.params, self.intercept = coef, intercept

    def finite_on(self, X):
        """Whether the pre-activations of ``X`` are all finite.

        Each is at most the neuron's weights' magnitudes times X's largest
        entry plus its bias; only where that bound nears overflow are the
        rows scored, a few thousand at a time.
        """
        data = X.data if sp.issparse(X) else X
        largest = float(max(data.max(initial=0), -data.min(initial=0)))
        # Row by row: no temporary the size of the weights.
        magnitudes = max(np.abs(row).sum(dtype=float) for row in self.params)
        with np.errstate(over="ignore", invalid="ignore"):
            bound = magnitudes * largest + float(np.abs(self.intercept).max())
            if bound < float(np.finfo(self.params.dtype).max) / 4:
                return True
            for start in range(0, X.shape[0], ROWS_AT_ONCE):
                part = X[start : start + ROWS_AT_ONCE]
                Z = safe_sparse_dot(part, self.params.T, dense_output=True)
                if not np.isfinite(Z + self.intercept).all():
                    return False
        return True


def keep_finite_neurons(X, *weights):
    """Raise the MLPs' divergence error if any ``(coef, intercept)`` of
    ``weights`` overflows on ``X``: the weights reported (an average may stay
    finite where the weights it averages do not) and those training goes on
    from."""
    for i, (coef, intercept) in enumerate(weights):
        if all(coef is not earlier for earlier, _ in weights[:i]):
            neurons = Neurons(coef, intercept)
            keep_finite_weights(neurons, X, [neurons.params], rate="eta0")


def train_neurons(
    trainer,
    weights,
    samples,
    rows,
    *,
    max_iter,
    patience,
    rng,
    t,
    validation=None,
    verbose=0,
    on_epoch_begin=None,
    on_epoch_end=None,
):
    """Train up to ``max_iter`` epochs on ``rows`` (int32 indices into
    ``samples``, shuffled in place by ``rng`` unless None); ``t`` is the step
    count before the first epoch. Each problem trains until ``patience``
    (None: never) runs out on minus its mean objective, or on
    ``validation(weights)``, its accuracy on held-out rows. The hooks are the
    MLP loop's: ``on_epoch_begin(epoch)``, then ``on_epoch_end(info)`` with an
    :class:`~sknn._history.EpochInfo`, whose true return stops training. A
    diverging epoch is undone with the MLPs' warning and ends training.
    Returns the epochs completed and each one's mistakes.
    """
    t_start, errors, kept, start = t, [], None, time.perf_counter()
    for epoch in range(1, max_iter + 1):
        if on_epoch_begin is not None:
            on_epoch_begin(epoch)
        if rng is not None:
            rng.shuffle(rows)
        kept = weights.remember(kept)
        if trainer.epoch_average:
            weights.restart_average()
        loss, n_wrong = train_pass(trainer.rule, weights, samples, rows, t)
        if not weights.finite():
            weights.restore(kept)
            warn_divergence(epoch, samples.X, rate="eta0")
            return epoch - 1, errors
        t += len(rows)
        errors.append(n_wrong)
        problems = np.flatnonzero(weights.active[: trainer.n_problems])
        objective = loss[problems] / len(rows)
        scores = -objective if validation is None else validation(weights)[problems]
        if verbose:
            _report(epoch, weights, objective, t - t_start, n_wrong, validation, scores)
            print(f"Total training time: {time.perf_counter() - start:.2f} seconds.")
        for k in () if patience is None else patience.out_of_patience(problems, scores):
            weights.active[slice(None) if trainer.multinomial else k] = False
        elapsed = time.perf_counter() - start
        val_score = None if validation is None else float(np.mean(scores))
        info = EpochInfo(epoch, float(np.mean(objective)), val_score, elapsed)
        if on_epoch_end is not None and on_epoch_end(info) or not weights.active.any():
            break
    return epoch, errors


def _report(epoch, weights, losses, n_seen, n_wrong, validation, scores):
    bias = weights.intercept
    bias = bias[0] if len(bias) == 1 else np.linalg.norm(bias)
    line = (
        f"Norm: {np.linalg.norm(weights.coef):.2f}, "
        f"NNZs: {np.count_nonzero(weights.coef)}, Bias: {bias:.6f}, "
        f"T: {n_seen}, Avg. loss: {np.mean(losses):.6f}, Mistakes: {n_wrong}"
    )
    if validation is not None:
        line += f", Validation score: {np.mean(scores):.6f}"
    print(f"-- Epoch {epoch}\n{line}")
