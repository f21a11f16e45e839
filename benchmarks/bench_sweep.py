"""Network-epochs per second: mlp.sweep against a loop of mlp.train, on XOR.

python benchmarks/bench_sweep.py
"""

from __future__ import annotations

from benchmarks.common import best_of, print_table
from mlp import TrainConfig, datasets, sweep, train

EPOCHS = {4: 400, 20: 400, 100: 100}


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


if __name__ == "__main__":
    main()
