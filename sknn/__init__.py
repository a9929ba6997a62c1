"""sknn: scikit-learn-compatible neural networks on a numpy core."""

from sknn._mlp import MLPNeuronClassifier

__version__ = "0.1.0.dev0"

__all__ = ["MLPNeuronClassifier", "__version__"]
