"""Run ``python -m sknn``: the command-line interface."""

import sys

from sknn.cli import main

if __name__ == "__main__":
    sys.exit(main())
