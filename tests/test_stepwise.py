"""The step-by-step page's numbers: finite differences and what they can check."""

import numpy as np
import pandas as pd
import pytest

from dashboard import stepwise
from mlp import TrainConfig, datasets, reference
from mlp.network import init_params

LAB = TrainConfig(hidden=(3, 3))
RELU = TrainConfig(hidden=(6, 6, 6), activation="relu")


def lab_network(config: TrainConfig, scale: float = 1.0):
    """The lab's XOR points and a network of seed 0 (biases 0), weights times `scale`."""
    X, y = datasets.generate_xor_easy()
    params = init_params(config.sizes(), "normal", np.random.default_rng(0))
    return [(W * scale, b * scale) for W, b in params], X, y


def judged(config: TrainConfig, params, X, y) -> stepwise.Verdict:
    """The page's sentence for one step on (X, y), every layer's checks together."""
    step = reference.backprop(params, X, y, config)
    numeric = stepwise.finite_differences(params, X, y, config)
    smallest = stepwise.resolution(step, config, len(X))
    checks = [
        stepwise.gradient_check(step.grads, numeric, l, smallest=smallest)
        for l in range(1, len(params) + 1)
    ]
    kinks = stepwise.near_kinks(step, config, np.arange(len(X)))
    return stepwise.verdict(pd.concat(checks, ignore_index=True), smallest, kinks)


def every_value(params) -> np.ndarray:
    return np.concatenate([np.concatenate([W.ravel(), b]) for W, b in params])


def test_a_saturated_networks_gradients_are_all_below_what_differences_resolve():
    params, X, y = lab_network(LAB, scale=60.0)  # every sigmoid at 0 or 1: f′ underflows
    step = reference.backprop(params, X, y, LAB)
    smallest = stepwise.resolution(step, LAB, len(X))
    exact = every_value(step.grads)
    numeric = every_value(stepwise.finite_differences(params, X, y, LAB))
    assert np.all(np.abs(exact) < smallest) and np.all(np.abs(numeric) < smallest)
    assert np.any(numeric != 0)  # rounding noise, not zeros: what made 1.0e+00 appear
    differences = stepwise.relative_difference(exact, numeric, smallest)
    assert np.isnan(differences[(exact != 0) | (numeric != 0)]).all()
    verdict = judged(LAB, params, X, y)
    assert verdict.level == "info" and verdict.text.startswith("Every gradient of this step")


def test_an_ordinary_networks_gradients_all_agree():
    params, X, y = lab_network(LAB)
    verdict = judged(LAB, params, X, y)
    assert verdict.level == "success"
    assert verdict.text.startswith("Backprop and finite differences agree on every gradient")


def test_relu_at_its_kink_is_named_as_the_reason_they_differ():
    # zero biases: at the point (0, 0) every hidden unit's z is exactly 0, ReLU's kink
    params, X, y = lab_network(RELU)
    assert X[0].tolist() == [0.0, 0.0]
    step = reference.backprop(params, X, y, RELU)
    assert stepwise.near_kinks(step, RELU, np.arange(len(X))) == stepwise.Kinks(
        count=3 * 6, points=[0], name="ReLU"
    )
    verdict = judged(RELU, params, X, y)
    assert verdict.level == "warning"
    assert "18 pre-activations z of point 0 lie within ±2h = 2e-04 of ReLU's kink" in verdict.text
    assert "gradients (—) are below" in verdict.text  # dead units' zeros: not compared
    # the same network without that point: no kink near, every gradient agrees
    assert judged(RELU, params, X[1:], y[1:]).level == "success"


def test_the_resolution_is_the_rounding_of_the_objective_over_the_step():
    params, X, y = lab_network(LAB)
    step = reference.backprop(params, X, y, LAB)
    # f = the mean loss here; (|−1| + 8 + 8 + 1) / 12h times ε·|f|
    expected = 1.5 / stepwise.FD_STEP * 2.0**-52 * step.loss
    assert stepwise.resolution(step, LAB, len(X)) == pytest.approx(expected, rel=1e-12)
    summed = LAB.replace(reduction="sum")  # f = n/2 · the mean loss
    summed_step = reference.backprop(params, X, y, summed)
    assert stepwise.resolution(summed_step, summed, len(X)) == pytest.approx(
        expected * len(X) / 2, rel=1e-12
    )


def test_relative_difference_leaves_out_only_pairs_below_the_resolution():
    a = np.array([0.0, 0.0, 3e-13, 1.0, 2e-12])
    b = np.array([0.0, 9e-14, 0.0, 1.0001, 0.0])
    differences = stepwise.relative_difference(a, b, smallest=1e-12)
    assert differences[0] == 0.0  # both exactly 0: they agree
    assert np.isnan(differences[1:3]).all()
    assert differences[3] == abs(1.0 - 1.0001) / 1.0001
    assert differences[4] == 1.0  # one reaches the resolution: a real disagreement
    assert np.isnan(stepwise.relative_difference(np.array([np.inf]), np.array([np.nan]))).all()


def test_a_diverged_network_is_reported_as_such_not_as_agreeing():
    config = TrainConfig(hidden=(3, 3), activation="identity", output_activation="identity")
    params, X, y = lab_network(config, scale=1e200)  # z past 1e308: inf − inf, the loss NaN
    assert np.isnan(reference.backprop(params, X, y, config).loss)
    verdict = judged(config, params, X, y)
    assert verdict.level == "error" and "the network has diverged" in verdict.text
