"""``sknn info``: the versions, the kernels' build and the BLAS a bug report needs."""

import importlib.metadata
import importlib.util
import re
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy
import sklearn

import sknn
from sknn._info import ONNX_PACKAGES, info_lines

# The command line trains the demo's networks and reads the installation.
pytestmark = pytest.mark.slow


def info_text():
    return "\n".join(info_lines())


def test_info_prints_versions_and_blas():
    out = info_text()
    for name, version in [
        ("sknn", sknn.__version__),
        ("numpy", np.__version__),
        ("scipy", scipy.__version__),
        ("scikit-learn", sklearn.__version__),
        ("Python", ".".join(map(str, sys.version_info[:3]))),
    ]:
        line = next(line for line in out.splitlines() if line.split()[0] == name)
        assert version in line
    blas = [line for line in out.splitlines() if line.startswith("BLAS")]
    assert blas and all("num_threads=" in line for line in blas)


KERNELS = sorted(path.stem for path in Path(sknn.__file__).parent.glob("*.pyx"))


def test_info_names_the_compiled_kernels_build():
    # Every kernel records its compiler and Cython version when compiled, so
    # one build gives one line naming all of them.
    from sknn._perceptron_online import BUILD

    assert re.fullmatch(r"\d+\.\d+\.\d+", BUILD["cython"])
    assert BUILD["compiler"] and BUILD["compiler"] != "unknown compiler"
    try:
        import Cython
    except ImportError:  # a wheel built in an isolated environment
        pass
    else:
        assert Cython.__version__.startswith(BUILD["cython"])
    lines = info_text().splitlines()
    (line,) = [line for line in lines if line.startswith("kernels")]
    assert f"{BUILD['compiler']}, Cython {BUILD['cython']}" in line
    for kernel in KERNELS:
        assert kernel in line


@pytest.mark.parametrize("module", ONNX_PACKAGES)
def test_info_reports_the_onnx_extra(module, monkeypatch):
    line = next(line for line in info_text().splitlines() if line.startswith(module))
    try:
        version = importlib.metadata.version(module)
    except importlib.metadata.PackageNotFoundError:
        assert 'not installed (pip install "sknn[onnx]")' in line
    else:
        assert line.split()[1] == version

    find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *args: None if name == module else find_spec(name, *args),
    )
    line = next(line for line in info_text().splitlines() if line.startswith(module))
    assert line.split(maxsplit=1)[1] == 'not installed (pip install "sknn[onnx]")'
