"""Training the perceptron: its rule's settings, patience, and the passes over X.

An epoch is one call of the compiled pass
:func:`sknn._perceptron_online.train_pass`, online or a batch at a time, on
the weights of a :class:`~sknn._perceptron_weights.Weights`. :class:`Trainer`
fills the rule's settings from the estimator's; :class:`Patience` is the
stopping rule; :func:`train_neurons` runs the epochs with the MLP's hooks and
divergence warning (:mod:`sknn._divergence`). A *problem* is what the
stopping rule watches: each one-vs-rest neuron is one; the multinomial
rule's neurons are one. Scoring outside the passes is
:mod:`sknn._perceptron_scoring`'s.
"""

import time

import numpy as np

from sknn._divergence import raise_unusable_fit, warn_divergence
from sknn._history import EpochInfo
from sknn._perceptron_online import ActivationCode, Rule, Samples, train_pass
from sknn._perceptron_weights import Weights
from sknn.activations import get_activation

__all__ = ["Patience", "Trainer", "train_neurons"]


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


def train_neurons(
    trainer,
    weights,
    X,
    y,
    sample_weight,
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
    resumed=False,
):
    """Train up to ``max_iter`` epochs; return the epochs run and their mistakes.

    Each epoch is a pass over ``rows`` (int32 indices into ``X``, ``y``
    (class indices, int32) and ``sample_weight`` (None: all 1), shuffled in
    place by ``rng`` unless None); ``t`` is the step count before the first.
    Each problem trains until ``patience`` (None: never) runs out on minus
    its mean objective, or on ``validation(weights)``, its accuracy on
    held-out rows. The hooks are the MLP loop's:
    ``on_epoch_begin(epoch)``, then ``on_epoch_end(info)`` with an
    :class:`~sknn._history.EpochInfo`, whose true return stops training. A
    diverging epoch is undone with the MLPs' warning and ends training; if
    it is the first and the weights are not ``resumed`` from an earlier fit,
    nothing was fitted, and the MLPs' error is raised instead.
    """
    samples = Samples(X, y, sample_weight)
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
            if epoch == 1 and not resumed:
                raise_unusable_fit(X, rate="eta0")
            weights.restore(kept)
            warn_divergence(epoch, X, rate="eta0")
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
