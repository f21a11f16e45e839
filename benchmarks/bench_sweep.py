"""Network-epochs per second: mlp.sweep against a loop of mlp.train, on XOR; then the
parallel sweep (a process pool and a thread pool over every usable CPU; each run trains
on one BLAS thread, mlp.blas) against the serial one.

    python -m benchmarks.bench_sweep
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from benchmarks.common import best_of, print_table
from mlp import TrainConfig, datasets, sweep, train
from mlp.grid import process_pool
from mlp.sweep import usable_cpus

EPOCHS = {4: 400, 20: 400, 100: 100}
# parallel: width → (networks, epochs), each sweep a few seconds serially
PARALLEL = {4: (256, 400), 20: (128, 400), 100: (16, 300), 500: (8, 400)}


def train_each(X, y, configs):
    return [train(X, y, config) for config in configs]


def main() -> None:
    X, y = datasets.generate_xor_easy()
    train(X, y, TrainConfig(epochs=10))  # warm up
    rows = []
    for hidden, epochs in EPOCHS.items():
        for K in (1, 8, 32, 128):
            configs = [
                TrainConfig(hidden=(hidden, hidden), epochs=epochs, seed=s, snapshots=2)
                for s in range(K)
            ]
            work = K * epochs
            swept = work / best_of(2, sweep, X, y, configs)
            looped = work / best_of(2, train_each, X, y, configs)
            rows.append(
                [
                    hidden,
                    K,
                    f"{swept:,.0f}",
                    f"{looped:,.0f}",
                    f"{1e6 / swept:.1f}",
                    f"{swept / looped:.2f}x",
                ]
            )
    print_table(
        ["h", "K", "sweep net-epochs/s", "loop net-epochs/s", "sweep µs/net-epoch", "ratio"], rows
    )
    print()
    parallel(X, y)


def parallel(X, y) -> None:
    """Serial sweep against the same sweep on process and thread pools, bit for bit."""
    workers = usable_cpus()
    rows = []
    with (
        process_pool(workers) as processes,
        ThreadPoolExecutor(max_workers=workers) as threads,
    ):
        sweep(X, y, [TrainConfig(epochs=5)], executor=processes)  # start the workers
        for hidden, (count, epochs) in PARALLEL.items():
            configs = [
                TrainConfig(hidden=(hidden, hidden), epochs=epochs, seed=s, snapshots=2)
                for s in range(count)
            ]
            serial = best_of(3, sweep, X, y, configs)  # best of 3: this machine is noisy
            on_processes = best_of(3, sweep, X, y, configs, None, None, processes)
            on_threads = best_of(3, sweep, X, y, configs, None, None, threads)
            rows.append(
                [hidden, count, epochs, f"{serial:.2f}", f"{serial / on_processes:.2f}x",
                 f"{serial / on_threads:.2f}x"]
            )  # fmt: skip
    print(f"parallel sweep on {workers} usable CPUs:")
    print_table(
        ["h", "networks", "epochs", "serial s", "processes speed-up", "threads speed-up"], rows
    )


if __name__ == "__main__":
    main()
