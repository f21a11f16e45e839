from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from dashboard import study
from mlp import TrainConfig, datasets, sweep
from mlp.summary import RunSummary


def run(outcome, accuracy=1.0, loss=0.01, perfect=None, stopped=None):
    return RunSummary(loss, accuracy, perfect, None, outcome == "diverged", stopped, 0.1, outcome)


def test_a_setting_whose_seeds_all_diverged_is_described_as_diverging():
    sentence = study.describe("100", [run("diverged", stopped=s) for s in (12, 7, 30)])
    assert sentence == "**100**: all 3 seeds diverged (the first at epoch 7)."


def test_solved_seeds_are_described_with_the_median_epoch_and_range():
    sentence = study.describe("1", [run("solved", perfect=e) for e in (400, 600, 1200)])
    assert (
        "all 3 seeds reached 100% training accuracy, after 600 epochs (median; 400–1,200)"
        in sentence
    )


def test_mixed_outcomes_are_all_named_with_their_counts():
    runs = [
        run("solved", perfect=100),
        run("stalled", 0.5, 0.25),
        run("stalled", 0.52, 0.2494),
        run("learning", 0.9),
    ]
    sentence = study.describe("0.1", runs)
    assert "1 of 4 seeds reached 100%" in sentence
    assert "2 of 4 seeds stalled on a plateau (loss ≈ 0.25, accuracy 51%)" in sentence
    assert "1 of 4 seeds kept improving to the last epoch (accuracy 90%)" in sentence


def test_ratios_say_how_much_smaller_the_first_layers_gradient_is():
    ratios = pd.DataFrame(
        {"activation": ["sigmoid", "sigmoid"], "when": ["start", "end"], "ratio": [0.01, 0.5]}
    )
    assert study.describe_ratios(ratios) == [
        "**sigmoid**: at the start the first layer's gradient is 100× smaller than the last's; "
        "at the end, 0.5 times the last's."
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("100, 10,1", [100.0, 10.0, 1.0]), ("0.1;0.1; 1e-3", [0.1, 0.001])],
)
def test_value_lists_parse_and_drop_repeats(text, expected):
    assert study.parse_values(text, 1e-6, 1000) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "at least one"),
        ("1, x", "'x' is not a number"),
        ("5000", "out of range"),
        ("1,2,3,4,5,6,7,8,9", "at most 8"),
    ],
)
def test_bad_value_lists_say_why(text, message):
    with pytest.raises(ValueError, match=message):
        study.parse_values(text, 1e-6, 1000)


def test_widths_must_be_whole_numbers():
    with pytest.raises(ValueError, match="whole numbers"):
        study.parse_values("2.5", 1, 512, whole=True)


def test_summary_table_and_curves_cover_every_arm():
    X, y = datasets.generate_xor_easy()
    base = TrainConfig(activation="identity", output_activation="identity", epochs=300, snapshots=2)
    arms = [study.arm("5", base.replace(lr=5.0), 2), study.arm("0.001", base.replace(lr=0.001), 2)]
    configs = [c for a in arms for c in a.configs]
    records = sweep(X, y, configs)
    results = {"5": study.digest(records[:2]), "0.001": study.digest(records[2:])}
    table = study.summary_table(results, "learning rate")
    assert table["learning rate"].tolist() == ["5", "0.001"]
    assert table["diverged"].tolist() == [2, 0]
    curves = study.curves_frame(results, "learning rate")
    assert set(curves["learning rate"]) == {"5", "0.001"} and set(curves["metric"]) == {
        "loss",
        "accuracy",
    }
    ratios = study.gradient_ratios(results)
    assert len(ratios) == 4 and np.isfinite(ratios["ratio"]).all()
    median = study.median_run(records[2:])
    assert results["0.001"].median_network.theta.tolist() == median.network.theta.tolist()


def test_digest_keeps_scalars_exact_and_thins_long_curves():
    X, y = datasets.generate_xor_easy()
    records = sweep(
        X, y, [TrainConfig(hidden=(3,), epochs=2000, seed=s, snapshots=2) for s in range(2)]
    )
    result = study.digest(records, max_points=100)
    assert [s.final_loss for s in result.summaries] == [r.final_loss for r in records]
    assert len(result.curves) <= 2 * 100 and result.curves["epoch"].max() == 2000
    assert result.edge_norms.shape == (2, 2, 2)


def test_studies_trained_in_batches_give_the_same_digests(monkeypatch):
    X, y = datasets.generate_xor_easy()
    base = TrainConfig(epochs=300, snapshots=2)
    arms = tuple(study.arm(f"{lr:g}", base.replace(lr=lr), 2) for lr in (1.0, 0.1, 0.01))
    progress = study.runs.Progress()
    whole = study.study_results.__wrapped__(X, y, arms, progress)
    monkeypatch.setattr(study, "BATCH_MEGABYTES", 1e-9)  # one arm per batch
    assert len(study._batches(arms, len(X))) == 3
    batched = study.study_results.__wrapped__(X, y, arms, progress)
    assert progress.fraction == 1.0
    for label in whole:
        untimed = [[replace(s, seconds=0) for s in r[label].summaries] for r in (whole, batched)]
        assert untimed[0] == untimed[1]
        pd.testing.assert_frame_equal(whole[label].curves, batched[label].curves)
