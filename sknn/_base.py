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


def class_sample_weight(class_weight, classes, y_index, sample_weight):
    """Fold ``class_weight`` into per-sample weights.

    Parameters
    ----------
    class_weight : dict, 'balanced' or None
        As in scikit-learn: a weight per class label, or 'balanced' for
        ``n_samples / (n_classes * bincount(y))``.
    classes : ndarray of shape (n_classes,)
        The sorted class labels.
    y_index : ndarray of int of shape (n_samples,)
        Each sample's class as an index into ``classes``.
    sample_weight : ndarray of shape (n_samples,)
        The weights to multiply; not modified.

    Returns
    -------
    ndarray of shape (n_samples,)
    """
    if class_weight is None:
        return sample_weight
    if class_weight == "balanced":
        # sklearn's 'balanced' counts the classes present in y, so compute it
        # from the labels seen rather than from all declared classes.
        present = np.unique(y_index)
        weights = np.ones(len(classes))
        weights[present] = compute_class_weight("balanced", classes=present, y=y_index)
    else:
        weights = compute_class_weight(
            class_weight, classes=classes, y=classes[y_index]
        )
    return sample_weight * weights[y_index].astype(sample_weight.dtype, copy=False)


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
