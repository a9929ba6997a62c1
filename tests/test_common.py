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
    # the remedies scikit-learn's MLP lacks, at non-default values
    MLPNeuronClassifier(weight_init="he_uniform", dropout=0.1, scoring="loss"),
    MLPNeuronRegressor(weight_init=["lecun_normal", "he_normal"], dropout=[0.2]),
    # the opt-in training procedure, at non-default values
    MLPNeuronClassifier(
        learning_rate_schedule="cosine",
        warmup_fraction=0.1,
        weight_decay=0.01,
        max_grad_norm=1.0,
        label_smoothing=0.1,
    ),
    MLPNeuronRegressor(
        solver="sgd",
        learning_rate_schedule="cosine_restarts",
        warmup_fraction=0.2,
        weight_decay=0.01,
        max_grad_norm=5.0,
    ),
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


_DROPOUT_SAMPLE_WEIGHT = (
    "Dropout draws a mask per row: a sample repeated k times is trained with k "
    "independent masks, a sample of weight k with one, so the two fits differ "
    "by the randomness dropout adds on purpose."
)


def expected_failed_checks(estimator):
    failing = dict(EXPECTED_FAILED_CHECKS.get(type(estimator), {}))
    if getattr(estimator, "dropout", 0):
        for check in (
            "check_sample_weight_equivalence_on_dense_data",
            "check_sample_weight_equivalence_on_sparse_data",
        ):
            failing[check] = _DROPOUT_SAMPLE_WEIGHT
    return failing


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
