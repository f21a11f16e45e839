from mlp import TrainConfig, train
from mlp.console_log import lab_log, log_epochs


def test_log_epochs_are_every_interval_and_the_last():
    assert log_epochs(12, 5) == [5, 10, 12]
    assert log_epochs(10, 5) == [5, 10]


def test_lab_log_lists_failures_by_position(xor):
    record = train(*xor, TrainConfig(epochs=1, hidden=(2,)))
    log = lab_log(record, every=1)
    assert "epoch 1 Loss: " in log
    fails = [
        i for i, (p, t) in enumerate(zip(record.predictions > 0.5, record.y, strict=True)) if p != t
    ]
    assert f"FAIL position : {fails}" in log


def test_lab_log_says_where_a_run_diverged(xor):
    config = TrainConfig(activation="identity", output_activation="identity", lr=5.0, epochs=3000)
    record = train(*xor, config)
    assert f"diverged at epoch {record.stopped_epoch}" in lab_log(record)
