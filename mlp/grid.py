"""Grids too large for a click: `python -m mlp sweep GRID --out results.csv`.

A grid file (JSON, or TOML) names the data, a base config and axes; the runs are the
cartesian product of the axes × seeds 0..seeds−1:

    {"data": {"name": "xor"},
     "base": {"hidden": [20, 20], "epochs": 2000},
     "axes": {"lr": [0.1, 1, 10], "init": ["normal", "xavier"]},
     "seeds": 3}

Each run's row (its config, outcome, final loss and accuracy, epoch of 100%, stop epoch,
seconds) is appended to the CSV as soon as its piece of the sweep finishes, so an
interrupted grid resumes where it stopped: rows already there are not trained again.
"""

from __future__ import annotations

import csv
import dataclasses
import itertools
import json
import signal
import sys
import time
import tomllib
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from pathlib import Path

from mlp import datasets
from mlp.config import TrainConfig
from mlp.estimate import estimate_sweep_seconds
from mlp.record import RunRecord
from mlp.summary import outcome
from mlp.sweep import plan, train_piece

FIELDS = [field.name for field in dataclasses.fields(TrainConfig)]
RESULTS = ["outcome", "final_loss", "final_accuracy", "epochs_to_100", "stopped_epoch", "seconds"]
COLUMNS = FIELDS + RESULTS


@dataclasses.dataclass(frozen=True)
class Grid:
    data: dict  # {"name": ..., and the data set's options}
    configs: list[TrainConfig]


def read_grid(path: str | Path) -> Grid:
    """The grid a file describes, or ValueError naming what is wrong."""
    text = Path(path).read_text(encoding="utf-8")
    try:
        spec = tomllib.loads(text) if str(path).endswith(".toml") else json.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"{path} is not valid JSON or TOML: {exc}") from None
    if not isinstance(spec, dict):
        raise ValueError("a grid file holds an object with data, base, axes and seeds")
    unknown = sorted(set(spec) - {"data", "base", "axes", "seeds"})
    if unknown:
        raise ValueError(f"unknown key(s) {', '.join(unknown)}; a grid has data, base, axes, seeds")
    data, base = spec.get("data", {"name": "xor"}), spec.get("base", {})
    axes, seeds = spec.get("axes", {}), spec.get("seeds", 1)
    if not isinstance(data, dict) or "name" not in data:
        raise ValueError('data must be an object with a "name", e.g. {"name": "xor"}')
    for part, fields in (("base", base), ("axes", axes)):
        if not isinstance(fields, dict):
            raise ValueError(f"{part} must be an object of TrainConfig fields")
        for name in fields:
            if name not in FIELDS or name == "seed":
                hint = "use seeds" if name == "seed" else f"fields: {', '.join(FIELDS)}"
                raise ValueError(f"unknown field {name!r} in {part}; {hint}")
    for name, values in axes.items():
        if not isinstance(values, list) or not values:
            raise ValueError(f"axis {name} must list at least one value")
    if isinstance(seeds, bool) or not isinstance(seeds, int) or not 1 <= seeds <= 10_000:
        raise ValueError(f"seeds must be a whole number in 1..10000, got {seeds!r}")
    configs = [
        TrainConfig(**{**base, **dict(zip(axes, values, strict=True)), "seed": seed})
        for values in itertools.product(*axes.values())
        for seed in range(seeds)
    ]
    return Grid({key: value for key, value in data.items()}, configs)


def load_data(grid: Grid):
    """The grid's points: `mlp.datasets.load` of its data's name and options."""
    options = {key: value for key, value in grid.data.items() if key != "name"}
    return datasets.load(grid.data["name"], **options)


def cell(value) -> str:
    """A config value as the CSV holds it (tuples space-separated, None empty)."""
    if value is None:
        return ""
    if isinstance(value, tuple):
        return " ".join(map(str, value))
    return repr(value) if isinstance(value, float) else str(value)


def row_key(config: TrainConfig) -> tuple[str, ...]:
    return tuple(cell(getattr(config, name)) for name in FIELDS)


def result_row(record: RunRecord) -> list[str]:
    first = record.first_perfect_epoch
    return [
        *row_key(record.config),
        outcome(record),
        repr(record.final_loss),
        repr(record.final_accuracy),
        "" if first is None else str(first),
        "" if record.stopped_epoch is None else str(record.stopped_epoch),
        f"{record.seconds:.4f}",
    ]


def finished(out: Path) -> set[tuple[str, ...]]:
    """The runs an earlier (perhaps interrupted) command already wrote to `out`."""
    if not out.exists() or out.stat().st_size == 0:
        return set()
    with out.open(newline="") as f:
        rows = csv.reader(f)
        header = next(rows, [])
        if header != COLUMNS:
            raise ValueError(f"{out} has other columns; give a new --out file")
        return {tuple(row[: len(FIELDS)]) for row in rows if len(row) == len(COLUMNS)}


def drop_partial_line(out: Path) -> None:
    """Cut a last line that an interruption left half-written, so appending starts clean."""
    if out.exists() and out.stat().st_size:
        text = out.read_bytes()
        if not text.endswith(b"\n"):
            out.write_bytes(text[: text.rfind(b"\n") + 1])


def ignore_ctrl_c() -> None:
    """Worker initializer: Ctrl-C reaches the whole process group, but only the command
    should handle it (a worker interrupted inside the pool's queues can hang the pool)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextmanager
def process_pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """Worker processes for a sweep (each trains on one BLAS thread: mlp.blas). Left by an
    exception (Ctrl-C), the pool ends its workers at once and waits for nothing."""
    pool = ProcessPoolExecutor(max_workers=workers, initializer=ignore_ctrl_c)
    try:
        yield pool
    except BaseException:
        workers_now = list(pool._processes.values())  # no public way before Python 3.14
        pool.shutdown(wait=False, cancel_futures=True)
        for worker in workers_now:
            worker.terminate()
        raise
    pool.shutdown()


def run(grid: Grid, out: Path, executor: Executor, workers: int, log=sys.stderr) -> int:
    """Train the runs of `grid` not yet in `out` on `executor` (`workers` pieces at once),
    appending a row per run as its piece finishes, with a progress line (rate, ETA) on
    `log`. Returns how many it trained."""
    X, y = load_data(grid)
    done = finished(out)
    todo = [c for c in grid.configs if row_key(c) not in done]
    if not todo:
        return 0
    drop_partial_line(out)
    new_file = not out.exists() or out.stat().st_size == 0
    start, trained = time.perf_counter(), 0
    with out.open("a", newline="") as f:
        writer = csv.writer(f)
        if new_file:
            writer.writerow(COLUMNS)
        pieces = plan(todo, len(X), workers)
        futures = [executor.submit(train_piece, X, y, [todo[i] for i in part]) for part in pieces]
        try:
            for future in as_completed(futures):
                records = future.result()
                writer.writerows(result_row(record) for record in records)
                f.flush()
                trained += len(records)
                rate = trained / (time.perf_counter() - start)
                eta = (len(todo) - trained) / rate
                log.write(
                    f"\r{trained}/{len(todo)} runs, {rate:.2f} runs/s, ETA {duration(eta)}   "
                )
                log.flush()
        finally:  # interrupted or failed: what has not started never will (on a cluster too)
            for future in futures:
                future.cancel()
    log.write("\n")
    return trained


def dry_run(grid: Grid, out: Path, workers: int) -> str:
    """What a command would train and about how long it would take."""
    n_points = len(load_data(grid)[0])
    todo = [c for c in grid.configs if row_key(c) not in finished(out)]
    seconds = estimate_sweep_seconds(todo, n_points) / workers
    return (
        f"{len(grid.configs)} runs in the grid, {len(todo)} not yet in {out}; "
        f"estimated {duration(seconds)} on {workers} worker(s)"
    )


def duration(seconds: float) -> str:
    """ "under 1 s", "45 s", "12 min", "3.4 h": a grid's time as a person plans with it."""
    if seconds < 0.5:
        return "under 1 s"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:,.1f} h"
