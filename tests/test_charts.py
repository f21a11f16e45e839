import numpy as np
import pytest

from dashboard import charts, frames
from mlp import TrainConfig, train


@pytest.fixture(scope="module")
def record():
    from mlp.datasets import generate_xor_easy

    return train(*generate_xor_easy(), TrainConfig(hidden=(4, 4), epochs=400))


def encoding(chart_dict, layer=None):
    spec = chart_dict if layer is None else chart_dict["layer"][layer]
    return spec["encoding"]


def test_loss_chart_uses_a_log_axis_and_tooltips(record):
    spec = charts.loss_chart(frames.history_frame(record)).to_dict()
    assert encoding(spec)["y"]["scale"]["type"] == "log"
    assert encoding(spec)["y"]["title"] == "mean loss"
    assert {t["field"] for t in encoding(spec)["tooltip"]} == {"epoch", "loss"}


def test_grad_norm_chart_draws_one_line_per_layer_on_a_log_axis(record):
    grads = frames.grad_norm_frame(record)
    spec = charts.grad_norm_chart(grads).to_dict()
    assert encoding(spec)["color"]["field"] == "layer"
    assert encoding(spec)["y"]["scale"]["type"] == "log"
    assert sorted(grads["layer"].unique()) == ["W1", "W2", "W3"]


def test_prediction_chart_marks_misclassified_points_as_crosses(record):
    points = frames.points_frame(record.X, record.y, np.full((21, 1), 0.9))
    spec = charts.points_chart(points, "predicted", "Predict result").to_dict()
    assert encoding(spec)["shape"]["scale"]["range"] == ["circle", "cross"]
    assert (points["result"] == "wrong").sum() == 11  # all predicted 1; 11 points are 0


def test_boundary_chart_layers_points_over_a_probability_heatmap(record):
    points = frames.points_frame(record.X, record.y, record.predictions)
    spec = charts.boundary_chart(
        frames.grid_frame(record.network, record.X, steps=10), points
    ).to_dict()
    assert spec["layer"][0]["mark"]["type"] == "rect"
    assert encoding(spec, 0)["color"]["field"] == "probability"
    assert encoding(spec, 1)["x"]["field"] == "x1"


def test_network_chart_colours_by_sign_and_widths_by_magnitude(record):
    nodes, edges = frames.network_frames(record.network)
    spec = charts.network_chart(nodes, edges).to_dict()
    assert encoding(spec, 0)["color"]["field"] == "sign"
    assert encoding(spec, 0)["strokeWidth"]["field"] == "magnitude"
    assert len(nodes) == 2 + 4 + 4 + 1 and len(edges) == 2 * 4 + 4 * 4 + 4
