"""The queue's rule: requests in arrival order, each started request keeping one core."""

import numpy as np
import pytest

from dashboard.schedule import Slot, pick, simulate


def test_a_request_with_no_job_running_goes_first_then_the_earliest():
    waiting = [Slot(1, 1.0), Slot(2, 1.0), Slot(3, 1.0)]
    assert pick(waiting, running_requests={1}) == 1  # request 2 has no core yet
    assert pick(waiting, running_requests={1, 2, 3}) == 0  # all have one: the earliest
    assert pick(waiting, running_requests=set()) == 0


def test_simulated_starts_on_two_cores_follow_the_rule_step_by_step():
    running = [Slot(1, 3.0)]  # request 1 holds a core for 3 s more
    waiting = [Slot(1, 2.0), Slot(1, 2.0), Slot(2, 1.0)]
    starts = simulate(running, waiting, cores=2)
    # t=0: a core is free; request 1 runs, request 2 has nothing: request 2 starts (0-1).
    # t=1: request 2 done; request 1's next job (1-3). t=3: its last job (3-5).
    assert [(s.start, s.end) for s in starts] == [(1.0, 3.0), (3.0, 5.0), (0.0, 1.0)]
    assert [s.rank for s in starts] == [1, 2, 0]


@pytest.mark.parametrize(("estimates", "cores", "expected"), [
    ([4, 1, 1, 1, 1], 2, 4.0), ([3, 3, 3], 2, 6.0), ([3, 3, 3], 1, 9.0), ([], 2, 0.0),
])  # fmt: skip
def test_one_request_lasts_as_long_as_its_busiest_core_when_each_job_takes_the_first_free_one(
    estimates, cores, expected
):
    starts = simulate([], [Slot(1, seconds) for seconds in estimates], cores)
    assert max((s.end for s in starts), default=0.0) == expected


def random_requests(rng, count):
    return [
        [Slot(request, float(rng.integers(1, 6))) for _ in range(rng.integers(1, 5))]
        for request in range(1, count + 1)
    ]


@pytest.mark.parametrize("seed", range(40))
def test_later_requests_never_delay_an_earlier_ones_start_nor_more_than_double_its_time(seed):
    rng = np.random.default_rng(seed)
    requests = random_requests(rng, 6)
    cores = 2
    for r in range(len(requests)):
        earlier = [job for request in requests[: r + 1] for job in request]
        everything = [job for request in requests for job in request]
        alone = simulate([], earlier, cores)  # as announced: nothing after it yet
        crowded = simulate([], everything, cores)
        mine = range(len(earlier) - len(requests[r]), len(earlier))
        first_start = min(alone[i].start for i in mine)
        assert min(crowded[i].start for i in mine) == first_start
        announced = max(alone[i].end for i in mine)
        actual = max(crowded[i].end for i in mine)
        work = sum(job.seconds for job in requests[r])
        assert actual <= first_start + work  # at worst, one core of its own all along
        assert actual <= first_start + cores * (announced - first_start)
