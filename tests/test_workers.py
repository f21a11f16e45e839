"""The queue's worker processes: the same results as in-process, progress, cancel, CPU cap."""

import importlib
import os
import socket
import sys
import time
from functools import partial

import pytest

from dashboard import runs, work
from dashboard.workers import ProcessRunner
from mlp import TrainConfig, datasets

from .conftest import assert_records_equal
from .test_work import wait_until


@pytest.fixture(scope="module")
def queue():
    return work.WorkQueue(slots=2, runner=ProcessRunner(2))


def train(epochs: int, seed: int = 0):
    X, y = datasets.load("xor")
    return partial(runs.train_run, X, y, TrainConfig(epochs=epochs, seed=seed), None)


def worker_pid(progress) -> int:
    return os.getpid()


def test_a_run_in_a_worker_process_gives_the_in_process_record_bit_for_bit(queue):
    job = queue.submit("a", train(3000, seed=4), "s", 1.0)
    wait_until(lambda: job.over, seconds=60)
    assert job.state == "done" and job.progress.fraction == 1.0
    assert_records_equal(job.result, train(3000, seed=4)(work.Progress()), rtol=0)


def test_progress_comes_back_from_the_worker_and_leaving_cancels_it(queue):
    job = queue.submit("long", train(1_000_000), "s", 60.0)
    wait_until(lambda: job.progress.fraction > 0, seconds=60)
    queue.leave(job, "s")
    wait_until(lambda: job.over, seconds=30)
    assert job.state == "cancelled" and job.progress.fraction < 1


def test_a_worker_over_its_cpu_allowance_is_stopped(queue):
    job = queue.submit("dear", train(1_000_000), "s", estimate=0.1)  # really ~30 s
    started = time.perf_counter()
    wait_until(lambda: job.over, seconds=60)
    assert job.state == "failed" and isinstance(job.error, work.OverBudget)
    assert job.progress.cpu_seconds >= work.CPU_FLOOR_SECONDS
    assert time.perf_counter() - started < 20


def test_a_connection_the_server_closes_is_closed_though_workers_were_forked_meanwhile():
    server_side, browser_side = socket.socketpair()  # a browser's keep-alive connection
    runner = work.WorkQueue(slots=1, runner=ProcessRunner(1))
    job = runner.submit("fork now", train(10), "s", 0.1)  # the pool forks its worker
    wait_until(lambda: job.over, seconds=60)
    server_side.close()
    browser_side.settimeout(10)
    assert browser_side.recv(1) == b""  # the end of the connection, not a wait forever
    browser_side.close()


def test_a_job_whose_code_was_imported_after_the_fork_runs_in_workers_that_inherit_it(
    tmp_path, monkeypatch
):
    runner = work.WorkQueue(slots=1, runner=ProcessRunner(1))
    first = runner.submit("fork now", worker_pid, "s", 0.1)
    wait_until(lambda: first.over, seconds=60)
    (tmp_path / "imported_late.py").write_text(
        "import os\n"
        "IMPORTED_IN = os.getpid()\n"
        "def where(progress):\n"
        "    return os.getpid(), IMPORTED_IN\n"
    )
    monkeypatch.syspath_prepend(tmp_path)
    monkeypatch.delitem(sys.modules, "imported_late", raising=False)  # gone again after
    imported_late = importlib.import_module("imported_late")
    job = runner.submit("late", imported_late.where, "s", 0.1)
    wait_until(lambda: job.over, seconds=60)
    worker, imported_in = job.result
    assert worker != first.result  # a worker forked anew...
    assert imported_in == os.getpid()  # ...inherited the module instead of importing it
