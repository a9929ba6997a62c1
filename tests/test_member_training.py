"""The members' folds, their best epochs and the fitted temperature."""

import numpy as np
import pytest
from scipy.special import log_softmax
from sklearn.exceptions import ConvergenceWarning

from sknn._embeddings import InputLayer
from sknn._history import print_progress
from sknn._losses import SquaredError
from sknn._member_network import MemberNetwork
from sknn._member_training import (
    TrainingPlan,
    fit_temperature,
    member_logits,
    member_splits,
    train_members,
)


def test_each_member_holds_out_its_own_stratified_fold():
    labels = np.repeat([0, 1, 2], [50, 30, 20])
    train, validation = member_splits(100, 3, 0.2, labels, seed=0)
    assert train.shape == (3, 80) and validation.shape == (3, 20)
    for i in range(3):
        assert not set(train[i]) & set(validation[i])
        np.testing.assert_array_equal(np.bincount(labels[validation[i]]), [10, 6, 4])
    # the folds are disjoint: the members validate on different rows
    assert len(set(validation.ravel())) == 60


def test_unequal_folds_are_cut_to_the_shortest():
    # folds of 21, 21, 20, 20, 20 rows: members 0 and 1 lose one row
    train, validation = member_splits(102, 3, 0.2, None, seed=0)
    assert train.shape == (3, 81) and validation.shape == (3, 20)


@pytest.mark.parametrize(
    "n, labels, fraction",
    [
        (8, None, 0.2),  # fewer rows than two per fold
        (20, np.repeat([0, 1], [17, 3]), 0.2),  # a class rarer than the folds
        (50, None, None),  # no validation asked for
    ],
)
def test_without_enough_rows_every_member_trains_on_all(n, labels, fraction):
    train, validation = member_splits(n, 3, fraction, labels, seed=0)
    assert validation is None
    np.testing.assert_array_equal(train, np.tile(np.arange(n), (3, 1)))


def test_the_temperature_found_is_the_one_that_made_the_labels():
    rng = np.random.default_rng(0)
    logits = rng.normal(scale=3.0, size=(2, 4000, 3))
    # labels drawn from softmax(logits / 2): the best temperature is 2
    p = np.exp(log_softmax(logits / 2.0, axis=2))
    labels = (p.cumsum(axis=2) > rng.uniform(size=(2, 4000, 1))).argmax(axis=2)
    assert fit_temperature(logits, labels) == pytest.approx(2.0, rel=0.1)


def tiny_network(seed=0):
    layers = [InputLayer(2, 0, dtype=np.float64) for _ in range(2)]
    return MemberNetwork(layers, (8,), 1, activation="tanh", dtype=np.float64)


def test_each_member_keeps_the_weights_of_its_best_epoch():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2))
    Y = (X[:, :1] - X[:, 1:] + 0.3 * rng.normal(size=(200, 1))).astype(np.float64)
    codes = np.zeros((200, 0), dtype=np.intp)
    train, validation = member_splits(200, 2, 0.2, None, seed=0)
    net = tiny_network()
    net.initialize(rng, X[train[:, :50]], codes[train[:, :50]])
    plan = TrainingPlan(learning_rate=0.3, max_iter=12, batch_size=32, dropout=0.0)
    result = train_members(
        net, SquaredError(), X, codes, Y, Y, None, train, validation, plan, rng
    )
    assert result.n_iter == 12 and len(result.loss_curve) == 12
    assert len(result.validation_loss_curve) == 12
    assert np.all((result.best_epochs >= 1) & (result.best_epochs <= 12))
    # the weights kept score each member's best validation loss
    logits = member_logits(net, X, codes, validation)
    for i in range(2):
        kept = SquaredError().sample_losses(logits[i], Y[validation[i]]).mean()
        assert kept == pytest.approx(result.best_losses[i], rel=1e-9)
    assert result.best_losses.mean() <= min(result.validation_loss_curve) + 1e-12


def test_verbose_prints_scikit_learn_s_lines(capsys):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    codes = np.zeros((60, 0), dtype=np.intp)
    net = tiny_network()
    train, validation = member_splits(60, 2, 0.2, None, seed=0)
    net.initialize(rng, X[train], codes[train])
    plan = TrainingPlan(0.1, 3, 16, 0.0)
    Y = X[:, :1].copy()
    begun = []
    result = train_members(
        net,
        SquaredError(),
        X,
        codes,
        Y,
        Y,
        None,
        train,
        validation,
        plan,
        rng,
        on_epoch_begin=begun.append,
        on_epoch_end=print_progress,
    )
    out = capsys.readouterr().out
    assert out.count("Iteration ") == 3 and out.count("Validation score: ") == 3
    assert begun == [1, 2, 3] and result.n_iter == 3


def test_an_epoch_hook_can_stop_training():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    codes = np.zeros((60, 0), dtype=np.intp)
    net = tiny_network()
    train, validation = member_splits(60, 2, 0.2, None, seed=0)
    net.initialize(rng, X[train], codes[train])
    Y = X[:, :1].copy()
    result = train_members(
        net,
        SquaredError(),
        X,
        codes,
        Y,
        Y,
        None,
        train,
        validation,
        TrainingPlan(0.1, 10, 16, 0.0),
        rng,
        on_epoch_end=lambda info: info.epoch == 4,
    )
    assert result.n_iter == 4 and len(result.loss_curve) == 4


def test_a_loss_that_overflows_later_keeps_the_last_finite_epoch():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    codes = np.zeros((60, 0), dtype=np.intp)
    net = tiny_network()
    train, _ = member_splits(60, 2, None, None, seed=0)
    net.initialize(rng, X[train], codes[train])
    Y = X[:, :1].copy()
    kept = []

    def poison(info):
        if info.epoch == 2:
            kept.append(net.params.copy())
            net.params[0] = np.inf  # the next epoch's loss is not finite
        return False

    with pytest.warns(ConvergenceWarning, match="diverged in iteration 3"):
        result = train_members(
            net,
            SquaredError(),
            X,
            codes,
            Y,
            Y,
            None,
            train,
            None,
            TrainingPlan(0.1, 6, 16, 0.0),
            rng,
            on_epoch_end=poison,
        )
    assert result.n_iter == 2 and len(result.loss_curve) == 2
    np.testing.assert_array_equal(net.params, kept[0])


def test_a_loss_that_overflows_in_the_first_epoch_is_an_error():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    codes = np.zeros((60, 0), dtype=np.intp)
    net = tiny_network()
    train, _ = member_splits(60, 2, None, None, seed=0)
    net.initialize(rng, X[train], codes[train])
    Y = X[:, :1] * 1e200  # squared, beyond float64
    with pytest.raises(ValueError, match="non-finite .* Lower learning_rate_init"):
        train_members(
            net,
            SquaredError(),
            X,
            codes,
            Y,
            Y,
            None,
            train,
            None,
            TrainingPlan(1e30, 3, 16, 0.0),
            rng,
        )
