"""L-BFGS: the full-batch loss minimised by scipy's L-BFGS-B on the flat buffer.

The network keeps all its weights in one contiguous buffer, so scipy's
optimizer works on it directly (:func:`minimize_lbfgs`): each evaluation
writes scipy's point into the buffer and returns the loss with the gradient
(the L2 penalty's included), through the network's workspaces in pieces of
:data:`~sknn._network.MAX_BATCH_ROWS` rows. A search that ends on non-finite
weights falls back to finite ones (:mod:`sknn._divergence`).
"""

import math
import time

import numpy as np
import scipy.optimize
from sklearn.exceptions import ConvergenceWarning

from sknn._divergence import (
    keep_finite_weights,
    raise_unusable_fit,
    scale_advice,
    warn_divergence,
)
from sknn._history import EpochInfo
from sknn._network import MAX_BATCH_ROWS
from sknn._warnings import warn

__all__ = ["minimize_lbfgs"]


def minimize_lbfgs(
    network,
    X,
    Y,
    config,
    history,
    sample_weight=None,
    on_epoch_begin=None,
    on_epoch_end=None,
    recorder=None,
):
    """Minimise the full-batch loss with scipy's L-BFGS-B.

    The objective writes the optimizer's point straight into
    ``network.params`` (every layer is a view of it, so nothing is unpacked)
    and returns the loss with a copy of the gradient buffer, which the next
    call overwrites. ``config.max_iter``, ``config.max_fun`` and
    ``config.tol`` (as ``gtol``) bound the search. ``history.n_iter`` and
    ``history.loss`` are set from the result, and ``history.loss_curve``
    gains the loss of every iteration (scikit-learn keeps no curve for
    L-BFGS). ``on_epoch_begin(iteration)`` is called at the first loss
    evaluation of every iteration, ``on_epoch_end(info)`` after every
    iteration; a true return value stops the search. (Evaluations that end no
    iteration, such as a line search cut short by ``max_fun``, are begun and
    never ended.) A diagnostics ``recorder`` records every iteration as one
    epoch of one full batch, the accepted point's.

    Returns
    -------
    History
        ``history``, updated.
    """
    params = network.params
    start_params = params.copy()
    advise = config.advise_scaling
    losses = []
    n_iterations = 0
    iteration_begun = False
    start = time.perf_counter()

    def loss_and_gradient(x):
        nonlocal iteration_begun
        if on_epoch_begin is not None and not iteration_begun:
            iteration_begun = True
            on_epoch_begin(n_iterations + 1)
        params[...] = x
        with np.errstate(over="ignore", invalid="ignore"):
            loss = network.loss_and_gradient(X, Y, sample_weight, config.alpha)
        losses.append(loss)
        return loss, network.grads.astype(np.float64)

    def after_iteration(x):
        nonlocal n_iterations, iteration_begun
        n_iterations += 1
        iteration_begun = False
        # L-BFGS-B evaluates the accepted point last, so that is its loss.
        history.loss_curve.append(losses[-1])
        if recorder is not None:
            _observe_full_batch(recorder, network, X)
        if on_epoch_end is None:
            return
        info = EpochInfo(n_iterations, losses[-1], None, time.perf_counter() - start)
        if on_epoch_end(info):
            raise StopIteration  # scipy's documented way to end the search

    result = scipy.optimize.minimize(
        loss_and_gradient,
        params.astype(np.float64),
        method="L-BFGS-B",
        jac=True,
        callback=after_iteration,
        options={
            "maxfun": config.max_fun,
            "maxiter": config.max_iter,
            "gtol": config.tol,
        },
    )
    history.n_iter = min(int(result.nit), config.max_iter)
    if np.isfinite(result.x).all() and math.isfinite(result.fun):
        params[...] = result.x
        history.loss = float(result.fun)
        keep_finite_weights(network, X, [params, start_params], advise)
    else:
        if not history.loss_curve:
            raise_unusable_fit(X, advise)
        keep_finite_weights(network, X, [start_params], advise)
        # The loss of weights with finite outputs may still overflow (Poisson's
        # exp); inf is then the loss to report, without numpy's warning.
        with np.errstate(over="ignore", invalid="ignore"):
            history.loss = network.loss_and_gradient(X, Y, sample_weight, config.alpha)
        warn_divergence(history.n_iter + 1, X, advise)
        return history
    if result.status != 0 and not _stopped_by_hook(result):
        scaling = scale_advice(X if advise else None)
        warn(
            f"lbfgs failed to converge after {history.n_iter} iteration(s) "
            f"(status={result.status}): {result.message}. Increase max_iter or "
            f"max_fun{', or ' + scaling if scaling else ''}.",
            ConvergenceWarning,
        )
    return history


def _observe_full_batch(recorder, network, X):
    """Record one L-BFGS iteration as an epoch of one batch, the accepted point's.

    L-BFGS-B evaluates the accepted point last, so the gradient buffer holds
    its gradient; the hidden layers are recomputed piece by piece, since the
    full batch went through the workspaces in pieces.
    """
    recorder.observe_gradient(network)
    for start in range(0, X.shape[0], MAX_BATCH_ROWS):
        piece = X[start : start + MAX_BATCH_ROWS]
        network.fill_workspace(piece)
        recorder.observe_layers(network, piece.shape[0])
    recorder.end_epoch()


def _stopped_by_hook(result):
    return "callback" in str(result.message).lower()
