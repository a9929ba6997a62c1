"""The ``sknn info`` command: what a bug report needs to know about the installation.

The versions of sknn, its dependencies and its optional ONNX extra, Python
and the platform, the build of the compiled kernels, and the BLAS and OpenMP
libraries loaded with their thread counts (from threadpoolctl).
"""

import importlib.metadata
import importlib.util
import platform
from pathlib import Path

import numpy as np

import sknn

ONNX_EXTRA = 'pip install "sknn[onnx]"'
ONNX_PACKAGES = ("skl2onnx", "onnxruntime")
"""The packages of the onnx extra, which ``sknn info`` reports."""


def info_lines():
    """Return the lines ``sknn info`` prints: versions, platform, the compiled
    kernels' build, BLAS."""
    import scipy
    import scipy.linalg  # noqa: F401  (loads scipy's BLAS so threadpoolctl sees it)
    import sklearn
    import threadpoolctl

    rows = [
        ("sknn", sknn.__version__),
        ("numpy", np.__version__),
        ("scipy", scipy.__version__),
        ("scikit-learn", sklearn.__version__),
        ("threadpoolctl", threadpoolctl.__version__),
        *((name, _optional_version(name, ONNX_EXTRA)) for name in ONNX_PACKAGES),
        ("Python", f"{platform.python_version()} ({platform.python_implementation()})"),
        ("platform", platform.platform()),
    ]
    rows.extend(("kernels", line) for line in compiled_kernels())
    pools = threadpoolctl.threadpool_info()
    blas = [p for p in pools if p.get("user_api") == "blas"]
    for pool in blas:
        rows.append(("BLAS", _describe_pool(pool)))
    if not blas:
        rows.append(("BLAS", "none found by threadpoolctl"))
    for pool in pools:
        if pool.get("user_api") != "blas":
            rows.append((pool.get("user_api", "threadpool"), _describe_pool(pool)))
    width = max(len(key) for key, _ in rows)
    return [f"{key.ljust(width)}  {value}" for key, value in rows]


def compiled_kernels():
    """Describe the compiled kernels: one line per build (compiler and Cython
    version, from each kernel's ``BUILD``), naming its modules."""
    from importlib import import_module
    from importlib.machinery import EXTENSION_SUFFIXES

    builds = {}
    for path in sorted(Path(sknn.__file__).parent.iterdir()):
        suffix = next((s for s in EXTENSION_SUFFIXES if path.name.endswith(s)), None)
        if suffix is not None:
            name = path.name[: -len(suffix)]
            build = getattr(import_module(f"sknn.{name}"), "BUILD", None)
            key = (
                "build unknown"
                if build is None
                else (f"{build['compiler']}, Cython {build['cython']}")
            )
            builds.setdefault(key, []).append(name)
    if not builds:
        return ["none found: sknn was not built"]
    return [f"{key} ({', '.join(names)})" for key, names in builds.items()]


def _optional_version(module, extra):
    """The installed version of ``module``, or how to install it.

    Read from the package metadata, without importing the module (importing
    onnxruntime takes a while); the distribution is looked up by module name,
    so builds such as onnxruntime-gpu count as well.
    """
    if importlib.util.find_spec(module) is None:
        return f"not installed ({extra})"
    distributions = importlib.metadata.packages_distributions().get(module, [])
    for distribution in distributions:
        try:
            return importlib.metadata.version(distribution)
        except importlib.metadata.PackageNotFoundError:
            continue
    return "installed, version unknown"


def _describe_pool(pool):
    name = f"{pool.get('internal_api')} {pool.get('version') or ''}".rstrip()
    parts = [name, f"num_threads={pool.get('num_threads')}"]
    if pool.get("architecture"):
        parts.append(f"architecture={pool['architecture']}")
    # The parent folder (numpy.libs, scipy.libs, ...) tells whose copy this is.
    filepath = Path(pool.get("filepath", "?"))
    parts.append(f"{filepath.parent.name}/{filepath.name}")
    return ", ".join(parts)
