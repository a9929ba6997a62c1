"""The scikit-learn plumbing that sknn's estimators share.

This is the only module that imports private scikit-learn names; the
estimators import them from here, so an upstream rename is fixed in one place.
"""

import contextlib

import numpy as np
from sklearn.base import _fit_context  # noqa: F401  (re-exported)
from sklearn.model_selection import train_test_split
from sklearn.utils import compute_class_weight
from sklearn.utils._param_validation import (  # noqa: F401  (re-exported)
    HasMethods,
    Interval,
    InvalidParameterError,
    Options,
    StrOptions,
)
from sklearn.utils.multiclass import unique_labels
from sklearn.utils.validation import (
    _check_sample_weight,
    _check_y,  # noqa: F401  (re-exported)
)

from sknn.activations import check_activation

FLOAT_DTYPES = (np.float64, np.float32)
"""Input dtypes kept as they are; anything else becomes float64."""


def check_activation_parameter(value, *, differentiable, param="activation", **params):
    """Return the Activation an estimator's parameter gives, or raise.

    :func:`sknn.activations.check_activation`, with its error raised as
    scikit-learn's parameter validation raises its own, an
    ``InvalidParameterError`` (both a ValueError and a TypeError), so that a
    bad name fails the same way whether scikit-learn or sknn finds it.
    """
    try:
        return check_activation(
            value, differentiable=differentiable, param=param, **params
        )
    except ValueError as error:
        raise InvalidParameterError(str(error)) from None


@contextlib.contextmanager
def unchanged_on_error(estimator):
    """Leave ``estimator`` as it was if the block raises: nothing half-fitted.

    A fit refused part-way (bad input found late, a first epoch that
    diverges) must not leave a half-built model behind for a warm start or a
    ``predict`` to pick up.
    """
    before = dict(estimator.__dict__)
    try:
        yield
    except BaseException:
        estimator.__dict__.clear()
        estimator.__dict__.update(before)
        raise


def check_sample_weight(sample_weight, X, dtype):
    """Return validated non-negative sample weights of ``dtype`` (ones when None)."""
    return _check_sample_weight(sample_weight, X, dtype=dtype, ensure_non_negative=True)


def class_weights(class_weight, classes, y_index):
    """Return one weight per class, from ``class_weight`` as scikit-learn reads it.

    Parameters
    ----------
    class_weight : dict, 'balanced' or None
        A weight per class label (missing labels weigh 1), 'balanced' for
        ``n_samples / (n_classes * bincount(y))``, or None for all ones.
    classes : ndarray of shape (n_classes,)
        The sorted class labels.
    y_index : ndarray of int of shape (n_samples,)
        Each sample's class as an index into ``classes``.

    Returns
    -------
    ndarray of shape (n_classes,)
    """
    weights = np.ones(len(classes))
    if class_weight == "balanced":
        # sklearn's 'balanced' counts the classes present in y, so compute it
        # from the labels seen rather than from all declared classes.
        present = np.unique(y_index)
        weights[present] = compute_class_weight("balanced", classes=present, y=y_index)
    elif class_weight is not None:
        weights = compute_class_weight(
            class_weight, classes=classes, y=classes[y_index]
        )
    return weights


def class_sample_weight(class_weight, classes, y_index, sample_weight):
    """Fold ``class_weight`` into per-sample weights (see :func:`class_weights`).

    ``sample_weight`` is not modified; it is returned as is without class weights.
    """
    if class_weight is None:
        return sample_weight
    weights = class_weights(class_weight, classes, y_index)
    return sample_weight * weights[y_index].astype(sample_weight.dtype, copy=False)


def partial_fit_classes(seen, classes):
    """Return the classes of a call to partial_fit, after checking them.

    The messages are scikit-learn's, word for word, as both of its peers
    (MLPClassifier and Perceptron) raise them.

    Parameters
    ----------
    seen : ndarray or None
        The classes of the earlier calls; None before the first.
    classes : array-like or None
        The ``classes`` argument: required on the first call, and on later
        calls equal to ``seen`` if given.

    Returns
    -------
    ndarray
        The sorted class labels.
    """
    if classes is None:
        if seen is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        return seen
    given, classes = classes, unique_labels(classes)
    if seen is not None and not np.array_equal(seen, classes):
        raise ValueError(
            f"`classes={given!r}` is not the same as on last call to "
            f"partial_fit, was: {seen!r}"
        )
    return classes


def check_known_classes(labels, classes, peer="mlp"):
    """Raise ValueError if ``labels`` holds a class outside ``classes``.

    scikit-learn words this error one way in MLPClassifier (``peer='mlp'``)
    and another in its SGD estimators, Perceptron among them
    (``peer='sgd'``); each sknn estimator starts its message with its peer's.
    """
    unseen = np.setdiff1d(labels, classes)
    if not unseen.size:
        return
    if peer == "mlp":
        raise ValueError(
            "`y` has classes not in `self.classes_`. `self.classes_` has "
            f"{classes}. 'y' has {np.unique(labels)}."
        )
    raise ValueError(
        "classes should include all valid labels that can be in y: y contains "
        f"{unseen.tolist()}, which are not among the classes given on the first "
        f"call to partial_fit, {classes.tolist()}."
    )


def validation_split(validation_fraction, random_state, stratify, *arrays):
    """Split ``arrays`` into training and validation parts.

    The one place where early stopping's validation data is split off, for
    every estimator.

    Parameters
    ----------
    validation_fraction : float
        The share of the samples held out.
    random_state : int, RandomState instance or None
        Drives the split.
    stratify : ndarray of shape (n_samples,) or None
        Each sample's class label: the split keeps the classes' proportions.
        None (regression, multilabel targets) for a plain split.
    *arrays : indexables of length n_samples
        What to split.

    Returns
    -------
    train_arrays, val_arrays : list
        Each in the order given.

    Raises
    ------
    ValueError
        scikit-learn's errors, from :func:`~sklearn.model_selection.train_test_split`:
        when either part would be empty, or when a class has a single member,
        which a stratified split cannot place on both sides.
    """
    parts = train_test_split(
        *arrays,
        test_size=validation_fraction,
        random_state=random_state,
        stratify=stratify,
    )
    return parts[0::2], parts[1::2]
