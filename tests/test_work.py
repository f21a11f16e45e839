"""The server's work queue: slots, fair share, shared work, cancelling, the CPU cap, the
results cache."""

import threading
import time

import pytest

from dashboard import work
from dashboard.work import WorkQueue


class Gate:
    """Work that runs until the test opens its gate, reporting progress as it waits."""

    def __init__(self, result="done"):
        self.opened, self.started, self.result = threading.Event(), threading.Event(), result
        self.calls = 0

    def __call__(self, progress: work.Progress):
        self.calls += 1
        self.started.set()
        while not self.opened.is_set():
            progress.update(0.5, 1.0)
            time.sleep(0.005)
        return self.result


def new_jobs(*estimates):
    """(key, estimate) of jobs nobody has asked for yet."""
    return [(object(), seconds) for seconds in estimates]


def wait_until(condition, seconds=10.0):
    deadline = time.perf_counter() + seconds
    while not condition():
        assert time.perf_counter() < deadline, "timed out"
        time.sleep(0.005)


def test_no_more_jobs_run_than_slots_and_the_rest_wait_in_order():
    queue, gates = WorkQueue(slots=2), [Gate(i) for i in range(4)]
    jobs = [queue.submit(i, gate, f"session {i}", 1.0) for i, gate in enumerate(gates)]
    wait_until(lambda: gates[0].started.is_set() and gates[1].started.is_set())
    assert [j.state for j in jobs] == ["running", "running", "waiting", "waiting"]
    assert queue.ahead(jobs[3])[0] == 3  # two running, one waiting before it
    gates[0].opened.set()
    wait_until(lambda: jobs[2].state == "running")
    assert jobs[0].result == 0 and jobs[3].state == "waiting"
    for gate in gates:
        gate.opened.set()
    wait_until(lambda: all(j.state == "done" for j in jobs))
    assert [j.result for j in jobs] == [0, 1, 2, 3]


def test_a_started_request_keeps_one_core_and_a_later_request_gets_the_next_free_one():
    queue, gates = WorkQueue(slots=2), [Gate() for _ in range(4)]
    study = queue.new_request()
    busy = [queue.submit(i, gates[i], "class hog", 1.0, request=study) for i in range(3)]
    other = queue.submit(3, gates[3], "late student", 1.0)
    wait_until(lambda: busy[1].state == "running")
    gates[0].opened.set()  # a core frees: the late student's job is next, not the hog's third
    wait_until(lambda: other.state == "running")
    assert busy[2].state == "waiting"
    gates[1].opened.set()  # the hog's other core frees: it keeps it for its third job
    wait_until(lambda: busy[2].state == "running")
    for gate in gates:
        gate.opened.set()
    wait_until(lambda: all(j.over for j in [*busy, other]))


def test_requests_start_in_the_order_they_arrived_and_are_told_what_is_ahead():
    queue, gates = WorkQueue(slots=1), [Gate() for _ in range(4)]
    study = queue.new_request()
    first = [queue.submit(i, gates[i], "study", 2.0, request=study) for i in range(2)]
    second = queue.submit(2, gates[2], "one run", 1.0)
    third = queue.submit(3, gates[3], "another run", 1.0)
    wait_until(lambda: first[0].progress.fraction == 0.5)
    assert queue.ahead(second) == (2, 1.0 + 2.0)  # the study's running half and its second job
    assert queue.ahead(third) == (3, 1.0 + 2.0 + 1.0)
    gates[0].opened.set()
    wait_until(lambda: first[1].state == "running")
    assert second.state == "waiting"
    for gate in gates:
        gate.opened.set()
    wait_until(lambda: all(j.over for j in [*first, second, third]))


def test_identical_work_runs_once_for_every_session_that_asks():
    queue, gate = WorkQueue(slots=2), Gate()
    first = queue.submit("same", gate, "a", 1.0)
    second = queue.submit("same", gate, "b", 1.0)
    assert first is second and first.watchers == {"a", "b"}
    gate.opened.set()
    wait_until(lambda: first.state == "done")
    again = queue.submit("same", gate, "c", 1.0)  # from the cache, not run again
    assert again.state == "done" and again.result == "done" and gate.calls == 1


def test_a_job_nobody_waits_for_is_cancelled_and_not_cached():
    queue, running, waiting = WorkQueue(slots=1), Gate(), Gate()
    job = queue.submit("a", running, "a", 1.0)
    queued = queue.submit("b", waiting, "b", 1.0)
    wait_until(running.started.is_set)
    queue.leave(queued, "b")
    assert queued.state == "cancelled" and waiting.calls == 0
    queue.leave(job, "a")
    wait_until(lambda: job.state == "cancelled")
    assert queue.cached_bytes == 0 and queue.forecast(new_jobs(1.0)) == (0, 1.0)


def test_a_job_still_watched_by_another_session_keeps_running():
    queue, gate = WorkQueue(slots=1), Gate()
    job = queue.submit("a", gate, "a", 1.0)
    queue.submit("a", gate, "b", 1.0)
    queue.leave(job, "a")
    gate.opened.set()
    wait_until(lambda: job.over)
    assert job.state == "done"


def test_a_job_over_its_cpu_allowance_is_stopped_with_the_reason():
    queue = WorkQueue(slots=1)
    job = queue.submit("dear", busy_for(60.0), "a", estimate=0.0)  # the allowance stops it
    job.progress.cpu_allowance = 0.05
    wait_until(lambda: job.over)
    assert job.state == "failed" and isinstance(job.error, work.OverBudget)
    assert job.progress.cpu_seconds > 0.05 and queue.cached_bytes == 0


@pytest.mark.parametrize(
    ("estimate", "allowance"), [(0.1, work.CPU_FLOOR_SECONDS), (5.0, 10.0), (100.0, 60.0)]
)
def test_the_cpu_allowance_is_twice_the_estimate_within_floor_and_ceiling(estimate, allowance):
    assert work.cpu_allowance(estimate) == allowance


def test_the_results_cache_keeps_to_its_byte_budget_dropping_the_least_recently_used():
    queue = WorkQueue(slots=1, cache_megabytes=0.25)
    for key in ("a", "b", "c"):
        job = queue.submit(key, lambda progress: bytes(100_000), "s", 0.1)
        wait_until(lambda job=job: job.over)
        queue.submit("a", None, "s", 0.1)  # "a" is used again, so "b" is the oldest
    assert queue.cached_bytes <= 250_000
    assert queue.submit("a", None, "s", 0.1).state == "done"
    assert queue.submit("c", None, "s", 0.1).state == "done"
    evicted = queue.submit("b", Gate(), "s", 0.1)
    assert evicted.state in ("waiting", "running")  # it has to be trained again
    queue.leave(evicted, "s")


def test_a_remembered_result_is_recalled_and_counts_against_the_budget():
    queue = WorkQueue(slots=1, cache_megabytes=0.25)
    assert queue.recall("digest") is None
    queue.remember("digest", bytes(100_000))
    queue.remember("digest", bytes(100_000))  # kept once, counted once
    assert queue.recall("digest") == bytes(100_000)
    assert 100_000 < queue.cached_bytes < 110_000
    queue.remember("bigger", bytes(200_000))  # over budget together: the older one goes
    assert queue.recall("digest") is None and queue.recall("bigger") is not None


def test_a_page_waiting_on_the_queue_wakes_as_soon_as_a_job_ends():
    queue, gate = WorkQueue(slots=1), Gate()
    job = queue.submit("a", gate, "s", 0.1)
    wait_until(gate.started.is_set)
    threading.Timer(0.5, gate.opened.set).start()
    start = time.perf_counter()
    queue.wait(30.0)
    assert job.over and time.perf_counter() - start < 10.0


def test_new_work_on_idle_cores_is_forecast_at_its_own_makespan():
    queue = WorkQueue(slots=2)
    assert queue.forecast(new_jobs(4, 1, 1, 1, 1)) == (0, 4.0)  # 4 | 1+1+1+1
    assert queue.forecast(new_jobs(3, 3, 3)) == (0, 6.0)  # 3+3 | 3
    assert WorkQueue(slots=1).forecast(new_jobs(3, 3, 3)) == (0, 9.0)


def test_forecast_waits_for_free_cores_behind_the_requests_that_came_first():
    queue, gates = WorkQueue(slots=2), [Gate() for _ in range(3)]
    running = [queue.submit(s, gates[i], f"student {s}", 10.0) for i, s in enumerate("ab")]
    waiting = queue.submit("c", gates[2], "student c", 2.0)
    wait_until(lambda: all(j.progress.fraction == 0.5 for j in running))  # 5 s left each
    assert queue.ahead(waiting) == (2, 5.0)
    # at 5 s both cores free: c's job and our first (7 s), then our second on either (9 s)
    assert queue.forecast(new_jobs(2.0, 2.0)) == (3, 9.0)
    for gate in gates:
        gate.opened.set()


def test_the_paces_follow_the_cpu_and_wall_time_jobs_took_against_their_estimates():
    queue = WorkQueue(slots=1)
    dear = queue.submit("dear", busy_for(0.6), "s", 0.5)  # about 1.2 CPU s per estimated s
    wait_until(lambda: dear.over)
    cpu, wall = dear.progress.cpu_seconds, dear.finished - dear.started
    cpu_pace = (1 - work.PACE_WEIGHT) * 1.0 + work.PACE_WEIGHT * cpu / 0.5
    assert 0.55 < cpu < 0.7 and queue.cpu_pace == pytest.approx(cpu_pace)
    assert wall >= cpu  # one thread: never on the core longer than the clock ran
    usual_stretch = (1 - work.PACE_WEIGHT) * 1.0 + work.PACE_WEIGHT * wall / cpu
    assert queue.usual_stretch == pytest.approx(usual_stretch)
    assert queue.forecast(new_jobs(2.0)) == (0, pytest.approx(2.0 * cpu_pace))  # no crowd
    tiny = queue.submit("tiny", busy_for(0.3), "s", 0.1)  # too small an estimate to count
    wait_until(lambda: tiny.over)
    brief = queue.submit("brief", busy_for(0.01), "s", 0.6)  # ended at once (diverged?)
    wait_until(lambda: brief.over)
    assert queue.cpu_pace == pytest.approx(cpu_pace)
    assert queue.usual_stretch == pytest.approx(usual_stretch)


def busy_for(cpu_seconds: float):
    """Work that keeps its core busy for `cpu_seconds`, reporting as it goes."""

    def work(progress):
        end = time.thread_time() + cpu_seconds
        while time.thread_time() < end:
            progress.update(0, 1)

    return work


def test_an_announced_request_holds_its_place_until_its_jobs_are_submitted():
    queue, gates = WorkQueue(slots=1), [Gate(), Gate()]
    first = queue.new_request()
    assert queue.forecast([("a", 3.0), ("b", 2.0)], first) == (0, 5.0)  # its place is held
    assert queue.forecast(new_jobs(1.0)) == (0, 6.0)  # a later request counts the held 5 s first
    running = queue.submit("a", gates[0], "s", 3.0, request=first)
    wait_until(lambda: running.progress.fraction == 0.5)  # 1.5 s left
    assert queue.forecast(new_jobs(1.0)) == (1, 1.5 + 2.0 + 1.0)  # the other 2 s are still held
    waiting = queue.submit("b", gates[1], "s", 2.0, request=first)
    assert queue.forecast(new_jobs(1.0)) == (2, 1.5 + 2.0 + 1.0)  # submitted: counted once
    for gate in gates:
        gate.opened.set()
    wait_until(lambda: waiting.over)


def test_a_held_place_nobody_uses_expires(monkeypatch):
    queue = WorkQueue(slots=1)
    monkeypatch.setattr(work, "RESERVE_SECONDS", 0.0)
    queue.forecast(new_jobs(5.0), queue.new_request())
    time.sleep(0.01)
    assert queue.forecast(new_jobs(1.0)) == (0, 1.0)


def test_work_already_queued_or_cached_is_shared_in_a_forecast_not_added():
    queue, gate = WorkQueue(slots=1), Gate()
    running = queue.submit("same", gate, "first visitor", 4.0)
    wait_until(lambda: running.progress.fraction == 0.5)  # 2 s left
    assert queue.forecast([("same", 4.0)]) == (1, 2.0)  # it waits for the same run
    assert queue.forecast([("same", 4.0), ("other", 1.0)]) == (1, 3.0)
    gate.opened.set()
    wait_until(lambda: running.over)
    assert queue.forecast([("same", 4.0)]) == (0, 0.0)  # cached


def test_every_page_run_gets_the_one_queue_of_the_server():
    assert work.shared() is work.shared()
