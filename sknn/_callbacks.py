"""Progress on long fits, reported through scikit-learn's callback API.

scikit-learn 1.9 added :mod:`sklearn.callback`. An estimator that inherits
:class:`~sklearn.callback.CallbackSupportMixin` accepts
``est.set_callbacks(ProgressBar(), ScoringMonitor(scoring="accuracy"))`` and
reports its work to them as a tree of *tasks*: each task is announced by
``on_fit_task_begin`` and closed by ``on_fit_task_end``, whose callbacks may
ask for an estimator that predicts as the fit stood at that moment, and may
answer True to ask the loop to stop.

sknn reports a call to ``fit`` (or to ``partial_fit``) as one task with one
subtask per epoch, an L-BFGS iteration counting as one (:class:`FitTasks`).
Inside a Pipeline or a search, scikit-learn merges that task into the
meta-estimator's tree, so the progress bars nest. scikit-learn's own
``_fit_context`` (on every ``fit``) calls the callbacks' ``teardown``.

Nothing here costs anything while no callback is set. With a scikit-learn
older than 1.9, :class:`CallbackSupportMixin` is an empty stand-in: there is
no ``set_callbacks`` and so nothing to report to, and everything else works.
"""

import functools

try:
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # scikit-learn < 1.9: no callback API

    class CallbackSupportMixin:
        """An empty stand-in for scikit-learn's mixin where it does not exist."""


__all__ = ["EPOCH_TASK", "LBFGS_TASK", "CallbackSupportMixin", "FitTasks"]

EPOCH_TASK = "epoch"
"""The task name of an epoch of a stochastic solver or of the perceptron."""

LBFGS_TASK = "lbfgs-iter"
"""The task name of an L-BFGS iteration, as scikit-learn's LogisticRegression."""


class FitTasks:
    """The callback tasks of one call to fit: the fit itself, then its epochs.

    :meth:`begin` opens the fit's task, when the estimator has callbacks, and
    returns the training loop's per-epoch hooks; :meth:`end` closes the epoch
    that was cut short, if any (an L-BFGS line search stopped by
    ``max_fun``, a diverging epoch), then the fit's task. A fit that raises
    closes nothing, as scikit-learn's estimators do; the callbacks'
    ``teardown`` runs all the same.

    Parameters
    ----------
    est : estimator
        The estimator being fitted.
    X, y, sample_weight
        The data as passed to fit. The callbacks receive them with every task
        (a ScoringMonitor scores on them), ``sample_weight`` in the metadata.
    n_epochs : int
        The most epochs the fit may run, for the progress bar's total.
    epoch_name : str, default=EPOCH_TASK
        The name of each epoch's task.
    task_name : str, default='fit'
        The name of the fit's task.
    """

    def __init__(
        self,
        est,
        X,
        y,
        sample_weight=None,
        *,
        n_epochs,
        epoch_name=EPOCH_TASK,
        task_name="fit",
    ):
        self.est = est
        self.X = X
        self.y = y
        self.metadata = (
            None if sample_weight is None else {"sample_weight": sample_weight}
        )
        self.n_epochs = n_epochs
        self.epoch_name = epoch_name
        self.task_name = task_name
        self.fitted_state = None
        self._fit_task = None
        self._epoch_task = None

    def begin(self, on_epoch_end=None, fitted_state=None):
        """Open the fit's task; return the loop's ``(on_epoch_begin, on_epoch_end)``.

        Parameters
        ----------
        on_epoch_end : callable, optional
            Another end-of-epoch hook (the verbose printer), run first.
        fitted_state : callable, optional
            ``fitted_state(info)`` returns the attributes that turn a shallow
            copy of ``est`` into an estimator that predicts as ``est`` did at
            the end of the epoch ``info`` describes (``info.epoch`` counts
            from 1). Called only when a callback asks for that
            ``fitted_estimator``; without it, epochs come with none.

        Returns
        -------
        on_epoch_begin : callable or None
            None when no callback listens.
        on_epoch_end : callable or None
            ``on_epoch_end`` itself when no callback listens, so that a fit
            without callbacks runs exactly as before; otherwise a hook that
            runs it, then closes the epoch's task, and returns True when
            either asks to stop.
        """
        # Callbacks propagated from a meta-estimator are set on the estimator
        # too, so an estimator without any has no one to report to.
        if not getattr(self.est, "_skl_callbacks", None):
            return None, on_epoch_end
        self.fitted_state = fitted_state
        self._fit_task = self.est._init_callback_context(
            task_name=self.task_name, max_subtasks=self.n_epochs
        )
        self._fit_task.call_on_fit_task_begin(
            estimator=self.est, X=self.X, y=self.y, metadata=self.metadata
        )

        def end_epoch(info):
            stop = on_epoch_end is not None and on_epoch_end(info)
            return self._end_epoch(info) or bool(stop)

        return self._begin_epoch, end_epoch

    def end(self):
        """Close the epoch cut short, if any, and the fit's task."""
        if self._fit_task is None:
            return
        if self._epoch_task is not None:
            # Work that finished no epoch: an empty task, with no estimator.
            self._epoch_task.call_on_fit_task_end(estimator=self.est)
            self._epoch_task = None
        self._fit_task.call_on_fit_task_end(
            estimator=self.est,
            X=self.X,
            y=self.y,
            metadata=self.metadata,
            reconstruction_attributes={},
        )
        self._fit_task = None

    def _begin_epoch(self, epoch):
        self._epoch_task = self._fit_task.subcontext(task_name=self.epoch_name)
        self._epoch_task.call_on_fit_task_begin(
            estimator=self.est, X=self.X, y=self.y, metadata=self.metadata
        )

    def _end_epoch(self, info):
        task, self._epoch_task = self._epoch_task, None
        attributes = None
        if self.fitted_state is not None:
            # A callable: scikit-learn calls it only if a callback wants the
            # fitted estimator, so a ProgressBar alone copies no weights.
            attributes = functools.partial(self.fitted_state, info)
        return task.call_on_fit_task_end(
            estimator=self.est,
            X=self.X,
            y=self.y,
            metadata=self.metadata,
            reconstruction_attributes=attributes,
        )
