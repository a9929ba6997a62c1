"""The perceptron's rule: one compiled pass over the samples, a batch at a time.

:func:`train_pass` visits the rows in the given order, a batch at a time
(one row with ``batch_size=1``, the online rule). Each row of a batch is
scored by every still-training neuron with the weights at the batch's start
and the rule decides its update (:func:`decide`); then the batch's update
(the sum of its rows', divided by the batch size) is applied after the L2
decay and before the L1 truncation and the running average, as the rule is
written in a textbook and in scikit-learn's SGD loop.
One-vs-rest neurons all learn from a row while it is in cache, so X is read
once per epoch whatever the number of classes. The settings live in a
:class:`Rule`, the rows in :class:`Samples`, and the weights in
:class:`sknn._perceptron_weights.Weights`, which keeps every step O(nnz).
"""

import numpy as np

from libc.math cimport NAN, erfc, exp, expm1, fabs, log1p, sqrt, tanh
from cython cimport floating

from sknn._perceptron_weights cimport Weights

include "_build_info.pxi"

cdef extern from *:
    """
    #if defined(__GNUC__)
    #define SKNN_PREFETCH(p) __builtin_prefetch(p)
    #else
    #define SKNN_PREFETCH(p)
    #endif
    """
    void SKNN_PREFETCH(const void *) noexcept nogil


cpdef enum ActivationCode:
    # The neuron's function: STEP learns by Rosenblatt's rule (or the
    # multiclass perceptron's), every other one by the delta rule. The names
    # are sknn.activations.ACTIVATIONS's, upper-cased (a test holds them so).
    STEP
    IDENTITY
    LOGISTIC
    TANH
    RELU
    LEAKY_RELU
    ELU
    SOFTPLUS
    GELU
    SILU


cdef enum Kind:
    ROSENBLATT
    MULTINOMIAL
    DELTA


cdef struct Settings:
    Kind kind
    ActivationCode activation
    double slope          # leaky_relu's negative slope, elu's alpha
    double low, high      # the delta rule's targets for the rest and the class
    double eta
    double rho            # L2 decay per step, max(0, 1 - eta alpha (1 - l1_ratio))
    double l1_step        # eta alpha l1_ratio, the L1 penalty owed per step
    double alpha, l1_ratio
    bint fit_intercept
    Py_ssize_t batch_size
    long long average     # averaging starts at this step; 0: never


cdef class Rule:
    """How the neurons learn: the rule, its activation, its penalty and batch.

    Parameters
    ----------
    activation : ActivationCode
        ``STEP`` for Rosenblatt's rule (the multiclass perceptron's with
        ``multinomial``), any other for the delta rule with that function.
    multinomial : bool
        Whether the neurons learn the multiclass perceptron's rule together.
    slope : float
        leaky_relu's negative slope or elu's alpha (unused otherwise).
    low, high : float
        The delta rule's targets for the rest and for the neuron's class.
    eta : float
        The learning rate.
    alpha, l1_ratio : float
        The penalty's strength and its L1 share (``alpha=0``: no penalty).
    fit_intercept : bool
        Whether the biases learn.
    batch_size : int
        The rows per update; 1 is the online rule.
    average : int
        The step from which the weights are averaged; 0 for never.
    class_weight : ndarray of shape (n_classes, n_neurons), float64
        The weight neuron k gives a sample of class c.
    """

    cdef Settings settings
    cdef const double[:, ::1] class_weight

    def __init__(self, ActivationCode activation, *, bint multinomial, double slope,
                 double low, double high, double eta, double alpha, double l1_ratio,
                 bint fit_intercept, Py_ssize_t batch_size, long long average,
                 const double[:, ::1] class_weight):
        if multinomial and activation != STEP:
            raise ValueError("The multiclass perceptron's rule needs the step.")
        if batch_size < 1:
            raise ValueError(f"batch_size={batch_size}: a batch needs a row.")
        self.settings.kind = (
            MULTINOMIAL if multinomial else ROSENBLATT if activation == STEP else DELTA
        )
        self.settings.activation = activation
        self.settings.slope = slope
        self.settings.low = low
        self.settings.high = high
        self.settings.eta = eta
        self.settings.rho = max(0.0, 1.0 - eta * alpha * (1.0 - l1_ratio))
        self.settings.l1_step = eta * alpha * l1_ratio
        self.settings.alpha = alpha
        self.settings.l1_ratio = l1_ratio
        self.settings.fit_intercept = fit_intercept
        self.settings.batch_size = batch_size
        self.settings.average = average
        self.class_weight = class_weight


cdef class Samples:
    """The training rows as the rule reads them, with their classes and weights.

    Parameters
    ----------
    X : ndarray or CSR matrix of shape (n_samples, n_features)
        float32 or float64, C-contiguous; a CSR matrix with int32 indices.
    y : ndarray of shape (n_samples,), int32
        Each row's class index.
    sample_weight : ndarray of shape (n_samples,) or None
        ``X``'s dtype; None weighs every row 1.
    """

    cdef object arrays    # keeps the arrays the pointers below point into
    cdef const void *data
    cdef const void *sample_weight  # NULL: every row weighs 1
    cdef const int *indices         # NULL for dense rows
    cdef const int *indptr
    cdef const int[::1] y
    cdef readonly Py_ssize_t n_features
    cdef readonly bint single

    def __init__(self, X, const int[::1] y, sample_weight=None):
        cdef const double[::1] data64, weight64
        cdef const float[::1] data32, weight32
        cdef const int[::1] indices, indptr
        dense = not hasattr(X, "indptr")
        data = X.reshape(-1) if dense else X.data
        self.single = data.dtype == np.float32
        self.n_features = X.shape[1]
        self.y = y
        weights = np.empty(0, data.dtype) if sample_weight is None else sample_weight
        if self.single:
            data32, weight32 = data, weights
            self.data = &data32[0] if data32.shape[0] else NULL
            self.sample_weight = &weight32[0] if sample_weight is not None else NULL
        else:
            data64, weight64 = data, weights
            self.data = &data64[0] if data64.shape[0] else NULL
            self.sample_weight = &weight64[0] if sample_weight is not None else NULL
        self.indices = self.indptr = NULL
        if not dense:
            indices, indptr = X.indices, X.indptr
            self.indices = &indices[0] if indices.shape[0] else NULL
            self.indptr = &indptr[0]
        self.arrays = (X, data, y, weights)

    cdef inline Py_ssize_t row(
        self, Py_ssize_t i, const floating **x, const int **index
    ) noexcept nogil:
        """Point ``x`` (and ``index``) at row ``i``; return its number of entries."""
        cdef const floating *data = <const floating *>self.data
        if self.indptr == NULL:
            x[0], index[0] = data + i * self.n_features, NULL
            return self.n_features
        x[0], index[0] = data + self.indptr[i], self.indices + self.indptr[i]
        return self.indptr[i + 1] - self.indptr[i]

    cdef inline void prefetch(self, Py_ssize_t i, const floating *data) noexcept nogil:
        """Ask for row ``i``, its label and its weight before they are needed.

        Shuffled rows lie far apart in memory, and fetching one costs more
        than scoring it.
        """
        SKNN_PREFETCH(&self.y[i])
        if self.sample_weight != NULL:
            SKNN_PREFETCH(<const floating *>self.sample_weight + i)
        if self.indptr == NULL:
            fetch(data + i * self.n_features, self.n_features * sizeof(floating))
        else:
            fetch(data + self.indptr[i], (self.indptr[i + 1] - self.indptr[i])
                  * sizeof(floating))
            fetch(self.indices + self.indptr[i], (self.indptr[i + 1] - self.indptr[i])
                  * sizeof(int))


cdef enum:
    AHEAD = 4  # rows fetched ahead of their turn, to hide the memory's latency


cdef inline void fetch(const void *start, Py_ssize_t n_bytes) noexcept nogil:
    cdef Py_ssize_t offset
    for offset in range(0, n_bytes, 64):  # one cache line at a time
        SKNN_PREFETCH(<const char *>start + offset)


cdef inline double logistic(double z) noexcept nogil:
    # Split by sign so that exp never overflows.
    cdef double e
    if z >= 0:
        return 1.0 / (1.0 + exp(-z))
    e = exp(z)
    return e / (1.0 + e)


cdef inline double activate(
    ActivationCode f, double slope, double z, double *d
) noexcept nogil:
    """Return ``a = f(z)`` and store ``f'(z)`` in ``d``."""
    cdef double a, sigmoid, phi
    if f == IDENTITY:
        d[0] = 1.0
        return z
    if f == LOGISTIC:
        a = logistic(z)
        d[0] = a * (1.0 - a)
        return a
    if f == TANH:
        a = tanh(z)
        d[0] = 1.0 - a * a
        return a
    if f == RELU:
        d[0] = 1.0 if z > 0 else 0.0
        return z if z > 0 else 0.0
    if f == LEAKY_RELU:
        d[0] = 1.0 if z > 0 else slope
        return z if z > 0 else slope * z
    if f == ELU:
        d[0] = 1.0 if z > 0 else slope * exp(z)
        return z if z > 0 else slope * expm1(z)
    if f == SOFTPLUS:  # log(1 + e^z) = max(z, 0) + log1p(e^-|z|)
        d[0] = logistic(z)
        return (z if z > 0 else 0.0) + log1p(exp(-fabs(z)))
    if f == GELU:  # z Phi(z), f' = Phi(z) + z phi(z)
        phi = 0.5 * erfc(-z / sqrt(2.0))
        d[0] = phi + z * exp(-0.5 * z * z) / sqrt(2.0 * 3.141592653589793)
        return z * phi
    if f == SILU:  # z s(z), f' = s (1 + z (1 - s))
        sigmoid = logistic(z)
        d[0] = sigmoid * (1.0 + z * (1.0 - sigmoid))
        return z * sigmoid
    d[0] = NAN  # STEP has no derivative; the delta rule never asks for it
    return NAN


cdef inline bint decide(
    const Settings *settings, Py_ssize_t label, double sample_weight,
    const double *class_weight, const double *z, double *c,
    const unsigned char *active, Py_ssize_t n_neurons, double *loss,
) noexcept nogil:
    """Decide a row's updates; return whether the row was a mistake.

    From the row's scores ``z``, write each neuron's update ``c_k`` and add
    its loss to ``loss``. ``cw_k`` is ``class_weight[k]``, the weight neuron
    k gives the sample's class, and ``sw`` the ``sample_weight``. With
    ``y_k = +1`` for neuron k's class and -1 for the rest (for two classes,
    one neuron whose class is the second):

    * Rosenblatt: ``c_k = eta y_k cw_k sw`` if ``y_k z_k <= 0``, else 0;
      loss ``max(0, -y_k z_k)``.
    * delta rule: ``c_k = eta cw_k sw (t_k - f(z_k)) f'(z_k)``, ``t_k`` the
      high target for the class and the low one for the rest; loss
      ``(t_k - f(z_k))^2 / 2``.
    * multinomial: ``r = argmax_{k != y} z_k`` (the first on a tie); if
      ``z_r >= z_y``, ``c_y = eta cw_y sw`` and ``c_r = -c_y``; loss
      ``max(0, z_r - z_y)``, one problem for all neurons.
    """
    cdef Py_ssize_t k, rival = -1
    cdef double y_k, a, d = 0.0, error
    cdef bint wrong = False, positive
    if settings.kind == MULTINOMIAL:
        for k in range(n_neurons):
            c[k] = 0.0
            if k != label and (rival < 0 or z[k] > z[rival]):
                rival = k
        if z[rival] < z[label]:
            return False
        c[label] = settings.eta * (class_weight[label] * sample_weight)
        c[rival] = -c[label]
        loss[0] += z[rival] - z[label]
        return True
    for k in range(n_neurons):
        c[k] = 0.0
        if not active[k]:
            continue
        positive = label == k if n_neurons > 1 else label == 1
        y_k = 1.0 if positive else -1.0
        wrong |= y_k * z[k] <= 0
        if settings.kind == ROSENBLATT:
            if y_k * z[k] <= 0:
                c[k] = (settings.eta * y_k) * (class_weight[k] * sample_weight)
                loss[k] -= y_k * z[k]
        else:
            a = activate(settings.activation, settings.slope, z[k], &d)
            error = (settings.high if positive else settings.low) - a
            c[k] = settings.eta * (class_weight[k] * sample_weight) * error * d
            loss[k] += 0.5 * error * error
    return wrong


def train_pass(Rule rule, Weights weights, Samples samples, const int[::1] rows,
               long long t):
    """One pass of the rule over ``rows``; returns ``(loss, n_wrong)``.

    ``t`` is the step number of the first row (1 in a fresh fit). For each
    batch of rows (in order, ``batch_size`` at a time) and each active
    neuron ``k``:

    1. score every row ``z_k = w_k . x + b_k`` with the weights at the
       batch's start and add the row's loss, plus the penalty
       ``alpha ((1 - l1_ratio) ||w_k||^2 / 2 + l1_ratio |w_k|_1)`` when there
       is one, to the objective ``loss`` (per neuron; the multinomial rule's
       neurons share ``loss[0]``); decide each row's update ``c_k``
       (:func:`decide`);
    2. decay ``w_k <- rho w_k`` (the L2 part of the penalty), once;
    3. step ``w_k <- w_k + sum(c_k x) / B`` and ``b_k <- b_k + sum(c_k) / B``
       over the batch's rows, ``B`` the batch size;
    4. with an L1 part, owe ``eta alpha l1_ratio`` more to every weight and
       truncate the weights of the batch's features;
    5. from step ``average`` on (the batch's last row's step), add ``w_k``
       and ``b_k`` to the running sums once per row of the batch.

    A short last batch of ``n`` rows counts as ``n / B`` of a batch: its rows
    move the weights as much as any other's, and its decay and L1 penalty are
    that share of a full batch's. ``n_wrong`` counts the rows the rule got
    wrong for at least one neuron; ``loss`` has one entry per neuron.
    """
    if weights.single != samples.single or weights.n_features != samples.n_features:
        raise ValueError("The weights and the rows differ in dtype or features.")
    cdef Py_ssize_t k, n_neurons = weights.n_neurons, n_wrong
    cdef Py_ssize_t batch = max(1, min(rule.settings.batch_size, rows.shape[0]))
    loss = np.zeros(n_neurons)
    cdef double[::1] sums = loss
    cdef double[:, ::1] scores = np.empty((batch, n_neurons))
    cdef double[:, ::1] updates = np.empty((batch, n_neurons))
    with nogil:
        if samples.single:
            n_wrong = pass_over_rows(
                &rule.settings, rule.class_weight, weights, samples,
                <const float *>samples.data, rows, t, scores, updates, sums,
            )
        else:
            n_wrong = pass_over_rows(
                &rule.settings, rule.class_weight, weights, samples,
                <const double *>samples.data, rows, t, scores, updates, sums,
            )
        for k in range(n_neurons):
            weights.settle(k)
    return loss, n_wrong


cdef Py_ssize_t pass_over_rows(
    const Settings *settings, const double[:, ::1] class_weight, Weights weights,
    Samples samples, const floating *data, const int[::1] rows, long long t,
    double[:, ::1] z, double[:, ::1] c, double[::1] loss,
) noexcept nogil:
    """Run :func:`train_pass`'s loop; return the number of mistaken rows.

    Row after row: score it, decide its updates into the batch's buffer, and
    when the batch is complete (the pass's last may be short) apply them
    (:func:`apply_batch`).
    """
    cdef Py_ssize_t n_rows = rows.shape[0], n_neurons = weights.n_neurons
    cdef Py_ssize_t i, k, row, label, nnz, n_wrong = 0, filled = 0
    cdef const floating *x
    cdef const int *index
    cdef const floating *sample_weight = <const floating *>samples.sample_weight
    if n_rows == 0:
        return 0
    # Raw pointers in the loop: the compiler keeps them in registers.
    cdef const int *labels = &samples.y[0]
    cdef const double *class_weights = &class_weight[0, 0]
    cdef double *scores = &z[0, 0]
    cdef double *updates = &c[0, 0]
    cdef double *objective = &loss[0]
    cdef const unsigned char *active = &weights.training[0]
    cdef bint penalised = settings.alpha > 0, multinomial = settings.kind == MULTINOMIAL
    cdef double alpha = settings.alpha, l1_ratio = settings.l1_ratio
    for i in range(n_rows):
        row = rows[i]
        # Asked for now, the label (a miss, rows being shuffled) arrives
        # while the row is scored.
        label = labels[row]
        if i + AHEAD < n_rows:
            samples.prefetch(rows[i + AHEAD], data)
        nnz = samples.row(row, &x, &index)
        for k in range(n_neurons):
            if active[k]:
                scores[filled * n_neurons + k] = weights.score(k, x, index, nnz)
                if penalised:
                    objective[0 if multinomial else k] += alpha * (
                        (1 - l1_ratio) * 0.5 * weights.norm[0, k]
                        + l1_ratio * weights.norm[1, k]
                    )
        n_wrong += decide(
            settings, label, sample_weight[row] if sample_weight != NULL else 1.0,
            class_weights + label * n_neurons, scores + filled * n_neurons,
            updates + filled * n_neurons, active, n_neurons, objective,
        )
        filled += 1
        if settings.batch_size == 1:  # the online rule: a batch known to be 1 row
            apply_batch(settings, weights, samples, &rows[i], 1, updates, t + i, x,
                        index, nnz)
            filled = 0
        elif filled == settings.batch_size or i + 1 == n_rows:
            apply_batch(settings, weights, samples, &rows[i + 1 - filled], filled,
                        updates, t + i, x, index, nnz)
            filled = 0
    return n_wrong


cdef inline void apply_batch(
    const Settings *settings, Weights weights, Samples samples,
    const int *batch, Py_ssize_t size, const double *updates, long long step,
    const floating *x, const int *index, Py_ssize_t nnz,
) noexcept nogil:
    """Move the active neurons by the updates of the ``size`` rows ``batch``.

    ``step`` is the last row's step number; ``x``, ``index`` and ``nnz``
    point at the last row. A short batch (the pass's last) counts its rows
    as a full one does: its decay and L1 penalty are its share of a batch's.
    """
    cdef Py_ssize_t i, k, n_neurons = weights.n_neurons
    cdef double rho = settings.rho, l1_step = settings.l1_step, share
    # Each row's share of the batch's update: a multiplication, exact for
    # batch sizes that are powers of two (1 among them).
    cdef double per_row = 1.0 / settings.batch_size
    if size < settings.batch_size:
        share = <double>size / settings.batch_size
        rho = max(0.0, 1.0 - settings.eta * settings.alpha * (1.0 - settings.l1_ratio)
                  * share)
        l1_step = settings.l1_step * share
    if l1_step > 0:
        weights.l1_owed += l1_step
    for k in range(n_neurons):
        if not weights.training[k]:
            continue
        if rho != 1.0:
            weights.decay(k, rho)
        for i in range(size):
            if updates[i * n_neurons + k] != 0.0:
                if size > 1:
                    nnz = samples.row(batch[i], &x, &index)
                weights.add(k, updates[i * n_neurons + k] * per_row, x, index, nnz,
                            settings.fit_intercept)
        if l1_step > 0:
            # The batch's features: every one for dense rows, so once.
            for i in range(size if samples.indptr != NULL else 1):
                if size > 1:
                    nnz = samples.row(batch[i], &x, &index)
                weights.truncate(k, weights.l1_owed, x, index, nnz)
        if 0 < settings.average <= step:
            weights.accumulate(k, size)
