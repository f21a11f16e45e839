"""The batches of each epoch of a chunk, and the buffers their results go to.

A chunk is a run of epochs trained before they are scored together (see `mlp.train`);
each epoch's output pre-activations z go into that epoch's slot, so the chunk's loss and
accuracy take a few numpy calls instead of a few per epoch.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import NamedTuple

import numpy as np

from mlp.config import TrainConfig
from mlp.losses import get_loss
from mlp.network import NetworkStack, Workspace, augment

# Output values buffered between two scorings, in floats (2 MB).
CHUNK_BUDGET = 262_144
# Full-batch stacks up to this many parameters in all keep one gradient buffer per epoch
# of the chunk and take its norms in two calls per chunk instead of per epoch (`deferred`).
# benchmarks/bench_deferred.py (XOR, one network, deferred vs layer by layer, µs/epoch,
# three runs on a busy 2-core VM): h = 20: 30–52 vs 47–50; h = 100: 91–96 vs 97–99;
# h = 300 (P = 91,501, above the bound): 760–835 vs 864–904. So the bound is not about
# speed; it caps the chunk's gradient copies (chunk · K · P floats) for large stacks.
DEFERRED_GRAD_FLOATS = 65_536


class Batch(NamedTuple):
    """One batch of one epoch: what the forward and backward passes read and write."""

    workspace: Workspace  # the layers' buffers for this many points
    X_aug: np.ndarray  # [X, 1] of the batch's points
    X_aug_T: np.ndarray
    y: np.ndarray  # their labels, as floats
    z_out: np.ndarray  # where their output pre-activations go (the epoch's slot)
    grad: np.ndarray  # the flat gradient (K, P) backprop fills
    grad_views: list[np.ndarray]  # its per-layer blocks


class Batches:
    """The batches of each epoch. Mini-batches: each network draws its own permutation
    from its own generator every epoch (the last batch may be smaller), and the labels are
    kept in that order for scoring.

    Gradient norms: `deferred` stacks (small, full batch) give each epoch of the chunk its
    own gradient buffer and take the norms of the whole chunk at once; otherwise the norms
    are summed batch by batch after each step.
    """

    def __init__(
        self,
        stack: NetworkStack,
        X: np.ndarray,
        y: np.ndarray,
        config: TrainConfig,
        rngs: Sequence[np.random.Generator],
        segments: np.ndarray,
        max_chunk: int,
    ):
        K, n, P = stack.K, len(X), stack.theta.shape[1]
        self.stack, self.X_aug, self.y, self.rngs = stack, augment(X), y.astype(float), rngs
        self.batch_size, self.segments = config.batch_size, segments
        self.loss_fn, self.reduction = get_loss(config.loss), config.reduction
        self.per_epoch = 1 if self.batch_size is None else -(-n // self.batch_size)
        self.deferred = self.batch_size is None and K * P <= DEFERRED_GRAD_FLOATS
        per_epoch_floats = K * (n + P) if self.deferred else K * n
        self.chunk = max(1, min(max_chunk, CHUNK_BUDGET // per_epoch_floats))
        self.z = np.empty((self.chunk, K, n, 1))  # output pre-activations, a slot per epoch
        self.norms_sq = np.empty((self.chunk, K, len(segments)))
        self.workspaces: dict[int, Workspace] = {}
        if self.deferred:
            ws, X_aug = self.workspace(n), self.X_aug
            self.grad = np.empty((self.chunk, K, P))
            self.grad_sq = np.empty_like(self.grad)
            self.full = [
                [Batch(ws, X_aug, X_aug.T, self.y, self._lead(z), g, stack.layer_views(g))]
                for z, g in zip(self.z, self.grad, strict=True)
            ]
        else:
            self.grad_one = np.empty((K, P))
            self.grad_one_views = stack.layer_views(self.grad_one)
            self.grad_one_sq = np.empty((K, P))
            self.bounds = list(zip(segments, [*segments[1:], P], strict=True))
            self.y_order = np.empty((self.chunk, K, n, 1))

    def _lead(self, a: np.ndarray) -> np.ndarray:
        return a[0] if self.stack.K == 1 else a

    def workspace(self, n: int) -> Workspace:
        if n not in self.workspaces:
            scale = self.loss_fn.gradient_scale(self.reduction, n)
            self.workspaces[n] = Workspace(self.stack, n, scale)
        return self.workspaces[n]

    def labels(self, count: int) -> np.ndarray:
        """The labels in the order the chunk's epochs saw them (count, K, n, 1) or (n, 1)."""
        return self.y if self.batch_size is None else self.y_order[:count]

    def grad_norms_sq(self, count: int) -> np.ndarray:
        """(count, K, segments): Σ g² over each parameter segment, per epoch."""
        if self.deferred:
            squares = np.square(self.grad[:count], out=self.grad_sq[:count])
            return np.add.reduceat(squares, self.segments, axis=2)
        return self.norms_sq[:count]

    def epoch(self, i: int) -> Sequence[Batch] | Iterator[Batch]:
        """The batches of the chunk's i-th epoch."""
        return self.full[i] if self.deferred else self._batches(i)

    def _batches(self, i: int) -> Iterator[Batch]:
        n = len(self.X_aug)
        self.norms_sq[i] = 0.0
        if self.batch_size is None:
            batches = [(self.X_aug, self.y, slice(None))]
        else:
            order = np.stack([rng.permutation(n) for rng in self.rngs])  # (K, n)
            batches = []
            for begin in range(0, n, self.batch_size):
                rows = slice(begin, begin + self.batch_size)
                idx = self._lead(order[:, rows])
                self._lead(self.y_order[i])[..., rows, :] = self.y[idx]
                batches.append((self.X_aug[idx], self.y[idx], rows))
        for X_aug, y, rows in batches:
            yield Batch(
                self.workspace(y.shape[-2]),
                X_aug,
                X_aug.swapaxes(-1, -2),
                y,
                self._lead(self.z[i])[..., rows, :],
                self.grad_one,
                self.grad_one_views,
            )
            # the step has used the gradient: add its norms to the epoch's
            self.add_norms_sq(self.norms_sq[i])

    def add_norms_sq(self, into: np.ndarray) -> None:
        """into[k, s] += Σ g² over segment s of network k's gradient.

        A few large segments: one read-only dot each (5× cheaper for wide layers than
        squaring and summing); many small ones: two vectorised calls.
        """
        g = self.grad_one
        if len(self.bounds) * len(g) <= 16:
            for k, row in enumerate(g):
                for s, (start, stop) in enumerate(self.bounds):
                    into[k, s] += np.dot(row[start:stop], row[start:stop])
        else:
            squares = np.square(g, out=self.grad_one_sq)
            into += np.add.reduceat(squares, self.segments, axis=1)
