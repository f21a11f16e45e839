"""Input features: their definition, their checks, and what they buy a network."""

import numpy as np
import pytest

from mlp import MLP, TrainConfig, datasets, train
from mlp.features import expand


def test_features_are_computed_from_playgrounds_centred_coordinates():
    X = np.array([[0.5, 0.5], [1.0, 0.0], [0.25, 0.75]])
    inputs = expand(X, ("x1", "x1^2", "x1*x2", "sin(x2)"))
    u1, u2 = 12 * (X[:, 0] - 0.5), 12 * (X[:, 1] - 0.5)  # u = 12·(x − 0.5)
    np.testing.assert_allclose(inputs, np.column_stack([X[:, 0], u1**2, u1 * u2, np.sin(u2)]))


def test_the_default_features_are_the_points_themselves():
    X = np.random.default_rng(0).uniform(0, 1, (5, 2))
    assert expand(X) is X


@pytest.mark.parametrize(
    ("features", "message"),
    [
        ((), "features must list some of"),
        (("x1", "x3"), "features must be among"),
        (("x1", "x1"), "features must not repeat"),
        ("x1", "features must list some of"),
    ],
)
def test_bad_features_are_refused_naming_the_field(features, message):
    with pytest.raises(ValueError, match=message):
        TrainConfig(features=features)


def test_features_come_in_a_fixed_order_and_set_the_input_width():
    config = TrainConfig(features=("sin(x1)", "x2^2", "x1"))
    assert config.features == ("x1", "x2^2", "sin(x1)") and config.sizes()[0] == 3


SQUARES = TrainConfig(
    hidden=(2,), features=("x1^2", "x2^2"), optimizer="adam", lr=0.05, epochs=2000
)


@pytest.mark.parametrize("seed", range(2))
def test_squares_let_one_hidden_layer_of_2_units_separate_the_noise_free_circle(seed):
    X, y = datasets.circle(n=200, noise=0.0, seed=0)
    record = train(X, y, SQUARES.replace(seed=seed))
    assert record.final_accuracy == 1.0
    # the network takes raw points: its own forward pass expands them
    assert np.array_equal((record.network.forward(X) > 0.5).astype(int), y)


def test_without_the_squares_the_same_network_cannot_separate_it():
    X, y = datasets.circle(n=200, noise=0.0, seed=0)
    assert train(X, y, SQUARES.replace(features=("x1", "x2"))).final_accuracy < 0.9


@pytest.mark.parametrize("seed", range(2))
def test_sines_let_a_small_network_fit_the_spiral_better_than_the_raw_points(seed):
    X, y = datasets.spiral(n=200, noise=0.0, seed=0)
    base = TrainConfig(
        hidden=(4,), activation="tanh", optimizer="adam", lr=0.02, epochs=2000, seed=seed
    )
    raw = train(X, y, base)
    sines = train(X, y, base.replace(features=("x1", "x2", "sin(x1)", "sin(x2)")))
    assert sines.final_accuracy >= raw.final_accuracy + 0.1


def test_a_network_with_features_survives_a_pickle():
    import pickle

    net = MLP((3, 4, 1), features=("x1", "x2", "x1*x2"), seed=2)
    X = np.random.default_rng(1).uniform(0, 1, (6, 2))
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(net)).forward(X), net.forward(X))
