"""Every page under extreme settings, hostile links and bad files: a result or a visible
message, never an exception element."""

import random

import pytest

from .apptest import assert_no_exception, open_app

PAGES = {
    "train": None,  # the default page: open_app runs it directly
    "learning_rate": "app_pages/learning_rate.py",
    "hidden_units": "app_pages/hidden_units.py",
    "activations": "app_pages/activations.py",
    "gradient_vanishing": "app_pages/gradient_vanishing.py",
    "generalization": "app_pages/generalization.py",
}

# valid but extreme settings, page by page (the largest are refused with a message)
EXTREMES = {
    "train": [
        {
            "layers": "1",
            "units": "1",
            "epochs": "1",
            "lr": "100",
            "act": "identity",
            "out": "identity",
        },
        {"layers": "6", "units": "512", "epochs": "1000000"},
        {"data": "spiral", "n": "2000", "noise": "0.5", "batch": "1", "epochs": "20"},
        {"loss": "bce", "out": "relu"},
        {
            "data": "linear",
            "n": "10",
            "lr": "0.00001",
            "opt": "adam",
            "init": "zeros",
            "epochs": "50",
        },
        {"grad": "sum", "lr": "100", "act": "relu", "out": "relu", "epochs": "500"},
        {"data": "gaussians", "noise": "0", "seed": "2147483647", "data_seed": "1000000"},
    ],
    "generalization": [
        {"rates": "10", "widths": "512", "epochs": "10", "seeds": "1", "test": "0.9"},
        {"data": "xor", "test": "0.5", "epochs": "10", "seeds": "1"},
        {"epochs": "200000", "seeds": "10"},
    ],
    "learning_rate": [
        {"rates": "1000, 0.000001", "epochs": "10", "seeds": "1"},
        {"epochs": "200000", "seeds": "10"},
        {"rates": "100", "init": "zeros", "grad": "sum", "epochs": "50", "seeds": "10"},
    ],
    "hidden_units": [
        {"widths": "512", "epochs": "10", "seeds": "1"},
        {
            "widths": "1,2,3,4,5,6,7,8",
            "epochs": "10",
            "grid": "True",
            "grid_rates": "100, 0.000001",
        },
    ],
    "activations": [
        {
            "sets": "xor",
            "epochs": "10",
            "seeds": "1",
            "lr_none": "100",
            "lr_relu": "0.0000001",
            "out": "same",
        },
        {"epochs": "200000", "seeds": "10"},
    ],
    "gradient_vanishing": [
        {
            "depth": "10",
            "width": "64",
            "epochs": "10",
            "acts": "sigmoid,tanh,relu,leaky_relu,identity",
            "init": "he",
            "lr": "100",
            "seeds": "1",
        },
        {"depth": "2", "width": "1", "epochs": "10", "seeds": "1", "data": "moons", "n": "2000"},
    ],
}

HOSTILE_LINKS = [
    {"lr": "abc", "epochs": "1e309", "seeds": "-3", "units": "NaN", "n": "inf"},
    {"data": "<script>alert(1)</script>", "act": "sigmoid\x00", "init": "../../etc/passwd"},
    {"rates": "1," * 5000, "widths": "9" * 10_000, "acts": "relu," * 1000, "grad": "x" * 100_000},
    {"x" * 5000: "1", "seed": "99999999999999999999999"},
    {"lr": ["0.1", "1e9"], "epochs": ["10", "abc"], "data": ["xor", "iris"]},
]


def messages(at) -> str:
    return " ".join(e.value for kind in (at.info, at.warning, at.error) for e in kind)


def assert_result_or_message(at):
    assert_no_exception(at)
    assert at.get("vega_lite_chart") or messages(at)


@pytest.mark.parametrize(
    ("page", "params"), [(page, params) for page, cases in EXTREMES.items() for params in cases]
)
def test_extreme_settings_give_a_result_or_a_message(page, params):
    assert_result_or_message(open_app(PAGES[page], **params))


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize(
    "params", HOSTILE_LINKS, ids=["numbers", "names", "long", "keys", "repeated"]
)
def test_hostile_links_are_ignored_with_a_note(page, params):
    small = {"epochs": "100", "seeds": "1", "widths": "2, 4", "rates": "0, 0.1", "sets": "xor"}
    at = open_app(PAGES[page], **{**small, **params})
    assert_result_or_message(at)
    assert "from the link" in messages(at) or "no such setting" in messages(at)
    assert all(len(note.value) < 600 for note in at.info)  # long values are cut, not echoed


def test_random_widget_values_across_their_ranges_on_the_train_page():
    rng = random.Random(7)
    at = open_app(PAGES["train"], epochs="200")
    for _ in range(6):
        at.slider(key="train_layers").set_value(rng.randint(1, 6))
        at.slider(key="train_units").set_value(rng.choice([1, 2, rng.randint(1, 64), 512]))
        at.selectbox(key="train_activation").set_value(
            rng.choice(["sigmoid", "tanh", "relu", "leaky_relu", "identity"])
        )
        at.select_slider(key="train_lr").set_value(rng.choice([1e-5, 0.01, 1.0, 100.0]))
        at.number_input(key="train_epochs").set_value(rng.choice([1, 50, 300]))
        at.selectbox(key="train_dataset").set_value(
            rng.choice(["xor", "linear", "circle", "spiral", "moons", "gaussians"])
        )
        at.run()
        assert_result_or_message(at)


CSV_FILES = {
    "empty": (b"", "empty"),
    "header only": (b"x1,x2,label\n", "0 data row"),
    "wrong columns": (b"a,b,c\n1,2,3\n4,5,6\n", "missing column"),
    "unclosed quote": (b'x1,x2,label\n"1,2,1\n3,4,0\n', "line 2: 1 fields, the header has 3"),
    "not UTF-8": (b"x1,x2,label\n\xff\xfe\xfa,1,1\n", "not UTF-8"),
    "formula": (b"x1,x2,label\n=cmd|' /C calc'!A0,1,1\n0,0,0\n", "is not a number"),
    "semicolons": (b"x1;x2;label\n1;2;1\n", "missing column"),
    "binary": (bytes(range(256)) * 40, "the file is not UTF-8 text (byte 128)"),
    "labels": (b"x1,x2,label\n0,0,1\n1,1,7\n", "labels must be 0 or 1"),
    "huge": (b"x1,x2,label\n" + b"0.5,0.5,1\n" * 100_001, "more than 100,000"),
}


@pytest.mark.parametrize("name", list(CSV_FILES))
def test_bad_uploads_show_the_loaders_message(name):
    content, message = CSV_FILES[name]
    at = open_app(PAGES["train"])
    at.selectbox(key="train_dataset").set_value("csv").run()
    at.file_uploader(key="train_upload").set_value((f"{name}.csv", content, "text/csv"))
    at.run()
    assert_no_exception(at)
    assert at.error and message in at.error[0].value and "Cannot use" in at.error[0].value
