cimport cython
from cython cimport floating


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
    cdef double[:, ::1] coef_sum, norm, stale
    cdef unsigned char[::1] training

    cdef double score(
        self, Py_ssize_t k, const floating *x, const int *index, Py_ssize_t nnz
    ) noexcept nogil
    cdef void decay(self, Py_ssize_t k, double rho) noexcept nogil
    cdef void add(
        self, Py_ssize_t k, double c, const floating *x, const int *index,
        Py_ssize_t nnz, bint with_intercept,
    ) noexcept nogil
    cdef void truncate(
        self, Py_ssize_t k, double owed, const floating *x, const int *index,
        Py_ssize_t nnz,
    ) noexcept nogil
    cdef void accumulate(self, Py_ssize_t k, double n_steps) noexcept nogil
    cdef void settle(self, Py_ssize_t k) noexcept nogil
    cdef void refresh_norms(self, Py_ssize_t k) noexcept nogil
