"""pytest configuration shared by the test suite and the doctests of sknn/."""

import importlib.util

collect_ignore = []
if importlib.util.find_spec("skl2onnx") is None:
    # sknn.onnx raises ImportError without the onnx extra, and the table stage
    # it imports needs skl2onnx too, so --doctest-modules cannot import them;
    # tests/test_onnx.py skips itself.
    collect_ignore += ["sknn/onnx.py", "sknn/_onnx_tables.py"]
