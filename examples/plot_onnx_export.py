"""
===================================
Exporting a pipeline to ONNX
===================================

A fitted pipeline predicts in Python. To serve it elsewhere (a C++ service,
a phone, a browser) it can be converted to `ONNX <https://onnx.ai>`_, a
graph of standard operators, and run by `onnxruntime
<https://onnxruntime.ai>`_. ``import sknn.onnx`` registers sknn's
converters with skl2onnx, so skl2onnx's own ``to_onnx`` converts a pipeline
that holds an sknn estimator, as it converts scikit-learn's.

This example fits a pipeline, converts it, checks that onnxruntime predicts
what sknn predicts, and times one prediction of one row with each, the
latency a web service sees. It needs ``pip install "sknn[onnx]"``.
"""

# %%
# Fit and convert
# ---------------
# A scaler and a network with two hidden layers of different activations,
# fitted in float32 on the digits. The sample given to ``to_onnx`` sets the
# input's type (float32) and width; ``zipmap=False`` keeps the probabilities
# a plain matrix rather than a list of dictionaries.

import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
import onnxruntime as ort
from skl2onnx import to_onnx
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import sknn.onnx  # noqa: F401  (registers the converters)
from sknn import MLPNeuronClassifier

X, y = load_digits(return_X_y=True)
X = X.astype(np.float32)
pipe = make_pipeline(
    StandardScaler(),
    MLPNeuronClassifier((64, 32), activation=["gelu", "silu"], random_state=0),
)
with warnings.catch_warnings():  # 200 epochs of adam: close enough here
    warnings.simplefilter("ignore", ConvergenceWarning)
    pipe.fit(X, y)

onx = to_onnx(pipe, X[:1], options={"zipmap": False})
print(f"{len(onx.graph.node)} ONNX nodes, {len(onx.SerializeToString()):,} bytes")

# %%
# Run and compare
# ---------------
# One thread for onnxruntime, as numpy's BLAS gets one in this gallery. The
# labels must be identical; the probabilities agree to float32 rounding.

options = ort.SessionOptions()
options.intra_op_num_threads = 1
options.inter_op_num_threads = 1
session = ort.InferenceSession(
    onx.SerializeToString(), options, providers=["CPUExecutionProvider"]
)
labels, probabilities = session.run(None, {"X": X})
expected = pipe.predict_proba(X)
print("labels identical:", bool((labels == pipe.predict(X)).all()))
print(
    f"largest difference in probability: {np.abs(probabilities - expected).max():.1e}"
)

# %%
# Single-row latency
# ------------------
# A service predicts one request at a time. For one row the cost is the
# overhead around the arithmetic: scikit-learn's input validation and
# numpy's calls for sknn, one call into compiled code for onnxruntime. Each
# is timed over 100 calls, five times, alternating the two, in CPU time
# (``time.process_time``, less sensitive than wall time to other programs);
# the median is kept.

row = X[:1]


def per_call(predict, n_calls=100):
    start = time.process_time()
    for _ in range(n_calls):
        predict()
    return (time.process_time() - start) / n_calls


runners = {
    "sknn pipeline\npredict": lambda: pipe.predict(row),
    "sknn pipeline\npredict_proba": lambda: pipe.predict_proba(row),
    "onnxruntime\nlabel + probabilities": lambda: session.run(None, {"X": row}),
}
timings = {name: [] for name in runners}
for _ in range(5):
    for name, predict in runners.items():
        timings[name].append(per_call(predict))
medians = {name: 1e6 * np.median(times) for name, times in timings.items()}
for name, microseconds in medians.items():
    print(f"{name.replace(chr(10), ' '):40s} {microseconds:8.1f} µs")

fig, ax = plt.subplots(figsize=(7, 3.5))
bars = ax.barh(list(medians), list(medians.values()), color=["C0", "C0", "C1"])
ax.bar_label(bars, fmt="%.0f µs", padding=3)
ax.invert_yaxis()
ax.set_xlabel("CPU time per call, one row (median of 5 × 100 calls)")
ax.set_title("Predicting one digit: scaler + network of 64 and 32 units")
ax.set_xlim(0, 1.2 * max(medians.values()))
fig.tight_layout()
plt.show()
