"""
===================================================
Training on data larger than memory, chunk by chunk
===================================================

A network trained by mini-batch gradient descent never needs all its data at
once: each step looks at one batch. :meth:`~sknn.MLPNeuronClassifier.partial_fit`
makes that usable from outside: each call trains one epoch on the rows it is
given and continues from where the last call stopped, weights and optimizer
state included. :func:`sknn.fit_incremental` runs the loop over a data set
stored on disk, a chunk of rows at a time, for as many epochs as asked.

This example writes a data set to disk, trains on it chunk by chunk, checks
that the result is the network a fit in memory gives, and measures how the
peak memory follows the chunk size rather than the size of the data.
"""

# %%
# A data set on disk
# ------------------
# The labels come from a fixed random "teacher" network with some noise, so
# every row is drawn from one problem, three classes with curved borders. The
# rows are generated and written one block at a time: the whole data set is
# never in memory. ``numpy.memmap`` then maps the file, and slicing it reads
# only the rows sliced. (The data set is small here so that the example runs
# in seconds; nothing below depends on its size.)

import tempfile
import tracemalloc
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from sknn import MLPNeuronClassifier, fit_incremental

n_rows, n_features, block = 200_000, 20, 20_000
rng = np.random.default_rng(0)
teacher = rng.normal(size=(n_features, 8)), rng.normal(size=(8, 3))


def make_rows(n, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_features)).astype(np.float32)
    scores = np.tanh(X @ teacher[0]) @ teacher[1] + 0.3 * rng.gumbel(size=(n, 3))
    return X, scores.argmax(axis=1)


workdir = tempfile.TemporaryDirectory()
folder = Path(workdir.name)
X_disk = np.memmap(folder / "X.f32", np.float32, "w+", shape=(n_rows, n_features))
y_disk = np.memmap(folder / "y.i64", np.int64, "w+", shape=(n_rows,))
for start in range(0, n_rows, block):
    X_disk[start : start + block], y_disk[start : start + block] = make_rows(
        block, seed=start + 1
    )
X_disk.flush(), y_disk.flush()
X_test, y_test = make_rows(10_000, seed=0)
print(f"{X_disk.nbytes / 1e6:.0f} MB of features, {np.bincount(y_disk)} per class")

# %%
# Epochs over chunks
# ------------------
# ``fit_incremental`` cuts the memory-mapped arrays into chunks of
# ``chunk_size`` rows and calls ``partial_fit`` once per chunk. Here it runs
# one epoch per call, in a new random order of the chunks each time, and the
# test accuracy is recorded after every epoch.

clf = MLPNeuronClassifier(hidden_layer_sizes=(32,), batch_size=100, random_state=0)
chunk_order = np.random.RandomState(0)
accuracy = []
for _ in range(6):
    fit_incremental(
        clf, X_disk, y_disk, chunk_size=10_000, shuffle_chunks=True,
        random_state=chunk_order,
    )  # fmt: skip
    accuracy.append(clf.score(X_test, y_test))
print("test accuracy after each epoch:", np.round(accuracy, 3))

# %%
# The same network as a fit in memory
# -----------------------------------
# With ``shuffle=False`` and chunks a multiple of ``batch_size`` long, the
# chunks give the network exactly the mini-batches a fit on the whole array
# gives it, in the same order, and the optimizer carries its state from one
# chunk to the next: the two networks are the same.

base = MLPNeuronClassifier(
    hidden_layer_sizes=(32,), batch_size=100, shuffle=False, random_state=0
)
streamed = fit_incremental(clone(base), X_disk, y_disk, chunk_size=10_000, n_epochs=2)
with warnings.catch_warnings():  # two epochs are not convergence, and that is fine
    warnings.simplefilter("ignore", ConvergenceWarning)
    in_memory = clone(base).set_params(max_iter=2).fit(np.asarray(X_disk), y_disk)
gap = max(np.abs(a - b).max() for a, b in zip(streamed.coefs_, in_memory.coefs_))
print(f"largest weight difference: {gap:.1e}")

# %%
# Memory follows the chunk
# ------------------------
# Python's ``tracemalloc`` records the peak of the memory numpy allocates
# while one epoch trains, from chunks that a generator reads from the file
# with ``np.fromfile`` one at a time. Against it: the same epoch on the whole
# array read into memory. The generator yields each chunk without keeping a
# name for it, so a chunk is freed as soon as it has been trained on, before
# the next one is read.


def read(start, count):
    X = np.fromfile(folder / "X.f32", np.float32, count * n_features,
                    offset=start * n_features * 4)  # fmt: skip
    y = np.fromfile(folder / "y.i64", np.int64, count, offset=start * 8)
    return X.reshape(count, n_features), y


def read_chunks(chunk_rows):
    def chunks():
        for start in range(0, n_rows, chunk_rows):
            yield read(start, min(chunk_rows, n_rows - start))

    return chunks


def peak_megabytes(train, *args, **kwargs):
    """The peak of numpy's allocations while ``train(*args, **kwargs)`` runs."""
    tracemalloc.start()
    train(*args, **kwargs)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1e6


def in_memory_epoch():
    X, y = read(0, n_rows)
    return clone(base).partial_fit(X, y, classes=classes)


chunk_sizes = [2_000, 5_000, 10_000, 25_000, 50_000]
classes = np.unique(y_disk)
peaks = [
    peak_megabytes(fit_incremental, clone(base), read_chunks(rows), classes=classes)
    for rows in chunk_sizes
]
whole = peak_megabytes(in_memory_epoch)
row_mb = (n_features * 4 + 8) / 1e6
for c, peak in zip(chunk_sizes, peaks):
    print(f"chunk of {c:6d} rows ({c * row_mb:5.2f} MB): peak {peak:5.2f} MB")
print(f"all {n_rows} rows in memory ({n_rows * row_mb:.1f} MB): peak {whole:.1f} MB")

# %%
# The figure: accuracy per epoch on the left, and on the right the peak
# memory of an epoch against the chunk size, beside the size of the chunk
# itself and the peak of training on all the data at once.

fig, (ax_acc, ax_mem) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
ax_acc.plot(range(1, len(accuracy) + 1), accuracy, marker="o")
ax_acc.set(xlabel="epoch", ylabel="test accuracy", title="Chunk by chunk, 6 epochs")
sizes_mb = np.array(chunk_sizes) * row_mb
ax_mem.plot(sizes_mb, peaks, marker="o", label="peak while training from chunks")
ax_mem.plot(sizes_mb, sizes_mb, linestyle="--", color="gray", label="one chunk")
ax_mem.axhline(whole, color="tab:red", label="peak with all data in memory")
ax_mem.set(xlabel="chunk size (MB)", ylabel="peak memory (MB)",
           title="Memory follows the chunk, not the data")  # fmt: skip
ax_mem.legend()
plt.show()

del X_disk, y_disk  # unmap the files before removing them
workdir.cleanup()
