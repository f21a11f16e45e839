"""Running the study pages' sweeps: arms (one compared setting × several seeds), their
cost check and announcement, the queue jobs they become, and training them (cached, with
progress and the first finished arms drawn early); dashboard.digest makes each arm's
records into what the pages show."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from operator import attrgetter, itemgetter
from typing import NamedTuple

import numpy as np
import streamlit as st

import mlp
from dashboard import runs, work
from dashboard.digest import ArmResult, digest
from dashboard.frames import curves_frame
from dashboard.schedule import Slot, simulate
from dashboard.state import Setting, config_choice, config_values
from dashboard.study_charts import band_chart
from mlp import RunRecord, TrainConfig
from mlp.estimate import estimate_sweep_seconds, record_megabytes
from mlp.losses import REDUCTION_LABELS
from mlp.sweep import group_key, plan, split_evenly

# a study's default sweep runs at once, through the queue with a progress bar (the
# hidden-units defaults take ~20 s of CPU, mostly width 500); its records are transient
# (only their digest is cached), so it may hold more of them than the Train page
BUDGET = runs.Budget(auto_seconds=30.0, max_megabytes=100.0)
BATCH_MEGABYTES = 25.0  # records trained at once before being digested
BUNDLE_SECONDS = 0.5  # cheap jobs are merged up to this estimate
KNOBS = "Lower the epochs or the number of seeds, or sweep fewer values."  # when it is dear


@dataclass(frozen=True)
class Arm:
    """One compared setting: how it is shown, its swept values (e.g. (("learning rate",
    0.1),)), and one config per seed."""

    label: str
    configs: tuple[TrainConfig, ...]
    values: tuple[tuple[str, object], ...] = ()


def arm(label: str, config: TrainConfig, seeds: int, **values) -> Arm:
    return Arm(
        label, tuple(config.replace(seed=seed) for seed in range(seeds)), tuple(values.items())
    )


def training_settings(prefix: str, epochs: int, per: str, seeds: int = 5) -> list[Setting]:
    """Epochs, seeds, weight init and gradient convention: what every sweep page sets."""
    return [
        Setting(f"{prefix}_epochs", "epochs", "Epochs", epochs, "number", low=10, high=200_000,
                step=500, field="epochs"),
        Setting(f"{prefix}_seeds", "seeds", f"Seeds per {per}", seeds, "slider", low=1, high=10),
        config_choice(f"{prefix}_init", "init", "Weight init", "init"),
        config_choice(f"{prefix}_reduction", "grad", "Gradient convention", "reduction",
                      kind="radio", labels=REDUCTION_LABELS),
    ]  # fmt: skip


def base_config(settings: Sequence[Setting]) -> TrainConfig:
    """The config every arm starts from: the page's training settings, two snapshots (the
    pages show no replay)."""
    return TrainConfig(snapshots=2, **config_values(settings))


def ready_to_run(arms: Sequence[Arm], X: np.ndarray, y: np.ndarray, test=None,
                 more_data: Sequence[tuple[np.ndarray, np.ndarray]] = ()) -> bool:  # fmt: skip
    """Run now, wait for a button, or refuse — by the estimated cost of training the arms on
    (X, y) (held-out `test` points scored), then on each data set of `more_data`."""
    data = [(X, y, test), *((X_more, y_more, None) for X_more, y_more in more_data)]
    sizes = [len(points) for points, _, _ in data]
    seconds = sum(_seconds(arms, n) for n in sizes)  # of CPU: the click's cost
    megabytes = max(_megabytes(arms, n) for n in sizes)  # one data set at a time
    jobs = [(r.key, r.seconds) for one in data for r in plan_study(*one, arms).requests]
    networks = sum(len(a.configs) for a in arms) * len(data)
    counted = f"{networks} network{'s' * (networks != 1)}"
    st.caption(f"{counted}: training takes {runs.announce(jobs)}.")
    return runs.gate(run_key(arms, max(sizes)), seconds, megabytes, "study", KNOBS, BUDGET, jobs)


def run_key(arms: Sequence[Arm], n_points: int) -> tuple:
    return tuple(c for a in arms for c in a.configs), n_points


def train_arms(
    X: np.ndarray, y: np.ndarray, arms: tuple[Arm, ...], test, progress: work.Progress
) -> list[ArmResult]:
    """One job of whole arms: their configs trained as one `mlp.sweep` and digested."""
    records = train_configs(X, y, tuple(c for a in arms for c in a.configs), test, progress)
    results, start = [], 0
    for a in arms:
        results.append(digest(records[start : start + len(a.configs)], a.values))
        start += len(a.configs)
    return results


def train_configs(
    X: np.ndarray, y: np.ndarray, configs: tuple[TrainConfig, ...], test, progress: work.Progress
) -> list[RunRecord]:
    """One job of some seeds of an arm (or of whole arms, before their digest): records."""
    total = sum(c.epochs for c in configs)
    return mlp.sweep(X, y, configs, lambda done, _: progress.update(done, total), test)


@dataclass(frozen=True)
class Piece:
    """One queue job of a study: whole arms, trained together and digested in the worker;
    or, for an arm whose seeds train alone or in small stacks (wide networks), one such
    stack (`seeds`: positions in the arm's configs), whose records come back to the page,
    which digests the arm when every piece of it is in. Wide arms so spread over every
    core instead of holding one."""

    arms: tuple[Arm, ...]
    seeds: tuple[int, ...] = ()
    seconds: float = 0.0  # estimated, on one idle core

    @property
    def configs(self) -> tuple[TrainConfig, ...]:
        if self.seeds:
            return tuple(self.arms[0].configs[i] for i in self.seeds)
        return tuple(c for a in self.arms for c in a.configs)


def jobs_of(arms: Sequence[Arm], n_points: int, cores: int = 1) -> list[Piece]:
    """The study's queue jobs, in the order they should start on `cores`. Arms whose
    networks stack (mlp.sweep.group_key) share a job, up to BATCH_MEGABYTES of records and
    split over the cores if dear (`_shares`), and jobs under BUNDLE_SECONDS are bundled (a
    job has a fixed cost, and each finished job redraws the page); an arm whose seeds need
    several stacks (mlp.sweep.plan) is one job per stack."""
    groups: dict[tuple, list[Arm]] = {}
    alone = []
    for a in arms:
        stacks = plan(a.configs, n_points)
        if len(stacks) == 1:
            groups.setdefault(group_key(a.configs[0]), []).append(a)
            continue
        for seeds in stacks:
            configs = [a.configs[i] for i in seeds]
            alone.append(Piece((a,), tuple(seeds), estimate_sweep_seconds(configs, n_points)))
    batches = [
        share
        for members in groups.values()
        for batch in _batches(members, n_points)
        for share in _shares(batch, n_points, cores)
    ]
    return in_start_order(_bundles(batches, n_points) + alone, cores)


def in_start_order(pieces: list[Piece], cores: int) -> list[Piece]:
    """The dearest job first (it sets how long the study takes); then as many of the
    cheapest as delay nothing, so the first curves come early on the other cores; then the
    rest dearest first (longest-first list scheduling keeps every core busy to the end)."""
    if not pieces:
        return []
    seconds = attrgetter("seconds")
    dearest = max(pieces, key=seconds)
    cheapest_first = sorted((p for p in pieces if p is not dearest), key=seconds)
    orders = [
        [dearest, *cheapest_first[:k], *sorted(cheapest_first[k:], key=seconds, reverse=True)]
        for k in range(len(cheapest_first), -1, -1)
    ]
    return min(orders, key=lambda order: round(_makespan(order, cores), 2))  # the first least


def _makespan(pieces: list[Piece], cores: int) -> float:
    """Estimated seconds until the last of `pieces` ends, started in this order on `cores`."""
    return max(start.end for start in simulate([], [Slot(0, p.seconds) for p in pieces], cores))


def _bundles(batches: list[list[Arm]], n_points: int) -> list[Piece]:
    """Whole-arm jobs, the cheapest merged while together under BUNDLE_SECONDS and
    BATCH_MEGABYTES."""
    pieces: list[Piece] = []
    costed = sorted(((_seconds(batch, n_points), batch) for batch in batches), key=itemgetter(0))
    for seconds, batch in costed:
        if pieces:
            merged = [*pieces[-1].arms, *batch]
            cheap = pieces[-1].seconds + seconds <= BUNDLE_SECONDS
            if cheap and _megabytes(merged, n_points) <= BATCH_MEGABYTES:
                pieces[-1] = Piece(tuple(merged), seconds=pieces[-1].seconds + seconds)
                continue
        pieces.append(Piece(tuple(batch), seconds=seconds))
    return pieces


def _seconds(arms: Sequence[Arm], n_points: int) -> float:
    return estimate_sweep_seconds([c for a in arms for c in a.configs], n_points)


def _megabytes(arms: Sequence[Arm], n_points: int) -> float:
    return sum(record_megabytes(c, n_points) for a in arms for c in a.configs)


def _shares(batch: list[Arm], n_points: int, cores: int) -> list[list[Arm]]:
    """A stack of arms, split into up to one stack of whole arms per core, each worth at
    least BUNDLE_SECONDS, so that one study uses every core: smaller stacks cost a little
    more CPU but end sooner (the learning-rate study's 30 networks: 1.48 s of CPU as one
    stack, 0.82 s and 0.80 s as two)."""
    parts = min(cores, len(batch), int(_seconds(batch, n_points) // BUNDLE_SECONDS))
    return split_evenly(batch, max(1, parts))


def _batches(arms: Sequence[Arm], n_points: int) -> list[list[Arm]]:
    """Consecutive arms, grouped so each group's records stay near BATCH_MEGABYTES."""
    batches, size = [[]], 0.0
    for a in arms:
        megabytes = _megabytes([a], n_points)
        if batches[-1] and size + megabytes > BATCH_MEGABYTES:
            batches.append([])
            size = 0.0
        batches[-1].append(a)
        size += megabytes
    return batches


class StudyPlan(NamedTuple):
    """What training the arms takes now: the arms' results already kept (`assembly`), and
    the queue jobs for the rest (`pieces`, and the requests that train them)."""

    assembly: Assembly
    pieces: list[Piece]
    requests: list[runs.Request]


def plan_study(X: np.ndarray, y: np.ndarray, test, arms: Sequence[Arm]) -> StudyPlan:
    """The study's plan on (X, y), with held-out `test` points scored (or None)."""
    data_id = runs.fingerprint(X, y, *(test if test is not None else ()))
    queue = work.shared()
    assembly = Assembly(queue, data_id, arms)
    pieces = jobs_of(assembly.missing(), len(X), queue.slots)
    requests = [
        runs.Request(
            (data_id, tuple((a.label, a.values, a.configs) for a in piece.arms), piece.seeds),
            partial(train_configs, X, y, piece.configs, test)
            if piece.seeds
            else partial(train_arms, X, y, piece.arms, test),
            piece.seconds,
        )
        for piece in pieces
    ]  # the queue keeps every result, a wide arm's seed records too: a visitor who asks for
    # the same study before that arm is digested shares them (its byte budget bounds them)
    return StudyPlan(assembly, pieces, requests)


def run_arms(
    X: np.ndarray, y: np.ndarray, arms: Sequence[Arm], label: str, test=None
) -> dict[str, ArmResult]:
    """Train every arm (through the shared queue, cached there), with progress and Stop; the
    loss curves of finished arms show while the rest train. `test` = (X_test, y_test)
    scores held-out points as they train."""
    assembled, pieces, requests = plan_study(X, y, test, arms)
    preview = st.empty()
    one_value = len(arms[0].values) == 1  # e.g. (("hidden units", 20),)
    swept = arms[0].values[0][0] if one_value else "setting"
    shown = 0  # arms in the preview: it is redrawn only when more are finished, not each
    # time one seed of a wide arm is (every redraw costs the server and every browser)

    def show_finished(parts: list) -> None:
        nonlocal shown
        finished = assembled.add(pieces, parts)
        if shown < len(finished) < len(arms):
            shown = len(finished)
            curves = curves_frame(finished, swept)
            title = f"Loss so far: {len(finished)} of {len(arms)} settings finished"
            preview.altair_chart(band_chart(curves, "loss", swept, title), width="stretch")

    parts = runs.run_jobs(requests, label, run_key(arms, len(X)), KNOBS, show_finished)
    preview.empty()
    results = assembled.add(pieces, parts)
    return {a.label: results[a.label] for a in arms}


class Assembly:
    """A study's arm results as its jobs finish: digests from whole-arm jobs, and arms
    digested here from their pieces' records (then kept in the queue's cache)."""

    def __init__(self, queue: work.WorkQueue, data_id: str, arms: Sequence[Arm]):
        self.queue, self.arms = queue, list(arms)
        self.keys = {a.label: ("digest", data_id, a.values, a.configs) for a in arms}
        self.results = {a.label: queue.recall(self.keys[a.label]) for a in arms}

    def missing(self) -> list[Arm]:
        return [a for a in self.arms if self.results[a.label] is None]

    def add(self, pieces: Sequence[Piece], parts: Sequence) -> dict[str, ArmResult]:
        """Take the finished jobs' results (None: not finished); return every arm done."""
        records: dict[str, dict[int, RunRecord]] = {}
        for piece, part in zip(pieces, parts, strict=True):
            if part is None:
                continue
            if not piece.seeds:
                self.results.update({a.label: r for a, r in zip(piece.arms, part, strict=True)})
                continue
            records.setdefault(piece.arms[0].label, {}).update(zip(piece.seeds, part, strict=True))
        for a in self.arms:
            seeds = records.get(a.label, {})
            if self.results[a.label] is None and len(seeds) == len(a.configs):
                result = digest([seeds[i] for i in range(len(a.configs))], a.values)
                self.queue.remember(self.keys[a.label], result)
                self.results[a.label] = result
        return {label: r for label, r in self.results.items() if r is not None}
