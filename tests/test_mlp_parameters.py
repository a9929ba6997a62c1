"""The two MLPs' constructors and parameter docs, kept in step.

Each MLP writes its ``__init__`` and its docstring out in full, as
scikit-learn's do. This module holds the one table of the parameters they
share, and checks that both signatures follow it, that both match
scikit-learn's MLPs where they overlap, and that the shared parameters are
documented in the same words.
"""

import inspect

import pytest
from numpydoc.docscrape import ClassDoc
from sklearn.neural_network import MLPClassifier, MLPRegressor

from sknn import MLPNeuronClassifier, MLPNeuronRegressor

SHARED_PARAMETERS = {
    "hidden_layer_sizes": (100,),
    "activation": "relu",
    "solver": "adam",
    "alpha": 0.0001,
    "batch_size": "auto",
    "learning_rate": "constant",
    "learning_rate_init": 0.001,
    "power_t": 0.5,
    "max_iter": 200,
    "shuffle": True,
    "random_state": None,
    "tol": 1e-4,
    "verbose": False,
    "warm_start": False,
    "momentum": 0.9,
    "nesterovs_momentum": True,
    "early_stopping": False,
    "validation_fraction": 0.1,
    "beta_1": 0.9,
    "beta_2": 0.999,
    "epsilon": 1e-8,
    "n_iter_no_change": 10,
    "max_fun": 15000,
    "negative_slope": 0.01,
    "diagnostics": False,
    "weight_init": "glorot_uniform",
    "dropout": 0.0,
    "scoring": None,
    "learning_rate_schedule": None,
    "warmup_fraction": 0.0,
    "weight_decay": 0.0,
    "max_grad_norm": None,
}
"""The parameters of both MLPs with their defaults, in signature order."""

OWN_PARAMETERS = {
    MLPNeuronClassifier: ([], {"class_weight": None, "label_smoothing": 0.0}),
    MLPNeuronRegressor: ({"loss": "squared_error"}, {}),
}
"""Each MLP's own parameters: (placed first, placed last)."""

WORDED_FOR_THE_TASK = {
    # an empty network is a logistic regression, or a linear (ridge) model
    "hidden_layer_sizes",
    # names the scikit-learn estimator whose draws are reproduced
    "random_state",
    # the data must keep its classes, or its outputs
    "warm_start",
    # stratified by class, accuracy; or a random split, R²
    "early_stopping",
    "scoring",
}
"""Shared parameters whose documentation names the task, and so differs."""

PEERS = {MLPNeuronClassifier: MLPClassifier, MLPNeuronRegressor: MLPRegressor}


def _signature(estimator):
    parameters = list(inspect.signature(estimator.__init__).parameters.values())
    return parameters[1:]  # without self


@pytest.mark.parametrize("estimator", list(OWN_PARAMETERS))
def test_signature_follows_the_shared_table(estimator):
    first, last = OWN_PARAMETERS[estimator]
    expected = {**dict(first), **SHARED_PARAMETERS, **last}
    parameters = _signature(estimator)
    assert [p.name for p in parameters] == list(expected)
    assert {p.name: p.default for p in parameters} == expected


@pytest.mark.parametrize("estimator", list(OWN_PARAMETERS))
def test_only_the_leading_parameters_are_positional(estimator):
    # scikit-learn's MLPs: (loss,) hidden_layer_sizes and activation by
    # position, the rest by keyword only.
    first, _ = OWN_PARAMETERS[estimator]
    positional = [
        p.name
        for p in _signature(estimator)
        if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    ]
    assert positional == [*first, "hidden_layer_sizes", "activation"]


@pytest.mark.parametrize("estimator", list(OWN_PARAMETERS))
def test_scikit_learns_parameters_keep_their_defaults(estimator):
    ours = {p.name: p for p in _signature(estimator)}
    for theirs in _signature(PEERS[estimator]):
        assert theirs.name in ours
        assert ours[theirs.name].default == theirs.default, theirs.name
        assert ours[theirs.name].kind == theirs.kind, theirs.name


@pytest.mark.parametrize("estimator", list(OWN_PARAMETERS))
def test_init_stores_every_parameter_unchanged(estimator):
    values = {name: object() for name in estimator().get_params()}
    assert estimator(**values).get_params() == values


def _documented(estimator):
    return {p.name: p for p in ClassDoc(estimator)["Parameters"]}


def test_every_parameter_is_documented_in_signature_order():
    for estimator in OWN_PARAMETERS:
        assert list(_documented(estimator)) == [p.name for p in _signature(estimator)]


def test_shared_parameters_are_documented_in_the_same_words():
    classifier = _documented(MLPNeuronClassifier)
    regressor = _documented(MLPNeuronRegressor)
    for name in SHARED_PARAMETERS:
        if name in WORDED_FOR_THE_TASK:
            assert classifier[name].desc != regressor[name].desc, name
            continue
        assert classifier[name].type == regressor[name].type, name
        assert classifier[name].desc == regressor[name].desc, name
