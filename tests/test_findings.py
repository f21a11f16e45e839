import pandas as pd

from dashboard import findings
from mlp.summary import RunSummary


def run(outcome, accuracy=1.0, loss=0.01, perfect=None, stopped=None):
    return RunSummary(loss, accuracy, perfect, None, outcome == "diverged", stopped, 0.1, outcome)


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


def test_ratios_say_how_much_smaller_the_first_layers_gradient_is():
    ratios = pd.DataFrame(
        {"activation": ["sigmoid", "sigmoid"], "when": ["start", "end"], "ratio": [0.01, 0.5]}
    )
    assert findings.describe_ratios(ratios) == [
        "**sigmoid**: at the start the first layer's gradient is 100× smaller than the last's; "
        "at the end, 0.5 times the last's."
    ]


def test_a_layer_without_gradient_is_called_dead():
    ratios = pd.DataFrame(
        {"activation": ["relu", "relu"], "when": ["start", "end"], "ratio": [float("nan")] * 2}
    )
    assert findings.describe_ratios(ratios) == [
        "**relu**: no gradient reached the first layer (dead units)."
    ]
