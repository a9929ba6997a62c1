import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from sknn.datasets import make_xor


def test_shapes_labels_and_balance():
    X, y = make_xor(203, random_state=0)
    assert X.shape == (203, 2) and y.shape == (203,)
    assert set(np.unique(y)) == {0, 1}
    assert abs(int(y.sum()) - 101) <= 1  # two corners of four are class 1


def test_labels_are_exclusive_or_of_the_signs():
    X, y = make_xor(400, noise=0.2, random_state=1)
    np.testing.assert_array_equal(y, (X[:, 0] > 0) ^ (X[:, 1] > 0))


def test_random_state_makes_it_reproducible():
    a = make_xor(50, random_state=3)
    b = make_xor(50, random_state=3)
    c = make_xor(50, random_state=4)
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], c[0])


def test_noise_zero_puts_points_on_the_corners():
    X, _ = make_xor(12, noise=0.0, random_state=0)
    assert set(map(tuple, X)) == {(-1.0, -1.0), (-1.0, 1.0), (1.0, -1.0), (1.0, 1.0)}


def test_no_line_separates_the_classes():
    X, y = make_xor(400, random_state=0)
    assert LogisticRegression().fit(X, y).score(X, y) < 0.75


@pytest.mark.parametrize(
    ("kwargs", "match"), [({"n_samples": 3}, "n_samples"), ({"noise": -1}, "noise")]
)
def test_bad_arguments_are_rejected(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_xor(**kwargs)
