"""The scikit-learn plumbing that sknn's estimators share.

This is the only module that imports private scikit-learn names; the
estimators import them from here, so an upstream rename is fixed in one place.
"""

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
from sklearn.utils.validation import _check_sample_weight

from sknn.activations import ACTIVATIONS, ALIASES, check_activation

ACTIVATION_NAMES = frozenset([*ACTIVATIONS, *ALIASES])
"""Every name ``get_activation`` accepts, for ``_parameter_constraints``."""

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
            raise ValueError(
                "classes must be passed on the first call to partial_fit: the "
                "list of every class label the model will see."
            )
        return seen
    classes = unique_labels(classes)
    if seen is not None and not np.array_equal(seen, classes):
        raise ValueError(
            f"classes={classes!r} is not the same as on the last call to "
            f"partial_fit, was {seen!r}."
        )
    return classes


def check_known_classes(labels, classes):
    """Raise ValueError if ``labels`` holds a class outside ``classes``."""
    unseen = np.setdiff1d(labels, classes)
    if unseen.size:
        raise ValueError(
            f"y has classes that are not in classes_ {classes}: {unseen.tolist()}. "
            "Pass every class label in `classes` on the first call to partial_fit."
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
    stratify : ndarray of int of shape (n_samples,) or None
        Each sample's class as an index: the split keeps the classes'
        proportions. None (regression, multilabel targets) for a plain split.
        Stratification falls back to a plain split when a class has too few
        samples for it, as scikit-learn's estimators do.
    *arrays : indexables of length n_samples
        What to split.

    Returns
    -------
    train_arrays, val_arrays : list
        Each in the order given.

    Raises
    ------
    ValueError
        When the validation part would be empty; the message says to raise
        ``validation_fraction`` or to give more samples.
    """
    n_samples = len(arrays[0])
    n_val = int(np.ceil(validation_fraction * n_samples))
    if n_val < 1 or n_val >= n_samples:
        raise ValueError(
            f"validation_fraction={validation_fraction} of {n_samples} samples "
            "leaves an empty training or validation set; change "
            "validation_fraction or provide more samples."
        )
    if stratify is not None:
        counts = np.bincount(stratify)
        if counts[counts > 0].min() < 2:
            stratify = None
    parts = train_test_split(
        *arrays,
        test_size=validation_fraction,
        random_state=random_state,
        stratify=stratify,
    )
    return parts[0::2], parts[1::2]
