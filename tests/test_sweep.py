import numpy as np
import pytest

from mlp import TrainConfig, summarize, sweep, train
from mlp.sweep import networks_per_stack

from .conftest import assert_records_equal


def test_sweep_gives_the_records_train_gives_for_rates_and_seeds(xor):
    configs = [TrainConfig(lr=lr, seed=s, epochs=600) for lr in (10, 1, 0.1) for s in range(3)]
    for swept, config in zip(sweep(*xor, configs), configs, strict=True):
        assert_records_equal(swept, train(*xor, config))


def test_sweep_handles_mixed_groups_in_input_order(xor):
    configs = [
        TrainConfig(hidden=(3,), epochs=300, seed=1),
        TrainConfig(hidden=(6, 6), epochs=300, init="xavier"),
        TrainConfig(hidden=(3,), epochs=300, seed=2, lr=0.3),
        TrainConfig(hidden=(6, 6), epochs=300, optimizer="adam", lr=0.01),  # a group of one
        TrainConfig(hidden=(4, 4), epochs=300, batch_size=5, seed=4),
        TrainConfig(hidden=(4, 4), epochs=300, batch_size=5, seed=5),
    ]
    records = sweep(*xor, configs)
    assert [r.config for r in records] == configs
    for swept, config in zip(records, configs, strict=True):
        assert_records_equal(swept, train(*xor, config))


def test_a_diverging_member_does_not_poison_its_group(xor):
    base = TrainConfig(activation="identity", output_activation="identity", epochs=2000)
    configs = [base.replace(lr=lr) for lr in (0.001, 5.0, 0.003)]
    records = sweep(*xor, configs)
    assert [r.diverged for r in records] == [False, True, False]
    for swept, config in zip(records, configs, strict=True):
        assert_records_equal(swept, train(*xor, config))


def test_wide_networks_are_trained_one_by_one():
    assert networks_per_stack(TrainConfig(hidden=(500, 500)), 100) == 1
    assert networks_per_stack(TrainConfig(hidden=(20, 20)), 21) >= 32


def test_callback_counts_network_epochs_and_can_stop_the_sweep(xor):
    configs = [TrainConfig(epochs=400, seed=s) for s in range(3)] + [
        TrainConfig(hidden=(2,), epochs=400)
    ]
    seen = []

    def callback(done, total):
        seen.append((done, total))
        return done < 600

    records = sweep(*xor, configs, callback)
    assert all(total == 1600 for _, total in seen)
    assert seen[-1][0] == 600
    assert [r.stopped_epoch for r in records] == [200, 200, 200, 0]
    assert records[3].epochs_run == 0 and len(records[3].snapshot_epochs) == 1


def test_sweep_rejects_what_train_rejects(xor):
    with pytest.raises(TypeError, match=r"configs\[1\]"):
        sweep(*xor, [TrainConfig(), {"lr": 1}])
    with pytest.raises(ValueError, match="labels"):
        sweep(xor[0], np.full(21, 3), [TrainConfig()])


def test_summarize_gives_curves_across_seeds_and_per_run_scalars(xor):
    configs = [TrainConfig(epochs=1500, seed=s) for s in range(3)]
    records = sweep(*xor, configs)
    curves, runs = summarize(records, loss_threshold=0.05)
    stacked = np.stack([r.loss for r in records])
    np.testing.assert_allclose(curves.loss_mean, stacked.mean(axis=0))
    np.testing.assert_allclose(curves.loss_std, stacked.std(axis=0))
    np.testing.assert_allclose(curves.loss_max, stacked.max(axis=0))
    assert curves.runs.tolist() == [3] * 1500
    for run, record in zip(runs, records, strict=True):
        assert run.outcome == "solved"
        assert run.epochs_to_perfect == record.first_perfect_epoch
        assert record.loss[run.epochs_to_loss] < 0.05 <= record.loss[run.epochs_to_loss - 1]


def test_summarize_counts_only_runs_still_going_and_names_outcomes(xor):
    base = TrainConfig(activation="identity", output_activation="identity", epochs=800)
    records = sweep(*xor, [base.replace(lr=5.0), base.replace(lr=1e-4)])
    curves, runs = summarize(records)
    stop = records[0].stopped_epoch
    assert curves.runs[stop - 1] == 2 and curves.runs[stop] == 1
    assert [r.outcome for r in runs] == ["diverged", "learning"]
