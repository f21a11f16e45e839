import pandas as pd
import pytest

from dashboard import findings
from mlp.summary import RunSummary


def run(outcome, accuracy=1.0, loss=0.01, perfect=None, stopped=None):
    return RunSummary(
        loss, accuracy, perfect, None, outcome == "diverged", stopped, 0.1, 0.1, outcome
    )


def test_a_setting_whose_seeds_all_diverged_is_described_as_diverging():
    sentence = findings.describe("100", [run("diverged", stopped=s) for s in (12, 7, 30)])
    assert sentence == "**100**: all 3 seeds diverged (the first at epoch 7)."


def test_solved_seeds_are_described_with_the_median_epoch_and_range():
    sentence = findings.describe("1", [run("solved", perfect=e) for e in (400, 600, 1200)])
    assert sentence == (
        "**1**: all 3 seeds reached 100% training accuracy, after 600 epochs (median; 400–1,200)."
    )


def test_mixed_outcomes_are_all_named_with_their_counts():
    runs = [
        run("solved", perfect=100),
        run("stalled", 0.5, 0.25),
        run("stalled", 0.52, 0.2494),
        run("learning", 0.9),
    ]
    sentence = findings.describe("0.1", runs)
    assert "1 of 4 seeds reached 100%" in sentence
    assert "2 of 4 seeds stalled on a plateau (loss ≈ 0.25, accuracy 51%)" in sentence
    assert "1 of 4 seeds kept improving to the last epoch (accuracy 90%)" in sentence


def ratios_of(name: str, start: float, end: float, seeds: tuple[int, int], of: int = 3):
    """frames.gradient_ratios' rows for one activation: its start and end ratios, each taken
    over `seeds` of `of` seeds."""
    return pd.DataFrame(
        {"activation": [name, name], "when": ["start", "end"], "ratio": [start, end],
         "seeds": list(seeds), "of": [of, of]}
    )  # fmt: skip


def test_ratios_say_how_much_smaller_the_first_layers_gradient_is():
    assert findings.describe_ratios(ratios_of("sigmoid", 0.01, 0.5, (3, 3))) == [
        "**sigmoid**: at the start the first layer's gradient is 100× smaller than the last's; "
        "at the end, 0.5 times the last's."
    ]


def test_ratios_say_over_how_many_seeds_when_some_had_a_layer_without_gradient():
    assert findings.describe_ratios(ratios_of("relu", 8.0, 0.01, (2, 1))) == [
        "**relu**: at the start the first layer's gradient is 8× larger than the last's; "
        "at the end, 0.01 times the last's (over 2 of 3 seeds at the start, 1 at the end: in "
        "the rest a layer passes no gradient)."
    ]


def test_a_ratio_without_an_end_says_so_and_counts_only_the_seeds_at_the_start():
    assert findings.describe_ratios(ratios_of("relu", 8.0, float("nan"), (3, 0))) == [
        "**relu**: at the start the first layer's gradient is 8× larger than the last's; "
        "at the end, in every seed a layer passes no gradient."
    ]


def test_a_layer_without_gradient_is_called_dead():
    assert findings.describe_ratios(ratios_of("relu", float("nan"), float("nan"), (0, 0))) == [
        "**relu**: no gradient reached the first layer (dead units)."
    ]


def test_generalization_sentences_name_the_best_arm_and_the_gaps():
    table = pd.DataFrame(
        {
            "L2 rate": ["0", "0.001", "1"],
            "seeds": [3, 3, 3],
            "accuracy mean": [0.99, 0.87, 0.5],
            "test accuracy mean": [0.72, 0.79, 0.5],
            "gap (training − test)": [0.27, 0.08, 0.0],
        }
    )
    assert findings.describe_generalization(table, "L2 rate") == [
        "Test accuracy is best at L2 rate **0.001**: 79.0% (mean over 3 seeds), against 72.0% "
        "at 0.",
        "From L2 rate 0 to 1, training accuracy goes 99.0% → 50.0% and test accuracy "
        "72.0% → 50.0%.",
        "Training minus test accuracy, per L2 rate: 0: +27.0%, 0.001: +8.0%, 1: +0.0%.",
    ]


@pytest.mark.parametrize(
    ("seeds", "said"), [(1, "**1**: its one seed diverged"), (2, "**1**: both seeds diverged")]
)
def test_one_or_two_seeds_are_counted_in_words(seeds, said):
    assert findings.describe("1", [run("diverged", stopped=3)] * seeds).startswith(said)


def test_a_single_generalization_arm_is_described_without_a_comparison():
    table = pd.DataFrame(
        {"L2 rate": ["0"], "seeds": [1], "accuracy mean": [0.88], "test accuracy mean": [0.78],
         "gap (training − test)": [0.10]}
    )  # fmt: skip
    assert findings.describe_generalization(table, "L2 rate") == [
        "At L2 rate **0**, test accuracy is 78.0% and training accuracy 88.0% (mean over "
        "1 seed): a gap of +10.0%."
    ]
