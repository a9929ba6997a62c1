"""Toy problems from the neural-network textbook that scikit-learn lacks."""

import numpy as np
from sklearn.utils import check_random_state

__all__ = ["make_xor"]


def make_xor(n_samples=200, *, noise=0.1, random_state=None):
    """Generate the exclusive-or problem, which no single neuron can separate.

    The samples are drawn around the four corners of the square
    ``{-1, 1}²``, equally many at each; a sample's class is 1 when its corner's
    coordinates have opposite signs (``x1 XOR x2``) and 0 otherwise. The two
    classes sit on the two diagonals, so no straight line splits them: the
    perceptron fails, and a network with one non-linear hidden layer succeeds.

    Parameters
    ----------
    n_samples : int, default=200
        The number of samples, spread as evenly as possible over the four
        corners.
    noise : float, default=0.1
        Standard deviation of the Gaussian noise added to each coordinate.
        Below about 0.5 the classes stay cleanly separated by the axes.
    random_state : int, RandomState instance or None, default=None
        Seeds the noise and the order of the samples.

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
        The points.
    y : ndarray of shape (n_samples,)
        The labels, 0 or 1.

    Examples
    --------
    >>> from sknn.datasets import make_xor
    >>> X, y = make_xor(8, noise=0.0, random_state=0)
    >>> X.shape, sorted(set(y.tolist()))
    ((8, 2), [0, 1])
    >>> bool(((X[:, 0] * X[:, 1] < 0) == (y == 1)).all())
    True
    """
    if n_samples < 4:
        raise ValueError(
            f"n_samples must be at least 4 (one per corner), got {n_samples}."
        )
    if noise < 0:
        raise ValueError(f"noise must be non-negative, got {noise}.")
    rng = check_random_state(random_state)
    corners = np.array([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]])
    corner = np.arange(n_samples) % 4
    rng.shuffle(corner)
    X = corners[corner] + noise * rng.standard_normal((n_samples, 2))
    y = (corners[corner, 0] != corners[corner, 1]).astype(int)
    return X, y
