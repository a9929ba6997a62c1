"""The stopping rules: epochs without improvement, and patience."""

import numpy as np
import pytest

from sknn._history import History, TrainingConfig
from sknn._optimizers import SGD
from sknn._stopping import (
    MIN_LEARNING_RATE,
    check_patience,
    update_no_improvement_count,
)


def test_no_improvement_count_on_the_training_loss():
    history = History(best_loss=np.inf)
    counts = []
    for loss in [1.0, 0.95, 0.5, 0.45, 0.6, 0.2]:
        history.loss_curve.append(loss)
        assert update_no_improvement_count(history, 0.1) is False
        counts.append(history.no_improvement_count)
    assert counts == [0, 1, 0, 1, 2, 0]
    assert history.best_loss == 0.2


def test_no_improvement_count_on_the_validation_score():
    history = History(validation_scores=[], best_validation_score=-np.inf)
    news, counts = [], []
    for score in [0.5, 0.52, 0.6, 0.6, 0.58, 0.7]:
        news.append(update_no_improvement_count(history, 0.05, score))
        counts.append(history.no_improvement_count)
    assert news == [True, True, True, False, False, True]
    assert counts == [0, 1, 0, 1, 2, 0]
    assert history.validation_scores == [0.5, 0.52, 0.6, 0.6, 0.58, 0.7]
    assert history.best_validation_score == 0.7


def test_nan_validation_score_counts_as_no_improvement():
    history = History(validation_scores=[], best_validation_score=-np.inf)
    counts = []
    for score in [0.5, np.nan, np.nan, 0.4, 0.7]:
        assert update_no_improvement_count(history, 0.05, score) is (score == 0.7) or (
            score == 0.5
        )
        counts.append(history.no_improvement_count)
    # a NaN neither resets the count nor becomes the best
    assert counts == [0, 1, 2, 3, 0]
    assert history.best_validation_score == 0.7


def test_patience_stops_or_divides_the_adaptive_rate():
    optimizer = SGD(np.zeros(3), learning_rate_init=0.1)
    config = TrainingConfig(n_iter_no_change=2)
    history = History(no_improvement_count=2)
    assert check_patience(history, config, optimizer, False) == (False, None)

    history.no_improvement_count = 3
    stop, message = check_patience(history, config, optimizer, False)
    assert stop and message.startswith("Training loss did not improve")
    assert message.endswith("Stopping.")

    config = TrainingConfig(n_iter_no_change=2, adaptive=True)
    stop, message = check_patience(history, config, optimizer, True)
    assert not stop and history.no_improvement_count == 0
    assert optimizer.learning_rate == pytest.approx(0.02)
    assert message.startswith("Validation score") and "0.020000" in message

    optimizer.learning_rate = MIN_LEARNING_RATE
    history.no_improvement_count = 3
    stop, message = check_patience(history, config, optimizer, False)
    assert stop and message.endswith("Learning rate too small. Stopping.")
