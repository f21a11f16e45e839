"""Other programs' share of the machine, as the queue's forecasts count it."""

import os
import subprocess
import sys
import time
from types import SimpleNamespace

import pytest

from dashboard.machine import OtherPrograms, busy_seconds
from dashboard.work import WorkQueue
from tests.test_work import new_jobs

BUSY_3_SECONDS = "import time\nend = time.time() + 3\nwhile time.time() < end: pass"


CPUS = len(os.sched_getaffinity(0))


def test_a_busy_program_that_is_not_ours_is_seen_taking_about_one_core_of_ours():
    others = OtherPrograms(usable=CPUS)
    # a quota of one core less than we see: one core is the others' to take unfelt
    others_with_a_spare = OtherPrograms(usable=CPUS - 1)
    # bash is our child; the busy loop is its child, so not one of this process's workers
    loop = subprocess.Popen(["bash", "-c", 'timeout 3 python -c "while True: pass"'])
    time.sleep(3.2)
    assert 0.5 < others.cores_used < 1.5
    assert others_with_a_spare.cores_used < 0.5
    loop.wait()


def test_only_the_cpus_this_process_may_use_count_as_busy():
    ticks = os.sysconf("SC_CLK_TCK")
    stat = (
        "cpu  60 0 30 900 0 0 0 0 0 0\n"
        "cpu0 10 0 5 300 0 0 0 0 0 0\n"
        f"cpu1 {ticks} 0 {ticks} 300 7 0 0 {ticks} 0 0\n"  # iowait is idle time
        "cpu2 40 0 20 300 0 0 0 0 0 0\n"
        "intr 12345 0 0\n"
    )
    assert busy_seconds({1}, stat) == 3.0
    assert busy_seconds({0, 2}, stat) == (10 + 5 + 40 + 20) / ticks


def test_forecasts_take_the_cpu_pace_and_stretch_it_by_the_cores_other_programs_take():
    queue = WorkQueue(slots=2)
    # one of two cores taken elsewhere, no worker training to measure
    queue.others = SimpleNamespace(cores_used=1.0, stretch=None)
    assert queue.forecast(new_jobs(4.0)) == (0, 4.0 * 1.5)
    queue.cpu_pace = 0.5  # the estimates here are twice what jobs take
    assert queue.forecast(new_jobs(4.0)) == (0, 4.0 * 0.5 * 1.5)


def test_while_workers_train_their_measured_stretch_counts_not_the_others_cores():
    queue = WorkQueue(slots=2)
    # the others take a core, but at low priority: the workers lose only 10% to them
    queue.others = SimpleNamespace(cores_used=1.0, stretch=1.1)
    assert queue.forecast(new_jobs(4.0)) == (0, 4.0 * 1.1)


def test_a_worker_sharing_its_core_with_a_busy_program_is_measured_twice_as_slow():
    def on_cpu_0():
        os.sched_setaffinity(0, {0})

    others = OtherPrograms(usable=CPUS)
    assert others.stretch is None  # no worker has trained yet
    busy = [sys.executable, "-c", BUSY_3_SECONDS]
    worker = subprocess.Popen(busy, preexec_fn=on_cpu_0)  # our child: one of "our workers"
    # timeout's child, not ours: another program, busy on the same core
    rival = subprocess.Popen(["timeout", "4", *busy], preexec_fn=on_cpu_0)
    time.sleep(3.2)
    # half the core: each CPU second takes about two (more if the host is busy too)
    assert 1.6 < others.stretch < 3.5
    worker.wait()
    rival.wait()


def test_a_crowd_stretches_only_the_next_half_minute_of_a_forecast():
    queue = WorkQueue(slots=1)
    queue.others = SimpleNamespace(cores_used=0.0, stretch=4.0)  # now 4 times slower
    assert queue.forecast(new_jobs(5.0)) == (0, 5.0 * 4)  # done within the crowd's 30 s
    # 30 s at a quarter speed do 7.5 s of the work; the other 92.5 s at the usual stretch
    assert queue.forecast(new_jobs(100.0)) == (0, 30 + 92.5 * 1.0)
    queue.usual_stretch = 1.2
    assert queue.forecast(new_jobs(100.0)) == (0, pytest.approx(30 + 92.5 * 1.2))
