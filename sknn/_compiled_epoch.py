"""Which stochastic fits train one compiled call per epoch, and the hand-over.

A stochastic epoch on the numpy path (:func:`sknn._training.one_epoch`) costs
a dozen Python calls per mini-batch, each with a fixed cost of microseconds;
beside the products of a small network (a 200 x 64 batch through 100 units:
about 0.15 ms) those costs double the time of a fit. The compiled epoch
(:class:`sknn._epoch_kernel.EpochKernel`) runs every batch of an epoch, from
the gather of its rows to the optimizer's step, in one call, through the
network's own workspaces and buffers.

It computes what the numpy path computes, in the same order; its products go
through scipy's BLAS rather than numpy's, which round some shapes
differently, so the two agree to rounding (bit for bit where the two BLAS
builds agree). :func:`numpy_reason` says, for every setting the compiled epoch
does not run, why that fit stays on the numpy path.
"""

import numpy as np
from scipy import sparse

from sknn._epoch_kernel import ACTIVATIONS, LOSSES, EpochKernel, rows_in_place
from sknn._network import MAX_BATCH_ROWS
from sknn._optimizers import SGD, Adam

__all__ = ["CompiledEpochs", "numpy_reason"]


def numpy_reason(network, optimizer, batches, recorder=None):
    """Return why this fit's epochs run on the numpy path, or None if they compile.

    Parameters
    ----------
    network : Network
    optimizer : SGD or Adam
    batches : MiniBatches
    recorder : DiagnosticsRecorder, optional

    Returns
    -------
    str or None
    """
    X = batches.X
    if recorder is not None:
        return "diagnostics read every batch's layers and gradients in Python"
    if sparse.issparse(X):
        return "sparse input is multiplied through scipy.sparse"
    if not (isinstance(X, np.ndarray) and X.dtype == network.dtype and X.flags.aligned):
        return "the data is not an aligned array of the network's dtype"
    if network.dropout:
        return "dropout draws its masks from numpy's random generator"
    if network.input_layer is not None:
        return "the input layer (embeddings) has no compiled pass"
    if batches.smoothing is not None and batches.Y.dtype != np.bool_:
        return "label smoothing is compiled for boolean targets only"
    for activation in network.activations:
        if activation.name not in ACTIVATIONS:
            return (
                f"the {activation.name} activation has no compiled pass: numpy's "
                "vectorised functions are faster than the C library's scalar "
                "ones a compiled loop would call"
            )
    if network.loss.name not in LOSSES:
        return f"the {network.loss.name} loss has no compiled output pass"
    if type(optimizer) not in (SGD, Adam):
        return f"{type(optimizer).__name__} has no compiled step"
    if batches.batch_size > MAX_BATCH_ROWS:
        return (
            f"batches above {MAX_BATCH_ROWS} rows go through the network in "
            "pieces, to bound the workspaces' memory"
        )
    return None


class CompiledEpochs:
    """A fit's epochs as compiled calls, on the network's buffers.

    Parameters
    ----------
    network : Network
    optimizer : SGD or Adam
        Built on ``network.params``; its learning rate and step count are
        read before every epoch and the step count written back after it.
    batches : MiniBatches
        The training data; its current order (``batches.order``) is read
        before every epoch.
    shuffled : bool
        Whether the batches will be shuffled (their rows then need a buffer).

    Notes
    -----
    No array the size of the data is made. The batch buffers are those the
    numpy path would allocate: the gathered rows (when shuffled, or when X's
    rows are not contiguous), the targets in the network's dtype (unless
    they are read in place) and the gathered sample weights.
    """

    def __init__(self, network, optimizer, batches, shuffled):
        dtype = network.dtype
        size = batches.batch_size
        X, Y, weights = batches.X, batches.Y, batches.sample_weight
        if Y.dtype == np.bool_:
            Y = Y.view(np.uint8)
        elif Y.dtype not in (np.uint8, np.float32, np.float64):
            Y = Y.astype(dtype)  # integer targets: the one case copied
        if weights is not None:
            weights = np.ascontiguousarray(weights, dtype=dtype)
        gathers_rows = shuffled or not rows_in_place(X)
        reads_targets = not shuffled and Y.dtype == dtype and Y.flags.c_contiguous
        buffers = (
            np.empty((size, X.shape[1]), dtype) if gathers_rows else None,
            None if reads_targets else np.empty((size, Y.shape[1]), dtype),
            np.empty(size, dtype) if weights is not None and shuffled else None,
        )
        workspace = network.training_workspace(size)
        kernel_activations = [ACTIVATIONS.index(a.name) for a in network.activations]
        slopes = [getattr(a, "negative_slope", 0.0) for a in network.activations]
        is_sgd = isinstance(optimizer, SGD)
        self._kernel = EpochKernel(
            X,
            Y,
            weights,
            size,
            network.params,
            network.grads,
            network.layer_sizes,
            kernel_activations,
            slopes,
            workspace.outputs,
            workspace.deltas,
            workspace.ones,
            buffers,
            LOSSES.index(network.loss.name),
            0 if is_sgd else 1,
            optimizer.state_arrays,
        )
        # What boolean targets stand for: 0 and 1, or with label smoothing
        # (scale, shift) what the batches' widening makes of them in the
        # network's dtype, scale * Y + shift.
        values = np.array([0, 1], dtype=dtype)
        if batches.smoothing is not None:
            scale, shift = batches.smoothing
            values *= dtype.type(scale)
            values += dtype.type(shift)
        self.target_values = tuple(float(value) for value in values)
        self._optimizer = optimizer
        self._batches = batches

    def run(self, alpha, rate_factors=None, max_norm=None):
        """Train one epoch; return its mean loss (or the first non-finite one).

        Parameters
        ----------
        alpha : float
            The L2 penalty's strength.
        rate_factors : ndarray of float64, optional
            A learning-rate schedule's factor for each step of the epoch.
        max_norm : float, optional
            Clip each step's gradient (penalty included) to this norm.
        """
        optimizer = self._optimizer
        order = self._batches.order
        if rate_factors is not None:
            rate_factors = np.ascontiguousarray(rate_factors, dtype=np.float64)
        is_sgd = isinstance(optimizer, SGD)
        loss, _, t = self._kernel.run(
            order,
            alpha,
            optimizer.learning_rate,
            optimizer.momentum if is_sgd else 0.0,
            optimizer.nesterov if is_sgd else False,
            0.0 if is_sgd else optimizer.beta_1,
            0.0 if is_sgd else optimizer.beta_2,
            0.0 if is_sgd else optimizer.epsilon,
            0 if is_sgd else optimizer.t,
            optimizer.weight_decay,
            rate_factors,
            0.0 if max_norm is None else max_norm,
            *self.target_values,
        )
        if not is_sgd:
            optimizer.t = t
        return loss
