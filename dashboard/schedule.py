"""The work queue's rule for which waiting job starts next, and what it predicts.

A request is the jobs one page run asked for together (a training run, or a study's
pieces); requests are numbered in the order they arrived. When a core frees, the next job
is the first waiting one of the earliest request that has no job running; if every request
with waiting jobs has one running, of the earliest request. So each request, once started,
keeps at least one core until it is done, and extra cores go to the earliest. A request
that arrives later never delays the wait of one that came before it, and can take from an
earlier one only its extra cores: on C cores a started request takes at most C times its
idle-machine time. That bound is what makes a page's announcement hold under load.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple


class Slot(NamedTuple):
    request: int
    seconds: float  # estimated: its length if waiting, what is left if running


class Start(NamedTuple):
    rank: int  # waiting jobs that start before this one
    start: float
    end: float


def pick(waiting: Sequence[Slot], running_requests: set[int]) -> int:
    """Index into `waiting` (in arrival order) of the job to start next."""
    starving = [i for i, job in enumerate(waiting) if job.request not in running_requests]
    return min(starving or range(len(waiting)), key=lambda i: waiting[i].request)


def simulate(running: Sequence[Slot], waiting: Sequence[Slot], cores: int) -> list[Start]:
    """When each waiting job would start and end (seconds from now), and how many waiting
    jobs start before it, under `pick`, if no other work arrived and every estimate held."""
    busy = [(job.seconds, job.request) for job in running]  # (end, request)
    pending = list(range(len(waiting)))
    starts: list[Start | None] = [None] * len(waiting)
    now = 0.0
    for rank in range(len(waiting)):
        busy = [(end, request) for end, request in busy if end > now]
        while len(busy) >= cores:
            now = min(end for end, _ in busy)
            busy = [(end, request) for end, request in busy if end > now]
        chosen = pending.pop(pick([waiting[i] for i in pending], {r for _, r in busy}))
        end = now + waiting[chosen].seconds
        starts[chosen] = Start(rank, now, end)
        busy.append((end, waiting[chosen].request))
    return starts
