"""Build sknn's compiled kernels.

Every ``sknn/*.pyx`` is compiled into an extension module of the same name. The
metadata lives in pyproject.toml; this file only declares the extensions, because
setuptools reads extension modules from code, not from the project table.
"""

import sys
from pathlib import Path

import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup

# The kernels are compared with their numpy oracles to 1e-12: contracting a*b+c
# into one rounding (FMA) would change results with the compiler's mood, and
# errno checks on exp/log only slow the loops down.
COMPILE_ARGS = (
    [] if sys.platform == "win32" else ["-O3", "-ffp-contract=off", "-fno-math-errno"]
)

extensions = [
    Extension(
        f"sknn.{path.stem}",
        [str(path)],
        include_dirs=[numpy.get_include()],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_9_API_VERSION")],
        extra_compile_args=COMPILE_ARGS,
    )
    for path in sorted(Path("sknn").glob("*.pyx"))
]

setup(
    ext_modules=cythonize(
        extensions,
        compiler_directives={
            "language_level": 3,
            "boundscheck": False,
            "wraparound": False,
            "cdivision": True,
            "initializedcheck": False,
        },
    )
)
