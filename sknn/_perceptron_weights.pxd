"""The perceptron's weights as its compiled rule keeps them (see the .pyx).

The methods a pass calls for every row are defined here, inline, so that
the pass (sknn/_perceptron_online.pyx) compiles them into its own loop
instead of calling across modules; the rest is in the .pyx.
"""

cimport cython
from cython cimport floating
from libc.math cimport fabs, isfinite


cdef inline double dot(
    const floating *w, const floating *x, const int *index, Py_ssize_t nnz
) noexcept nogil:
    """``w . x`` over the row's entries; four partial sums keep the adder busy."""
    cdef double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
    cdef Py_ssize_t j = 0
    if index == NULL:
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
            s0 += <double>w[index[j]] * x[j]
            s1 += <double>w[index[j + 1]] * x[j + 1]
            s2 += <double>w[index[j + 2]] * x[j + 2]
            s3 += <double>w[index[j + 3]] * x[j + 3]
            j += 4
        while j < nnz:
            s0 += <double>w[index[j]] * x[j]
            j += 1
    return (s0 + s1) + (s2 + s3)


cdef inline void axpy(
    double c, const floating *x, const int *index, Py_ssize_t nnz, floating *w
) noexcept nogil:
    """``w += c x`` over the row's entries."""
    cdef Py_ssize_t j
    if index == NULL:
        for j in range(nnz):
            w[j] += c * x[j]
    else:
        for j in range(nnz):
            w[index[j]] += c * x[j]


@cython.final
cdef class Weights:
    cdef readonly object coef, intercept, average_coef, average_intercept
    cdef readonly object average_count, l1_received, norms, pending, active
    cdef public double l1_owed
    cdef readonly Py_ssize_t n_neurons, n_features
    cdef readonly bint single, averaging, penalised, l1

    # The arrays above as the compiled rule reads them, and its lazy terms.
    cdef void *coef_data
    cdef void *intercept_data
    cdef void *received_data
    cdef double min_scale
    cdef double[::1] scale, scale_sum, intercept_sum, count
    cdef double[:, ::1] coef_sum, norm, pending_norm
    cdef unsigned char[::1] training

    cdef void settle(self, Py_ssize_t k) noexcept nogil
    cdef void refresh_norms(self, Py_ssize_t k) noexcept nogil

    cdef inline double score(
        self, Py_ssize_t k, const floating *x, const int *index, Py_ssize_t nnz
    ) noexcept nogil:
        """``w_k . x + b_k`` for a row ``x`` (its ``index`` NULL if dense)."""
        cdef const floating *v = <const floating *>self.coef_data + k * self.n_features
        cdef const floating *intercept = <const floating *>self.intercept_data
        return self.scale[k] * dot(v, x, index, nnz) + intercept[k]

    cdef inline void decay(self, Py_ssize_t k, double rho) noexcept nogil:
        """``w_k <- rho w_k`` through the scale alone."""
        self.scale[k] *= rho
        if self.penalised:
            self.norm[0, k] *= rho * rho
            self.norm[1, k] *= rho
            self.pending_norm[0, k] *= rho * rho
            self.pending_norm[1, k] *= rho
        if self.scale[k] < self.min_scale:
            self.settle(k)

    cdef inline void add(
        self, Py_ssize_t k, double c, const floating *x, const int *index,
        Py_ssize_t nnz, bint with_intercept,
    ) noexcept nogil:
        """``w_k <- w_k + c x`` and, ``with_intercept``, ``b_k <- b_k + c``.

        The running sum and the norms change at the row's features only.
        """
        cdef floating *v = <floating *>self.coef_data + k * self.n_features
        cdef floating *intercept = <floating *>self.intercept_data
        cdef double scale = self.scale[k], weight = self.scale_sum[k]
        # No division while the scale is 1 (no L2 part): the common case.
        cdef double step = c if scale == 1.0 else c / scale
        cdef double before, after, squares = 0.0, magnitudes = 0.0
        cdef double *sums = &self.coef_sum[k, 0] if weight != 0.0 else NULL
        cdef Py_ssize_t n, j
        if with_intercept:
            intercept[k] += c
        if sums == NULL and not self.penalised:
            axpy(step, x, index, nnz, v)
            return
        for n in range(nnz):
            j = n if index == NULL else index[n]
            before = v[j]
            v[j] += step * x[n]
            after = v[j]
            if sums != NULL:
                sums[j] -= weight * (after - before)
            squares += after * after - before * before
            magnitudes += fabs(after) - fabs(before)
        if self.penalised:
            self.norm[0, k] += self.pending_norm[0, k] + scale * scale * squares
            self.norm[1, k] += self.pending_norm[1, k] + scale * magnitudes
            self.pending_norm[0, k] = self.pending_norm[1, k] = 0.0
            if not (isfinite(self.norm[0, k]) and isfinite(self.norm[1, k])):
                self.refresh_norms(k)  # the changes overflowed: sum them anew

    cdef inline void truncate(
        self, Py_ssize_t k, double owed, const floating *x, const int *index,
        Py_ssize_t nnz,
    ) noexcept nogil:
        """The cumulative L1 penalty (Tsuruoka, Tsujii and Ananiadou, 2009).

        Each weight of the row's features moves towards zero, never across
        it, by the penalty ``owed`` to every weight so far minus the penalty
        ``q_j`` it has received: ``w_j <- max(0, w_j - (owed + q_j))`` if
        ``w_j > 0``, ``w_j <- min(0, w_j + (owed - q_j))`` if ``w_j < 0``;
        then ``q_j`` gains the change. (``x``'s values are not read.)
        """
        cdef floating *v = <floating *>self.coef_data + k * self.n_features
        cdef floating *received = <floating *>self.received_data + k * self.n_features
        cdef double scale = self.scale[k], weight = self.scale_sum[k]
        cdef double before, after, squares = 0.0, magnitudes = 0.0
        cdef double *sums = &self.coef_sum[k, 0] if weight != 0.0 else NULL
        cdef Py_ssize_t n, j
        for n in range(nnz):
            j = n if index == NULL else index[n]
            before = v[j]
            after = before
            if before > 0:
                after = before - (owed + received[j]) / scale
                after = after if after > 0 else 0.0
            elif before < 0:
                after = before + (owed - received[j]) / scale
                after = after if after < 0 else 0.0
            v[j] = <floating>after
            received[j] += scale * (v[j] - before)
            if sums != NULL:
                sums[j] -= weight * (v[j] - before)
            squares += <double>v[j] * v[j] - before * before
            magnitudes += fabs(v[j]) - fabs(before)
        if self.penalised:
            self.pending_norm[0, k] += scale * scale * squares
            self.pending_norm[1, k] += scale * magnitudes

    cdef inline void accumulate(self, Py_ssize_t k, double n_steps) noexcept nogil:
        """Add the current weights ``n_steps`` times to the running sums."""
        cdef double intercept
        if not self.averaging:
            return
        if self.single:
            intercept = (<float *>self.intercept_data)[k]
        else:
            intercept = (<double *>self.intercept_data)[k]
        self.scale_sum[k] += n_steps * self.scale[k]
        self.intercept_sum[k] += n_steps * intercept
        self.count[k] += n_steps
