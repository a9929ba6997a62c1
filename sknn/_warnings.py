"""Warnings that point at the user's call, not at sknn's own lines.

Python reports a warning at the frame ``stacklevel`` steps above the call to
:func:`warnings.warn`. A fixed ``stacklevel`` is right for one path only:
sknn warns from several depths (``fit``, ``partial_fit``, L-BFGS, early
stopping, the perceptron's epochs), each behind scikit-learn's
``_fit_context`` wrapper. :func:`warn` counts the frames instead, up to the
first one that belongs neither to sknn nor to that wrapper: the line that
called ``fit``. Through a Pipeline or a grid search that is scikit-learn's
call, as it is for scikit-learn's own estimators.
"""

import sys
import warnings
from functools import lru_cache
from pathlib import Path

__all__ = ["warn"]

_PACKAGE = str(Path(__file__).resolve().parent)


def _wrapper_files():
    """The files of scikit-learn's decorators that sit between a user and fit."""
    try:
        import sklearn.base
    except ImportError:  # the core is usable without scikit-learn
        return frozenset()
    return frozenset({str(Path(sklearn.base.__file__).resolve())})


_WRAPPERS = _wrapper_files()


@lru_cache(maxsize=256)
def _is_internal(filename):
    # Resolving a path asks the file system; a fit's warning walks a dozen
    # frames of the same few files, so each file is resolved once.
    path = str(Path(filename).resolve())
    return path.startswith(_PACKAGE) or path in _WRAPPERS


def user_stacklevel():
    """Return the ``stacklevel`` that points a warning at the caller of sknn.

    Meant for the function that calls :func:`warnings.warn` directly: level 1
    is that function, level 2 its caller, and so on up to the first frame
    outside sknn and scikit-learn's fit wrapper.
    """
    frame = sys._getframe(1)  # the function about to warn
    level = 1
    while frame.f_back is not None and _is_internal(frame.f_code.co_filename):
        frame = frame.f_back
        level += 1
    return level


def warn(message, category=UserWarning):
    """Issue a warning attributed to the line of user code that called sknn.

    Parameters
    ----------
    message : str
        The warning's text.
    category : type of Warning, default=UserWarning
        Such as :class:`sklearn.exceptions.ConvergenceWarning`.
    """
    # user_stacklevel counts from this function; warnings.warn counts from here too.
    warnings.warn(message, category, stacklevel=user_stacklevel())
