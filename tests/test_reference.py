"""mlp.reference is the specification: its backprop against finite differences, and the
fast engine (mlp.train, mlp.sweep) against its plain training loop, field by field."""

import numpy as np
import pytest

from mlp import MLP, TrainConfig, datasets, reference, sweep, train
from mlp.activations import ACTIVATIONS
from tests.conftest import assert_records_equal, central_differences


def random_network(config: TrainConfig, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Xavier weights and random biases (keeping ReLU inputs off their kink)."""
    rng = np.random.default_rng(seed)
    net = MLP(config.sizes(), config.activation, config.output_activation, "xavier", seed)
    return [(W.copy(), rng.normal(0, 0.5, b.shape)) for W, b in net.params]


def finite_differences(params, X, y, config, objective=None):
    """Central differences of `objective(params)` (default: the mean loss)."""
    return central_differences(
        params, objective or (lambda p: reference.backprop(p, X, y, config).loss)
    )


def assert_gradients_close(analytic, numeric):
    for pair_a, pair_n in zip(analytic, numeric, strict=True):
        for a, n in zip(pair_a, pair_n, strict=True):
            # floor: central differences carry ~1e-10 of rounding noise at eps = 1e-6
            scale = np.maximum(np.maximum(np.abs(a), np.abs(n)), 1e-4)
            assert np.max(np.abs(a - n) / scale) < 1e-5


@pytest.mark.parametrize("depth", [1, 2, 3])
@pytest.mark.parametrize("loss", ["mse", "bce"])
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_reference_backprop_matches_finite_differences(activation, loss, depth):
    output = "sigmoid" if loss == "bce" else activation
    config = TrainConfig(hidden=(3,) * depth, activation=activation, output_activation=output)
    config = config.replace(loss=loss)
    rng = np.random.default_rng(depth)
    X, y = rng.uniform(-1, 1, (7, 2)), rng.integers(0, 2, (7, 1))
    params = random_network(config, seed=depth)
    step = reference.backprop(params, X, y, config)
    assert_gradients_close(step.grads, finite_differences(params, X, y, config))


@pytest.mark.parametrize(("loss", "factor"), [("mse", 7 / 2), ("bce", 7)])
def test_the_sum_convention_scales_the_mean_gradient_by_its_factor(loss, factor):
    # 7 points: MSE's ½ Σ (ŷ − y)² has n/2 times the mean's gradient, Σ bce_i n times
    config = TrainConfig(hidden=(4,), loss=loss, reduction="sum")
    rng = np.random.default_rng(5)
    X, y = rng.uniform(0, 1, (7, 2)), rng.integers(0, 2, (7, 1))
    params = random_network(config, seed=5)
    numeric = finite_differences(params, X, y, config)
    expected = [(factor * gW, factor * gb) for gW, gb in numeric]
    assert_gradients_close(reference.backprop(params, X, y, config).grads, expected)


def test_a_step_keeps_every_layers_numbers_in_their_stated_shapes(xor):
    X, y = xor
    config = TrainConfig(hidden=(3, 4))
    step = reference.backprop(random_network(config, 0), X, y, config)
    assert [a.shape for a in step.activations] == [(21, 2), (21, 3), (21, 4), (21, 1)]
    assert [z.shape for z in step.zs] == [(21, 3), (21, 4), (21, 1)]
    assert [d.shape for d in step.deltas] == [(21, 3), (21, 4), (21, 1)]
    assert [(gW.shape, gb.shape) for gW, gb in step.grads] == [
        ((2, 3), (3,)),
        ((3, 4), (4,)),
        ((4, 1), (1,)),
    ]
    y_hat = step.activations[-1]
    assert step.loss == pytest.approx(np.mean((y_hat - y) ** 2), rel=1e-14)


# Settings where training is not chaotic, so two correct implementations stay within
# rounding of each other for all epochs (a chaotic run amplifies 1e-16 to anything).
AGREEING = {
    "the lab's sigmoid": TrainConfig(epochs=300),
    "tanh": TrainConfig(activation="tanh", lr=0.1, epochs=300),
    "relu": TrainConfig(activation="relu", init="he", lr=0.1, epochs=300),
    "leaky relu": TrainConfig(activation="leaky_relu", init="he", lr=0.1, epochs=300),
    "no activation": TrainConfig(
        activation="identity", output_activation="identity", lr=0.01, epochs=300
    ),
    "bce, mean": TrainConfig(loss="bce", lr=0.5, epochs=300),
    "bce, sum": TrainConfig(loss="bce", reduction="sum", lr=0.02, epochs=300),
    "mse, sum": TrainConfig(reduction="sum", lr=0.1, epochs=300),
    "momentum": TrainConfig(optimizer="momentum", lr=0.3, epochs=300),
    "adam": TrainConfig(optimizer="adam", lr=0.02, epochs=300),
    "mini-batches, sgd": TrainConfig(batch_size=4, lr=0.5, epochs=200),
    "mini-batches, momentum": TrainConfig(batch_size=5, optimizer="momentum", lr=0.2, epochs=200),
    "mini-batches, adam": TrainConfig(batch_size=8, optimizer="adam", lr=0.01, epochs=200),
    "deep": TrainConfig(hidden=(6, 5, 4), init="xavier", epochs=300),
    # P > 65,536: the fast engine steps each layer as soon as its gradient is known
    "wide, layer by layer": TrainConfig(hidden=(300, 300), lr=0.05, epochs=25, snapshots=5),
    "l2": TrainConfig(l2=0.01, epochs=300),
    "l1, momentum": TrainConfig(l1=0.001, optimizer="momentum", lr=0.3, epochs=150),
    "l1 and l2, mini-batches": TrainConfig(l1=0.001, l2=0.01, batch_size=5, lr=0.5, epochs=200),
    "l2, wide": TrainConfig(hidden=(300, 300), l2=0.01, lr=0.05, epochs=25, snapshots=5),
    "features": TrainConfig(
        features=("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"),
        optimizer="adam",
        lr=0.01,
        epochs=300,
    ),
    "diverging": TrainConfig(
        activation="identity", output_activation="identity", lr=5.0, epochs=500
    ),
    "diverging, mini-batches": TrainConfig(
        activation="relu", output_activation="identity", lr=3.0, batch_size=7, epochs=500
    ),
}


@pytest.mark.parametrize("name", list(AGREEING))
def test_train_agrees_with_the_reference_field_by_field(xor, name):
    config = AGREEING[name]
    expected = reference.train(*xor, config)
    assert_records_equal(train(*xor, config), expected, rtol=1e-9)


@pytest.mark.parametrize("name", ["the lab's sigmoid", "l1 and l2, mini-batches", "features"])
def test_train_with_held_out_points_agrees_with_the_reference(name):
    X, y = datasets.moons(n=60, noise=0.2, seed=1)
    X_train, y_train, X_test, y_test = datasets.split(X, y, 0.5, seed=2)
    config = AGREEING[name]
    expected = reference.train(X_train, y_train, config, test=(X_test, y_test))
    record = train(X_train, y_train, config, test=(X_test, y_test))
    assert_records_equal(record, expected, rtol=1e-9)
    assert len(record.test_epochs) == config.epochs


def test_the_diverging_settings_really_diverge_in_the_reference(xor):
    for name in ("diverging", "diverging, mini-batches"):
        record = reference.train(*xor, AGREEING[name])
        assert record.diverged and 0 < record.stopped_epoch < 500
        assert np.all(np.isfinite(record.network.theta))


def test_sweep_agrees_with_the_reference_for_every_member(xor):
    configs = [
        AGREEING["the lab's sigmoid"].replace(lr=lr, seed=seed, epochs=200)
        for lr in (0.5, 1.0, 60.0)
        for seed in range(2)
    ] + [AGREEING["mini-batches, adam"].replace(seed=seed) for seed in range(2)]
    for record, config in zip(sweep(*xor, configs), configs, strict=True):
        assert_records_equal(record, reference.train(*xor, config), rtol=1e-9)


def test_sweep_with_held_out_points_agrees_with_the_reference_for_every_member():
    X, y = datasets.circle(n=40, noise=0.1, seed=0)
    X_train, y_train, X_test, y_test = datasets.split(X, y, 0.5)
    configs = [TrainConfig(l2=0.01, lr=lr, seed=s, epochs=150) for lr in (0.5, 2.0) for s in (0, 1)]
    records = sweep(X_train, y_train, configs, test=(X_test, y_test))
    for record, config in zip(records, configs, strict=True):
        expected = reference.train(X_train, y_train, config, test=(X_test, y_test))
        assert_records_equal(record, expected, rtol=1e-9)


@pytest.mark.parametrize(("l1", "l2", "reduction"), [(0.0, 0.1, "mean"), (0.05, 0.0, "mean"),
                                                     (0.05, 0.1, "sum")])  # fmt: skip
def test_backprop_of_the_regularized_objective_matches_finite_differences(l1, l2, reduction):
    # weights away from 0, where |w| has no derivative
    config = TrainConfig(hidden=(3, 3), l1=l1, l2=l2, reduction=reduction)
    rng = np.random.default_rng(11)
    X, y = rng.uniform(0, 1, (7, 2)), rng.integers(0, 2, (7, 1))
    params = [(W + 0.3 * np.sign(W), b) for W, b in random_network(config, seed=11)]
    factor = 7 / 2 if reduction == "sum" else 1.0  # MSE's sum convention: n/2 × the mean's

    def objective(candidate):
        step = reference.backprop(candidate, X, y, config)
        return factor * step.loss + step.penalty

    numeric = finite_differences(params, X, y, config, objective=objective)
    assert_gradients_close(reference.backprop(params, X, y, config).grads, numeric)


def test_sweep_stops_a_diverging_member_where_the_reference_does(xor):
    config = AGREEING["diverging"]
    configs = [config.replace(lr=lr) for lr in (0.0002, 5.0, 8.0)]
    records = sweep(*xor, configs)
    assert [r.diverged for r in records] == [False, True, True]
    for record, config in zip(records, configs, strict=True):
        assert_records_equal(record, reference.train(*xor, config), rtol=1e-9)
