"""sknn: scikit-learn-compatible neural networks on a numpy core."""

from sknn._mlp import MLPNeuronClassifier
from sknn._mlp_regressor import MLPNeuronRegressor
from sknn._perceptron import PerceptronClassifier
from sknn._tabular import TabularMLPClassifier, TabularMLPRegressor
from sknn.incremental import fit_incremental

__version__ = "0.1.0.dev0"

__all__ = [
    "MLPNeuronClassifier",
    "MLPNeuronRegressor",
    "PerceptronClassifier",
    "TabularMLPClassifier",
    "TabularMLPRegressor",
    "__version__",
    "fit_incremental",
]
