"""scikit-learn's estimator checks, run on every sknn estimator.

Add an estimator by appending an instance to ``ESTIMATORS``; a check it is
known to fail goes in ``EXPECTED_FAILED_CHECKS`` with the reason beside it.
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sknn import MLPNeuronClassifier, MLPNeuronRegressor, PerceptronClassifier

ESTIMATORS = [
    PerceptronClassifier(),
    MLPNeuronClassifier(),
    MLPNeuronRegressor(),
    MLPNeuronRegressor(loss="absolute_error", activation=["tanh"]),
]

_ONLINE_SAMPLE_WEIGHT = (
    "The online rule multiplies a sample's update by its weight, once per epoch; "
    "repeating the sample instead makes several successive updates, each scored "
    "with the weights the previous one left, and changes the epoch's length, its "
    "shuffled order and so the stopping rule. scikit-learn's Perceptron fails "
    "these checks for the same reason."
)

EXPECTED_FAILED_CHECKS = {
    PerceptronClassifier: {
        "check_sample_weight_equivalence_on_dense_data": _ONLINE_SAMPLE_WEIGHT,
        "check_sample_weight_equivalence_on_sparse_data": _ONLINE_SAMPLE_WEIGHT,
    },
}


def expected_failed_checks(estimator):
    return EXPECTED_FAILED_CHECKS.get(type(estimator), {})


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
