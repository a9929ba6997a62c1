"""The perceptron's online rule: one compiled pass over the samples.

:func:`online_epoch` visits the rows in the given order and, for each row,
scores it with every still-training neuron, lets the rule decide the update,
and applies it (after the L2 decay, before the L1 truncation and the running
average), exactly as the rule is written in a textbook and in scikit-learn's
SGD loop. One-vs-rest neurons all learn from the row while it is in cache, so
X is read once per epoch whatever the number of classes. Nothing is allocated
here: the arrays come from :mod:`sknn._perceptron_training`, which chooses
the dtype.
"""

from libc.math cimport erfc, exp, expm1, fabs, log1p, sqrt, tanh

ctypedef fused floating:
    float
    double

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

cpdef enum Rule:
    ROSENBLATT = 0
    MULTINOMIAL = 1
    DELTA = 2

# The delta rule's activations, by their index in Settings.activation.
ACTIVATIONS = (
    "identity", "logistic", "tanh", "relu", "leaky_relu", "elu", "softplus",
    "gelu", "silu",
)

cdef struct Settings:
    int rule              # ROSENBLATT, MULTINOMIAL or DELTA
    int activation        # index into ACTIVATIONS (DELTA only)
    double slope          # leaky_relu's negative slope, elu's alpha
    double low, high      # the delta rule's targets for the rest and the class
    double eta
    double rho            # L2 decay per step, 1 - eta alpha (1 - l1_ratio)
    double l1_step        # eta alpha l1_ratio, the L1 penalty owed per step
    double alpha, l1_ratio
    bint fit_intercept
    long long t           # the step number of the first row (1 in a fresh fit)
    long long average     # averaging starts at this step; 0: never


cdef inline double logistic(double z) noexcept nogil:
    # Split by sign so that exp never overflows.
    cdef double e
    if z >= 0:
        return 1.0 / (1.0 + exp(-z))
    e = exp(z)
    return e / (1.0 + e)


cdef inline double activate(int f, double slope, double z, double *d) noexcept nogil:
    """Return ``a = f(z)`` and store ``f'(z)`` in ``d``."""
    cdef double a, s, phi
    if f == 0:  # identity
        d[0] = 1.0
        return z
    if f == 1:  # logistic
        a = logistic(z)
        d[0] = a * (1.0 - a)
        return a
    if f == 2:  # tanh
        a = tanh(z)
        d[0] = 1.0 - a * a
        return a
    if f == 3:  # relu
        d[0] = 1.0 if z > 0 else 0.0
        return z if z > 0 else 0.0
    if f == 4:  # leaky_relu
        d[0] = 1.0 if z > 0 else slope
        return z if z > 0 else slope * z
    if f == 5:  # elu
        d[0] = 1.0 if z > 0 else slope * exp(z)
        return z if z > 0 else slope * expm1(z)
    if f == 6:  # softplus: log(1 + e^z) = max(z, 0) + log1p(e^-|z|)
        d[0] = logistic(z)
        return (z if z > 0 else 0.0) + log1p(exp(-fabs(z)))
    if f == 7:  # gelu: z Phi(z), f' = Phi(z) + z phi(z)
        phi = 0.5 * erfc(-z / sqrt(2.0))
        d[0] = phi + z * exp(-0.5 * z * z) / sqrt(2.0 * 3.141592653589793)
        return z * phi
    s = logistic(z)  # silu: z s(z), f' = s (1 + z (1 - s))
    d[0] = s * (1.0 + z * (1.0 - s))
    return z * s


cdef inline double dot(
    const floating *w, const floating *x, const int *idx, Py_ssize_t nnz
) noexcept nogil:
    """``w . x`` over the row's entries; four partial sums keep the adder busy."""
    cdef double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
    cdef Py_ssize_t j = 0
    if idx == NULL:
        while j + 4 <= nnz:
            s0 += <double>w[j] * x[j]
            s1 += <double>w[j + 1] * x[j + 1]
            s2 += <double>w[j + 2] * x[j + 2]
            s3 += <double>w[j + 3] * x[j + 3]
            j += 4
        while j < nnz:
            s0 += <double>w[j] * x[j]
            j += 1
    else:
        while j + 4 <= nnz:
            s0 += <double>w[idx[j]] * x[j]
            s1 += <double>w[idx[j + 1]] * x[j + 1]
            s2 += <double>w[idx[j + 2]] * x[j + 2]
            s3 += <double>w[idx[j + 3]] * x[j + 3]
            j += 4
        while j < nnz:
            s0 += <double>w[idx[j]] * x[j]
            j += 1
    return (s0 + s1) + (s2 + s3)


cdef enum:
    AHEAD = 4  # rows fetched ahead of their turn, to hide the memory's latency

cdef inline void prefetch(const void *start, Py_ssize_t n_bytes) noexcept nogil:
    cdef Py_ssize_t offset
    for offset in range(0, n_bytes, 64):  # one cache line at a time
        SKNN_PREFETCH(<const char *>start + offset)


cdef inline void prefetch_row(
    const floating *data, const int *indices, const int *indptr, Py_ssize_t row,
    Py_ssize_t n_features,
) noexcept nogil:
    """Ask for a row before it is needed: shuffled rows lie far apart in
    memory, and fetching one costs more than scoring it."""
    if indptr == NULL:
        prefetch(&data[row * n_features], n_features * sizeof(floating))
    else:
        n_features = indptr[row + 1] - indptr[row]
        prefetch(&data[indptr[row]], n_features * sizeof(floating))
        prefetch(&indices[indptr[row]], n_features * sizeof(int))


cdef inline void axpy(
    double c, const floating *x, const int *idx, Py_ssize_t nnz, floating *w
) noexcept nogil:
    """``w += c x`` over the row's entries."""
    cdef Py_ssize_t j
    if idx == NULL:
        for j in range(nnz):
            w[j] += c * x[j]
    else:
        for j in range(nnz):
            w[idx[j]] += c * x[j]


cdef inline void truncate(
    double u, const int *idx, Py_ssize_t nnz, floating *w, floating *q
) noexcept nogil:
    """The cumulative L1 penalty (Tsuruoka, Tsujii and Ananiadou, 2009).

    Each weight of the row's features moves towards zero, never across it, by
    the penalty ``u`` owed to every weight so far minus the penalty ``q_j``
    it has received: ``w_j <- max(0, w_j - (u + q_j))`` if ``w_j > 0``,
    ``w_j <- min(0, w_j + (u - q_j))`` if ``w_j < 0``; then ``q_j`` gains
    the change.
    """
    cdef Py_ssize_t n, j
    cdef double before, after
    for n in range(nnz):
        j = n if idx == NULL else idx[n]
        before = w[j]
        after = before
        if before > 0:
            after = before - (u + q[j])
            after = after if after > 0 else 0.0
        elif before < 0:
            after = before + (u - q[j])
            after = after if after < 0 else 0.0
        w[j] = <floating>after
        q[j] += w[j] - before


cdef inline void refresh_norms(
    const floating *w, Py_ssize_t n_features, double *sq, double *l1
) noexcept nogil:
    cdef Py_ssize_t j
    sq[0] = 0.0
    l1[0] = 0.0
    for j in range(n_features):
        sq[0] += <double>w[j] * w[j]
        l1[0] += fabs(w[j])


cdef inline bint decide(
    const Settings *s, Py_ssize_t label, double sw, const double *cw,
    const double *z, double *c, const unsigned char *active, Py_ssize_t n_neurons,
    double *loss,
) noexcept nogil:
    """Write the row's update ``c_k`` for each neuron, add its loss to
    ``loss`` and return whether the row was a mistake.

    ``sw`` is the sample's weight and ``cw[k]`` the weight neuron k gives
    the sample's class. With ``y_k = +1`` for neuron k's class and -1 for
    the rest (for two classes, one neuron whose class is the second):

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
    if s.rule == MULTINOMIAL:
        for k in range(n_neurons):
            c[k] = 0.0
            if k != label and (rival < 0 or z[k] > z[rival]):
                rival = k
        if z[rival] < z[label]:
            return False
        c[label] = s.eta * (cw[label] * sw)
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
        if s.rule == ROSENBLATT:
            if y_k * z[k] <= 0:
                c[k] = (s.eta * y_k) * (cw[k] * sw)
                loss[k] -= y_k * z[k]
        else:
            a = activate(s.activation, s.slope, z[k], &d)
            error = (s.high if positive else s.low) - a
            c[k] = s.eta * (cw[k] * sw) * error * d
            loss[k] += 0.5 * error * error
    return wrong


def decide_rows(
    Settings s,
    const double[:, ::1] Z,
    const int[::1] y,
    const floating[::1] sample_weight,
    const double[:, ::1] class_weight,
    const unsigned char[::1] active,
    double[:, ::1] C,
    double[::1] loss,
):
    """The rule (:func:`decide`) for each row of the scores ``Z`` on its own,
    as the mini-batch mode needs: fills the updates ``C``, adds to ``loss``
    and returns the number of mistaken rows."""
    cdef Py_ssize_t i, n_wrong = 0
    cdef bint weighted = sample_weight.shape[0] > 0
    with nogil:
        for i in range(Z.shape[0]):
            n_wrong += decide(
                &s, y[i], sample_weight[i] if weighted else 1.0,
                &class_weight[y[i], 0], &Z[i, 0], &C[i, 0], &active[0], Z.shape[1],
                &loss[0],
            )
    return n_wrong


def online_epoch(
    Settings s,
    const floating[::1] data,
    const int[::1] indices,
    const int[::1] indptr,
    const int[::1] rows,
    const int[::1] y,
    const floating[::1] sample_weight,
    const double[:, ::1] class_weight,
    const unsigned char[::1] active,
    floating[:, ::1] coef,
    floating[::1] intercept,
    double[:, ::1] average_coef,
    double[::1] average_intercept,
    double[::1] average_count,
    floating[:, ::1] l1_received,
    double[:, ::1] norms,
    double[::1] loss,
    double[::1] z,
    double[::1] c,
    double u,
):
    """One pass of the online rule over ``rows``; returns ``(u, n_wrong)``.

    For each row ``x`` (sample weight ``sw``, class ``y``), in order, and
    each active neuron ``k``:

    1. score ``z_k = w_k . x + b_k`` and add the row's loss, plus the penalty
       ``alpha ((1 - l1_ratio) ||w_k||^2 / 2 + l1_ratio |w_k|_1)`` when there
       is one, to the objective ``loss`` (per neuron; the multinomial rule's
       neurons share ``loss[0]``);
    2. decide the update ``c_k`` (:func:`decide`);
    3. decay ``w_k <- rho w_k`` (the L2 part of the penalty);
    4. step ``w_k <- w_k + c_k x`` and ``b_k <- b_k + c_k``;
    5. with an L1 part, ``u <- u + eta alpha l1_ratio`` and truncate the
       weights of the row's features (:func:`truncate`);
    6. from step ``average`` on, add ``w_k`` and ``b_k`` to the running sums.

    Dense rows come as ``data`` of shape (n_rows * n_features,) with empty
    ``indices`` and ``indptr``; CSR rows as ``data``, ``indices``,
    ``indptr``. An empty ``sample_weight`` weighs every row 1. ``norms``
    holds ``||w_k||^2`` and ``|w_k|_1``, refreshed after a step or a decay
    but not after a truncation, as scikit-learn keeps them.
    """
    cdef Py_ssize_t n_neurons = coef.shape[0], n_features = coef.shape[1]
    cdef Py_ssize_t i, j, k, row, nnz, n_wrong = 0
    cdef const floating *x
    cdef const int *idx
    cdef double sw, penalty
    cdef long long t
    cdef bint dense = indptr.shape[0] == 0, weighted = sample_weight.shape[0] > 0
    cdef const int *indices_ptr = NULL if dense else &indices[0]
    cdef const int *indptr_ptr = NULL if dense else &indptr[0]
    cdef bint track_norms = s.alpha > 0, multinomial = s.rule == MULTINOMIAL
    with nogil:
        for i in range(rows.shape[0]):
            row = rows[i]
            t = s.t + i
            sw = sample_weight[row] if weighted else 1.0
            if dense:
                x, idx, nnz = &data[row * n_features], NULL, n_features
            else:
                x, idx = &data[indptr[row]], &indices[indptr[row]]
                nnz = indptr[row + 1] - indptr[row]
            if i + AHEAD < rows.shape[0]:
                prefetch_row(&data[0], indices_ptr, indptr_ptr, rows[i + AHEAD], n_features)
            for k in range(n_neurons):
                if active[k]:
                    z[k] = dot(&coef[k, 0], x, idx, nnz) + intercept[k]
                    if track_norms:
                        penalty = s.alpha * (
                            (1 - s.l1_ratio) * 0.5 * norms[0, k]
                            + s.l1_ratio * norms[1, k]
                        )
                        loss[0 if multinomial else k] += penalty
            n_wrong += decide(
                &s, y[row], sw, &class_weight[y[row], 0], &z[0], &c[0],
                &active[0], n_neurons, &loss[0],
            )
            if s.l1_step > 0:
                u += s.l1_step
            for k in range(n_neurons):
                if not active[k]:
                    continue
                if s.rho != 1.0:
                    for j in range(n_features):
                        coef[k, j] *= s.rho
                    norms[0, k] *= s.rho * s.rho
                    norms[1, k] *= s.rho
                if c[k] != 0.0:
                    axpy(c[k], x, idx, nnz, &coef[k, 0])
                    if s.fit_intercept:
                        intercept[k] += c[k]
                    if track_norms:
                        refresh_norms(&coef[k, 0], n_features, &norms[0, k], &norms[1, k])
                if s.l1_step > 0:
                    truncate(u, idx, nnz, &coef[k, 0], &l1_received[k, 0])
                if 0 < s.average <= t:
                    for j in range(n_features):
                        average_coef[k, j] += coef[k, j]
                    average_intercept[k] += intercept[k]
                    average_count[k] += 1
    return u, n_wrong
