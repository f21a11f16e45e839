from dataclasses import replace

import numpy as np
import pandas as pd

from dashboard import frames, runs, studies
from mlp import TrainConfig, datasets, sweep


def results_of(arms):
    X, y = datasets.generate_xor_easy()
    records = sweep(X, y, [c for a in arms for c in a.configs])
    out, start = {}, 0
    for a in arms:
        out[a.label] = studies.digest(records[start : start + len(a.configs)], a.values)
        start += len(a.configs)
    return out, records


def test_an_arm_carries_its_swept_values_as_data():
    arm = studies.arm("0.1 | 20", TrainConfig(), 3, **{"learning rate": 0.1, "hidden units": 20})
    assert arm.values == (("learning rate", 0.1), ("hidden units", 20))
    assert [c.seed for c in arm.configs] == [0, 1, 2]


def test_summary_table_and_curves_cover_every_arm():
    base = TrainConfig(activation="identity", output_activation="identity", epochs=300, snapshots=2)
    arms = [
        studies.arm("5", base.replace(lr=5.0), 2, **{"learning rate": 5.0}),
        studies.arm("0.001", base.replace(lr=0.001), 2, **{"learning rate": 0.001}),
    ]
    results, records = results_of(arms)
    table = frames.summary_table(results, "arm")
    assert table["arm"].tolist() == ["5", "0.001"]
    assert table["learning rate"].tolist() == [5.0, 0.001]
    assert table["diverged"].tolist() == [2, 0]
    assert table["status"].tolist() == ["diverged", "stalled"]
    first = min(r.stopped_epoch for r in records[:2])
    assert table["diverged at"].tolist()[0] == first
    curves = frames.curves_frame(results, "arm")
    assert set(curves["arm"]) == {"5", "0.001"} and set(curves["metric"]) == {"loss", "accuracy"}
    ratios = frames.gradient_ratios(results)
    assert len(ratios) == 4 and np.isfinite(ratios["ratio"]).all()
    median = studies.median_run(records[2:])
    assert results["0.001"].median_network.theta.tolist() == median.network.theta.tolist()


def test_epochs_to_100_percent_counts_only_the_seeds_solved_at_the_end():
    # seed runs that touch 100% and fall back must not count as solved
    base = TrainConfig(epochs=2000, snapshots=2)
    results, records = results_of([studies.arm("1", base, 3)])
    solved = [r.first_perfect_epoch for r in records if r.final_accuracy == 1.0]
    table = frames.summary_table(results, "arm")
    assert table["solved"].tolist() == [len(solved)]
    assert table[frames.SOLVED_AT].tolist() == [float(np.median(solved))]


def test_digest_keeps_scalars_exact_and_thins_long_curves():
    X, y = datasets.generate_xor_easy()
    records = sweep(
        X, y, [TrainConfig(hidden=(3,), epochs=2000, seed=s, snapshots=2) for s in range(2)]
    )
    result = studies.digest(records, max_points=100)
    assert [s.final_loss for s in result.summaries] == [r.final_loss for r in records]
    assert len(result.curves) <= 2 * 100 and result.curves["epoch"].max() == 2000
    assert result.edge_norms.shape == (2, 2, 2)


def test_studies_trained_in_batches_give_the_same_digests(monkeypatch):
    X, y = datasets.generate_xor_easy()
    base = TrainConfig(epochs=300, snapshots=2)
    arms = tuple(studies.arm(f"{lr:g}", base.replace(lr=lr), 2) for lr in (1.0, 0.1, 0.01))
    progress = runs.Progress()
    whole = studies.study_results.__wrapped__(X, y, arms, None, progress)
    monkeypatch.setattr(studies, "BATCH_MEGABYTES", 1e-9)  # one arm per batch
    assert len(studies._batches(arms, len(X))) == 3
    batched = studies.study_results.__wrapped__(X, y, arms, None, progress)
    assert progress.fraction == 1.0
    for label in whole:
        untimed = [[replace(s, seconds=0) for s in r[label].summaries] for r in (whole, batched)]
        assert repr(untimed[0]) == repr(untimed[1])  # repr: NaN (no test points) equals NaN
        pd.testing.assert_frame_equal(whole[label].curves, batched[label].curves)
