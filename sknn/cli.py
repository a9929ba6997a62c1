"""The ``sknn`` command line: ``sknn demo`` and ``sknn info``.

``demo`` trains sknn's estimators beside scikit-learn's and prints their
scores and fit times (:mod:`sknn._demo`); ``info`` prints the versions and
the BLAS library a bug report needs (:mod:`sknn._info`). This module only
parses the arguments and dispatches; the same entry point serves
``python -m sknn`` and the ``sknn`` console script.
"""

import argparse

import sknn
from sknn._demo import run_demo
from sknn._info import info_lines


def build_parser():
    """Return the argparse parser for ``sknn``."""
    parser = argparse.ArgumentParser(
        prog="sknn",
        description="sknn: scikit-learn-compatible neural networks on a numpy core.",
    )
    parser.add_argument("--version", action="version", version=sknn.__version__)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = commands.add_parser(
        "demo",
        help="train sknn and scikit-learn estimators on digits and diabetes and "
        "compare them",
        description=(
            "Train sknn's classifiers and their scikit-learn counterparts on one "
            "split of scikit-learn's bundled digits data, and the regressors on "
            "its diabetes data, and print test scores (accuracy, R²) and fit "
            "times side by side."
        ),
    )
    # Fewer MLP epochs for the test suite; hidden, so users only see the real demo.
    demo.add_argument("--quick", action="store_true", help=argparse.SUPPRESS)
    commands.add_parser(
        "info",
        help="print versions, platform and BLAS details for bug reports",
        description="Print sknn's, its dependencies' and Python's versions, the "
        "platform, and the BLAS libraries in use with their thread counts.",
    )
    return parser


def main(argv=None):
    """Run the ``sknn`` command line and return its exit status.

    Parameters
    ----------
    argv : list of str, default=None
        The arguments without the program name; ``sys.argv[1:]`` when None.

    Returns
    -------
    int
        The process exit status.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "demo":
        return run_demo(quick=args.quick)
    if args.command == "info":
        print("\n".join(info_lines()))
        return 0
    parser.print_help()
    return 2
