import numpy as np
import pytest

from mlp.activations import ACTIVATIONS, get_activation, leaky_relu, relu, sigmoid

Z = np.linspace(-4, 4, 81) + 0.013  # off the ReLU kink at 0


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_derivative_matches_central_differences(name):
    act = get_activation(name)
    eps = 1e-6
    numeric = (act(Z + eps) - act(Z - eps)) / (2 * eps)
    np.testing.assert_allclose(act.derivative(Z), numeric, rtol=1e-6, atol=1e-9)


def test_sigmoid_is_exact_and_silent_at_extremes():
    z = np.array([-1e4, -800.0, -30.0, 0.0, 30.0, 800.0, 1e4])
    s = sigmoid(z)  # RuntimeWarnings are errors in this suite
    assert s[0] == 0.0 and s[-1] == 1.0 and s[3] == 0.5
    np.testing.assert_allclose(s[2], np.exp(-30.0) / (1 + np.exp(-30.0)), rtol=1e-14)
    assert np.all(np.isfinite(sigmoid.derivative(z)))


def test_relu_derivative_at_zero_is_zero():
    assert relu.derivative(np.array([0.0]))[0] == 0.0


def test_leaky_relu_keeps_a_small_slope_for_negative_inputs():
    assert leaky_relu.derivative(np.array([-2.0]))[0] == pytest.approx(0.01)
    assert leaky_relu(np.array([-2.0]))[0] == pytest.approx(-0.02)


def test_unknown_activation_lists_the_known_names():
    with pytest.raises(ValueError, match="sigmoid, tanh, relu, leaky_relu, identity"):
        get_activation("swish")


def test_activations_have_readable_reprs():
    assert repr(leaky_relu) == "LeakyReLU(alpha=0.01)"
    assert repr(sigmoid) == "Sigmoid()"
