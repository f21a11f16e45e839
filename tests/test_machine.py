"""Other programs' share of the machine, as the queue's forecasts count it."""

import subprocess
import time
from types import SimpleNamespace

from dashboard.machine import OtherPrograms
from dashboard.work import WorkQueue
from tests.test_work import new_jobs


def test_a_busy_program_that_is_not_ours_counts_as_one_more_runnable_thread():
    others = OtherPrograms()
    time.sleep(1.1)
    quiet = others.recent[-1]
    # bash is our child; the busy loop is its child, so not one of this process's workers
    loop = subprocess.Popen(["bash", "-c", 'timeout 4 python -c "while True: pass"'])
    time.sleep(3.1)  # two whole seconds of samples with it running
    assert 0.5 < others.threads - quiet < 1.5
    loop.wait()


def test_forecasts_stretch_by_the_cores_other_programs_take_or_by_the_pace_if_slower():
    queue = WorkQueue(slots=2)
    queue.others = SimpleNamespace(threads=1.0)  # one more thread wants the two cores
    assert queue.forecast(new_jobs(4.0)) == (0, 4.0 * 1.5)
    queue.pace = 2.0
    assert queue.forecast(new_jobs(4.0)) == (0, 4.0 * 2.0)
