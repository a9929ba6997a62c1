"""The order of the gallery: the order in which the ideas build on each other."""

TEACHING_ORDER = [
    "plot_activation_functions.py",
    "plot_perceptron_xor.py",
    "plot_mlp_decision_boundaries.py",
    "plot_digits_weights.py",
    "plot_solver_loss_curves.py",
    "plot_loss_curves_by_activation.py",
    "plot_training_diagnostics.py",
    "plot_vanishing_gradients.py",
    "plot_dead_relu.py",
    "plot_remedies.py",
    "plot_learning_rate_schedules.py",
    "plot_tabular_house_prices.py",
    "plot_grid_search.py",
    "plot_sklearn_swap.py",
    "plot_out_of_core.py",
    "plot_dask_search.py",
    "plot_onnx_export.py",
]


class TeachingOrder:
    """sphinx-gallery sort key: the listed examples first, in that order,
    then any other example by file name."""

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        if filename in TEACHING_ORDER:
            return (TEACHING_ORDER.index(filename), filename)
        return (len(TEACHING_ORDER), filename)

    def __repr__(self):
        return "TeachingOrder"
