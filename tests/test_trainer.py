"""mlp.Trainer: a run in pieces gives the numbers of one uninterrupted run."""

import numpy as np
import pytest

from mlp import TrainConfig, Trainer, reference, train
from mlp.network import flatten
from tests.conftest import assert_records_equal

PIECES = (1, 7, 92, 900)


@pytest.mark.parametrize(("optimizer", "lr"), [("sgd", 1.0), ("momentum", 0.3), ("adam", 0.02)])
@pytest.mark.parametrize("batch_size", [None, 5])
def test_a_run_in_pieces_equals_one_run_of_the_same_length(xor, optimizer, lr, batch_size):
    config = TrainConfig(optimizer=optimizer, lr=lr, batch_size=batch_size, epochs=1000)
    trainer = Trainer(*xor, config)
    ran = [trainer.run(k) for k in PIECES]
    assert ran == list(PIECES) and trainer.epoch == 1000
    assert_records_equal(trainer.record(), train(*xor, config), rtol=1e-12)


def test_a_record_taken_midway_covers_the_epochs_run_and_changes_nothing_after(xor):
    config = TrainConfig(epochs=300, snapshots=4)
    trainer = Trainer(*xor, config)
    trainer.run(120)
    midway = trainer.record()
    assert midway.epochs_run == 120 and midway.stopped_epoch == 120
    assert midway.snapshot_epochs.tolist() == [0, 100, 120]
    whole = train(*xor, config)
    np.testing.assert_array_equal(midway.loss, whole.loss[:120])
    trainer.run(1000)
    assert trainer.epoch == 300 and trainer.done
    assert_records_equal(trainer.record(), whole, rtol=0)


def test_run_stops_at_the_configs_epochs_and_then_does_nothing(xor):
    trainer = Trainer(*xor, TrainConfig(epochs=50))
    assert trainer.run(80) == 50
    assert trainer.run(10) == 0
    assert trainer.record().stopped_epoch is None


def test_a_diverging_run_stops_at_the_references_epoch_with_its_weights(xor):
    config = TrainConfig(activation="identity", output_activation="identity", lr=5.0, epochs=500)
    trainer = Trainer(*xor, config)
    while trainer.run(3):
        pass
    expected = reference.train(*xor, config)
    assert trainer.diverged and trainer.epoch == expected.stopped_epoch
    np.testing.assert_allclose(trainer.network.theta, expected.network.theta, rtol=1e-9)
    assert trainer.run(10) == 0


def test_the_network_is_a_copy(xor):
    trainer = Trainer(*xor, TrainConfig(epochs=20))
    trainer.network.theta[:] = 0.0
    assert np.any(trainer.network.theta != 0.0)


def test_a_new_learning_rate_takes_effect_from_the_next_epoch(xor):
    config = TrainConfig(epochs=200)
    trainer = Trainer(*xor, config)
    trainer.run(100)
    params = [(W.copy(), b.copy()) for W, b in trainer.network.params]
    trainer.adjust(lr=0.1)
    trainer.run(100)
    # the second half, one plain SGD step of lr 0.1 at a time, by the reference
    optimizer = reference.Optimizer(config.replace(lr=0.1), params)
    for _ in range(100):
        params = optimizer.step(params, reference.backprop(params, *xor, config).grads)
    np.testing.assert_allclose(trainer.network.theta, flatten(params), rtol=1e-9)
    assert trainer.record().config.lr == 0.1


def test_a_new_optimizer_starts_from_fresh_state(xor):
    config = TrainConfig(epochs=60)
    trainer = Trainer(*xor, config)
    trainer.run(30)
    params = [(W.copy(), b.copy()) for W, b in trainer.network.params]
    trainer.adjust(optimizer="adam", lr=0.01)
    trainer.run(30)
    adam = config.replace(optimizer="adam", lr=0.01)
    optimizer = reference.Optimizer(adam, params)  # t = 0: bias correction from scratch
    for _ in range(30):
        params = optimizer.step(params, reference.backprop(params, *xor, adam).grads)
    np.testing.assert_allclose(trainer.network.theta, flatten(params), rtol=1e-9)


def test_callback_can_stop_a_piece(xor):
    trainer = Trainer(*xor, TrainConfig(epochs=1000))
    assert trainer.run(1000, lambda epoch, loss: epoch < 300) == 300
    assert trainer.run(100) == 100
