"""Checks that a classifier's targets are class labels, not quantities.

Two mistakes look alike to a classifier. A continuous target (a price, a
dose) cannot be split into classes at all; scikit-learn refuses it with
"Unknown label type: continuous". A quantity that happens to hold whole
numbers (a count, a score such as sklearn's diabetes target) is accepted as
labels and trains a classifier with a class for nearly every sample, whose
accuracy on new data is close to zero. :func:`check_class_labels` refuses the
first with advice, and warns of the second.
"""

from sklearn.utils.multiclass import type_of_target

from sknn._warnings import warn

__all__ = ["check_class_labels", "warn_if_quantity"]

MIN_SAMPLES_PER_CLASS = 2
"""Below this many samples per class on average, the labels look like a quantity.

With fewer than two samples per class, most classes cannot appear both in a
training split and in a test split, so no classifier can generalise: a
class needs at least one sample to learn from and one to be checked on.
Real label sets (digits, iris, even thousands of face identities) have many
samples per class; a whole-numbered measurement has about one (sklearn's
diabetes target: 187 values for 331 training samples, 1.8 per class).
"""

MIN_SAMPLES = 20
"""Too few samples say nothing about the labels: toy sets are left alone."""

MANY_CLASSES = 20
"""From this many classes, numbers with gaps between them look like a quantity."""

FEW_SAMPLES_PER_CLASS = 5
"""Below this many samples per class on average, numbers with gaps look measured.

Labels that are numbers are usually ``0, 1, ..., K - 1`` (or some other run of
consecutive whole numbers). A whole-numbered measurement instead takes the
values that happen to occur, with gaps between them, and many of them: all
of sklearn's diabetes target has 214 values from 25 to 346 for 442 samples,
2.1 per class, which :data:`MIN_SAMPLES_PER_CLASS` alone misses. Real label
sets with that many classes have either consecutive codes or more samples
per class (a 100-class problem with 50 samples each).
"""


def check_class_labels(y, estimator, regressor):
    """Raise a helpful error if ``y`` is continuous.

    Parameters
    ----------
    y : ndarray
        The validated targets.
    estimator : str
        The classifier's name, for the message.
    regressor : str
        What to use instead to predict a quantity.

    Raises
    ------
    ValueError
        Starting with scikit-learn's words, "Unknown label type: continuous",
        then saying what to do.
    """
    kind = type_of_target(y, input_name="y")
    if kind.startswith("continuous"):
        raise ValueError(
            f"Unknown label type: {kind}. {estimator} predicts classes, but y "
            "holds real numbers that are not labels. To predict the quantity "
            f"itself, use {regressor}; to predict ranges of it, turn y into "
            "labels first, for example with numpy.digitize or "
            "sklearn.preprocessing.KBinsDiscretizer."
        )


def warn_if_quantity(classes, n_samples, estimator, regressor):
    """Warn if the labels look like a whole-numbered quantity.

    They do when there are fewer than :data:`MIN_SAMPLES_PER_CLASS` samples
    per class, or when they are at least :data:`MANY_CLASSES` numbers with
    gaps between them and fewer than :data:`FEW_SAMPLES_PER_CLASS` samples
    per class. Fewer than :data:`MIN_SAMPLES` samples never warn.

    Parameters
    ----------
    classes : ndarray
        The distinct labels found in ``y``, sorted.
    n_samples : int
        The number of training samples.
    estimator, regressor : str
        The classifier's name and what to use instead, for the message.
    """
    n_classes = len(classes)
    if n_samples < MIN_SAMPLES:
        return
    per_class = n_samples / n_classes
    if per_class < MIN_SAMPLES_PER_CLASS:
        why = f"fewer than {MIN_SAMPLES_PER_CLASS} samples per class"
    elif (
        n_classes >= MANY_CLASSES
        and per_class < FEW_SAMPLES_PER_CLASS
        and _numbers_with_gaps(classes)
    ):
        why = (
            f"{per_class:.1f} samples per class, and the classes are numbers "
            f"from {classes[0]:g} to {classes[-1]:g} with gaps between them"
        )
    else:
        return
    warn(
        f"y has {n_classes} classes for {n_samples} samples, {why}: it looks "
        f"like a quantity (a count or a measurement) rather than labels, and "
        f"{estimator} would learn a class for nearly every sample and predict "
        f"new ones by chance. To predict the quantity, use {regressor}.",
        UserWarning,
    )


def _numbers_with_gaps(classes):
    """Whether sorted ``classes`` are numbers other than a run of consecutive ones."""
    if classes.dtype.kind not in "iuf":
        return False  # strings, booleans and objects are names, not measurements
    return float(classes[-1]) - float(classes[0]) + 1 > len(classes)
