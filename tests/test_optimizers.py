"""One and two steps of each optimizer against its formula, written out by hand."""

import numpy as np
import pytest

from mlp.optimizers import get_optimizer

THETA = [1.0, -2.0]
G1, G2 = [0.5, -0.25], [0.1, 0.2]
LR = 0.1


def steps(name: str, *grads) -> np.ndarray:
    optimizer = get_optimizer(name)((1, 2))
    theta, lr = np.array([THETA]), np.array([[LR]])
    for g in grads:
        optimizer.tick()
        optimizer.step(theta, np.array([g]), lr)
    return theta[0]


def test_sgd_steps_against_the_gradient():
    # θ1 = θ0 − 0.1·g1 = (1 − 0.05, −2 + 0.025)
    np.testing.assert_allclose(steps("sgd", G1), [0.95, -1.975], rtol=1e-15)


def test_momentum_accumulates_a_velocity():
    # v1 = g1 = (0.5, −0.25); θ1 = (0.95, −1.975)
    # v2 = 0.9·v1 + g2 = (0.45 + 0.1, −0.225 + 0.2) = (0.55, −0.025)
    # θ2 = θ1 − 0.1·v2 = (0.95 − 0.055, −1.975 + 0.0025) = (0.895, −1.9725)
    np.testing.assert_allclose(steps("momentum", G1), [0.95, -1.975], rtol=1e-15)
    np.testing.assert_allclose(steps("momentum", G1, G2), [0.895, -1.9725], rtol=1e-14)


def test_adam_corrects_its_moments_for_their_start_at_zero():
    # step 1: m = 0.1·g1 = (0.05, −0.025), v = 0.001·g1² = (0.00025, 0.0000625)
    # m̂ = m / (1 − 0.9) = g1, v̂ = v / (1 − 0.999) = g1², so the step is lr·g/(|g| + 1e-8)
    first = [1.0 - 0.1 * 0.5 / (0.5 + 1e-8), -2.0 + 0.1 * 0.25 / (0.25 + 1e-8)]
    np.testing.assert_allclose(steps("adam", G1), first, rtol=1e-15)
    # step 2: m = 0.9·m + 0.1·g2 = (0.055, −0.0025); v = 0.999·v + 0.001·g2²
    m = np.array([0.9 * 0.05 + 0.1 * 0.1, 0.9 * -0.025 + 0.1 * 0.2])
    v = np.array([0.999 * 0.00025 + 0.001 * 0.01, 0.999 * 0.0000625 + 0.001 * 0.04])
    m_hat, v_hat = m / (1 - 0.9**2), v / (1 - 0.999**2)
    second = np.array(first) - 0.1 * m_hat / (np.sqrt(v_hat) + 1e-8)
    np.testing.assert_allclose(steps("adam", G1, G2), second, rtol=1e-13)


def test_a_step_over_some_columns_leaves_the_others_alone():
    optimizer = get_optimizer("adam")((1, 2))
    theta = np.array([THETA])
    optimizer.tick()
    optimizer.step(theta, np.array([G1]), np.array([[LR]]), slice(1, 2))
    assert theta[0, 0] == 1.0 and theta[0, 1] == pytest.approx(-1.9, rel=1e-7)
