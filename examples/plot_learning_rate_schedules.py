"""
=======================
Learning-rate schedules
=======================

scikit-learn's MLPs step with one learning rate, or with 'sgd' one that
shrinks after each epoch. Deep-learning practice instead changes the rate at
every step along a *schedule*: large early, to travel far, and small late, to
settle in a minimum. sknn's networks take one as ``learning_rate_schedule``,
for 'adam' and 'sgd' alike, with an optional linear warm-up
(``warmup_fraction``).

This example trains one network on the digits under four schedules and
draws, side by side, the learning rate each used (``learning_rate_curve_``)
and the losses it reached on the training and the validation data
(``loss_curve_``, ``validation_loss_curve_``).
"""

# %%
# The data and the network
# ------------------------
# The digits, scaled to [0, 1], with a fifth held out as validation data and
# passed to ``fit`` as ``X_val`` and ``y_val``; one hidden layer of 64 relu
# units, Adam at a rate of 0.01 (the peak of every schedule), 60 epochs.
# ``early_stopping=True`` with ``n_iter_no_change=np.inf`` runs every epoch,
# records the validation curves, and keeps the weights of the best epoch.

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from sknn import MLPNeuronClassifier
from sknn.plotting import LossCurveDisplay
from sknn.schedules import CosineRestarts

X, y = load_digits(return_X_y=True)
X_train, X_val, y_train, y_val = train_test_split(
    X / 16, y, test_size=0.2, stratify=y, random_state=0
)

# %%
# Four schedules
# --------------
# ``None`` keeps the rate constant, as scikit-learn does; 'cosine' decays it
# to 0 along half a cosine; 'one_cycle' ramps it up to the given rate and
# down again; a :class:`~sknn.schedules.CosineRestarts` object decays it in
# cycles, each twice as long as the last, here after a warm-up over the
# first 5 % of the steps. Any callable of the fraction of training done
# works too.

schedules = {
    "constant": dict(learning_rate_schedule=None),
    "cosine": dict(learning_rate_schedule="cosine"),
    "one cycle": dict(learning_rate_schedule="one_cycle"),
    "restarts + warm-up": dict(
        learning_rate_schedule=CosineRestarts(n_cycles=3), warmup_fraction=0.05
    ),
}
fitted = {}
for name, params in schedules.items():
    clf = MLPNeuronClassifier(
        hidden_layer_sizes=(64,),
        learning_rate_init=0.01,
        max_iter=60,
        early_stopping=True,
        n_iter_no_change=np.inf,
        random_state=0,
        **params,
    )
    with warnings.catch_warnings():  # 60 epochs is short, on purpose
        warnings.simplefilter("ignore", ConvergenceWarning)
        fitted[name] = clf.fit(X_train, y_train, X_val=X_val, y_val=y_val)
    print(
        f"{name:>18}: best validation accuracy {clf.best_validation_score_:.3f}, "
        f"last validation loss {clf.validation_loss_curve_[-1]:.3f}"
    )

# %%
# The rates and the losses
# ------------------------
# Each schedule ends with its smallest steps, and the curves show it: the
# training loss under a decaying rate flattens smoothly, and each restart
# of the rate shows as a bump in the loss. On this small, easy problem the
# constant rate does as well (run it: the best validation accuracies are
# within a point of each other), and a rate that decays early leaves the
# training loss higher after 60 epochs. Schedules pay on longer runs and
# harder problems; the user guide's Training chapter measures them, one
# ingredient at a time, on real tables.

fig, (rates, losses) = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
for name, clf in fitted.items():
    epochs = np.arange(1, len(clf.learning_rate_curve_) + 1)
    rates.plot(epochs, clf.learning_rate_curve_, label=name)
rates.set_xlabel("epoch")
rates.set_ylabel("learning rate (at the epoch's last step)")
rates.legend()
LossCurveDisplay.from_estimator(list(fitted.values()), labels=list(fitted), ax=losses)
losses.set_yscale("log")
plt.show()
