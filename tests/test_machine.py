"""Other programs' share of the machine, as the queue's forecasts count it."""

import subprocess
import time
from types import SimpleNamespace

from dashboard.machine import OtherPrograms
from dashboard.work import WorkQueue
from tests.test_work import new_jobs


def test_a_busy_program_that_is_not_ours_is_seen_taking_about_one_core():
    others = OtherPrograms()
    # bash is our child; the busy loop is its child, so not one of this process's workers
    loop = subprocess.Popen(["bash", "-c", 'timeout 3 python -c "while True: pass"'])
    time.sleep(3.2)
    assert 0.5 < others.cores_used < 1.5
    loop.wait()


def test_forecasts_stretch_by_the_cores_other_programs_take_or_by_the_pace_if_slower():
    queue = WorkQueue(slots=2)
    queue.others = SimpleNamespace(cores_used=1.0)  # one of two cores taken elsewhere
    assert queue.forecast(new_jobs(4.0)) == (0, 4.0 * 1.5)
    queue.pace = 2.0
    assert queue.forecast(new_jobs(4.0)) == (0, 4.0 * 2.0)
