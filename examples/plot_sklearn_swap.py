"""
================================================
Swapping scikit-learn's MLPClassifier for sknn's
================================================

:class:`~sknn.MLPNeuronClassifier` takes every parameter of scikit-learn's
:class:`~sklearn.neural_network.MLPClassifier`, with the same name, default
and meaning, and sets the same fitted attributes. Code written for one runs
with the other by changing the import. From the same ``random_state`` both
draw the same initial weights and the same mini-batches, so they train the
same network, up to rounding, and reach the same accuracy; what differs is
how long it takes.

This example runs one piece of code with each class and compares accuracy
and fit time.
"""

# %%
# The same code for both
# ----------------------
# ``evaluate`` is ordinary scikit-learn code: it never names a class, only
# the ``Classifier`` it is given. It splits a generated problem of 6,000
# samples and 40 features, fits a network of two hidden layers, and returns
# the test accuracy and the fit time.

import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_limits

from sknn import MLPNeuronClassifier

X, y = make_classification(
    n_samples=6000, n_features=40, n_informative=20, n_classes=4, random_state=0
)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)


def evaluate(Classifier, activation):
    clf = Classifier(
        hidden_layer_sizes=(64, 64), activation=activation, max_iter=20, random_state=0
    )
    start = time.perf_counter()
    with warnings.catch_warnings():  # 20 epochs: not converged, on purpose
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X_train, y_train)
    return clf.score(X_test, y_test), time.perf_counter() - start


# %%
# Side by side
# ------------
# Each activation is fitted three times with each class, alternating the two
# so that both see the same state of the machine, with one BLAS thread; the
# median time counts. The accuracies agree to the last digit, because the
# two classes computed the same network.

classes = {"scikit-learn": MLPClassifier, "sknn": MLPNeuronClassifier}
activations = ["relu", "tanh", "logistic"]
accuracy = {name: [] for name in classes}
seconds = {name: [] for name in classes}
with threadpool_limits(limits=1):
    for activation in activations:
        runs = {name: [] for name in classes}
        for _ in range(3):
            for name, Classifier in classes.items():
                runs[name].append(evaluate(Classifier, activation))
        for name, results in runs.items():
            accuracy[name].append(results[0][0])
            seconds[name].append(np.median([elapsed for _, elapsed in results]))
        print(f"{activation:>8}: " + ", ".join(
            f"{name} {accuracy[name][-1]:.4f} in {seconds[name][-1]:.2f} s"
            for name in classes
        ))  # fmt: skip

# %%
# The figure: the test accuracy of each pair of fits, and the median fit
# time. The time ratio depends on the machine, the BLAS library and the
# problem's shape; the scripts in the repository's ``benchmarks/`` folder
# measure it properly (see :doc:`/user_guide/performance`).

fig, (ax_acc, ax_time) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
offsets = {"scikit-learn": -0.2, "sknn": 0.2}
positions = np.arange(len(activations))
for name in classes:
    ax_acc.bar(positions + offsets[name], accuracy[name], width=0.4, label=name)
    ax_time.bar(positions + offsets[name], seconds[name], width=0.4, label=name)
ax_acc.set(ylabel="test accuracy", ylim=(0.5, 1), title="Same code, same accuracy")
ax_time.set(ylabel="fit time (s), median of 3", title="Fit time, one BLAS thread")
for ax in (ax_acc, ax_time):
    ax.set_xticks(positions, activations)
ax_time.legend(loc="upper left")
plt.show()
