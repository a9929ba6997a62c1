"""The perceptron's weights in one object, kept so that every step costs O(nnz).

:class:`Weights` holds the neurons' weights and biases, the averaged
perceptron's running sums, the cumulative L1 penalty's memory and the norms
the objective reads. Three of these would cost a pass over every weight at
every step if kept literally: the L2 decay multiplies every weight, the
average adds every weight, and the norms sum every weight. Instead, as in
scikit-learn's ``WeightVector`` (after Bottou, "Stochastic gradient descent
tricks", 2012), a neuron's weights are ``w = scale * v``: a decay multiplies
the scale; a step changes ``v`` at the row's features only; the running sum of
the weights is ``sums + scale_sum * v``, so that a step at a feature moves its
sum and averaging a step adds the scale to ``scale_sum``; and a step updates
the norms by the change at the features it touched. :meth:`Weights.settle`
folds the lazy terms back (``scale`` 1, ``scale_sum`` 0), which the pass does
at its end: between passes, ``coef`` holds the weights themselves and
``average_coef`` their plain running sum. The methods a pass calls for every
row are defined inline in ``_perceptron_weights.pxd``; the rest is here.
"""

import numpy as np

from libc.math cimport fabs, isfinite

include "_build_info.pxi"

# Below this scale, multiply it into the weights (as scikit-learn does), so
# that ``v = w / scale`` stays far from overflow in the weights' dtype.
cdef double MIN_SCALE_DOUBLE = 1e-9
cdef double MIN_SCALE_SINGLE = 1e-6
# With averaging, the running sum ``sums + scale_sum * v`` is a difference of
# terms up to 1 / scale times larger than the sum: below this scale it would
# lose more than a few bits, so the lazy terms are settled. The cost, one
# pass over the weights every ln(1 / MIN_SCALE_AVERAGING) / ln(1 / rho)
# steps, is one pass per 27,000 steps at scikit-learn's default eta alpha.
cdef double MIN_SCALE_AVERAGING = 0.0625


cdef inline void norms_of(
    const floating *v, Py_ssize_t n, double scale, double *squares, double *magnitudes
) noexcept nogil:
    """``||scale v||^2`` and ``|scale v|_1``, summed in double."""
    cdef Py_ssize_t j
    cdef double sq = 0.0, l1 = 0.0
    for j in range(n):
        sq += <double>v[j] * v[j]
        l1 += fabs(v[j])
    squares[0] = scale * scale * sq
    magnitudes[0] = scale * l1


cdef inline bint all_finite(const floating *values, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t j
    for j in range(n):
        if not isfinite(values[j]):
            return False
    return True


cdef inline void settle_row(
    floating *v, double *sums, Py_ssize_t n, double scale, double scale_sum
) noexcept nogil:
    """Fold ``scale_sum * v`` into ``sums`` and ``scale`` into ``v``."""
    cdef Py_ssize_t j
    if scale_sum != 0.0:
        for j in range(n):
            sums[j] += scale_sum * v[j]
    if scale != 1.0:
        for j in range(n):
            v[j] = <floating>(scale * v[j])


cdef class Weights:
    """The weights of the perceptron's neurons and everything their rule keeps.

    Parameters
    ----------
    coef : ndarray of shape (n_neurons, n_features), float32 or float64
        The initial weights, C-contiguous; trained in place.
    intercept : ndarray of shape (n_neurons,), ``coef``'s dtype
        The initial biases; trained in place.
    averaging : bool
        Whether to keep the running sums of the averaged perceptron.
    penalised : bool
        Whether the objective has a penalty, which reads the norms.
    l1 : bool
        Whether the penalty has an L1 part, which needs the cumulative
        penalty's memory.

    Attributes
    ----------
    coef, intercept : ndarray
        The weights and biases (between passes; see the module's docstring).
    average_coef, average_intercept : ndarray of float64
        Their running sums since averaging began, empty without averaging.
    average_count : ndarray of shape (n_neurons,), float64
        The steps summed per neuron (a neuron that stopped sums no more).
    l1_received : ndarray, ``coef``'s shape and dtype
        The L1 penalty each weight has received (Tsuruoka et al.'s ``q``);
        empty without an L1 part.
    l1_owed : float
        The L1 penalty owed to every weight so far (their ``u``).
    norms : ndarray of shape (2, n_neurons), float64
        ``||w_k||^2`` and ``|w_k|_1``, as scikit-learn keeps them: refreshed
        by a step and scaled by a decay, but not changed by a truncation
        until the neuron's next step. Kept only when ``penalised``.
    pending : ndarray of shape (2, n_neurons), float64
        The truncations' changes to the norms, counted at the next step.
    active : ndarray of shape (n_neurons,), bool
        The neurons still training; a pass leaves the others untouched.
    """

    def __init__(self, coef, intercept, *, averaging, penalised, l1):
        cdef double[:, ::1] coef64
        cdef float[:, ::1] coef32
        cdef double[::1] intercept64
        cdef float[::1] intercept32
        cdef double[:, ::1] received64
        cdef float[:, ::1] received32
        cdef Py_ssize_t k
        self.n_neurons, self.n_features = coef.shape
        self.single = coef.dtype == np.float32
        self.averaging, self.penalised, self.l1 = averaging, penalised, l1
        self.coef, self.intercept = coef, intercept
        shape, n = coef.shape, self.n_neurons
        self.average_coef = np.zeros(shape if averaging else (0, 0))
        self.average_intercept = np.zeros(n if averaging else 0)
        self.average_count = np.zeros(n)
        self.l1_received = np.zeros(shape if l1 else (0, 0), dtype=coef.dtype)
        self.l1_owed = 0.0
        self.norms = np.zeros((2, n))
        self.active = np.ones(n, dtype=bool)
        if self.single:
            coef32, intercept32, received32 = coef, intercept, self.l1_received
            self.coef_data, self.intercept_data = &coef32[0, 0], &intercept32[0]
            self.received_data = &received32[0, 0] if l1 else NULL
        else:
            coef64, intercept64, received64 = coef, intercept, self.l1_received
            self.coef_data, self.intercept_data = &coef64[0, 0], &intercept64[0]
            self.received_data = &received64[0, 0] if l1 else NULL
        self.coef_sum, self.intercept_sum = self.average_coef, self.average_intercept
        self.count, self.norm = self.average_count, self.norms
        self.training = self.active.view(np.uint8)
        self.scale, self.scale_sum = np.ones(n), np.zeros(n)
        self.min_scale = (
            MIN_SCALE_AVERAGING if averaging
            else MIN_SCALE_SINGLE if self.single else MIN_SCALE_DOUBLE
        )
        self.pending = np.zeros((2, n))
        self.pending_norm = self.pending
        if penalised:
            for k in range(n):
                self.refresh_norms(k)

    def arrays(self):
        """Every array of the training state."""
        return (self.coef, self.intercept, self.average_coef, self.average_intercept,
                self.average_count, self.l1_received, self.norms, self.pending)

    def remember(self, kept=None):
        """Copy the training state into ``kept`` (made on first need); return it.

        :meth:`restore` brings it back. Reusing ``kept`` epoch after epoch
        keeps one copy of the state alive, never two.
        """
        arrays = self.arrays()
        if kept is None:
            kept = [np.empty_like(array) for array in arrays] + [0.0]
        for copy, array in zip(kept, arrays):
            np.copyto(copy, array)
        kept[len(arrays)] = self.l1_owed  # (no negative index: wraparound is off)
        return kept

    def restore(self, kept):
        """Bring back the training state that :meth:`remember` kept."""
        arrays = self.arrays()
        for copy, array in zip(kept, arrays):
            np.copyto(array, copy)
        self.l1_owed = kept[len(arrays)]

    def finite(self):
        """Whether every weight and bias is finite."""
        cdef Py_ssize_t n = self.n_neurons * self.n_features
        cdef bint finite
        with nogil:
            if self.single:
                finite = all_finite(<float *>self.coef_data, n) and all_finite(
                    <float *>self.intercept_data, self.n_neurons)
            else:
                finite = all_finite(<double *>self.coef_data, n) and all_finite(
                    <double *>self.intercept_data, self.n_neurons)
        return finite

    def resume_average(self, coef, intercept, count):
        """Start the running sums from an earlier average of ``count`` steps."""
        self.average_coef += count * coef
        self.average_intercept += count * intercept
        self.average_count += count

    def restart_average(self):
        """Empty the running sums of the neurons still training."""
        self.average_coef[self.active] = 0.0
        self.average_intercept[self.active] = 0.0
        self.average_count[self.active] = 0.0

    def averages(self):
        """The averaged weights and biases in the weights' dtype.

        A neuron with no step averaged yet keeps its current weights.
        """
        count = np.maximum(self.average_count, 1)
        coef = np.divide(self.average_coef, count[:, None])
        intercept = self.average_intercept / count
        unseen = self.average_count == 0
        coef[unseen], intercept[unseen] = self.coef[unseen], self.intercept[unseen]
        dtype = self.coef.dtype
        return coef.astype(dtype, copy=False), intercept.astype(dtype, copy=False)

    cdef void settle(self, Py_ssize_t k) noexcept nogil:
        """Fold neuron ``k``'s lazy terms back: ``scale`` 1, ``scale_sum`` 0."""
        cdef Py_ssize_t n = self.n_features, start = k * self.n_features
        cdef double *sums = &self.coef_sum[k, 0] if self.scale_sum[k] != 0.0 else NULL
        if self.single:
            settle_row(<float *>self.coef_data + start, sums, n, self.scale[k],
                       self.scale_sum[k])
        else:
            settle_row(<double *>self.coef_data + start, sums, n, self.scale[k],
                       self.scale_sum[k])
        self.scale[k], self.scale_sum[k] = 1.0, 0.0

    cdef void refresh_norms(self, Py_ssize_t k) noexcept nogil:
        """Sum neuron ``k``'s norms from its weights.

        In double: a float32 weight's square is finite there, and a float64
        weight beyond 1e154 has an infinite square, the truthful norm.
        """
        cdef Py_ssize_t start = k * self.n_features
        if self.single:
            norms_of(<const float *>self.coef_data + start, self.n_features,
                     self.scale[k], &self.norm[0, k], &self.norm[1, k])
        else:
            norms_of(<const double *>self.coef_data + start, self.n_features,
                     self.scale[k], &self.norm[0, k], &self.norm[1, k])
        self.pending_norm[0, k] = self.pending_norm[1, k] = 0.0
