"""µs per epoch of mlp.train with its two gradient-norm paths forced: `deferred` (a
gradient buffer per epoch of a chunk, norms per chunk) and layer by layer (each layer
steps right after its gradient; norms per batch). The numbers are the same either way;
this measures what mlp.batches.DEFERRED_GRAD_FLOATS trades.

    python -m benchmarks.bench_deferred
"""

from __future__ import annotations

import mlp.batches
from benchmarks.common import best_of, print_table
from mlp import TrainConfig, datasets, train

CASES = ((20, 3000), (100, 1500), (180, 800), (300, 300))


def main() -> None:
    X, y = datasets.generate_xor_easy()
    rows = []
    for hidden, epochs in CASES:
        config = TrainConfig(hidden=(hidden, hidden), epochs=epochs, snapshots=2)
        timings = []
        for bound in (10**9, 0):  # every stack deferred, then none
            mlp.batches.DEFERRED_GRAD_FLOATS = bound
            timings.append(best_of(3, train, X, y, config) / epochs * 1e6)
        params = 3 * hidden + hidden * hidden + 2 * hidden + 1
        rows.append([hidden, params, f"{timings[0]:.1f}", f"{timings[1]:.1f}"])
    print_table(["h", "P", "deferred µs/epoch", "layer by layer µs/epoch"], rows)


if __name__ == "__main__":
    main()
