import pickle

import numpy as np
import pytest

from mlp import MLP, TrainConfig, network, train
from mlp.activations import ACTIVATIONS
from mlp.network import init_theta, parameter_count
from tests.conftest import central_differences


def finite_difference_gradients(net, X, y, loss):
    """Central differences of the network's mean loss w.r.t. every parameter."""
    return central_differences(net.params, lambda _: net.loss(X, y, loss))


def assert_close_to_finite_differences(net, X, y, loss):
    analytic = net.gradients(X, y, loss)
    numeric = finite_difference_gradients(net, X, y, loss)
    for (gW, gb), (nW, nb) in zip(analytic, numeric, strict=True):
        for g, n in ((gW, nW), (gb, nb)):
            # floor: central differences carry ~1e-10 of rounding noise at eps = 1e-6
            scale = np.maximum(np.maximum(np.abs(g), np.abs(n)), 1e-4)
            assert np.max(np.abs(g - n) / scale) < 1e-5


@pytest.mark.parametrize("depth", [1, 2, 3, 4])
@pytest.mark.parametrize("loss", ["mse", "bce"])
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_backprop_matches_finite_differences(activation, loss, depth):
    # a seed fixed by the case (hash() of strings changes from process to process)
    rng = np.random.default_rng([sorted(ACTIVATIONS).index(activation), len(loss), depth])
    hidden = tuple(int(w) for w in rng.integers(2, 6, depth))
    output = "sigmoid" if loss == "bce" else activation
    net = MLP((2, *hidden, 1), activation, output, init="xavier", seed=int(rng.integers(1000)))
    for _, b in net.params:
        b[...] = rng.normal(0, 0.5, b.shape)  # random biases keep ReLU inputs off the kink
    X = rng.uniform(-1, 1, (7, 2))
    y = rng.integers(0, 2, (7, 1))
    assert_close_to_finite_differences(net, X, y, loss)


def test_sum_reduction_gradient_is_n_over_2_times_the_mean_gradient(xor):
    X, y = xor
    net = MLP((2, 4, 4, 1), seed=3)
    mean = net.gradients(X, y, "mse", "mean")
    total = net.gradients(X, y, "mse", "sum")
    for (mW, mb), (sW, sb) in zip(mean, total, strict=True):
        np.testing.assert_allclose(sW, 10.5 * mW, rtol=1e-12)
        np.testing.assert_allclose(sb, 10.5 * mb, rtol=1e-12)


@pytest.mark.parametrize("batch_size", [None, 5])
def test_wide_layers_train_bitwise_alike_with_matmul_or_dot(xor, monkeypatch, batch_size):
    config = TrainConfig(hidden=(120, 90), epochs=30, lr=0.5, seed=2, batch_size=batch_size)
    assert network.DOT_MAX_OUTPUT < 121 * 90  # the middle layer's gradient takes np.matmul
    with_matmul = train(*xor, config)
    monkeypatch.setattr(network, "DOT_MAX_OUTPUT", 10**9)  # every product np.dot
    with_dot = train(*xor, config)
    for field in ("loss", "accuracy", "grad_norms"):
        assert np.array_equal(getattr(with_matmul, field), getattr(with_dot, field))
    assert np.array_equal(with_matmul.network.theta, with_dot.network.theta)


def test_params_are_the_networks_own_weights(xor):
    X, _ = xor
    net = MLP((2, 3, 1), seed=0)
    before = net.forward(X)
    _, b = net.params[-1]
    b += 5.0
    assert np.all(net.forward(X) > before)


def test_forward_gives_one_probability_per_point_and_predict_thresholds_at_half(xor):
    X, _ = xor
    net = MLP((2, 8, 8, 8, 8, 8, 8, 1), seed=2)
    out = net.forward(X)
    assert out.shape == (21, 1) and np.all((out >= 0) & (out <= 1))
    np.testing.assert_array_equal(net.predict(X), (out > 0.5).astype(int))


@pytest.mark.parametrize(
    ("init", "check"),
    [
        ("normal", lambda W, fi, fo: abs(W.std() - 1) < 0.1),
        ("uniform", lambda W, fi, fo: W.min() >= -1 and W.max() <= 1 and W.std() > 0.5),
        ("xavier", lambda W, fi, fo: np.abs(W).max() <= np.sqrt(6 / (fi + fo))),
        ("he", lambda W, fi, fo: abs(W.std() - np.sqrt(2 / fi)) < 0.1 * np.sqrt(2 / fi)),
        ("zeros", lambda W, fi, fo: not W.any()),
    ],
)
def test_init_draws_weights_as_named_and_zero_biases(init, check):
    net = MLP((2, 200, 200, 1), init=init, seed=0)
    W, b = net.params[1]
    assert check(W, 200, 200)
    assert not b.any()


def test_init_is_reproducible_from_the_seed():
    a = init_theta((2, 5, 1), "normal", np.random.default_rng(4))
    b = init_theta((2, 5, 1), "normal", np.random.default_rng(4))
    np.testing.assert_array_equal(a, b)
    assert a.shape == (parameter_count((2, 5, 1)),) == (21,)


def test_a_pickled_network_keeps_its_weights_wired_to_its_layers(xor):
    X, _ = xor
    net = pickle.loads(pickle.dumps(MLP((2, 3, 1), seed=1)))
    net.params[0][1][...] = 1.0  # in-place change must reach the forward pass
    np.testing.assert_array_equal(
        net.forward(X), MLP.from_theta(net.sizes, "sigmoid", "sigmoid", net.theta).forward(X)
    )


@pytest.mark.parametrize("sizes", [(2,), (2, 0, 1), (2, 3, 2)])
def test_bad_sizes_are_rejected(sizes):
    with pytest.raises(ValueError, match="sizes"):
        MLP(sizes)
