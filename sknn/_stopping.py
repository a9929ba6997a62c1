"""The stopping rules of the stochastic solvers, scikit-learn's step for step.

After every epoch the loop (:mod:`sknn._training`) asks two questions: did
this epoch improve on the best by at least ``tol``
(:func:`update_no_improvement_count`), and has patience run out
(:func:`check_patience`)? The perceptron keeps a record of its own, one
count per neuron (:class:`sknn._perceptron_training.Patience`), by the same
rule.
"""

from sklearn.exceptions import ConvergenceWarning

from sknn._divergence import scale_advice
from sknn._warnings import warn

__all__ = [
    "MIN_LEARNING_RATE",
    "check_patience",
    "update_no_improvement_count",
    "warn_nan_score",
    "warn_not_converged",
]

MIN_LEARNING_RATE = 1e-6
"""The adaptive schedule stops once the learning rate is at or below this."""


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
    # A NaN score (outputs that overflow on the validation data, a scorer
    # with nothing to measure) improves nothing: the test is written so that
    # it counts as no improvement and is never the best.
    if not validation_score >= history.best_validation_score + tol:
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


def warn_nan_score(epoch):
    """Warn that the validation score of ``epoch`` is NaN, which counts as no gain."""
    warn(
        f"The validation score after epoch {epoch} is NaN: the network's "
        "outputs overflow on the validation data, or the scorer found nothing "
        "to measure. It counts as an epoch without improvement and is never "
        "the best; validation_scores_ records it as NaN.",
        UserWarning,
    )


def warn_not_converged(max_iter, X):
    """Warn that ``max_iter`` epochs ran out before the stopping rule fired."""
    scaling = scale_advice(X)
    warn(
        f"Stochastic optimizer: the maximum number of iterations ({max_iter}) "
        "was reached and the optimization has not converged yet. Increase "
        f"max_iter{', or ' + scaling if scaling else ''}.",
        ConvergenceWarning,
    )
