import numpy as np
import pytest

from dashboard import frames
from mlp import MLP, TrainConfig, train
from mlp.datasets import generate_xor_easy


def test_evenly_spaced_keeps_first_and_last_and_caps_the_count():
    rows = frames.evenly_spaced(10_000, 500)
    assert rows[0] == 0 and rows[-1] == 9_999 and len(rows) <= 500
    assert frames.evenly_spaced(5, 500).tolist() == [0, 1, 2, 3, 4]


def test_log_spaced_rows_draw_every_early_epoch_and_spread_the_rest_over_the_log_axis():
    epochs = np.arange(1, 100_001)
    chosen = epochs[frames.log_spaced(epochs, 300)]
    assert chosen[0] == 1 and chosen[-1] == 100_000 and len(chosen) <= 300
    assert chosen[:20].tolist() == list(range(1, 21))
    even_share = np.log(100_000) / 299  # of the axis, per point
    gaps = np.diff(np.log(chosen))
    assert np.all((np.diff(chosen) == 1) | (gaps <= 2 * even_share))


def test_log_spaced_rows_thin_a_sparse_schedule_and_keep_a_short_one_whole():
    scored = np.arange(0, 5_000, 10) + 1  # e.g. test points scored every 10th epoch
    chosen = scored[frames.log_spaced(scored, 50)]
    assert chosen[0] == 1 and chosen[-1] == 4_991 and len(chosen) <= 50
    assert np.all(np.diff(chosen) > 0)
    assert frames.log_spaced(scored[:7], 50).tolist() == list(range(7))


def test_history_table_holds_every_epoch_and_every_layers_gradient_norm():
    record = train(*generate_xor_easy(), TrainConfig(hidden=(3,), epochs=50))
    table = frames.history_table(record)
    assert len(table) == 50
    assert list(table.columns) == ["epoch", "loss", "accuracy", "grad_norm_W1", "grad_norm_W2"]
    np.testing.assert_array_equal(table["grad_norm_W2"], record.grad_norms[:, 1])


def test_grad_norm_frame_is_long_form_one_row_per_layer_and_epoch():
    record = train(*generate_xor_easy(), TrainConfig(hidden=(3, 3), epochs=30))
    grads = frames.grad_norm_frame(record)
    assert len(grads) == 30 * 3 and list(grads.columns) == ["epoch", "layer", "norm"]


def test_points_frame_survives_non_finite_outputs():
    X, y = generate_xor_easy()
    probability = np.full((21, 1), np.nan)
    points = frames.points_frame(X, y, probability)
    assert points["probability"].between(0, 1).all()


def test_grid_frame_is_one_picture_covering_the_points_with_a_margin():
    X, _ = generate_xor_easy()  # x1 and x2 in 0..1
    grid = frames.grid_frame(MLP((2, 3, 1)), X, steps=20)
    assert len(grid) == 1 and grid["image"][0].startswith("data:image/png;base64,")
    assert grid["x1"][0] < 0 and grid["x1_end"][0] > 1
    assert grid["x2"][0] < 0 and grid["x2_end"][0] > 1


def test_network_frames_cap_wide_layers():
    nodes, edges = frames.network_frames(MLP((2, 50, 1)), max_units=8)
    assert (nodes["layer"] == 1).sum() == 8 and len(edges) == 2 * 8 + 8


@pytest.mark.parametrize(
    "sizes, words",
    [
        ((2, 12, 12, 1), ""),
        ((2, 20, 20, 1), "the first 12 of the 20 units of each hidden layer drawn"),
        ((2, 50, 8, 1), "the first 12 units of each layer wider than that drawn"),
        ((2, 50, 20, 1), "the first 12 units of each layer wider than that drawn"),
    ],
)
def test_a_network_drawing_says_what_it_leaves_out(sizes, words):
    assert frames.units_left_out(sizes) == words
