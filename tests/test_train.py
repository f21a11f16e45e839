import time
import warnings

import numpy as np
import pytest

from mlp import MLP, TrainConfig, datasets, train


@pytest.mark.parametrize("seed", range(5))
def test_the_labs_setting_solves_xor_within_the_default_epochs(xor, seed):
    record = train(*xor, TrainConfig(seed=seed))
    assert record.final_accuracy == 1.0
    assert record.first_perfect_epoch < 2_000
    assert record.final_loss < 1e-3


@pytest.mark.parametrize("data_seed", range(3))
def test_the_labs_setting_solves_linear_within_the_default_epochs(data_seed):
    X, y = datasets.generate_linear(100, seed=data_seed)
    record = train(X, y, TrainConfig(seed=data_seed))
    assert record.final_accuracy == 1.0
    assert np.array_equal((record.predictions > 0.5).astype(int), y)


def test_same_config_and_seed_give_an_identical_record(xor):
    config = TrainConfig(epochs=500, seed=7)
    a, b = train(*xor, config), train(*xor, config)
    np.testing.assert_array_equal(a.loss, b.loss)
    np.testing.assert_array_equal(a.grad_norms, b.grad_norms)
    np.testing.assert_array_equal(a.snapshot_theta, b.snapshot_theta)


def test_record_follows_the_stated_conventions(xor):
    X, y = xor
    config = TrainConfig(hidden=(5, 4), epochs=300, seed=2, snapshots=7)
    record = train(X, y, config)
    initial = MLP(config.sizes(), init="normal", seed=2)
    # epoch 0's loss, accuracy and gradients come from the initial weights
    assert record.loss[0] == pytest.approx(initial.loss(X, y))
    assert record.accuracy[0] == pytest.approx(np.mean(initial.predict(X) == y))
    norms = [np.linalg.norm(gW) for gW, _ in initial.gradients(X, y)]
    np.testing.assert_allclose(record.grad_norms[0], norms, rtol=1e-12)
    # one SGD step later: epoch 1 is the network after one update
    for (W, b), (gW, gb) in zip(initial.params, initial.gradients(X, y), strict=True):
        W -= config.lr * gW
        b -= config.lr * gb
    assert record.loss[1] == pytest.approx(initial.loss(X, y), rel=1e-12)
    # snapshots: evenly spaced, first = initial weights, last = the trained network
    assert record.snapshot_epochs.tolist() == [0, 50, 100, 150, 200, 250, 300]
    np.testing.assert_array_equal(record.snapshot_theta[0], MLP(config.sizes(), seed=2).theta)
    np.testing.assert_array_equal(record.snapshot_theta[-1], record.network.theta)
    np.testing.assert_allclose(record.predictions, record.network.forward(X))
    assert record.loss.shape == record.accuracy.shape == (300,)
    assert record.grad_norms.shape == (300, 3)
    assert record.stopped_epoch is None and not record.diverged and record.seconds > 0


def test_cpu_seconds_count_the_training_not_the_time_it_waited(xor):
    # the callback sleeps 5 ms at each of its ~100 calls: half a second of wall time, and
    # no CPU time, on top of the training's
    config = TrainConfig(epochs=1000)
    record = train(*xor, config, lambda epoch, loss: time.sleep(0.005))
    assert record.seconds - record.cpu_seconds > 0.4
    assert 0 < record.cpu_seconds < record.seconds


def test_network_at_replays_the_snapshot_at_or_before_an_epoch(xor):
    record = train(*xor, TrainConfig(epochs=100, snapshots=5))
    np.testing.assert_array_equal(record.network_at(60).theta, record.snapshot_theta[2])
    np.testing.assert_array_equal(record.network_at(100).theta, record.network.theta)


def test_a_diverging_run_stops_with_a_finite_record_and_no_warning(xor):
    config = TrainConfig(activation="identity", output_activation="identity", lr=5.0, epochs=5000)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        record = train(*xor, config)
    assert record.diverged
    assert 0 < record.stopped_epoch < 5000
    assert len(record.loss) == record.stopped_epoch
    assert np.all(np.isfinite(record.loss)) and np.all(np.isfinite(record.grad_norms))
    assert np.all(np.isfinite(record.network.theta))
    assert record.snapshot_epochs[-1] == record.stopped_epoch


def test_callback_reports_progress_and_can_stop_training(xor):
    seen = []

    def callback(epoch, loss):
        seen.append((epoch, loss))
        return epoch < 300

    record = train(*xor, TrainConfig(epochs=1000), callback)
    assert record.stopped_epoch == 300 and len(record.loss) == 300 and not record.diverged
    assert [e for e, _ in seen] == list(range(10, 301, 10))
    assert seen[-1][1] == pytest.approx(record.loss[-1])


@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
def test_the_extra_credit_optimizers_solve_xor(xor, optimizer):
    lr = 0.5 if optimizer == "momentum" else 0.05
    record = train(*xor, TrainConfig(optimizer=optimizer, lr=lr, epochs=3000))
    assert record.final_accuracy == 1.0


def test_mini_batches_train_and_report_epoch_averages(xor):
    record = train(*xor, TrainConfig(batch_size=4, epochs=1500, lr=0.5))
    assert record.final_accuracy == 1.0
    assert record.grad_norms.shape == (1500, 3)


def test_bce_trains_xor(xor):
    assert train(*xor, TrainConfig(loss="bce", lr=0.5, epochs=3000)).final_accuracy == 1.0


@pytest.mark.parametrize("seed", range(4))
def test_sum_reduction_reproduces_the_reports_stuck_learning_rate(xor, seed):
    # the report's lr 10 run sat at loss 0.5238 = 11/21 (saturated outputs, 10 or 11 of
    # 21 points wrong); that happens under the "sum" gradient, not the exact mean one
    stuck = train(*xor, TrainConfig(lr=10, reduction="sum", epochs=2000, seed=seed))
    assert round(stuck.final_loss * 21) in (10, 11)
    assert stuck.final_loss * 21 == pytest.approx(round(stuck.final_loss * 21), abs=1e-3)
    assert stuck.final_accuracy < 0.6
    assert train(*xor, TrainConfig(lr=10, epochs=2000, seed=seed)).final_accuracy == 1.0


def test_batch_size_larger_than_the_data_is_rejected(xor):
    with pytest.raises(ValueError, match=r"batch_size must be in 1\.\.21"):
        train(*xor, TrainConfig(batch_size=22))


@pytest.mark.parametrize(
    ("X", "y", "message"),
    [
        (np.zeros((3, 2)), np.array([0, 1]), "one label per point"),
        (np.array([[0.0, np.nan], [1, 1]]), np.array([0, 1]), "NaN"),
        (np.zeros((2, 2)), np.array([0, 2]), "labels must be 0 or 1"),
        (np.zeros(4), np.array([0, 1, 0, 1]), "2-D array"),
    ],
)
def test_bad_data_is_rejected_with_a_reason(X, y, message):
    with pytest.raises(ValueError, match=message):
        train(X, y, TrainConfig(epochs=1))


def test_l2_shrinks_the_weights_and_records_its_penalty(xor):
    plain = train(*xor, TrainConfig(epochs=2000))
    shrunk = train(*xor, TrainConfig(epochs=2000, l2=0.01))
    norm = [sum(np.sum(W**2) for W, _ in r.network.params) for r in (plain, shrunk)]
    assert norm[1] < 0.5 * norm[0]
    # penalty[e] = l2/2 · Σ W² at the weights of epoch e's start; epoch 0: the initial ones
    initial = MLP(TrainConfig().sizes(), seed=0)
    expected = 0.01 / 2 * sum(np.sum(W**2) for W, _ in initial.params)
    assert shrunk.penalty[0] == pytest.approx(expected, rel=1e-12)
    assert np.all(plain.penalty == 0.0)


def test_test_metrics_at_epoch_0_are_the_initial_networks_on_the_test_points():
    X, y = datasets.moons(n=80, noise=0.2, seed=0)
    X_train, y_train, X_test, y_test = datasets.split(X, y, 0.5)
    record = train(X_train, y_train, TrainConfig(epochs=3000), test=(X_test, y_test))
    initial = MLP(TrainConfig().sizes(), seed=0)
    assert record.test_epochs[0] == 0 and record.test_epochs[-1] == 2999
    assert len(record.test_epochs) == 1000
    assert record.test_loss[0] == pytest.approx(initial.loss(X_test, y_test), rel=1e-12)
    assert record.test_accuracy[0] == pytest.approx(np.mean(initial.predict(X_test) == y_test))


def test_without_held_out_points_the_test_fields_are_empty(xor):
    record = train(*xor, TrainConfig(epochs=10))
    assert len(record.test_epochs) == len(record.test_loss) == len(record.test_accuracy) == 0
