"""pytest configuration shared by the test suite and the doctests of sknn/."""

import importlib.util

collect_ignore = []
if importlib.util.find_spec("skl2onnx") is None:
    # sknn.onnx raises ImportError without the onnx extra, so --doctest-modules
    # cannot import it; tests/test_onnx.py skips itself.
    collect_ignore.append("sknn/onnx.py")
