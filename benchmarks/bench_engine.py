"""µs per epoch of mlp.train against a straightforward numpy implementation.

The straightforward version is what a student writes for the lab's 2-hidden-layer
sigmoid network: new arrays every step, biases added and summed separately, and no
bookkeeping. mlp.train also records loss, accuracy and per-layer gradient norms. Both run
on one BLAS thread, as mlp.train always does (mlp.blas): the work per epoch is compared.

    python -m benchmarks.bench_engine
"""

from __future__ import annotations

import numpy as np

from benchmarks.common import best_of, print_table
from mlp import TrainConfig, blas, datasets, train


def straightforward(X: np.ndarray, y: np.ndarray, hidden: int, epochs: int, lr: float = 1.0):
    rng = np.random.default_rng(0)
    W1, W2, W3 = (rng.standard_normal(s) for s in ((2, hidden), (hidden, hidden), (hidden, 1)))
    b1, b2, b3 = np.zeros(hidden), np.zeros(hidden), np.zeros(1)

    def sigmoid(z):
        return 1.0 / (1.0 + np.exp(-z))

    losses = []
    for _ in range(epochs):
        a1 = sigmoid(X @ W1 + b1)
        a2 = sigmoid(a1 @ W2 + b2)
        out = sigmoid(a2 @ W3 + b3)
        losses.append(np.mean((out - y) ** 2))
        d3 = 2 * (out - y) / len(X) * out * (1 - out)
        d2 = (d3 @ W3.T) * a2 * (1 - a2)
        d1 = (d2 @ W2.T) * a1 * (1 - a1)
        W3 -= lr * a2.T @ d3
        b3 -= lr * d3.sum(axis=0)
        W2 -= lr * a1.T @ d2
        b2 -= lr * d2.sum(axis=0)
        W1 -= lr * X.T @ d1
        b1 -= lr * d1.sum(axis=0)
    return losses


CASES = [
    ("xor", 4, 5000),
    ("xor", 20, 5000),
    ("xor", 100, 2000),
    ("linear", 20, 3000),
    ("linear", 500, 600),
]


def main() -> None:
    rows = []
    for name, hidden, epochs in CASES:
        X, y = datasets.load(name) if name == "xor" else datasets.load(name, seed=0)
        config = TrainConfig(hidden=(hidden, hidden), epochs=epochs)
        ours = best_of(3, train, X, y, config) / epochs * 1e6
        with blas.one_thread():
            plain = best_of(3, straightforward, X, y.astype(float), hidden, epochs) / epochs * 1e6
        rows.append([name, hidden, epochs, f"{ours:.1f}", f"{plain:.1f}", f"{plain / ours:.2f}x"])
    print_table(
        ["data", "h", "epochs", "mlp.train µs/epoch", "straightforward µs/epoch", "speed-up"], rows
    )
    X, y = datasets.generate_xor_easy()
    seconds = best_of(1, train, X, y, TrainConfig(epochs=100_000))
    print(f"\nthe lab's run (XOR, 2-20-20-1, 100,000 epochs) with mlp.train: {seconds:.2f} s")


if __name__ == "__main__":
    main()
