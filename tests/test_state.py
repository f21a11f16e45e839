import pytest

from dashboard.state import choice, integer, nearest, number, shortened


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
