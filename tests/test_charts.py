"""Chart builders, checked by the data each chart draws (and where its axes end)."""

import altair as alt
import numpy as np
import pandas as pd
import pytest

from dashboard import charts, frames, raster, study_charts
from mlp import TrainConfig, train
from tests.test_raster import decode_png


@pytest.fixture(scope="module")
def record():
    from mlp.datasets import generate_xor_easy

    return train(*generate_xor_easy(), TrainConfig(hidden=(4, 4), epochs=400))


def drawn(spec: dict, layer: int | None = None) -> pd.DataFrame:
    """The rows a chart (or one of its layers) draws, from its inline data set."""
    part = spec if layer is None else spec["layer"][layer]
    name = part.get("data", spec.get("data"))["name"]
    return pd.DataFrame(spec["datasets"][name])


def test_loss_chart_draws_every_epoch_on_a_log_axis_that_leaves_out_zero_losses(record):
    history = frames.history_frame(record)
    spec = charts.loss_chart(history).to_dict()
    rows = drawn(spec)
    np.testing.assert_array_equal(rows["loss"], record.loss)
    assert rows["epoch"].tolist() == list(range(400))
    assert spec["transform"] == [{"filter": "datum.loss > 0"}]  # log axes cannot show 0


def test_grad_norm_chart_draws_each_layers_norm_at_each_epoch(record):
    spec = charts.grad_norm_chart(frames.grad_norm_frame(record)).to_dict()
    rows = drawn(spec)
    for l, layer in enumerate(["W1", "W2", "W3"]):
        norms = rows[rows["layer"] == layer].sort_values("epoch")["norm"].to_numpy()
        np.testing.assert_array_equal(norms, record.grad_norms[:, l])


def test_an_all_zero_gradient_chart_says_so_instead_of_drawing_nothing(record):
    grads = frames.grad_norm_frame(record).assign(norm=0.0)
    spec = charts.grad_norm_chart(grads, "relu").to_dict()
    assert (
        drawn(spec)["text"][0] == "Every gradient is exactly 0:\nno unit passes any (dead ReLUs?)"
    )


def test_prediction_chart_marks_the_misclassified_points(record):
    points = frames.points_frame(record.X, record.y, np.full((21, 1), 0.9))
    rows = drawn(charts.points_chart(points, "predicted", "Predict result").to_dict())
    # every point is predicted 1, so exactly the 11 points labelled 0 are wrong
    assert (rows["result"] == "wrong").sum() == 11
    assert rows.loc[rows["result"] == "wrong", "label"].eq(0).all()


def test_scatter_legends_take_no_outline_from_the_per_point_condition(record):
    # a legend symbol evaluates the outline's condition without a point: it would ring
    # label 1's red in blue, and every result symbol in blue
    points = frames.points_frame(record.X, record.y, record.predictions)
    for color in ("label", "predicted"):
        spec = charts.points_chart(points, color, "Points").to_dict()
        assert spec["encoding"]["color"]["legend"]["symbolStrokeWidth"] == 0
    shapes = spec["encoding"]["shape"]["legend"]
    assert shapes["symbolStrokeWidth"] == 0 and shapes["symbolFillColor"] not in (
        "#1f77b4",
        "#d62728",
    )


def test_boundary_chart_draws_the_networks_probability_at_each_cell_centre(record):
    points = frames.points_frame(record.X, record.y, record.predictions)
    grid = frames.grid_frame(record.network, record.X, steps=10)
    spec = charts.boundary_chart(grid, points).to_dict()
    picture, dots = drawn(spec, 0), drawn(spec, 2)
    [[x1, x1_end, x2, x2_end]] = picture[["x1", "x1_end", "x2", "x2_end"]].to_numpy()
    pixels = decode_png(picture["image"][0])
    assert pixels.shape == (10, 10, 4) and len(dots) == 21
    # pixel (row, col) is the cell col steps right of x1, row steps down from x2_end
    step1, step2 = (x1_end - x1) / 10, (x2_end - x2) / 10
    rows, cols = np.mgrid[0:10, 0:10]
    centres = np.column_stack(
        [(x1 + (cols + 0.5) * step1).ravel(), (x2_end - (rows + 0.5) * step2).ravel()]
    )
    probability = record.network.forward(centres).reshape(10, 10)
    np.testing.assert_array_equal(pixels, raster.colorize(probability))


def test_boundary_charts_legend_has_the_pictures_colours(record):
    points = frames.points_frame(record.X, record.y, record.predictions)
    spec = charts.boundary_chart(frames.grid_frame(record.network, record.X), points).to_dict()
    scale = spec["layer"][1]["encoding"]["color"]["scale"]
    assert scale["range"] == list(raster.PROBABILITY_STOPS) and scale["interpolate"] == "rgb"
    assert scale["domain"] == pytest.approx(np.linspace(0, 1, len(raster.PROBABILITY_STOPS)))
    # its result shapes are grey, without the points' black outline (a blob at legend size)
    shapes = spec["layer"][2]["encoding"]["shape"]["legend"]
    assert shapes["symbolStrokeWidth"] == 0 and shapes["symbolFillColor"] == "#777"


def test_network_chart_draws_every_weight_with_its_sign_and_size(record):
    nodes, edges = frames.network_frames(record.network)
    spec = charts.network_chart(nodes, edges).to_dict()
    lines = drawn(spec, 0)
    weights = np.concatenate([W.ravel() for W, _ in record.network.params])
    np.testing.assert_allclose(np.sort(lines["weight"]), np.sort(weights))
    assert (lines["sign"] == np.where(lines["weight"] >= 0, "positive", "negative")).all()
    assert len(drawn(spec, 1)) == 2 + 4 + 4 + 1


def test_small_multiples_of_boundaries_draw_crosses_without_a_legend(record):
    grid = frames.grid_frame(record.network, record.X, steps=5).assign(panel="sigmoid")
    points = frames.points_frame(record.X, record.y, record.predictions).assign(panel="sigmoid")
    spec = study_charts.boundary_facets(grid, points, "panel").to_dict()
    shape = spec["spec"]["layer"][1]["encoding"]["shape"]
    assert shape["scale"]["range"] == ["circle", "cross"] and shape["legend"] is None


def curves(last_epoch: int) -> pd.DataFrame:
    epochs = np.arange(1, last_epoch + 1)
    return pd.DataFrame(
        {"epoch": epochs, "metric": "loss", "mean": 1 / epochs, "low": 0.5 / epochs,
         "high": 2 / epochs, "runs": 3, "rate": "1"}
    )  # fmt: skip


def test_band_charts_end_their_epoch_axis_where_the_runs_end():
    spec = study_charts.band_chart(curves(1500), "loss", "rate", "Loss").to_dict()
    scale = spec["layer"][0]["encoding"]["x"]["scale"]
    assert scale["domain"] == [1, 1500] and scale["nice"] is False


def test_a_band_charts_subtitle_says_what_its_line_band_and_dashes_are():
    spec = study_charts.band_chart(curves(10), "loss", "rate", "Loss").to_dict()
    assert spec["title"] == {"text": "Loss", "subtitle": "line: mean over seeds, band: min–max"}
    tested = pd.concat([curves(10).assign(set="training"), curves(10).assign(set="test")])
    spec = study_charts.band_chart(tested, "loss", "rate", "Loss").to_dict()
    assert spec["title"]["subtitle"].endswith("; dashed: test")
    assert spec["layer"][1]["encoding"]["strokeDash"]["field"] == "set"


def test_a_band_charts_legend_shows_the_lines_not_the_pale_bands():
    # the band's transparency is its fill's alone: a mark-wide opacity would also make
    # the legend's symbols as pale as the bands
    band, line = study_charts.band_chart(curves(10), "loss", "rate", "Loss").to_dict()["layer"]
    assert band["mark"]["fillOpacity"] < 0.5 and "opacity" not in band["mark"]
    assert line["encoding"]["color"]["legend"]["symbolType"] == "stroke"


def test_arms_whose_seeds_all_diverged_are_drawn_apart_with_their_epoch():
    table = pd.DataFrame(
        {"rate": ["10", "1"], "status": ["diverged", "trained"], "diverged at": [7.0, np.nan],
         "accuracy mean": [0.49, 1.0], "accuracy std": [0.02, 0.3], "solved": [0, 3],
         "diverged": [3, 0], "stalled": [0, 0]}
    )  # fmt: skip
    spec = study_charts.accuracy_bars(table, "rate").to_dict()
    rows = pd.DataFrame(next(iter(spec["datasets"].values())))
    assert rows["note"].tolist() == ["diverged at 7", ""]
    assert spec["layer"][0]["encoding"]["color"]["field"] == "status"
    assert rows["high"].max() <= 1.0  # whiskers stop at 100%
    y = spec["layer"][0]["encoding"]["y"]
    assert y["scale"]["domain"][1] > 1 and y["axis"]["values"][-1] == 1  # notes fit above


def test_speed_bars_label_each_arm_with_its_solved_seeds_in_the_arms_order():
    table = pd.DataFrame(
        {"rate": ["100", "10", "0.1"], "seeds": [5, 5, 5], "solved": [0, 5, 2],
         frames.SOLVED_AT: [np.nan, 128.0, 4911.0]}
    )  # fmt: skip
    spec = study_charts.speed_bars(table, "rate", epochs=5000).to_dict()
    rows = pd.DataFrame(next(iter(spec["datasets"].values())))
    assert rows["note"].tolist() == ["0 of 5", "5 of 5", "2 of 5"]
    assert rows["note_at"].tolist() == [5000, 128, 4911]  # "0 of 5" at the run's end
    bars, notes = spec["layer"]
    assert bars["encoding"]["y"]["field"] == frames.SOLVED_AT
    assert notes["encoding"]["text"]["field"] == "note"
    assert bars["encoding"]["x"]["sort"] == ["100", "10", "0.1"]  # not the barred arms first
    assert bars["encoding"]["y"]["scale"]["domain"][1] > 5000  # the notes fit above


def test_the_heatmap_writes_each_cells_value_and_its_widths_upright():
    grid = pd.DataFrame(
        {"hidden units": ["2", "20"], "learning rate": ["1", "1"], "accuracy mean": [0.5, 1.0]}
    )
    cells, text = study_charts.heatmap(
        grid, "hidden units", "learning rate", "accuracy mean", "Final accuracy"
    ).to_dict()["layer"]
    assert cells["encoding"]["x"]["axis"]["labelAngle"] == 0  # Vega-Lite stands them on end
    assert text["encoding"]["text"] == {"field": "accuracy mean", "type": "quantitative",
                                        "format": ".0%"}  # fmt: skip


def test_a_redrawn_chart_names_each_frame_it_was_given(record):
    from dashboard.views import _name_frames

    history = frames.history_frame(record)
    chart = charts.loss_chart(history)
    _name_frames(chart, (history,))
    assert chart.to_dict()["data"] == {"name": "frame0"}


def test_a_chart_that_draws_a_frame_it_was_not_given_cannot_be_redrawn(record):
    from dashboard.views import _name_frames

    history = frames.history_frame(record)
    chart = charts.accuracy_chart(history.copy())
    with pytest.raises(ValueError, match="draws a frame it was not given"):
        _name_frames(chart, (history,))


def test_a_chart_encoded_with_shorthand_strings_fails_every_test():
    # the guard of conftest.charts_encode_channel_objects, which keeps page runs quick
    with pytest.raises(AssertionError, match="channel objects"):
        alt.Chart().encode(x="epoch:Q")
    assert alt.Chart().encode(x=alt.X("epoch:Q")).to_dict(validate=False)["encoding"] == {
        "x": {"field": "epoch", "type": "quantitative"}
    }
