"""Training on data larger than memory, one chunk at a time.

An estimator with ``partial_fit`` learns from data it never holds whole: each
call takes one chunk of rows and continues from the state the last one left.
:func:`fit_incremental` runs that loop over a stream of chunks, a
``dask.array`` or an array on disk (a ``numpy.memmap``), for several epochs,
so memory is bounded by one chunk and the model rather than by the data.
"""

import sys
from collections.abc import Sequence
from numbers import Integral

import numpy as np
from sklearn.base import is_classifier
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import unique_labels

__all__ = ["fit_incremental"]


def fit_incremental(
    estimator,
    X,
    y=None,
    *,
    sample_weight=None,
    classes=None,
    chunk_size=None,
    n_epochs=1,
    shuffle_chunks=False,
    random_state=None,
):
    """Train an estimator chunk by chunk with its ``partial_fit``.

    Each epoch calls ``estimator.partial_fit`` once per chunk of rows, so at
    any moment only one chunk (and the model) needs to be in memory. The
    estimator is trained in place from its current state: a fitted estimator
    continues to learn; pass a clone to start afresh.

    Parameters
    ----------
    estimator : estimator with ``partial_fit``
        For example :class:`~sknn.MLPNeuronClassifier` with ``solver='sgd'``
        or ``'adam'``, :class:`~sknn.PerceptronClassifier`, or any
        scikit-learn estimator with ``partial_fit``.

    X : array-like, dask.array, iterable of chunks or callable
        Where the data comes from.

        - With ``y``: an array of shape (n_samples, n_features), split into
          consecutive chunks of ``chunk_size`` rows. A ``numpy.memmap``,
          a sparse matrix or a DataFrame works as well as an ndarray. A
          ``dask.array.Array`` is cut along its own row chunks (or into
          ``chunk_size`` rows if given), and each chunk is computed only
          when it is trained on.
        - Without ``y``: the chunks themselves, each a tuple ``(X_chunk,
          y_chunk)`` or ``(X_chunk, y_chunk, sample_weight_chunk)``. A
          callable that returns a new iterable of the chunks on every call
          (a generator function, say, that reads them from files) can be
          passed over several times; a one-shot iterator, such as a
          generator, only once; a sequence (a list of chunks, or a
          ``Sequence`` whose ``__getitem__`` loads chunk ``i``) can also be
          shuffled. Memory stays bounded by one chunk when each chunk is
          made or read only when it is asked for. Chunks with no rows are
          skipped.

    y : array-like or dask.array of shape (n_samples,) or (n_samples, n_outputs), \
            default=None
        The targets of ``X`` when ``X`` is an array; chunked like ``X``.

    sample_weight : array-like or dask.array of shape (n_samples,), default=None
        Weights of the samples when ``X`` is an array, chunked like ``X``
        and passed on to ``partial_fit``. (Chunks from an iterable carry
        their own weights as a third element.)

    classes : array-like of shape (n_classes,), default=None
        Every class label the classifier will see, passed to the first call
        of ``partial_fit``. When ``X`` and ``y`` are arrays it is found from
        ``y`` if not given (for a ``dask.array``, by one pass over ``y``
        only); with chunks from an iterable it must be given, unless the
        estimator has been fitted before. Ignored for estimators that are
        not classifiers.

    chunk_size : int, default=None
        The number of rows per chunk when ``X`` is an array. Required for an
        in-memory or on-disk array; optional for a ``dask.array``, whose row
        chunks are used by default.

    n_epochs : int, default=1
        The number of passes over the data.

    shuffle_chunks : bool, default=False
        Whether to visit the chunks in a new random order in every epoch.
        Needs the number of chunks to be known: ``X`` an array, or a
        sequence of chunks. (The rows within a chunk are shuffled, or not,
        by the estimator's own ``shuffle`` parameter.)

    random_state : int, RandomState instance or None, default=None
        Seeds the order of the chunks when ``shuffle_chunks`` is True.

    Returns
    -------
    estimator : estimator
        The same estimator, trained.

    Raises
    ------
    TypeError
        If ``estimator`` has no ``partial_fit`` (for
        :class:`~sknn.MLPNeuronClassifier`, with ``solver='lbfgs'``).
    ValueError
        If the chunks cannot be read as asked: several epochs or shuffling
        over a one-shot iterator, no ``chunk_size`` for an array, missing
        ``classes``.

    See Also
    --------
    sknn.MLPNeuronClassifier.partial_fit : One epoch of the network on a chunk.
    sknn.PerceptronClassifier.partial_fit : One pass of the perceptron rule.
    dask_ml.wrappers.Incremental : dask-ml's wrapper, which also calls
        ``partial_fit`` block by block and works with sknn's estimators.

    Notes
    -----
    A chunk of ``partial_fit`` continues exactly where the previous one
    stopped, so training chunk by chunk is training on the rows in the order
    the chunks give them:

    - :class:`~sknn.PerceptronClassifier` with ``shuffle=False`` ends with
      the weights of ``fit(X_all, y_all)`` with ``max_iter=n_epochs`` and
      ``tol=None``, whatever the chunk boundaries (with ``batch_size > 1``,
      boundaries at multiples of it);
    - :class:`~sknn.MLPNeuronClassifier` with ``shuffle=False`` and chunks
      whose lengths are multiples of ``batch_size`` (an int) sees the same
      mini-batches, with the same optimizer state (momentum, Adam's moments
      and step count, ``t_``), as ``fit`` with ``max_iter=n_epochs`` on all
      rows. What runs once per epoch in ``fit`` runs once per chunk here:
      the 'invscaling' learning rate is updated after every chunk, and the
      'adaptive' schedule and ``loss_curve_`` count chunks, not epochs.

    With ``shuffle=True`` each chunk's rows are permuted by the estimator;
    ``shuffle_chunks`` adds a new order of the chunks in every epoch, which
    keeps a data set sorted by class or time from being seen in the same
    sequence every epoch.

    dask-ml's ``Incremental(estimator, shuffle_blocks=False).fit(X, y,
    classes=...)`` makes the same ``partial_fit`` calls on a ``dask.array``,
    block by block, and so trains the same model as ``fit_incremental(
    estimator, X, y)``; use it where a dask-ml wrapper is wanted (in its
    searches, or to predict block-wise on dask arrays).

    Examples
    --------
    From chunks that a function yields one at a time (here generated; in
    practice read from files), for three epochs:

    >>> import numpy as np
    >>> from sknn import MLPNeuronClassifier
    >>> from sknn.incremental import fit_incremental
    >>> def chunks():
    ...     rng = np.random.default_rng(0)
    ...     for _ in range(10):
    ...         X = rng.normal(size=(100, 4))
    ...         yield X, (X[:, 0] + X[:, 1] > 0).astype(int)
    >>> clf = MLPNeuronClassifier(
    ...     hidden_layer_sizes=(8,), learning_rate_init=0.03, random_state=0
    ... )
    >>> clf = fit_incremental(clf, chunks, classes=[0, 1], n_epochs=3)
    >>> clf.t_
    3000
    >>> X_test = np.random.default_rng(1).normal(size=(200, 4))
    >>> y_test = (X_test[:, 0] + X_test[:, 1] > 0).astype(int)
    >>> print(f"{clf.score(X_test, y_test):.2f}")
    0.98

    From an array (an in-memory or a memory-mapped one) in chunks of 250
    rows, in a new order every epoch:

    >>> from sknn import PerceptronClassifier
    >>> X = np.random.default_rng(2).normal(size=(1000, 4))
    >>> y = (X[:, 0] > 0).astype(int)
    >>> clf = fit_incremental(
    ...     PerceptronClassifier(), X, y, chunk_size=250, n_epochs=2,
    ...     shuffle_chunks=True, random_state=0,
    ... )
    >>> clf.classes_, clf.t_
    (array([0, 1]), 2001.0)
    """
    if not hasattr(estimator, "partial_fit"):
        raise TypeError(
            f"{type(estimator).__name__} has no partial_fit, so it cannot learn "
            "chunk by chunk. (MLPNeuronClassifier has partial_fit with "
            "solver='sgd' or 'adam'.)"
        )
    if not isinstance(n_epochs, Integral) or n_epochs < 1:
        raise ValueError(f"n_epochs must be a positive integer, got {n_epochs!r}.")
    if y is None:
        if sample_weight is not None or chunk_size is not None:
            raise ValueError(
                "sample_weight and chunk_size go with arrays X and y; chunks from "
                "an iterable have their own sizes and carry their weights as a "
                "third element, (X, y, sample_weight)."
            )
        source = _ChunkStream(X, n_epochs, shuffle_chunks)
    else:
        source = _ArrayChunks(X, y, sample_weight, chunk_size)
    classes = _classes_to_pass(estimator, classes, source)
    rng = check_random_state(random_state)
    for _ in range(n_epochs):
        for chunk in source.epoch(rng if shuffle_chunks else None):
            if _partial_fit(estimator, _compute(chunk), classes):
                classes = None  # only the first call needs them
            del chunk  # so that the next chunk is not read while this one lives
    return estimator


def _partial_fit(estimator, chunk, classes):
    """Train on one chunk; return whether it had rows (and so was trained on)."""
    X, y, sample_weight = chunk
    if _n_rows(X) == 0:
        return False
    kwargs = {}
    if classes is not None:
        kwargs["classes"] = classes
    if sample_weight is not None:
        kwargs["sample_weight"] = sample_weight
    estimator.partial_fit(X, y, **kwargs)
    return True


def _classes_to_pass(estimator, classes, source):
    """The ``classes`` for the first ``partial_fit``; None if it needs none."""
    if not is_classifier(estimator):
        return None
    if classes is not None:
        return np.asarray(classes)
    if hasattr(estimator, "classes_"):
        return None  # fitted before: partial_fit knows its classes
    classes = source.classes()
    if classes is None:
        raise ValueError(
            "classes must be given to train a classifier from an iterable of "
            "chunks: the labels of every chunk, e.g. classes=[0, 1, 2]. The "
            "first chunk may not contain them all."
        )
    return classes


class _ChunkStream:
    """Chunks given one by one: a sequence, an iterable or a factory of them."""

    def __init__(self, chunks, n_epochs, shuffle):
        if hasattr(chunks, "shape"):
            raise ValueError(
                "X is an array, so y is needed: fit_incremental(estimator, X, y, "
                "chunk_size=...). Without y, X must be the chunks themselves."
            )
        self.chunks = chunks
        if shuffle and not isinstance(chunks, Sequence):
            # Shuffling a stream would mean holding all of it.
            raise ValueError(
                "shuffle_chunks needs the chunks as a sequence (a list of "
                "(X, y) tuples, or a Sequence that loads chunk i when indexed) "
                f"or X and y as arrays, not a {type(chunks).__name__}."
            )
        if not callable(chunks) and iter(chunks) is chunks and n_epochs > 1:
            raise ValueError(
                f"n_epochs={n_epochs} needs the chunks more than once, but a "
                f"{type(chunks).__name__} gives them once. Pass a function that "
                "returns a new iterable of the chunks on each call (for a "
                "generator, the generator function itself), or a list."
            )

    def classes(self):
        return None

    def epoch(self, rng):
        if callable(self.chunks):
            chunks = self.chunks()
        elif rng is not None:
            chunks = (self.chunks[i] for i in rng.permutation(len(self.chunks)))
        else:
            chunks = self.chunks
        for chunk in chunks:
            yield _unpack(chunk)
            del chunk  # not kept alive while the iterator makes the next one


def _unpack(chunk):
    if not isinstance(chunk, tuple | list) or len(chunk) not in (2, 3):
        raise ValueError(
            "Each chunk must be a tuple (X, y) or (X, y, sample_weight), got "
            f"a {type(chunk).__name__}."
        )
    return (*chunk, None) if len(chunk) == 2 else tuple(chunk)


class _ArrayChunks:
    """Arrays X, y (and sample weights) cut into consecutive row ranges."""

    def __init__(self, X, y, sample_weight, chunk_size):
        # Lists are small enough to convert; arrays, memmaps, sparse matrices,
        # DataFrames and dask arrays are sliced as they are.
        X, y, sample_weight = (
            array if array is None or hasattr(array, "shape") else np.asarray(array)
            for array in (X, y, sample_weight)
        )
        n_samples = X.shape[0]
        if chunk_size is not None and (
            not isinstance(chunk_size, Integral) or chunk_size < 1
        ):
            raise ValueError(
                f"chunk_size must be a positive integer, got {chunk_size!r}."
            )
        if chunk_size is not None:
            starts = np.arange(0, n_samples, chunk_size)
            self.bounds = [*starts, n_samples]
        elif _is_dask(X):
            sizes = X.chunks[0]
            if any(np.isnan(size) for size in sizes):
                raise ValueError(
                    "X is a dask array whose chunk sizes are unknown; call "
                    "X.compute_chunk_sizes() first, or give chunk_size."
                )
            self.bounds = [0, *np.cumsum(sizes)]
        else:
            raise ValueError(
                "chunk_size is needed to cut an array into chunks: the number "
                "of rows to train on at a time."
            )
        for name, array in (("y", y), ("sample_weight", sample_weight)):
            if array is not None and array.shape[0] != n_samples:
                raise ValueError(
                    f"X has {n_samples} rows but {name} has {array.shape[0]}."
                )
        self.X, self.y, self.sample_weight = X, y, sample_weight

    def classes(self):
        y = self.y
        if _is_dask(y):
            if y.ndim == 2:  # a label indicator matrix: one class per column
                return np.arange(y.shape[1])
            return sys.modules["dask.array"].unique(y).compute()
        return unique_labels(y)

    def epoch(self, rng):
        n_chunks = len(self.bounds) - 1
        order = range(n_chunks) if rng is None else rng.permutation(n_chunks)
        for i in order:
            start, stop = self.bounds[i], self.bounds[i + 1]
            yield tuple(
                None if array is None else _rows(array, start, stop)
                for array in (self.X, self.y, self.sample_weight)
            )


def _rows(array, start, stop):
    if hasattr(array, "iloc"):  # pandas: by position, whatever the index
        return array.iloc[start:stop]
    return array[start:stop]


def _n_rows(X):
    return X.shape[0] if hasattr(X, "shape") else len(X)


def _is_dask(array):
    # Looked up, not imported: sknn does not depend on dask, and an array can
    # only be a dask array if dask is already loaded.
    dask_array = sys.modules.get("dask.array")
    return dask_array is not None and isinstance(array, dask_array.Array)


def _compute(chunk):
    """Compute the dask arrays of a chunk, together, so their graphs are shared."""
    lazy = [i for i, part in enumerate(chunk) if _is_dask(part)]
    if not lazy:
        return chunk
    import dask

    values = dask.compute(*(chunk[i] for i in lazy))
    chunk = list(chunk)
    for i, value in zip(lazy, values):
        chunk[i] = value
    return tuple(chunk)
