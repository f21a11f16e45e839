import math

import pytest

from mlp import TrainConfig


def test_defaults_are_the_labs_setting():
    c = TrainConfig()
    assert (c.hidden, c.activation, c.loss, c.optimizer) == ((20, 20), "sigmoid", "mse", "sgd")
    assert (c.lr, c.epochs, c.batch_size, c.reduction) == (1.0, 10_000, None, "mean")
    assert c.sizes() == (2, 20, 20, 1)


def test_config_is_hashable_and_lists_become_tuples():
    assert hash(TrainConfig(hidden=[4, 4])) == hash(TrainConfig(hidden=(4, 4)))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"lr": 0}, "lr must be a finite number > 0, got 0"),
        ({"lr": -1.0}, "lr must be"),
        ({"lr": math.nan}, "lr must be"),
        ({"lr": math.inf}, "lr must be"),
        ({"epochs": 0}, r"epochs must be in 1\.\.1000000, got 0"),
        ({"epochs": 1_000_001}, "epochs must be in"),
        ({"epochs": 2.5}, "epochs must be a whole number"),
        ({"hidden": ()}, r"hidden must list 1\.\.10"),
        ({"hidden": (4,) * 11}, r"hidden must list 1\.\.10"),
        ({"hidden": (0,)}, r"hidden must be in 1\.\.1024, got 0"),
        ({"hidden": (1025,)}, "hidden must be in"),
        ({"activation": "swish"}, "activation must be one of sigmoid"),
        ({"optimizer": "rmsprop"}, "optimizer must be one of sgd, momentum, adam"),
        ({"init": "orthogonal"}, "init must be one of"),
        ({"reduction": "max"}, "reduction must be one of mean, sum"),
        ({"loss": "bce", "output_activation": "relu"}, "needs output_activation 'sigmoid'"),
        ({"batch_size": 0}, "batch_size must be in"),
        ({"seed": -1}, "seed must be in"),
        ({"snapshots": 1}, "snapshots must be in"),
        ({"lr": True}, "lr must be"),
    ],
)
def test_invalid_settings_name_the_field_and_the_allowed_range(changes, message):
    with pytest.raises(ValueError, match=message):
        TrainConfig(**changes)


def test_round_trip_through_a_dict():
    c = TrainConfig(hidden=(3, 5), lr=0.5, batch_size=4)
    assert TrainConfig.from_dict(c.to_dict()) == c


def test_from_dict_rejects_unknown_fields():
    with pytest.raises(ValueError, match="unknown config field"):
        TrainConfig.from_dict({"lr": 1.0, "momentum": 0.9})
