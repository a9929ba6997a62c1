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
from setuptools.command.build_ext import build_ext

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


class build_ext_beside_sources(build_ext):
    """Build the kernels, and also place each one beside its ``.pyx``.

    ``python -m pytest`` in a checkout imports ``sknn`` from the checkout (the
    current directory comes first on ``sys.path``), not from site-packages.
    With each compiled module beside its source, a checkout is importable
    after ``pip install .`` just as after ``pip install -e .``.
    """

    def run(self):
        super().run()
        if self.inplace:
            return
        for extension in self.extensions:
            built = Path(self.get_ext_fullpath(extension.name))
            package = Path(*extension.name.split(".")[:-1])
            beside = package / built.name
            self.copy_file(str(built), str(beside))


setup(
    cmdclass={"build_ext": build_ext_beside_sources},
    ext_modules=cythonize(
        extensions,
        # The generated C stays out of the package's folder.
        build_dir="build/cython",
        compiler_directives={
            "language_level": 3,
            "boundscheck": False,
            "wraparound": False,
            "cdivision": True,
            "initializedcheck": False,
        },
    ),
)
