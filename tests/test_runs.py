"""What a page says while its runs wait in the shared queue."""

import pytest

from dashboard import runs, work
from dashboard.work import WorkQueue

from .test_work import Gate, wait_until


def test_a_waiting_run_is_told_how_many_runs_are_ahead_and_for_how_long():
    queue, gates = WorkQueue(slots=2), [Gate() for _ in range(3)]
    for i in range(2):
        queue.submit(f"other {i}", gates[i], f"visitor {i}", estimate=10.0)
    mine = queue.submit("mine", gates[2], "me", estimate=3.0)
    wait_until(lambda: gates[0].started.is_set() and gates[1].started.is_set())
    # both running jobs report half done: 2 × 5 s left, shared by 2 slots
    wait_until(lambda: all(j.progress.fraction == 0.5 for j in queue._running))
    assert runs.describe(queue, [mine]) == (
        "Waiting: 2 runs ahead of yours on this shared server (about 5 s). It starts by itself."
    )
    assert runs.done_percent([mine]) == 0
    for gate in gates:
        gate.opened.set()


def test_a_run_another_visitor_also_waits_for_says_it_is_shared():
    queue, gate = WorkQueue(slots=1), Gate()
    job = queue.submit("same", gate, "a", 1.0)
    queue.submit("same", gate, "b", 1.0)
    wait_until(gate.started.is_set)
    assert "computed once" in runs.describe(queue, [job])
    gate.opened.set()
    wait_until(lambda: job.over)
    assert runs.describe(queue, [job]) == "" and runs.done_percent([job]) == 100


def test_a_page_run_is_one_request_and_the_rerun_after_run_the_study_keeps_its_place(
    monkeypatch,
):
    queue = WorkQueue(slots=1)
    monkeypatch.setattr(runs.st, "session_state", {})
    runs.new_page_run()
    jobs = [("a", 3.0), ("b", 2.0)]
    queue.forecast(jobs, runs.request_of_this_run(queue, jobs))  # announced, then a button
    asked = runs.request_of_this_run(queue)
    assert runs.request_of_this_run(queue) == asked  # the same page run: the same request
    queue.forecast([("c", 1.0)], queue.new_request())  # another visitor announces meanwhile
    runs.new_page_run()  # the click reruns the page, which announces the same jobs again
    assert runs.request_of_this_run(queue, jobs) == asked
    runs.new_page_run()  # a run announcing other work is a new request, behind the others
    assert runs.request_of_this_run(queue, [("d", 1.0)]) > asked + 1


def test_jobs_started_before_a_page_run_is_interrupted_are_left(monkeypatch):
    queue, gate = WorkQueue(slots=1), Gate()
    monkeypatch.setattr(work, "shared", lambda: queue)
    monkeypatch.setattr(runs, "session_id", lambda: "me")
    job = queue.submit("mine", gate, "me", 1.0)
    wait_until(gate.started.is_set)
    with pytest.raises(KeyboardInterrupt), runs.holding([job]):  # any interruption
        raise KeyboardInterrupt
    wait_until(lambda: job.over)
    assert job.state == "cancelled" and not job.watchers
    shared = queue.submit("theirs", Gate(), "me", 1.0)
    queue.submit("theirs", Gate(), "another visitor", 1.0)
    with pytest.raises(RuntimeError), runs.holding([shared]):
        raise RuntimeError
    assert shared.watchers == {"another visitor"} and not shared.over
    queue.leave(shared, "another visitor")
