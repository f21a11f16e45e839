import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import streamlit as st

from dashboard import runs
from mlp import datasets

from .apptest import (
    ENTRY,
    assert_no_exception,
    chart_fields,
    chart_frames,
    chart_specs,
    chart_titles,
    metric,
    open_app,
)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def at():
    return open_app()


def test_train_page_renders_every_view_with_its_data(at):
    assert_no_exception(at)
    assert len(chart_specs(at)) == 7  # each figure once: no second copy at the last epoch
    fields = chart_fields(at)
    assert fields[0] == {"x1", "x2", "label", "set"}  # the ground truth: the data alone
    assert {"x1", "x2", "label", "predicted", "result"} <= fields[1]
    assert {"x1_end", "x2_end", "image"} <= fields[2]  # decision boundary picture
    assert {"epoch", "loss", "accuracy"} <= fields[3]
    assert {"epoch", "layer", "norm"} <= fields[5]
    assert {"x2", "y2", "weight", "sign", "magnitude"} <= fields[6]  # network view
    titles = chart_titles(at)
    assert titles[0] == "Ground truth"
    assert titles[1] == "Predict result at epoch 10,000"  # the slider's default: the end
    assert chart_specs(at)[1]["title"]["subtitle"] == ["0 of 21 points wrong"]
    assert metric(at, "Training accuracy") == "100.0%"
    assert not at.code  # the console log is drawn once its expander is opened


def test_the_data_show_while_the_run_trains(monkeypatch):
    def still_training(*args, **kwargs):
        st.stop()  # the page run ends where it would wait for the run

    monkeypatch.setattr(runs, "run_jobs", still_training)
    at = open_app()
    assert_no_exception(at)
    assert chart_titles(at) == ["Ground truth"]
    truth = chart_frames(at)[0][0]
    X, y = datasets.load("xor")
    np.testing.assert_array_equal(truth[["x1", "x2"]].to_numpy(), X)
    np.testing.assert_array_equal(truth["label"].to_numpy(), y.ravel())


def test_the_console_log_shows_the_labs_output_once_opened(at):
    at.session_state["train_log"] = True  # what opening the expander sets
    at.run()
    assert "PASS : 21 || FAIL : 0" in at.code[0].value


@pytest.mark.parametrize(
    ("kind", "key", "value"),
    [
        ("selectbox", "train_dataset", "linear"),
        ("selectbox", "train_activation", "tanh"),
        ("select_slider", "train_lr", 0.1),
        ("number_input", "train_epochs", 500),
    ],
)
def test_changing_a_setting_reruns_and_changes_the_result(at, kind, key, value):
    before = (metric(at, "Final loss"), metric(at, "Epochs run"))
    getattr(at, kind)(key=key).set_value(value).run()
    assert_no_exception(at)
    assert (metric(at, "Final loss"), metric(at, "Epochs run")) != before
    assert at.query_params[
        {
            "train_dataset": "data",
            "train_activation": "act",
            "train_lr": "lr",
            "train_epochs": "epochs",
        }[key]
    ]


def test_a_diverging_run_shows_a_warning_not_an_exception():
    at = open_app(act="identity", out="identity", lr="5", epochs="2000")
    assert_no_exception(at)
    warning = at.warning[0].value
    assert "Training diverged at epoch" in warning and "learning rate 10× smaller" in warning
    assert (
        "(sigmoid, tanh) instead of none" in warning and "sigmoid output instead of none" in warning
    )
    assert len(chart_specs(at)) == 7


def test_a_diverged_runs_advice_names_only_what_is_unbounded():
    at = open_app(act="tanh", out="identity", lr="10", grad="sum", epochs="500")
    warning = at.warning[0].value
    assert "Training diverged at epoch" in warning
    assert "a sigmoid output instead of none" in warning and "bounded hidden" not in warning


def test_url_parameters_preset_the_widgets():
    at = open_app(
        data="circle", layers="3", units="8", act="tanh", lr="0.5", epochs="1500", seed="4"
    )
    assert_no_exception(at)
    assert at.selectbox(key="train_dataset").value == "circle"
    assert at.slider(key="train_layers").value == 3
    assert at.select_slider(key="train_lr").value == 0.5
    assert metric(at, "Epochs run") == "1,500"


def test_out_of_range_url_values_are_ignored_with_a_note():
    at = open_app(lr="1000", epochs="-5", act="swish", bogus="1")
    assert_no_exception(at)
    notes = " ".join(info.value for info in at.info)
    assert "Ignored `lr=1000`" in notes and "between 1e-05 and 100" in notes
    assert "Ignored `epochs=-5`" in notes and "Ignored `act=swish`" in notes
    assert "Ignored `bogus`" in notes
    assert at.select_slider(key="train_lr").value == 1.0


def test_a_bad_csv_shows_the_loaders_message(at):
    at.selectbox(key="train_dataset").set_value("csv").run()
    at.file_uploader(key="train_upload").set_value(
        ("points.csv", b"x1,x2,label\n0,0,1\n1,zz,0\n", "text/csv")
    )
    at.run()
    assert_no_exception(at)
    assert "line 3, column x2: 'zz' is not a number" in at.error[0].value


def test_a_good_csv_trains(at):
    rows = "".join(f"{i / 10},{1 - i / 10},{i % 2}\n" for i in range(10))
    at.selectbox(key="train_dataset").set_value("csv").run()
    at.file_uploader(key="train_upload").set_value(
        ("p.csv", ("x1,x2,label\n" + rows).encode(), "text/csv")
    )
    at.number_input(key="train_epochs").set_value(300)
    at.run()
    assert_no_exception(at)
    assert metric(at, "Epochs run") == "300"


def test_an_expensive_run_waits_for_the_train_button():
    at = open_app(units="4", epochs="100000")  # estimated over the 2 s that run at once
    assert_no_exception(at)
    assert "waits for you" in at.info[0].value and not at.metric
    at.button[0].click().run()
    assert metric(at, "Epochs run") == "100,000"


def test_a_run_too_expensive_for_one_click_is_refused_with_the_knob_to_turn():
    at = open_app(layers="6", units="512", epochs="100000")
    assert_no_exception(at)
    assert "Lower the epochs, the units per layer or the number of layers" in at.error[0].value


def test_the_epoch_slider_redraws_the_prediction_boundary_and_weights_at_that_epoch(at):
    at.select_slider(key="train_replay").set_value(0).run()
    assert_no_exception(at)
    titles = chart_titles(at)
    assert titles[1:3] == ["Predict result at epoch 0", "Decision boundary at epoch 0"]
    assert "Weights at epoch 0" in titles
    wrong = (chart_frames(at)[1][0]["result"] == "wrong").sum()
    assert wrong > 0  # untrained, the network cannot have XOR right
    assert chart_specs(at)[1]["title"]["subtitle"] == [f"{wrong} of 21 points wrong"]


def test_the_weights_drawing_says_which_units_it_leaves_out(at):
    def weights_title():
        return next(t for t in chart_specs(at) if "Weights" in str(t["title"]))["title"]

    assert weights_title()["subtitle"] == "the first 12 of the 20 units of each hidden layer drawn"
    at.slider(key="train_units").set_value(12).run()
    assert weights_title() == "Weights at epoch 10,000"  # every unit drawn: no subtitle


def test_a_replayed_epoch_stays_for_the_same_run_and_a_new_run_shows_its_end(at):
    at.select_slider(key="train_replay").set_value(0).run()
    at.session_state["train_log"] = True  # the same run drawn again, its log open
    at.run()
    assert chart_titles(at)[1] == "Predict result at epoch 0"
    at.select_slider(key="train_lr").set_value(0.1).run()  # a new run (same snapshot epochs)
    assert_no_exception(at)
    assert chart_titles(at)[1] == "Predict result at epoch 10,000"


def test_the_weights_link_to_one_update_of_this_network_on_the_backprop_page(at):
    [link] = at.get("page_link")
    assert link.proto.page == "backprop" and "net=train" in link.proto.query_string
    at.switch_page("app_pages/backprop.py")
    at.query_params["net"] = "train"
    at.run()
    assert_no_exception(at)
    assert any("the Train page's network at epoch 10,000" in c.value for c in at.caption)


def test_the_prediction_subtitle_counts_the_wrong_training_and_test_points():
    at = open_app(test="0.3", epochs="200")
    titles = chart_titles(at)
    index = titles.index("Predict result at epoch 200")
    points = chart_frames(at)[index][0]
    counts = {}
    for kind in ("training", "test"):
        drawn = points[points["set"] == kind]
        counts[kind] = f"{(drawn['result'] == 'wrong').sum()} of {len(drawn)}"
    assert chart_specs(at)[index]["title"]["subtitle"] == [
        f"training points: {counts['training']} wrong",
        f"test points (hollow): {counts['test']} wrong",
    ]


FRESH_SERVER = """
import sys
from streamlit.testing.v1 import AppTest
from dashboard import work, workers

loaded = {}  # what was imported when the workers forked, and when the run was queued

def recording(name, method):
    def call(*args, **kwargs):
        loaded.setdefault(name, sorted({"pandas", "altair"} & set(sys.modules)))
        return method(*args, **kwargs)
    return call

workers.ProcessRunner._new_pool = recording("fork", workers.ProcessRunner._new_pool)
work.WorkQueue.submit = recording("submit", work.WorkQueue.submit)
at = AppTest.from_file(sys.argv[1], default_timeout=120).run()
assert not at.exception, at.exception
print(len(at.get("vega_lite_chart")), loaded["fork"], loaded["submit"])
"""


def test_a_fresh_server_forks_and_queues_the_train_run_before_importing_pandas_and_altair():
    """They take ~0.6 s to import: the worker trains meanwhile."""
    done = subprocess.run(
        [sys.executable, "-c", FRESH_SERVER, ENTRY],
        capture_output=True, text=True, timeout=120, cwd=ROOT, check=True,
    )  # fmt: skip
    assert done.stdout.split() == ["7", "[]", "[]"]  # 7 charts: the page drew its run
