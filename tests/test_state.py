import pytest

from dashboard.parsing import parse_names, parse_values
from dashboard.state import (
    Setting,
    choice,
    config_choice,
    integer,
    learning_rate,
    nearest,
    number,
    shortened,
)


def test_integer_parses_whole_numbers_in_range():
    assert integer(1, 10)("7") == 7
    with pytest.raises(ValueError, match="between 1 and 10"):
        integer(1, 10)("11")
    with pytest.raises(ValueError, match="not a whole number"):
        integer(1, 10)("7.5")


def test_number_rejects_nan_and_out_of_range():
    assert number(0, 1)("0.25") == 0.25
    for text in ("nan", "inf", "2", "abc"):
        with pytest.raises(ValueError):
            number(0, 1)(text)


def test_nearest_snaps_to_the_closest_option_on_a_log_scale():
    parse = nearest([0.01, 0.1, 1.0])
    assert parse("0.3") == 0.1 and parse("0.4") == 1.0
    with pytest.raises(ValueError, match=r"between 0\.01 and 1"):
        parse("5")


def test_choice_accepts_only_listed_options():
    assert choice(["full", 8])("8") == 8
    with pytest.raises(ValueError, match="one of full, 8"):
        choice(["full", 8])("9")


def test_long_values_are_shortened_in_notes():
    assert shortened("x" * 1000) == "x" * 40 + "…"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("100, 10,1", [100.0, 10.0, 1.0]), ("0.1;0.1; 1e-3", [0.1, 0.001])],
)
def test_value_lists_parse_and_drop_repeats(text, expected):
    assert parse_values(text, 1e-6, 1000) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "list at least one value"),
        ("1, x", "'x' is not a number"),
        ("5000", "5000 is out of range: use numbers from 1e-06 to 1000"),
        ("1,2,3,4,5,6,7,8,9", "list at most 8 values"),
    ],
)
def test_bad_value_lists_say_why(text, message):
    with pytest.raises(ValueError) as error:
        parse_values(text, 1e-6, 1000)
    assert str(error.value) == message


def test_widths_must_be_whole_numbers():
    with pytest.raises(ValueError, match="use whole numbers from 1 to 512"):
        parse_values("2.5", 1, 512, whole=True)


def test_names_are_split_into_known_and_unknown_without_drawing_anything():
    assert parse_names("relu, swish, relu,tanh", ["sigmoid", "tanh", "relu"]) == (
        ["relu", "tanh"],
        ["swish"],
    )
    assert parse_names("swish", ["sigmoid", "tanh"]) == (["sigmoid"], ["swish"])


def test_a_setting_parses_the_url_text_its_widget_allows():
    lr = learning_rate("k")
    assert lr.parse("0.3") == 0.2 and lr.field == "lr"
    act = config_choice("k", "act", "Hidden activation", "activation")
    assert act.parse("tanh") == "tanh" and act.default == "sigmoid"
    with pytest.raises(ValueError, match="must be one of sigmoid, tanh, relu, leaky_relu"):
        act.parse("swish")
    units = Setting("k", "units", "Units", 20, "slider", low=1, high=512)
    assert units.parse("64") == 64
    with pytest.raises(ValueError, match="must be between 1 and 512"):
        units.parse("513")
