"""sknn: scikit-learn-compatible neural networks on a numpy core."""

__version__ = "0.1.0.dev0"

__all__ = ["__version__"]
