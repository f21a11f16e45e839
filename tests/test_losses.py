import numpy as np
import pytest

from mlp.losses import bce, check_loss_output, get_loss, mse


def test_mse_is_the_mean_squared_error():
    assert mse(np.array([[0.5], [1.0]]), np.array([[0], [0]])) == pytest.approx((0.25 + 1) / 2)


def test_bce_from_logits_matches_the_textbook_formula():
    z = np.array([[-3.0], [0.2], [4.0]])
    y = np.array([[0.0], [1.0], [1.0]])
    p = 1 / (1 + np.exp(-z))
    expected = np.mean(-y * np.log(p) - (1 - y) * np.log(1 - p))
    assert bce(p, y, z) == pytest.approx(expected, rel=1e-12)


def test_bce_stays_finite_for_saturated_logits():
    z = np.array([[800.0], [-800.0]])
    assert bce(np.array([[1.0], [0.0]]), np.array([[0.0], [1.0]]), z) == pytest.approx(800.0)


def test_sum_reduction_is_n_over_2_times_the_mean_gradient_for_mse():
    assert mse.gradient_scale("sum", 21) / mse.gradient_scale("mean", 21) == pytest.approx(10.5)


def test_bce_needs_a_sigmoid_output():
    with pytest.raises(ValueError, match="output_activation 'sigmoid'"):
        check_loss_output("bce", "relu")


def test_unknown_loss_is_rejected():
    with pytest.raises(ValueError, match="mse, bce"):
        get_loss("hinge")
