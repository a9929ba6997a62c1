"""A stochastic solver's epoch as one compiled call, on dense data.

For each mini-batch: gather its rows (and targets, and sample weights) into
the batch buffers, run the forward pass, the loss's value and output delta,
the backward pass and the optimizer's step, all without returning to Python
and without the GIL. The numpy path (:meth:`sknn._network.Network.
loss_and_gradient` and the optimizer's ``step``, driven by
:func:`sknn._training.one_epoch`) takes a dozen Python calls per batch, each
with a fixed cost of microseconds that is large beside the products of a small
network; here an epoch is one call.

Called only by :mod:`sknn._compiled_epoch`, which decides which fits run here
and hands over the network's buffers. Nothing is allocated here.

The same operations in the same order as the numpy path:

* the element-wise passes are the inline functions the numpy path's kernels
  run (``_activation_kernels.pxd``, ``_loss_kernels.pxd``,
  ``_optimizer_kernels.pxd``): one production copy of each;
* every product is the BLAS call ``np.matmul`` makes for the same operands
  (:func:`product` mirrors its choice between gemm, gemv, dot and a plain
  loop), but through scipy's BLAS (``scipy.linalg.cython_blas``), the one a
  compiled extension can call; numpy ships its own build, whose kernels may
  round some shapes differently;
* the sum of a batch's sample weights is numpy's pairwise sum, and the
  penalty's ``||W||²`` is the BLAS dot ``np.dot`` takes;
* the scalars of each step (Adam's bias correction, the decays, the
  clipping factor) are computed in double precision as the optimizers'
  Python code computes them, then rounded to the data's type.
"""

from cython cimport floating
from libc.math cimport isfinite, pow, sqrt
from libc.stdlib cimport free, malloc
from scipy.linalg.cython_blas cimport ddot, dgemm, dgemv, sdot, sgemm, sgemv

from sknn._activation_kernels cimport (
    bias_identity,
    bias_leaky_relu,
    bias_relu,
    leaky_relu_backprop,
    relu_backprop,
)
from sknn._loss_kernels cimport (
    binary_log_loss_rows,
    softmax_log_loss_rows,
    squared_error_rows,
)
from sknn._optimizer_kernels cimport adam_update, penalised_norm, sgd_update

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

import numpy as np

ACTIVATIONS = ("identity", "relu", "leaky_relu")
"""The hidden activations an epoch here can run, by their code (index)."""

LOSSES = ("log_loss", "binary_log_loss", "squared_error")
"""The losses an epoch here can run, by their code (index)."""

OPTIMIZERS = ("sgd", "adam")
"""The optimizers an epoch here can step, by their code (index)."""

cdef enum:
    IDENTITY = 0
    RELU = 1
    LEAKY_RELU = 2
    SOFTMAX_LOG_LOSS = 0
    BINARY_LOG_LOSS = 1
    SQUARED_ERROR = 2
    SGD = 0
    ADAM = 1
    TARGETS_UINT8 = 0
    TARGETS_FLOAT32 = 1
    TARGETS_FLOAT64 = 2

cdef struct Layer:
    Py_ssize_t n_in, n_out
    Py_ssize_t coef, bias      # offsets of W (n_in x n_out, C order) and b
    char* output               # (capacity x n_out) workspace: A, or the logits
    int activation
    double slope               # leaky_relu's negative slope


# -- products, as np.matmul makes them --------------------------------------


cdef inline bint _blasable(
    Py_ssize_t s1, Py_ssize_t s2, Py_ssize_t d1, Py_ssize_t d2
) noexcept nogil:
    # numpy's test for a matrix BLAS can read without a copy (strides in
    # elements): unit steps along the second axis, rows at least that long.
    return s2 == 1 and s1 >= d2


cdef inline floating _dot(
    Py_ssize_t n, const floating* x, Py_ssize_t incx, const floating* y,
    Py_ssize_t incy
) noexcept nogil:
    # numpy adds the BLAS dot to a double 0 and rounds to the type.
    cdef int n_ = <int>n, incx_ = <int>incx, incy_ = <int>incy
    cdef double total = 0.0
    if floating is double:
        total += ddot(&n_, <double*>x, &incx_, <double*>y, &incy_)
    else:
        total += sdot(&n_, <float*>x, &incx_, <float*>y, &incy_)
    return <floating>total


cdef inline void _gemv(
    const floating* M, Py_ssize_t s_m, Py_ssize_t s_n, const floating* x,
    Py_ssize_t incx, floating* y, Py_ssize_t incy, Py_ssize_t m, Py_ssize_t n
) noexcept nogil:
    # y (m) = M (m x n) x, as numpy's gemv helper orders it: column-major
    # 'T' when M's rows are contiguous, row-major (Fortran 'N') otherwise.
    cdef char trans
    cdef int m_, n_, lda, incx_ = <int>incx, incy_ = <int>incy
    cdef floating one = 1, zero = 0
    if _blasable(s_m, s_n, m, n):
        trans, m_, n_, lda = b'T', <int>n, <int>m, <int>s_m
    else:
        trans, m_, n_, lda = b'N', <int>m, <int>n, <int>s_n
    if floating is double:
        dgemv(&trans, &m_, &n_, &one, <double*>M, &lda, <double*>x, &incx_, &zero,
              y, &incy_)
    else:
        sgemv(&trans, &m_, &n_, &one, <float*>M, &lda, <float*>x, &incx_, &zero,
              y, &incy_)


cdef inline void _gemm(
    Py_ssize_t m, Py_ssize_t n, Py_ssize_t p,
    const floating* A, Py_ssize_t a_m, Py_ssize_t a_n,
    const floating* B, Py_ssize_t b_n, Py_ssize_t b_p,
    floating* C
) noexcept nogil:
    # numpy's row-major cblas gemm, as the Fortran call it becomes: C^T =
    # op(B)^T op(A)^T, with each operand transposed where its rows are not
    # contiguous.
    cdef char trans_a, trans_b
    cdef int m_ = <int>m, n_ = <int>n, p_ = <int>p, lda, ldb, ldc = <int>p
    cdef floating one = 1, zero = 0
    if _blasable(a_m, a_n, m, n):
        trans_a, lda = b'N', <int>a_m
    else:
        trans_a, lda = b'T', <int>a_n
    if _blasable(b_n, b_p, n, p):
        trans_b, ldb = b'N', <int>b_n
    else:
        trans_b, ldb = b'T', <int>b_p
    if floating is double:
        dgemm(&trans_b, &trans_a, &p_, &m_, &n_, &one, <double*>B, &ldb,
              <double*>A, &lda, &zero, C, &ldc)
    else:
        sgemm(&trans_b, &trans_a, &p_, &m_, &n_, &one, <float*>B, &ldb,
              <float*>A, &lda, &zero, C, &ldc)


cdef inline void _loop_product(
    Py_ssize_t m, Py_ssize_t n, Py_ssize_t p,
    const floating* A, Py_ssize_t a_m, Py_ssize_t a_n,
    const floating* B, Py_ssize_t b_n, Py_ssize_t b_p,
    floating* C
) noexcept nogil:
    # numpy's loop for the shapes it keeps from BLAS (an inner dimension of
    # 1, where each entry is a single product)
    cdef Py_ssize_t i, j, k
    cdef floating total
    for i in range(m):
        for j in range(p):
            total = 0
            for k in range(n):
                total += A[i * a_m + k * a_n] * B[k * b_n + j * b_p]
            C[i * p + j] = total


cdef void product(
    Py_ssize_t m, Py_ssize_t n, Py_ssize_t p,
    const floating* A, Py_ssize_t a_m, Py_ssize_t a_n,
    const floating* B, Py_ssize_t b_n, Py_ssize_t b_p,
    floating* C
) noexcept nogil:
    """``C = A @ B`` into C-contiguous ``C`` (m x p), as ``np.matmul`` computes it.

    ``A`` (m x n) and ``B`` (n x p) are given by their strides, in elements,
    so that a transpose is a view. numpy calls BLAS gemm for matrices, gemv
    where one side is a vector, its dot where the result is one number, and
    its own loop where the inner dimension is 1; the same here.
    """
    if m == 1 and p == 1:
        C[0] = _dot(n, A, a_n, B, b_n)
    elif n == 1:
        _loop_product(m, n, p, A, a_m, a_n, B, b_n, b_p, C)
    elif m == 1:
        _gemv(B, b_p, b_n, A, a_n, C, 1, p, n)
    elif p == 1:
        _gemv(A, a_m, a_n, B, b_n, C, 1, m, n)
    else:
        _gemm(m, n, p, A, a_m, a_n, B, b_n, b_p, C)


# -- numpy's sum ------------------------------------------------------------


cdef floating pairwise_sum(const floating* a, Py_ssize_t n) noexcept nogil:
    """``np.sum`` of ``n`` contiguous entries, in numpy's order.

    Eight running sums over blocks of up to 128 entries, combined in pairs;
    longer runs split in two at a multiple of 8, recursively.
    """
    cdef Py_ssize_t i, half
    cdef floating r[8]
    cdef floating total
    if n < 8:
        total = -0.0
        for i in range(n):
            total += a[i]
        return total
    if n <= 128:
        for i in range(8):
            r[i] = a[i]
        i = 8
        while i < n - n % 8:
            r[0] += a[i]
            r[1] += a[i + 1]
            r[2] += a[i + 2]
            r[3] += a[i + 3]
            r[4] += a[i + 4]
            r[5] += a[i + 5]
            r[6] += a[i + 6]
            r[7] += a[i + 7]
            i += 8
        total = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
        while i < n:
            total += a[i]
            i += 1
        return total
    half = n // 2
    half -= half % 8
    return pairwise_sum(a, half) + pairwise_sum(a + half, n - half)


# -- the epoch --------------------------------------------------------------


cdef struct Settings:
    const Py_ssize_t* order
    double alpha
    double learning_rate, momentum
    bint nesterov
    double beta_1, beta_2, epsilon
    long long t
    double weight_decay
    const double* rate_factors
    double max_norm
    double target_off, target_on


cdef struct Result:
    double loss
    Py_ssize_t steps
    long long t


cdef class EpochKernel:
    """A network, its data and its optimizer's state, as pointers for one fit.

    Built once per fit by :mod:`sknn._compiled_epoch` from arrays it keeps
    alive (``self.arrays``); :meth:`run` trains one epoch.
    """

    cdef object arrays
    cdef bint single
    cdef Layer* layers
    cdef Py_ssize_t n_layers
    cdef char* X
    cdef Py_ssize_t n_samples, n_features, x_row, x_col
    cdef bint x_in_place
    cdef char* Y
    cdef int y_kind
    cdef Py_ssize_t n_outputs, y_row, y_col
    cdef bint y_as_is
    cdef char* weights
    cdef char* x_buffer
    cdef char* y_buffer
    cdef char* w_buffer
    cdef char* ones
    cdef char* deltas[2]
    cdef char* params
    cdef char* grads
    cdef Py_ssize_t n_params, n_coef, batch_size
    cdef int loss, optimizer
    cdef char* state[2]

    def __cinit__(self):
        self.layers = NULL

    def __dealloc__(self):
        free(self.layers)

    def __init__(
        self,
        X,
        Y,
        sample_weight,
        Py_ssize_t batch_size,
        params,
        grads,
        layer_sizes,
        activations,
        slopes,
        outputs,
        deltas,
        ones,
        buffers,
        int loss,
        int optimizer,
        state,
    ):
        """Keep the arrays and their addresses; see :mod:`sknn._compiled_epoch`.

        ``X`` is an aligned 2-D array of the parameters' dtype, of any
        strides; ``Y`` has rows of targets as uint8 (boolean indicators),
        float32 or float64; ``sample_weight`` is None or contiguous in the
        parameters' dtype. ``outputs`` holds one C-contiguous workspace per
        layer and ``deltas`` two flat ones, all with at least ``batch_size``
        rows; ``buffers`` are the batch's X, targets and weights (any of them
        None where the batch is read in place). ``state`` holds the
        optimizer's arrays: SGD's velocity, or Adam's two moments.
        """
        cdef Py_ssize_t i, offset_w = 0, offset_b, n_layers = len(layer_sizes) - 1
        itemsize = params.dtype.itemsize
        self.arrays = (
            X, Y, sample_weight, params, grads, outputs, deltas, ones, buffers, state
        )
        self.single = params.dtype == np.float32
        self.n_layers = n_layers
        self.layers = <Layer*>malloc(n_layers * sizeof(Layer))
        if self.layers == NULL:
            raise MemoryError()
        offset_b = sum(
            layer_sizes[i] * layer_sizes[i + 1] for i in range(n_layers)
        )
        self.n_coef = offset_b
        for i in range(n_layers):
            self.layers[i].n_in = layer_sizes[i]
            self.layers[i].n_out = layer_sizes[i + 1]
            self.layers[i].coef = offset_w
            self.layers[i].bias = offset_b
            self.layers[i].output = _address(outputs[i])
            self.layers[i].activation = activations[i] if i < n_layers - 1 else -1
            self.layers[i].slope = slopes[i] if i < n_layers - 1 else 0.0
            offset_w += layer_sizes[i] * layer_sizes[i + 1]
            offset_b += layer_sizes[i + 1]
        self.X = _address(X)
        self.n_samples, self.n_features = X.shape
        self.x_row, self.x_col = (s // itemsize for s in X.strides)
        self.x_in_place = rows_in_place(X)
        self.Y = _address(Y)
        self.n_outputs = Y.shape[1]
        self.y_row, self.y_col = (s // Y.dtype.itemsize for s in Y.strides)
        self.y_kind = (
            TARGETS_UINT8
            if Y.dtype == np.uint8
            else TARGETS_FLOAT32 if Y.dtype == np.float32 else TARGETS_FLOAT64
        )
        # Targets of the parameters' dtype, in C order, are read in place
        # when the batches come in order.
        self.y_as_is = Y.dtype == params.dtype and Y.flags.c_contiguous
        self.weights = NULL if sample_weight is None else _address(sample_weight)
        x_buffer, y_buffer, w_buffer = buffers
        if x_buffer is None and not self.x_in_place:
            raise ValueError("X cannot be read in place: it needs a row buffer.")
        if y_buffer is None and not self.y_as_is:
            raise ValueError("Y cannot be read in place: it needs a buffer.")
        self.x_buffer = NULL if x_buffer is None else _address(x_buffer)
        self.y_buffer = NULL if y_buffer is None else _address(y_buffer)
        self.w_buffer = NULL if w_buffer is None else _address(w_buffer)
        self.ones = _address(ones)
        self.deltas[0] = _address(deltas[0]) if len(deltas) > 0 else NULL
        self.deltas[1] = _address(deltas[1]) if len(deltas) > 1 else NULL
        self.params = _address(params)
        self.grads = _address(grads)
        self.n_params = params.shape[0]
        self.batch_size = batch_size
        self.loss = loss
        self.optimizer = optimizer
        self.state[0] = _address(state[0])
        self.state[1] = _address(state[1]) if len(state) > 1 else NULL

    def run(
        self,
        order,
        double alpha,
        double learning_rate,
        double momentum,
        bint nesterov,
        double beta_1,
        double beta_2,
        double epsilon,
        long long t,
        double weight_decay,
        rate_factors,
        double max_norm,
        double target_off,
        double target_on,
    ):
        """Train one epoch; return ``(loss, steps, t)``.

        ``loss`` is the epoch's mean loss, or the first non-finite batch loss
        (no step is taken from it); ``steps`` the steps taken; ``t`` Adam's
        step count after them. ``order`` (intp, or None for the stored order)
        is the sample order; ``rate_factors`` (float64, one per batch, or
        None for 1) the schedule's factor on the learning rate of each step;
        ``max_norm`` the clipping norm (0: no clipping); ``target_off`` and
        ``target_on`` the values boolean targets stand for.
        """
        cdef const Py_ssize_t[::1] order_view
        cdef const double[::1] factor_view
        cdef const Py_ssize_t* order_ptr = NULL
        cdef const double* factor_ptr = NULL
        cdef Settings s
        cdef Result result
        if order is not None:
            if self.x_buffer == NULL or self.y_buffer == NULL or (
                self.weights != NULL and self.w_buffer == NULL
            ):
                raise ValueError("shuffled batches need the batch buffers.")
            order_view = order
            order_ptr = &order_view[0]
        if rate_factors is not None:
            factor_view = rate_factors
            if factor_view.shape[0] < _n_batches(self.n_samples, self.batch_size):
                raise ValueError("rate_factors needs one factor per batch.")
            factor_ptr = &factor_view[0]
        s.order = order_ptr
        s.alpha = alpha
        s.learning_rate = learning_rate
        s.momentum = momentum
        s.nesterov = nesterov
        s.beta_1 = beta_1
        s.beta_2 = beta_2
        s.epsilon = epsilon
        s.t = t
        s.weight_decay = weight_decay
        s.rate_factors = factor_ptr
        s.max_norm = max_norm
        s.target_off = target_off
        s.target_on = target_on
        with nogil:
            if self.single:
                result = _epoch(self, &s, <float*>NULL)
            else:
                result = _epoch(self, &s, <double*>NULL)
        return result.loss, result.steps, result.t


def rows_in_place(X):
    """Whether batches in order can be read from ``X`` in place, as slices.

    So the numpy path reads them, and BLAS takes them as they are where their
    rows or their columns are contiguous; other layouts are gathered.
    """
    rows, columns = (stride // X.itemsize for stride in X.strides)
    return (columns == 1 and rows >= X.shape[1]) or (
        rows == 1 and columns >= X.shape[0]
    )


cdef inline Py_ssize_t _n_batches(Py_ssize_t n, Py_ssize_t size) noexcept nogil:
    return (n + size - 1) // size


cdef char* _address(array) except NULL:
    """The address of an array's first element (it must have one)."""
    if array.size == 0:
        raise ValueError("an empty array has no data to hand to the kernel.")
    return <char*><size_t>array.__array_interface__["data"][0]


cdef Result _epoch(EpochKernel k, Settings* s, floating* kind) noexcept nogil:
    cdef Py_ssize_t n, steps = 0
    cdef double total = 0.0, loss
    cdef Result result
    cdef const floating* X
    cdef const floating* Y
    cdef const floating* w
    cdef Py_ssize_t x_strides[2]
    cdef Py_ssize_t start = 0
    while start < k.n_samples:
        n = min(k.batch_size, k.n_samples - start)
        X = _batch_rows(k, s.order, start, n, x_strides, kind)
        Y = _batch_targets(k, s, start, n, kind)
        w = _batch_weights(k, s.order, start, n, kind)
        loss = _step(k, s, X, x_strides, Y, w, n, steps)
        if not isfinite(loss):
            result.loss = loss
            result.steps = steps
            result.t = s.t
            return result
        total += loss * n
        steps += 1
        start += n
    result.loss = total / k.n_samples
    result.steps = steps
    result.t = s.t
    return result


cdef const floating* _batch_rows(
    EpochKernel k, const Py_ssize_t* order, Py_ssize_t start, Py_ssize_t n,
    Py_ssize_t* strides, floating* kind
) noexcept nogil:
    """The batch's rows of X, their strides in ``strides``: in place, or
    gathered."""
    cdef const floating* X = <const floating*>k.X
    cdef floating* buffer = <floating*>k.x_buffer
    cdef Py_ssize_t i, j, row, ahead, F = k.n_features
    cdef Py_ssize_t line = 64 // <Py_ssize_t>sizeof(floating)
    if order == NULL and k.x_in_place:
        strides[0], strides[1] = k.x_row, k.x_col
        return X + start * k.x_row
    for i in range(n):
        row = order[start + i] if order != NULL else start + i
        # Shuffled rows are far apart in memory: ask for a later row's cache
        # lines while this one is copied, so that its wait overlaps the copy
        # (60,000 x 784 float32, 200 rows: about 146 against 64-110 us).
        if i + _AHEAD < n and k.x_col == 1:
            ahead = order[start + i + _AHEAD] if order != NULL else start + i + _AHEAD
            j = 0
            while j < F:
                SKNN_PREFETCH(&X[ahead * k.x_row + j])
                j += line
        if k.x_col == 1:
            for j in range(F):
                buffer[i * F + j] = X[row * k.x_row + j]
        else:
            for j in range(F):
                buffer[i * F + j] = X[row * k.x_row + j * k.x_col]
    strides[0], strides[1] = F, 1
    return buffer


cdef enum:
    _AHEAD = 8  # rows ahead of the copy whose memory the gather asks for


cdef const floating* _batch_targets(
    EpochKernel k, Settings* s, Py_ssize_t start, Py_ssize_t n, floating* kind
) noexcept nogil:
    """The batch's targets in the parameters' dtype: in place, or gathered."""
    cdef floating* buffer = <floating*>k.y_buffer
    cdef Py_ssize_t i, j, row, K = k.n_outputs
    cdef const unsigned char* Y8 = <const unsigned char*>k.Y
    cdef const float* Y32 = <const float*>k.Y
    cdef const double* Y64 = <const double*>k.Y
    cdef floating off = <floating>s.target_off, on = <floating>s.target_on
    if s.order == NULL and k.y_as_is:
        return <const floating*>k.Y + start * K
    for i in range(n):
        row = s.order[start + i] if s.order != NULL else start + i
        for j in range(K):
            if k.y_kind == TARGETS_UINT8:
                buffer[i * K + j] = on if Y8[row * k.y_row + j * k.y_col] else off
            elif k.y_kind == TARGETS_FLOAT32:
                buffer[i * K + j] = <floating>Y32[row * k.y_row + j * k.y_col]
            else:
                buffer[i * K + j] = <floating>Y64[row * k.y_row + j * k.y_col]
    return buffer


cdef const floating* _batch_weights(
    EpochKernel k, const Py_ssize_t* order, Py_ssize_t start, Py_ssize_t n,
    floating* kind
) noexcept nogil:
    """The batch's sample weights (NULL without): in place, or gathered."""
    cdef const floating* weights = <const floating*>k.weights
    cdef floating* buffer = <floating*>k.w_buffer
    cdef Py_ssize_t i
    if weights == NULL:
        return NULL
    if order == NULL:
        return weights + start
    for i in range(n):
        buffer[i] = weights[order[start + i]]
    return buffer


cdef double _step(
    EpochKernel k,
    Settings* s,
    const floating* X,
    const Py_ssize_t* x_strides,
    const floating* Y,
    const floating* w,
    Py_ssize_t n,
    Py_ssize_t step,
) noexcept nogil:
    """One batch: forward, loss and delta, backward, optimizer step.

    Returns the batch's mean loss (penalty included); when that is not
    finite, returns it before the step.
    """
    cdef double weight_sum, scale, loss, decay
    weight_sum = n if w == NULL else <double>pairwise_sum(w, n)
    scale = 1.0 / weight_sum if weight_sum > 0 else 0.0
    _forward(k, X, x_strides, n)
    loss = _loss(k, Y, w, n, scale)
    if s.alpha != 0:
        loss += 0.5 * s.alpha * <double>_dot(
            k.n_coef, <floating*>k.params, 1, <floating*>k.params, 1
        )
    loss = loss * scale
    if not isfinite(loss):
        return loss
    _backward(k, X, x_strides, n)
    decay = s.alpha * scale
    _update(k, s, decay, step, <floating*>NULL)
    return loss


cdef void _forward(
    EpochKernel k, const floating* X, const Py_ssize_t* x_strides, Py_ssize_t n
) noexcept nogil:
    """Layer ``i + 1``'s output into its workspace: ``f(A W + b)``; logits last."""
    cdef Py_ssize_t i
    cdef Layer* layer
    cdef const floating* inputs = X
    cdef Py_ssize_t in_row = x_strides[0], in_col = x_strides[1]
    cdef floating* params = <floating*>k.params
    cdef floating* out
    for i in range(k.n_layers):
        layer = &k.layers[i]
        out = <floating*>layer.output
        product(n, layer.n_in, layer.n_out, inputs, in_row, in_col,
                params + layer.coef, layer.n_out, 1, out)
        if layer.activation == RELU:
            bias_relu(out, params + layer.bias, n, layer.n_out)
        elif layer.activation == LEAKY_RELU:
            bias_leaky_relu(out, params + layer.bias, n, layer.n_out,
                            <floating>layer.slope)
        else:  # the identity, and the output layer's logits
            bias_identity(out, params + layer.bias, n, layer.n_out)
        inputs = out
        in_row, in_col = layer.n_out, 1


cdef double _loss(
    EpochKernel k, const floating* Y, const floating* w, Py_ssize_t n, double scale
) noexcept nogil:
    """The batch's summed loss; the logits become the output delta."""
    cdef Layer* last = &k.layers[k.n_layers - 1]
    cdef floating* logits = <floating*>last.output
    if k.loss == SOFTMAX_LOG_LOSS:
        return softmax_log_loss_rows(logits, Y, w, n, last.n_out, scale)
    if k.loss == BINARY_LOG_LOSS:
        return binary_log_loss_rows(logits, Y, w, n, last.n_out, scale)
    return squared_error_rows(logits, Y, w, n, last.n_out, scale)


cdef void _backward(
    EpochKernel k, const floating* X, const Py_ssize_t* x_strides, Py_ssize_t n
) noexcept nogil:
    """The gradient of the batch's mean loss, penalty excluded, into ``grads``.

    Per layer, from the last: the bias gradient ``1ᵀ δ``, the weight gradient
    ``Aᵀ δ``, then the delta below ``(δ Wᵀ) f'`` in one of two buffers taken
    in turn.
    """
    cdef Py_ssize_t i, hidden = k.n_layers - 1
    cdef Layer* layer = &k.layers[k.n_layers - 1]
    cdef Layer* below
    cdef floating* params = <floating*>k.params
    cdef floating* grads = <floating*>k.grads
    cdef floating* ones = <floating*>k.ones
    cdef floating* delta = <floating*>layer.output
    cdef floating* next_delta
    cdef const floating* inputs
    cdef Py_ssize_t in_row, in_col
    cdef floating positive, negative
    product(1, n, layer.n_out, ones, n, 1, delta, layer.n_out, 1, grads + layer.bias)
    for i in range(k.n_layers - 1, -1, -1):
        layer = &k.layers[i]
        if i == 0:
            inputs, in_row, in_col = X, x_strides[0], x_strides[1]
        else:
            inputs = <floating*>k.layers[i - 1].output
            in_row, in_col = layer.n_in, 1
        # Aᵀ: A's strides swapped
        product(layer.n_in, n, layer.n_out, inputs, in_col, in_row,
                delta, layer.n_out, 1, grads + layer.coef)
        if i == 0:
            break
        below = &k.layers[i - 1]
        next_delta = <floating*>k.deltas[(hidden - i) % 2]
        product(n, layer.n_out, layer.n_in, delta, layer.n_out, 1,
                params + layer.coef, 1, layer.n_out, next_delta)
        if below.activation == RELU:
            relu_backprop(next_delta, <floating*>below.output, n * below.n_out)
        elif below.activation == LEAKY_RELU:
            # the two values of the derivative, rounded as numpy rounds them
            negative = <floating>below.slope
            positive = <floating>(1 - below.slope) + negative
            leaky_relu_backprop(
                next_delta, <floating*>below.output, n * below.n_out, positive,
                negative
            )
        product(1, n, below.n_out, ones, n, 1, next_delta, below.n_out, 1,
                grads + below.bias)
        delta = next_delta


cdef void _update(
    EpochKernel k, Settings* s, double decay, Py_ssize_t step, floating* kind
) noexcept nogil:
    """The optimizer's step, with its scalars computed as its Python code does."""
    cdef double rate, root, step_size, norm, grad_scale = 1.0
    cdef floating* params = <floating*>k.params
    cdef floating* grads = <floating*>k.grads
    rate = s.learning_rate
    if s.rate_factors != NULL:
        rate = rate * s.rate_factors[step]
    if s.max_norm > 0:
        norm = penalised_norm(params, grads, k.n_params, <floating>decay, k.n_coef)
        if norm > s.max_norm:
            grad_scale = s.max_norm / norm
    if k.optimizer == SGD:
        sgd_update(params, grads, <floating*>k.state[0], k.n_params, k.n_coef,
                   <floating>rate, <floating>s.momentum, s.nesterov,
                   <floating>decay, <floating>(1.0 - rate * s.weight_decay),
                   <floating>grad_scale)
        return
    s.t += 1
    root = sqrt(1 - s.beta_2)
    step_size = (
        rate * sqrt(1 - pow(s.beta_2, <double>s.t)) / (1 - pow(s.beta_1, <double>s.t))
        * (1 - s.beta_1) / root
    )
    adam_update(params, grads, <floating*>k.state[0], <floating*>k.state[1],
                k.n_params, k.n_coef, <floating>s.beta_1, <floating>s.beta_2,
                <floating>(s.epsilon / root),
                <floating>(-1 / step_size if step_size != 0 else 0.0),
                step_size != 0, <floating>decay,
                <floating>(1.0 - rate * s.weight_decay), <floating>grad_scale)
