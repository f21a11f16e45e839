"""The Train page's live mode (mode=live), run headless with AppTest."""

import pytest

from dashboard import live

from .apptest import assert_no_exception, chart_frames, metric, open_app


def button(at, label):
    return next(b for b in at.button if b.label == label)


@pytest.fixture
def at():
    return open_app(mode="live")


def test_live_mode_starts_paused_at_epoch_zero_with_every_view(at):
    assert_no_exception(at)
    assert metric(at, "Epoch") == "0"
    assert [b.label for b in at.button][:3] == ["Play", "Step", "Reset"]
    assert len(at.get("vega_lite_chart")) == 4  # boundary, loss, gradient flow, weights


def test_step_advances_the_epoch_by_exactly_the_step_count(at):
    button(at, "Step").click().run()
    assert metric(at, "Epoch") == "1"
    at.number_input(key="train_step_epochs").set_value(37).run()
    button(at, "Step").click().run()
    assert_no_exception(at)
    assert metric(at, "Epoch") == "38"


def test_the_views_show_the_epochs_run(at):
    at.number_input(key="train_step_epochs").set_value(50).run()
    button(at, "Step").click().run()
    loss_frames = [f for frames in chart_frames(at) for f in frames if "loss" in f.columns]
    assert len(loss_frames) == 1 and loss_frames[0]["epoch"].max() == 49


def test_reset_returns_to_epoch_zero(at):
    at.number_input(key="train_step_epochs").set_value(20).run()
    button(at, "Step").click().run()
    button(at, "Reset").click().run()
    assert metric(at, "Epoch") == "0"


def test_play_sets_the_playing_state_and_pause_clears_it(at):
    button(at, "Play").click().run()
    assert_no_exception(at)
    assert at.session_state.train_live.playing
    assert "Pause" in [b.label for b in at.button]
    button(at, "Pause").click().run()
    assert not at.session_state.train_live.playing


def test_a_click_delivered_twice_acts_once(at):
    # Streamlit 1.67 dispatched one Pause click twice when a tick arrived during it
    run = at.session_state.train_live
    drawn_at = run.presses
    run.press(drawn_at, run.toggle)
    run.press(drawn_at, run.toggle)
    assert run.playing and run.presses == drawn_at + 1
    at.run()  # the page redraws its buttons for the new state: the next click acts
    button(at, "Pause").click().run()
    assert not at.session_state.train_live.playing


def test_a_new_learning_rate_keeps_the_weights_and_a_new_width_starts_again(at):
    at.number_input(key="train_step_epochs").set_value(10).run()
    button(at, "Step").click().run()
    at.select_slider(key="train_lr").set_value(0.1).run()
    assert metric(at, "Epoch") == "10"
    assert at.session_state.train_live.trainer.config.lr == 0.1
    at.slider(key="train_units").set_value(5).run()
    assert metric(at, "Epoch") == "0"


def test_a_run_that_reaches_its_last_epoch_pauses_and_says_so():
    at = open_app(mode="live", epochs="30", speed="0")
    button(at, "Play").click().run()
    assert metric(at, "Epoch") == "30"
    assert not at.session_state.train_live.playing
    assert any("Reached the last epoch (30)" in i.value for i in at.info)
    assert metric(at, "Status") == "finished"


def test_a_diverging_run_pauses_with_its_epoch_and_cause():
    at = open_app(mode="live", act="identity", out="identity", lr="5", speed="0")
    button(at, "Play").click().run()
    assert_no_exception(at)
    assert not at.session_state.train_live.playing
    paused = next(i.value for i in at.info if "Diverged at epoch" in i.value)
    assert "Reset, then try a learning rate 10× smaller" in paused
    assert "a sigmoid output instead of none" in paused  # this network's unbounded output
    assert metric(at, "Status") == "diverged"


def test_a_session_left_alone_pauses_itself(at, monkeypatch):
    button(at, "Play").click().run()
    run = at.session_state.train_live
    monkeypatch.setattr(run, "last_touch", run.last_touch - live.IDLE_SECONDS - 1)
    run.advance(speed=10)
    assert not run.playing and "without a touch" in run.paused_because


def test_a_hostile_speed_in_the_link_is_ignored_with_a_note():
    at = open_app(mode="live", speed="1e9")
    assert_no_exception(at)
    assert any("Ignored `speed=1e9`" in i.value for i in at.info)
