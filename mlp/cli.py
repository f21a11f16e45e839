"""Command line: `python -m mlp train ...` trains one network and prints the lab's log;
`python -m mlp sweep GRID --out results.csv` trains a grid of runs (see mlp.grid)."""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from pathlib import Path

from mlp import datasets
from mlp.config import FIELDS, TrainConfig
from mlp.console_log import lab_log
from mlp.grid import dry_run, process_pool, read_grid, run
from mlp.sweep import usable_cpus
from mlp.train import train


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):
        """A bad argument is one line on stderr and exit status 2, no usage dump."""
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m mlp", description="Backprop Lab: train an MLP from the command line."
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    p = commands.add_parser("train", help="train one network and print the lab's log")
    p.add_argument("--dataset", choices=datasets.NAMES, default="xor")
    p.add_argument("--csv", help="train on a CSV file with columns x1,x2,label instead")
    p.add_argument("--n", type=int, help="number of points (all sets but xor)")
    p.add_argument("--noise", type=float, help="noise of circle, spiral, moons, gaussians")
    p.add_argument("--data-seed", type=int, default=0, help="seed of the generated points")
    p.add_argument(
        "--test-fraction",
        type=float,
        default=0.0,
        help="hold out this share of the points (0..0.9, stratified) and score them as it trains",
    )
    add_config_options(p)
    p.add_argument("--log-every", type=int, help="epochs between loss lines (default: epochs/20)")
    p.add_argument("--save", help="write the run record to this .npz file")
    g = commands.add_parser("sweep", help="train a grid of runs, one CSV row per run")
    g.add_argument("grid", help="a grid file (JSON or TOML): data, base, axes, seeds")
    g.add_argument("--out", required=True, help="the CSV; rows already there are skipped")
    g.add_argument("--executor", choices=("processes", "dask"), default="processes")
    g.add_argument("--scheduler", help="a Dask scheduler's address, e.g. tcp://HOST:8786")
    g.add_argument("--workers", type=int, help="processes (default: every usable CPU)")
    g.add_argument("--dry-run", action="store_true", help="say what would run, train nothing")
    return parser


def sweep_command(args, parser) -> int:
    """`python -m mlp sweep`: a grid through an executor, appended to a CSV as it goes."""
    out = Path(args.out)
    grid = read_grid(args.grid)
    workers = args.workers or usable_cpus()
    if args.dry_run:
        print(dry_run(grid, out, workers))
        return 0
    if args.executor == "dask":
        try:
            from distributed import Client
        except ImportError:
            parser.exit(2, f"{parser.prog}: error: --executor dask needs "
                           "pip install 'dask[distributed]'\n")  # fmt: skip
        if not args.scheduler:
            parser.exit(
                2, f"{parser.prog}: error: --executor dask needs --scheduler tcp://HOST:PORT\n"
            )
        with Client(args.scheduler) as client:
            check_dask_cluster(client, args.scheduler)
            threads = sum(client.nthreads().values())  # tasks the cluster runs at once
            trained = run(grid, out, client.get_executor(), threads)
    else:
        with process_pool(workers) as pool:
            trained = run(grid, out, pool, workers)
    print(f"{trained} run(s) trained, {len(grid.configs) - trained} already in {out}")
    return 0


def check_dask_cluster(client, address: str) -> None:
    """The scheduler and the workers unpickle each task by importing mlp: without it every
    task fails (on the scheduler, with a long traceback), so say what to do before sending any."""
    if client.run_on_scheduler(importlib.util.find_spec, "mlp") is None:
        raise ValueError(
            f"the Dask scheduler at {address} cannot import mlp: "
            "start it from this checkout or with it on PYTHONPATH"
        )
    specs = client.run(importlib.util.find_spec, "mlp")
    if not specs:
        raise ValueError(f"the Dask cluster at {address} has no workers")
    missing = sorted(worker for worker, spec in specs.items() if spec is None)
    if missing:
        raise ValueError(
            f"{len(missing)} of the {len(specs)} Dask workers at {address} cannot import mlp "
            f"(e.g. {missing[0]}): start them from this checkout or with it on PYTHONPATH"
        )


def add_config_options(parser: argparse.ArgumentParser) -> None:
    """One option per TrainConfig field, from `mlp.config.FIELDS` (TrainConfig checks them)."""
    defaults = TrainConfig()
    for field in FIELDS.values():
        default = getattr(defaults, field.name)
        option = {"help": f"{field.help} (default: {default})"}
        if field.choices:
            option["choices"] = field.choices
        else:
            option["type"] = int if field.whole else float
        if field.name in ("hidden", "features"):
            option["nargs"] = "+"
        flag = "--" + field.name.replace("_", "-")
        parser.add_argument(flag, default=default, **option)


def config_from(args: argparse.Namespace) -> TrainConfig:
    """The TrainConfig the options describe."""
    return TrainConfig(**{name: getattr(args, name) for name in FIELDS})


def load_data(args) -> tuple:
    if args.csv:
        return datasets.from_csv(args.csv)
    options = {}
    if args.dataset != "xor":
        options["seed"] = args.data_seed
        if args.n is not None:
            options["n"] = args.n
        if args.noise is not None and args.dataset != "linear":
            options["noise"] = args.noise
    return datasets.load(args.dataset, **options)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "sweep":
        try:
            return sweep_command(args, parser)
        except (ValueError, OSError) as exc:
            parser.exit(2, f"{parser.prog}: error: {exc}\n")
        except KeyboardInterrupt:
            sys.stderr.write(f"\n{parser.prog}: interrupted; the runs that finished are in "
                             f"{args.out}, and the same command trains the rest\n")  # fmt: skip
            sys.stderr.flush()
            os._exit(130)  # now: exiting normally would join the pool's threads first
    try:
        if args.log_every is not None and args.log_every < 1:
            raise ValueError(f"--log-every must be at least 1, got {args.log_every}")
        X, y = load_data(args)
        X, y, X_test, y_test = datasets.split(X, y, args.test_fraction, seed=args.data_seed)
        record = train(X, y, config_from(args), test=(X_test, y_test))
    except (ValueError, OSError) as exc:
        parser.exit(2, f"{parser.prog}: error: {exc}\n")
    print(lab_log(record, args.log_every))
    if args.save:
        try:
            record.save(args.save)
        except OSError as exc:
            parser.exit(1, f"{parser.prog}: error: cannot save the record: {exc}\n")
        print(f"record saved to {args.save}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
