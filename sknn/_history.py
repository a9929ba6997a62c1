"""What a fit is told and what it records, shared by every solver.

:class:`TrainingConfig` holds the hyper-parameters the training loops read
(scikit-learn's names, without the estimator); :class:`History` is what they
record, handed back by a warm start or ``partial_fit`` to continue from and
published by the estimators as their fitted attributes (``n_iter_``, ``t_``,
``loss_``, ``loss_curve_``, ...); :class:`EpochInfo` is what the per-epoch
hook is told, and :func:`print_progress` the hook behind ``verbose``.
"""

from dataclasses import dataclass, field

import numpy as np

__all__ = ["EpochInfo", "History", "TrainingConfig", "print_progress"]


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
    rate : ScheduledRate or None
        The learning-rate schedule of the stochastic solvers, evaluated
        before every step (:class:`sknn.schedules.ScheduledRate`); None
        steps with the optimizer's learning rate as it is.
    max_grad_norm : float or None
        Gradients whose norm exceeds this are scaled down to it before the
        step; None clips nothing.
    advise_scaling : bool
        Whether warnings and errors may advise scaling the input; False
        where the estimator scales its input itself.
    warn_at_max_iter : bool
        Whether reaching ``max_iter`` warns that training has not
        converged; False where a fixed number of epochs is the plan.
    """

    max_iter: int = 200
    tol: float = 1e-4
    n_iter_no_change: int = 10
    alpha: float = 0.0001
    shuffle: bool = True
    adaptive: bool = False
    max_fun: int = 15000
    rate: object = None
    max_grad_norm: float | None = None
    advise_scaling: bool = True
    warn_at_max_iter: bool = True


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
    validation_losses : list of float or None
        The mean loss on the validation data after every epoch (without the
        penalty, against the true targets), when early stopping.
    learning_rates : list of float
        The learning rate of each epoch's last step, schedule included, over
        all calls (the stochastic solvers only).
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
    validation_losses: list | None = None
    learning_rates: list = field(default_factory=list)
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
            self.validation_losses = []
            self.best_validation_score = -np.inf
            self.best_loss = None
            self.best_params = params.copy()
        elif not early_stopping and self.best_loss is None:
            self.best_loss = np.inf
            self.validation_scores = None
            self.validation_losses = None
            self.best_validation_score = None
            self.best_params = None


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
