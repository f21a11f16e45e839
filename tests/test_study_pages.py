"""Every study page, headless, with small settings."""

import json

import pytest

from dashboard.frames import SOLVED_AT

from .apptest import assert_no_exception, chart_frames, chart_titles, open_app

SMALL = {"epochs": "200", "seeds": "2"}


def setting_values(at, column):
    values = set()
    for frames in chart_frames(at):
        for frame in frames:
            if column in frame:
                values |= set(frame[column].astype(str))
    return values


def test_learning_rate_page_sweeps_every_rate():
    at = open_app("app_pages/learning_rate.py", rates="10, 1, 0.1", **SMALL)
    assert_no_exception(at)
    assert {"10", "1", "0.1"} <= setting_values(at, "learning rate")
    assert "**The lab report found**" in " ".join(m.value for m in at.markdown)
    assert "Epochs to 100% training accuracy" in chart_titles(at)
    table = at.dataframe[0].value
    assert table["learning rate"].tolist() == ["10", "1", "0.1"] and (table["seeds"] == 2).all()
    # no seed diverged: no "diverged at" column; blanks (epochs to 100% of unsolved) as "—"
    assert table["diverged at"].isna().all() and table[SOLVED_AT].isna().any()
    assert at.dataframe[0].proto.column_order == [c for c in table if c != "diverged at"]
    assert at.dataframe[0].proto.placeholder == "—"


def test_changing_a_control_reruns_the_study():
    at = open_app("app_pages/learning_rate.py", rates="1", **SMALL)
    before = at.dataframe[0].value["final loss mean"].iloc[0]
    at.number_input(key="lr_epochs").set_value(400).run()
    assert_no_exception(at)
    assert at.dataframe[0].value["final loss mean"].iloc[0] != before


def test_the_reports_setting_preset_fills_in_its_numbers():
    at = open_app("app_pages/learning_rate.py", **SMALL)
    at.button[0].click().run()
    assert at.text_input(key="lr_rates").value == "100, 10, 0.001"
    assert at.radio(key="lr_reduction").value == "sum"
    assert at.number_input(key="lr_epochs").value == 100_000
    assert "waits for you" in " ".join(i.value for i in at.info)  # dear: asks first


def test_a_bad_rate_list_shows_a_message():
    at = open_app("app_pages/learning_rate.py", **SMALL)
    at.text_input(key="lr_rates").set_value("1, fast").run()
    assert_no_exception(at)
    assert "'fast' is not a number" in at.error[0].value


def test_hidden_units_page_shows_widths_cost_and_heatmap():
    at = open_app(
        "app_pages/hidden_units.py", widths="1, 4", grid="True", grid_rates="1, 0.1", **SMALL
    )
    assert_no_exception(at)
    assert {"1", "4"} <= setting_values(at, "hidden units")
    titles = " ".join(str(c.proto.spec) for c in at.get("vega_lite_chart"))
    assert "Cost: CPU seconds per run" in titles and "Final accuracy, mean over seeds" in titles


def test_activations_page_shows_a_diverging_network_as_diverged():
    at = open_app("app_pages/activations.py", sets="xor", **SMALL)
    assert_no_exception(at)
    sentences = " ".join(m.value for m in at.markdown)
    assert "XOR — **none**: both seeds diverged (the first at epoch" in sentences
    table = at.dataframe[0].value
    assert "diverged at" in at.dataframe[0].proto.column_order
    assert table.columns[0] == "dataset"
    # its last finite loss is too large for Streamlit to draw: shown as "—"
    assert table.loc[table["activation"] == "none", "final loss mean"].isna().all()
    assert {"sigmoid", "tanh", "ReLU", "leaky ReLU", "none", "none, small lr"} <= setting_values(
        at, "activation"
    )
    assert "share" in set().union(*(set(f.columns) for frames in chart_frames(at) for f in frames))


def test_gradient_vanishing_page_compares_activations_layer_by_layer():
    at = open_app(
        "app_pages/gradient_vanishing.py", depth="4", width="4", acts="tanh,sigmoid", **SMALL
    )
    assert_no_exception(at)
    assert {"W1", "W5"} <= setting_values(at, "layer")
    assert {"sigmoid", "tanh"} <= setting_values(at, "activation")
    table = at.dataframe[0].value
    # the page's point first: the ratios beside the activation, under short headers
    assert list(table.columns[:3]) == ["activation", "first ÷ last, start", "first ÷ last, end"]
    assert table["activation"].tolist() == ["tanh", "sigmoid"]  # as asked, not sorted
    shown = json.loads(at.dataframe[0].proto.columns)
    assert [shown[c]["label"] for c in table.columns[1:3]] == ["ratio, start", "ratio, end"]


@pytest.mark.parametrize(
    "page", ["learning_rate", "hidden_units", "activations", "gradient_vanishing"]
)
def test_every_study_page_offers_its_summary_as_csv(page):
    at = open_app(f"app_pages/{page}.py", **SMALL)
    assert_no_exception(at)
    assert any(b.proto.label == "Summary table (.csv)" for b in at.get("download_button"))


def test_generalization_page_shows_training_and_test_for_each_rate_and_width():
    at = open_app(
        "app_pages/generalization.py", rates="0, 0.01", widths="2, 8", epochs="200", seeds="2"
    )
    assert_no_exception(at)
    tables = [d.value for d in at.dataframe]
    assert tables[0]["L2 rate"].tolist() == ["0", "0.01"] and tables[1][
        "hidden units"
    ].tolist() == [
        "2",
        "8",
    ]
    columns = list(tables[0].columns)
    after_training = columns[columns.index("accuracy std") + 1 :][:3]  # in view, compared
    assert after_training == ["test accuracy mean", "test accuracy std", "gap (training − test)"]
    # no seed reaches 100% on noisy moons: no empty "epochs to 100%" column
    assert tables[0][SOLVED_AT].isna().all()
    assert SOLVED_AT not in at.dataframe[0].proto.column_order
    shown = json.loads(at.dataframe[0].proto.columns)
    assert {shown[c]["type_config"]["format"] for c in after_training} == {"percent"}
    sentences = " ".join(m.value for m in at.markdown)
    assert "Test accuracy is best at L2 rate" in sentences
    assert {"training", "test"} <= setting_values(at, "points")


def test_generalization_page_without_a_test_set_says_what_to_do():
    at = open_app("app_pages/generalization.py", test="0.0", epochs="100", seeds="1")
    assert_no_exception(at)
    assert "Set a test fraction above 0" in at.info[0].value


@pytest.fixture(scope="module")
def results_csv(tmp_path_factory):
    """A small `python -m mlp sweep` results file, written by the same code as the CLI."""
    import io
    from concurrent.futures import ThreadPoolExecutor

    from mlp.grid import read_grid, run

    folder = tmp_path_factory.mktemp("grid")
    spec = {
        "data": {"name": "xor"},
        "base": {"epochs": 100},
        "axes": {"lr": [0.1, 1.0], "hidden": [[2, 2], [8, 8]]},
        "seeds": 2,
    }
    (folder / "grid.json").write_text(__import__("json").dumps(spec))
    with ThreadPoolExecutor(1) as pool:
        run(
            read_grid(folder / "grid.json"),
            folder / "results.csv",
            pool,
            workers=1,
            log=io.StringIO(),
        )
    return (folder / "results.csv").read_bytes()


def upload_results(content: bytes):
    at = open_app("app_pages/hidden_units.py", widths="2", grid="True", **SMALL)
    at.file_uploader(key="hu_results").set_value(("results.csv", content, "text/csv"))
    at.run()
    assert_no_exception(at)
    return at


def test_the_heatmap_shows_a_results_file_from_mlp_sweep(results_csv):
    at = upload_results(results_csv)
    columns = {"learning rate", "hidden units", "accuracy mean", "runs"}
    heat = [f for frames in chart_frames(at) for f in frames if set(f.columns) == columns]
    assert len(heat) == 1 and len(heat[0]) == 4  # 2 rates × 2 widths, each over 2 seeds
    assert set(heat[0]["runs"]) == {2}
    assert sorted(set(heat[0]["hidden units"])) == [2, 8]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"x1,x2,label\n1,2,1\n", "not that of a `python -m mlp sweep` results file"),
        (bytes(range(256)) * 4, "the file is not UTF-8 text (byte 128)"),
    ],
)
def test_a_bad_results_file_says_why(content, message):
    at = upload_results(content)
    assert message in at.error[0].value and "Cannot use **results.csv**" in at.error[0].value


def test_a_results_file_with_a_bad_number_names_its_line(results_csv):
    lines = results_csv.decode().splitlines()
    lines[2] = lines[2].replace(",0.1,", ",fast,", 1)
    at = upload_results(("\n".join(lines) + "\n").encode())
    assert "line 3: hidden, lr or final_accuracy is not a number" in at.error[0].value


def test_a_study_announces_its_time_and_then_that_its_runs_are_kept():
    at = open_app("app_pages/learning_rate.py", rates="1, 0.1", **SMALL)
    captions = " ".join(c.value for c in at.caption)
    assert "4 networks: training takes " in captions
    at.run()  # the same study again: every arm comes from the server's cache
    assert "training takes no time: its runs are kept" in " ".join(c.value for c in at.caption)


def test_one_tiny_network_is_counted_in_the_singular_and_announced_in_words():
    at = open_app("app_pages/learning_rate.py", rates="1", seeds="1", epochs="10")
    captions = " ".join(c.value for c in at.caption)
    assert "1 network: training takes well under a second." in captions
