"""The "Backprop, step by step" page, run headless with AppTest."""

import json
import warnings

import numpy as np
import pytest

from mlp import TrainConfig, datasets, reference
from mlp.network import init_params

from .apptest import assert_no_exception, chart_specs, metric, open_app

PAGE = "app_pages/backprop.py"


def button(at, label):
    return next(b for b in at.button if b.label == label)


def gradient_tables(at):
    return [d.value for d in at.dataframe if "finite difference" in d.value.columns]


@pytest.fixture
def at():
    return open_app(PAGE)


def test_every_section_renders_without_an_exception(at):
    assert_no_exception(at)
    headers = [h.value for h in at.header]
    assert {"Forward", "Backward", "One weight's chain rule", "The update"} <= set(headers)
    assert len(gradient_tables(at)) == 3  # one per layer of the default 2 → 3 → 3 → 1


def test_number_formats_go_to_number_columns_only(at):
    # Streamlit flags every cell of a text column given a number format as an error
    checked = 0
    for frame in at.dataframe:
        for column, config in json.loads(frame.proto.columns).items():
            if config.get("type_config", {}).get("type") == "number":
                assert np.issubdtype(frame.value[column].dtype, np.number), column
                checked += 1
    assert checked > 0 and any("path" in frame.value.columns for frame in at.dataframe)


def test_each_gradient_shown_equals_its_finite_difference_to_the_digits_shown(at):
    tables = gradient_tables(at)
    assert sum(len(t) for t in tables) == 9 + 12 + 4  # every W and b of 2 → 3 → 3 → 1
    for check in tables:
        for analytic, numeric in zip(check["backprop"], check["finite difference"], strict=True):
            assert f"{analytic:.6g}" == f"{numeric:.6g}" or abs(analytic - numeric) <= 5e-7 * abs(
                analytic
            )


def test_the_numbers_shown_are_the_reference_engines(at):
    # the lab's XOR points, the default 2 → 3 → 3 → 1 network of seed 0: computed here
    X, y = datasets.generate_xor_easy()
    config = TrainConfig(hidden=(3, 3))
    params = init_params(config.sizes(), "normal", np.random.default_rng(0))
    step = reference.backprop(params, X, y, config)
    assert metric(at, "Loss (mean over the batch)") == f"{step.loss:.6g}"
    last_layer = gradient_tables(at)[0]  # the output layer comes first
    np.testing.assert_allclose(last_layer["backprop"][:3], step.grads[2][0].ravel(), rtol=1e-12)


def test_the_chain_rule_paths_sum_to_the_gradient_contribution(at):
    assert metric(at, "Sum over the paths (point 20)") == metric(at, "a · δ at point 20")


def test_taking_a_step_at_a_small_learning_rate_lowers_the_loss_and_reset_restores_it():
    at = open_app(PAGE, lr="0.1")
    before = float(metric(at, "Loss before this step"))
    promised = float(metric(at, "Loss after it"))
    button(at, "Take this step").click().run()
    assert_no_exception(at)
    assert metric(at, "Steps taken") == "1"
    assert float(metric(at, "Loss before this step")) == pytest.approx(promised, rel=1e-5)
    assert promised < before
    button(at, "Take this step").click().run()
    assert len(chart_specs(at)) == 2  # the descent chart joined the diagram
    button(at, "Reset").click().run()
    assert metric(at, "Steps taken") == "0"
    assert float(metric(at, "Loss before this step")) == before


def test_one_point_batches_show_that_point_only():
    at = open_app(PAGE, batch="point", point="3")
    assert_no_exception(at)
    outputs = next(d.value for d in at.dataframe if "label y" in d.value.columns)
    assert outputs.index.tolist() == [3]


@pytest.mark.parametrize(
    ("params", "note"),
    [
        ({"units": "99"}, "Ignored `units=99`"),
        ({"act": "softmax"}, "Ignored `act=softmax`"),
        ({"point": "-4"}, "Ignored `point=-4`"),
        ({"lr": "nan"}, "Ignored `lr=nan`"),
    ],
)
def test_a_hostile_link_value_is_ignored_with_a_note(params, note):
    at = open_app(PAGE, **params)
    assert_no_exception(at)
    assert any(note in info.value for info in at.info)


def test_a_point_beyond_the_data_falls_back_to_point_zero():
    at = open_app(PAGE, batch="point", point="500")
    assert_no_exception(at)
    assert any("Point 500 does not exist" in info.value for info in at.info)


def test_the_train_pages_network_can_be_stepped_through():
    at = open_app(None, units="4", epochs="200")
    at.switch_page(PAGE)
    at.query_params["net"] = "train"
    at.run()
    assert_no_exception(at)
    assert "the Train page's network at epoch 200" in at.caption[0].value
    assert len(gradient_tables(at)) == 3


def test_a_train_page_network_with_features_and_l2_is_checked_against_its_objective():
    at = open_app(None, units="3", features="x1,x2,x1^2", reg="L2", reg_rate="0.1", epochs="50")
    at.switch_page(PAGE)
    at.query_params["net"] = "train"
    at.run()
    assert_no_exception(at)
    first_layer = gradient_tables(at)[-1]  # the input side comes last
    assert any(name.startswith("W1: x1^2 →") for name in first_layer["parameter"])
    # the penalty's gradient is included; differences of a loss near 0.2 resolve about
    # 1e-13 absolute, so gradients near 1e-8 agree to 4 digits, the others to 6
    pairs = zip(first_layer["backprop"], first_layer["finite difference"], strict=True)
    for analytic, numeric in pairs:
        assert abs(analytic - numeric) <= max(5e-7 * abs(analytic), 1e-12)


def test_a_saturated_train_page_network_says_its_gradients_are_too_small_to_check():
    # ReLU at lr 10 drives the sigmoid output to z ≈ 10²: f′(z) and every gradient are 0
    at = open_app(None, act="relu", lr="10", layers="3", epochs="300")
    at.switch_page(PAGE)
    at.query_params["net"] = "train"
    at.run()
    assert_no_exception(at)
    assert not at.success  # a relative difference of 1 between 0 and rounding noise said so
    assert any(i.value.startswith("Every gradient of this step is below") for i in at.info)
    for check in gradient_tables(at):
        assert check["relative difference"].isna().all()


@pytest.mark.parametrize(
    ("batch", "level"), [({}, "warning"), ({"batch": "point", "point": "3"}, "success")]
)
def test_relu_at_its_kink_is_explained_and_another_point_agrees(batch, level):
    at = open_app(PAGE, act="relu", units="6", layers="3", **batch)
    assert_no_exception(at)
    messages = {"warning": at.warning, "success": at.success}
    assert len(messages[level]) == 1
    if level == "warning":  # the point (0, 0) with the biases at 0: z = 0 in every unit
        assert "of point 0 lie within ±2h = 2e-04 of ReLU's kink at z = 0" in at.warning[0].value


def test_stepping_a_network_until_it_diverges_says_so_and_draws_every_number():
    at = open_app(PAGE, act="identity", out="identity", lr="100", grad="sum")
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # inf − inf and inf · 0 stay quiet
        for _ in range(2):
            button(at, "Take this step").click().run()
        assert_no_exception(at)
        assert float(metric(at, "Loss (mean over the batch)")) > 1e90
        # z and a past 2^53, which Streamlit would mark as errors, are drawn as text
        huge = [
            (frame, column)
            for frame in at.dataframe
            for column in frame.value.columns
            if isinstance(frame.value[column].iloc[0], str) and "e+" in frame.value[column].iloc[0]
        ]
        assert huge and all(column not in json.loads(frame.proto.columns) for frame, column in huge)
        button(at, "Take this step").click().run()
        assert_no_exception(at)
    assert metric(at, "Loss (mean over the batch)") == "inf"
    assert not at.success and at.error[0].value.startswith("Some gradients or finite differences")


@pytest.mark.parametrize(
    "params",
    [
        {"init": "zeros"},
        {"act": "relu", "init": "zeros", "layers": "3", "units": "6"},
        {"layers": "3", "units": "6", "lr": "100", "opt": "adam"},
        {"data": "spiral", "n": "2000", "batch": "point", "point": "1999"},
        {"act": "tanh", "out": "tanh", "init": "he", "seed": "4294967295"},
    ],
)
def test_extreme_networks_get_a_verdict_on_their_gradients(params):
    at = open_app(PAGE, **params)
    assert_no_exception(at)
    verdicts = [m.value for kind in (at.success, at.info, at.warning, at.error) for m in kind]
    assert any("finite difference" in v for v in verdicts)
