import subprocess
import sys

import pytest

from mlp import RunRecord


def run_cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "mlp", *args], capture_output=True, text=True, timeout=120
    )


def test_train_prints_the_labs_log_and_reaches_full_accuracy(tmp_path):
    path = tmp_path / "run.npz"
    result = run_cli(
        "train",
        "--dataset",
        "xor",
        "--hidden",
        "20",
        "20",
        "--lr",
        "1",
        "--epochs",
        "3000",
        "--seed",
        "1",
        "--log-every",
        "1000",
        "--save",
        str(path),
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("start training\nepoch 1000 Loss: ")
    assert "epoch 3000 Loss: " in out
    assert "PASS : 21 || FAIL : 0" in out and "FAIL position : NONE" in out
    assert "Accuracy : 1.0" in out
    assert RunRecord.load(path).epochs_run == 3000


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["train", "--lr", "0"], "lr must be a finite number > 0"),
        (["train", "--epochs", "abc"], "invalid int value"),
        (["train", "--dataset", "iris"], "invalid choice"),
        (["train", "--hidden", "0"], "hidden must be in 1..1024"),
        (["train", "--csv", "/no/such/file.csv"], "No such file"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_status_2(args, message):
    result = run_cli(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_held_out_points_regularization_and_features_reach_the_log(tmp_path):
    path = tmp_path / "run.npz"
    result = run_cli(
        "train", "--dataset", "moons", "--test-fraction", "0.5", "--l2", "0.01",
        "--features", "x1", "x2", "x1^2", "--epochs", "200", "--log-every", "100",
        "--save", str(path),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "epoch 100 Loss: " in result.stdout and " | test loss: " in result.stdout
    record = RunRecord.load(path)
    assert record.config.l2 == 0.01 and record.config.features == ("x1", "x2", "x1^2")
    assert len(record.X) == 100 and len(record.test_epochs) == 200  # 200 points, half held out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["train", "--test-fraction", "2"], "test_fraction must be in 0..0.9"),
        (["train", "--l2", "11"], "l2 must be in 0..10"),
        (["train", "--features", "x3"], "invalid choice"),
    ],
)
def test_bad_generalization_options_give_one_line_and_exit_status_2(args, message):
    result = run_cli(*args)
    assert result.returncode == 2 and message in result.stderr


class FakeDaskClient:
    """What `run_on_scheduler(find_spec, "mlp")` and `run(find_spec, "mlp")` answer: the
    scheduler's module spec and each worker's, None where mlp cannot be imported."""

    def __init__(self, specs, scheduler_can_import=True):
        self.specs = specs
        self.scheduler_spec = "a module spec" if scheduler_can_import else None

    def run_on_scheduler(self, function, name):
        assert name == "mlp"
        return self.scheduler_spec

    def run(self, function, name):
        assert name == "mlp"
        return self.specs


def test_dask_workers_that_cannot_import_mlp_are_named_before_any_task_is_sent():
    from mlp.cli import check_dask_cluster

    with pytest.raises(ValueError, match=r"1 of the 2 Dask workers .* cannot import mlp"):
        check_dask_cluster(FakeDaskClient({"tcp://a:1": object(), "tcp://b:2": None}), "tcp://s")
    with pytest.raises(ValueError, match="has no workers"):
        check_dask_cluster(FakeDaskClient({}), "tcp://s")
    check_dask_cluster(FakeDaskClient({"tcp://a:1": object()}), "tcp://s")  # all can: no error


def test_a_dask_scheduler_that_cannot_import_mlp_is_named_before_any_task_is_sent():
    from mlp.cli import check_dask_cluster

    with pytest.raises(ValueError, match="the Dask scheduler at tcp://s cannot import mlp"):
        check_dask_cluster(FakeDaskClient({"tcp://a:1": object()}, False), "tcp://s")
