"""`python -m mlp sweep GRID --out results.csv`: grids, resumption, executors, bad files."""

import csv
import json
import os
import signal
import subprocess
import sys
import time
from contextlib import suppress
from pathlib import Path

import pytest

from mlp import TrainConfig, train
from mlp.grid import COLUMNS, duration, read_grid

GRID = {
    "data": {"name": "xor"},
    "base": {"hidden": [6, 6], "epochs": 200},
    "axes": {"lr": [0.1, 1, 10], "init": ["normal", "xavier"]},
    "seeds": 2,
}


def run_sweep(*args, timeout=180):
    return subprocess.run(
        [sys.executable, "-m", "mlp", "sweep", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture
def grid_file(tmp_path):
    path = tmp_path / "grid.json"
    path.write_text(json.dumps(GRID))
    return path


def test_the_runs_are_the_axes_product_times_the_seeds(grid_file):
    configs = read_grid(grid_file).configs
    assert len(configs) == 3 * 2 * 2
    assert configs[0] == TrainConfig(hidden=(6, 6), epochs=200, lr=0.1, init="normal", seed=0)
    assert {c.seed for c in configs} == {0, 1}


def test_a_grid_runs_end_to_end_resumes_after_an_interruption_and_skips_what_is_done(
    grid_file, tmp_path
):
    out = tmp_path / "results.csv"
    first = run_sweep(str(grid_file), "--out", str(out), "--workers", "2")
    assert first.returncode == 0, first.stderr
    whole = rows(out)
    assert len(whole) == 12 and list(whole[0]) == COLUMNS
    # each row is what mlp.train gives for its config
    config = TrainConfig(hidden=(6, 6), epochs=200, lr=1.0, init="xavier", seed=1)
    row = next(r for r in whole if (r["lr"], r["init"], r["seed"]) == ("1.0", "xavier", "1"))
    assert (
        float(row["final_loss"])
        == train(*__import__("mlp").datasets.load("xor"), config).final_loss
    )
    # interrupted after 5 rows (and half a line): the rerun trains exactly the other 7
    lines = out.read_text().splitlines(keepends=True)
    out.write_text("".join(lines[:6]) + lines[6][:20])
    resumed = run_sweep(str(grid_file), "--out", str(out))
    assert resumed.returncode == 0 and "7 run(s) trained, 5 already" in resumed.stdout
    keyed = {tuple(r[k] for k in COLUMNS[:15]): r["final_loss"] for r in rows(out) if r["outcome"]}
    assert keyed == {tuple(r[k] for k in COLUMNS[:15]): r["final_loss"] for r in whole}
    again = run_sweep(str(grid_file), "--out", str(out))
    assert "0 run(s) trained, 12 already" in again.stdout


def no_process_left_in_group(group: int, seconds: float = 10.0) -> bool:
    """Within `seconds`, no process of the group runs (an unreaped zombie does not)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        running = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                state, _parent, process_group = stat.read_text().rsplit(")", 1)[1].split()[:3]
            except (OSError, ValueError):
                continue  # gone meanwhile
            if int(process_group) == group and state not in "ZX":
                running.append(stat)
        if not running:
            return True
        time.sleep(0.1)
    return False


def test_ctrl_c_ends_a_grid_with_one_line_and_keeps_every_finished_row(tmp_path):
    grid_file, out = tmp_path / "grid.json", tmp_path / "results.csv"
    long_grid = {**GRID, "base": {"hidden": [20, 20], "epochs": 3000}, "seeds": 100}  # 600 runs
    grid_file.write_text(json.dumps(long_grid))
    sweep = subprocess.Popen(
        [sys.executable, "-m", "mlp", "sweep", str(grid_file), "--out", str(out), "--workers", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # even if CI ignores it
    )
    try:
        deadline = time.monotonic() + 120
        while not (out.exists() and len(out.read_text().splitlines()) > 1):
            assert sweep.poll() is None and time.monotonic() < deadline, "no row was written"
            time.sleep(0.1)
        os.killpg(sweep.pid, signal.SIGINT)  # what Ctrl-C sends: the command and its workers
        _, stderr = sweep.communicate(timeout=60)
        assert no_process_left_in_group(sweep.pid)  # its workers ended with it
    finally:  # failed or hung: leave no process behind for the tests after this one
        with suppress(ProcessLookupError):
            os.killpg(sweep.pid, signal.SIGKILL)
        sweep.wait()
    assert sweep.returncode == 130 and "Traceback" not in stderr
    assert stderr.strip().splitlines()[-1] == (
        f"python -m mlp: interrupted; the runs that finished are in {out}, "
        "and the same command trains the rest"
    )
    kept = rows(out)
    assert 0 < len(kept) < 600 and all(row["outcome"] for row in kept)
    remaining = run_sweep(str(grid_file), "--out", str(out), "--dry-run")
    assert f"600 runs in the grid, {600 - len(kept)} not yet in" in remaining.stdout


@pytest.mark.parametrize(
    ("seconds", "said"),
    [(0.2, "under 1 s"), (45.4, "45 s"), (119, "119 s"), (720, "12 min"), (12_240, "3.4 h")],
)
def test_a_grids_time_is_said_in_the_unit_people_plan_with(seconds, said):
    assert duration(seconds) == said


def test_a_dry_run_counts_the_runs_and_trains_nothing(grid_file, tmp_path):
    out = tmp_path / "results.csv"
    result = run_sweep(str(grid_file), "--out", str(out), "--dry-run")
    assert result.returncode == 0 and "12 runs in the grid, 12 not yet in" in result.stdout
    assert not out.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"axes": {"momentum": [0.9]}}, "unknown field 'momentum' in axes"),
        ({"axes": {"lr": [1, -1]}}, "lr must be a finite number > 0, got -1"),
        ({"axes": {"lr": []}}, "axis lr must list at least one value"),
        ({"axes": {"seed": [1, 2]}}, "unknown field 'seed' in axes; use seeds"),
        ({"data": {"name": "iris"}}, "unknown dataset 'iris'"),
        ({"seeds": 0}, "seeds must be a whole number in 1..10000"),
        ({"extra": 1}, "unknown key(s) extra"),
    ],
)
def test_a_bad_grid_file_gets_one_line_naming_the_problem_and_exit_status_2(
    tmp_path, change, message
):
    path = tmp_path / "grid.json"
    path.write_text(json.dumps({**GRID, **change}))
    result = run_sweep(str(path), "--out", str(tmp_path / "out.csv"))
    assert result.returncode == 2 and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_grid_runs_on_a_dask_cluster(grid_file, tmp_path):
    distributed = pytest.importorskip("distributed")
    out = tmp_path / "results.csv"
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        result = run_sweep(
            str(grid_file), "--out", str(out), "--executor", "dask",
            "--scheduler", cluster.scheduler_address,
        )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert len(rows(out)) == 12
