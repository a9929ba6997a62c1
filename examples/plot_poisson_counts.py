"""
=========================================
Counts: the Poisson loss or squared error
=========================================

Counts (visits, claims, photons) are non-negative, and their spread grows
with their mean: a Poisson count of mean 1 is rarely above 4, one of mean 20
often misses it by 5. :class:`~sknn.MLPNeuronRegressor` with
``loss='poisson'`` models the logarithm of the mean: its output unit applies
``exp``, so every prediction is positive, and it minimises the Poisson
deviance, which weighs an error by the spread expected at that mean. This
example draws counts from a known Poisson model and compares that loss with
the squared error on held-out data.
"""

# %%
# Counts from a Poisson model
# ---------------------------
# Two features on [-2, 2]; the mean count is
# ``exp(0.5 + 1.2 sin(1.5 x1) + 0.6 x2)``, between about 0.15 and 18. Each
# sample's count is drawn from the Poisson distribution of that mean: a
# quarter of them are 0. Half of the 2,000 samples train, half are held out.

import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import mean_poisson_deviance
from sklearn.model_selection import train_test_split

from sknn import MLPNeuronRegressor

rng = np.random.RandomState(0)
X = rng.uniform(-2, 2, size=(2000, 2))


def true_mean(X):
    return np.exp(0.5 + 1.2 * np.sin(1.5 * X[:, 0]) + 0.6 * X[:, 1])


y = rng.poisson(true_mean(X))
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.5, random_state=0)
print(f"mean count {y.mean():.2f}, largest {y.max()}, zeros {np.mean(y == 0):.0%}")

# %%
# Two losses, one network
# -----------------------
# The same network (one hidden layer of 16 relu units, adam at a learning
# rate of 0.01) trained with each loss.

networks = {
    loss: MLPNeuronRegressor(
        loss,
        hidden_layer_sizes=(16,),
        learning_rate_init=0.01,
        max_iter=500,
        random_state=0,
    ).fit(X_train, y_train)
    for loss in ("poisson", "squared_error")
}

# %%
# The held-out mean Poisson deviance
# ----------------------------------
# The deviance is the Poisson loss's own measure, and it needs positive
# predictions: the squared-error network, whose output unit is linear, also
# predicts negative counts, which are raised to 0.001 first (a kinder
# treatment than a user would get). The true mean itself scores the
# deviance of the noise alone, below which no model can go on average.

deviance = {}
for loss, network in networks.items():
    prediction = network.predict(X_test)
    print(f"{loss}: {np.mean(prediction <= 0):.1%} of predictions not positive")
    deviance[loss] = mean_poisson_deviance(y_test, np.clip(prediction, 1e-3, None))
deviance["true mean"] = mean_poisson_deviance(y_test, true_mean(X_test))
for name, value in deviance.items():
    print(f"held-out mean Poisson deviance, {name}: {value:.3f}")

# %%
# The Poisson network comes close to the true mean; the squared-error
# network does worse. Squared error treats a miss by 5 at a mean of 20 as
# twenty-five times worse than a miss by 1 at a mean of 1, so it spends its
# capacity on the large counts, and near zero its linear output goes
# negative. The Poisson loss scales each miss by the mean, and its ``exp``
# output keeps the small counts small. Left, the mean count along ``x1``
# (with ``x2 = 0``) as each network predicts it; right, the deviances.

fig, (ax_curve, ax_dev) = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
x1 = np.linspace(-2, 2, 200)
line = np.column_stack([x1, np.zeros_like(x1)])
ax_curve.plot(x1, true_mean(line), "k--", label="true mean")
for loss, network in networks.items():
    ax_curve.plot(x1, network.predict(line), label=f"loss='{loss}'")
ax_curve.set(xlabel="x1 (x2 = 0)", ylabel="mean count", title="Predicted mean")
ax_curve.legend()

names = list(deviance)
bars = ax_dev.bar(names, [deviance[name] for name in names], color=["C0", "C1", "0.6"])
ax_dev.bar_label(bars, fmt="%.3f")
ax_dev.set(ylabel="mean Poisson deviance", title="Held-out deviance (lower is better)")
plt.show()
