"""The queue's worker processes: the same results as in-process, progress, cancel, CPU cap."""

import socket
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
