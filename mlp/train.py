"""Training: full-batch or mini-batch gradient descent on a stack of K networks.

`train` runs one network (K = 1); `mlp.sweep` runs many configs through the same loop,
so a network gives the same record whichever way it was trained.

The epoch loop does only what the update needs (forward, backward, gradient norms,
step). Each epoch's output pre-activations go into a buffer, and every chunk of epochs
is scored at once (loss, accuracy) — far fewer numpy calls. A chunk that turns out to
hold a non-finite loss or gradient is replayed from its checkpoint up to that epoch, so
a diverging network stops exactly there with its last finite weights.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np

from mlp.activations import get_activation
from mlp.config import TrainConfig
from mlp.losses import get_loss
from mlp.network import MLP, NetworkStack, Workspace, augment, init_theta, layer_shapes
from mlp.optimizers import get_optimizer
from mlp.record import RunRecord

# Parameter snapshots kept per run, in floats (8 MB): very large networks keep fewer.
SNAPSHOT_BUDGET = 1_000_000
# Output values buffered between two scorings, in floats (2 MB).
CHUNK_BUDGET = 262_144
# The progress hook is called this many times over a run (at chunk boundaries).
PROGRESS_STEPS = 100

# hook(epochs_done, each network's mean loss in the last epoch, or None at 0) -> False to stop
ProgressHook = Callable[[int, np.ndarray | None], bool | None]


def check_data(X, y) -> tuple[np.ndarray, np.ndarray]:
    """X as float (n, d) and y as int (n, 1) with labels 0/1, or ValueError saying why."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    if X.ndim != 2 or len(X) < 1 or X.shape[1] < 1:
        raise ValueError(f"X must be a 2-D array (n points, d features), got shape {X.shape}")
    if y.size != len(X):
        raise ValueError(f"y must hold one label per point: {len(X)} points, {y.size} labels")
    if not np.all(np.isfinite(X)):
        raise ValueError("X holds NaN or infinite values")
    y = y.reshape(-1, 1)
    if not np.all((y == 0) | (y == 1)):
        raise ValueError("labels must be 0 or 1")
    return X, y.astype(int)


def snapshot_epochs(config: TrainConfig, n_params: int) -> np.ndarray:
    """Evenly spaced epochs 0..epochs (both included) at which to keep the parameters."""
    count = max(2, min(config.snapshots, SNAPSHOT_BUDGET // n_params))
    return np.unique(np.round(np.linspace(0, config.epochs, count)).astype(int))


def train(
    X: np.ndarray,
    y: np.ndarray,
    config: TrainConfig,
    callback: Callable[[int, float], bool | None] | None = None,
) -> RunRecord:
    """Train one network as `config` says and return its full record.

    `callback(epoch, loss)` is called about 100 times during the run (epochs done so far
    and the last epoch's loss); returning False stops training there. A non-finite loss
    or gradient stops the run with `diverged=True`: nothing raises, no warning leaks.
    """
    if not isinstance(config, TrainConfig):
        raise TypeError(f"config must be a TrainConfig, got {type(config).__name__}")
    X, y = check_data(X, y)

    def hook(epoch, losses):
        return True if losses is None else callback(epoch, float(losses[0]))

    return StackTrainer(X, y, [config]).fit(hook if callback else None)[0]


class StackTrainer:
    """Trains K networks that share everything but lr, seed and init, as one stack."""

    def __init__(self, X: np.ndarray, y: np.ndarray, configs: Sequence[TrainConfig]):
        first = self.config = configs[0]
        self.configs = list(configs)
        n, d = X.shape
        self.sizes = first.sizes(d)
        if first.batch_size is not None and first.batch_size > n:
            raise ValueError(
                f"batch_size must be in 1..{n} (the number of points), got {first.batch_size}"
            )
        self.start = time.perf_counter()
        self.X, self.y = X, y
        self.rngs = [np.random.default_rng(c.seed) for c in configs]
        self.theta = np.stack(
            [init_theta(self.sizes, c.init, rng) for c, rng in zip(configs, self.rngs, strict=True)]
        )
        K, P = self.theta.shape
        self.stack = NetworkStack(
            self.sizes,
            get_activation(first.activation),
            get_activation(first.output_activation),
            self.theta,
        )
        self.loss_fn = get_loss(first.loss)
        self.optimizer = get_optimizer(first.optimizer)(self.theta.shape)
        self.lr = np.array([[c.lr] for c in configs])
        # θ is laid out [W_1, b_1, W_2, b_2, ...]; sums of g² over these segments give
        # ‖∂L/∂W_l‖² and ‖∂L/∂b_l‖²
        sizes = [
            size for rows, cols in layer_shapes(self.sizes) for size in ((rows - 1) * cols, cols)
        ]
        self.segments = np.cumsum([0, *sizes[:-1]])
        # the stats columns kept in the history: Σ loss, wrong, and the weight segments
        self.recorded = [0, 1, *range(2, 2 + len(self.segments), 2)]
        # per epoch and network: [Σ point losses, wrong predictions, ‖∂L/∂W_l‖² per layer]
        self.history = np.zeros((first.epochs, K, 2 + len(self.segments) // 2))
        self.planned = snapshot_epochs(first, P)
        self.snapshot_slot = {int(e): i for i, e in enumerate(self.planned[:-1])}
        # one slot per planned epoch; a run's final parameters go in the slot after its last
        self.snapshots = np.empty((len(self.planned), K, P))
        self.every = max(1, first.epochs // PROGRESS_STEPS)
        self.batches = Batches(
            self.stack, augment(X), y, first, self.rngs, CHUNK_BUDGET, self.every, self.segments
        )
        self.chunk = self.batches.chunk
        # Large networks step each layer right after its gradient, while it is still in
        # the cache (measured 13% faster at h = 500); small ones in one call per epoch.
        ends = np.cumsum([rows * cols for rows, cols in layer_shapes(self.sizes)])
        self.layer_columns = [slice(a, b) for a, b in zip([0, *ends[:-1]], ends, strict=True)]
        self.layer_done = None if self.batches.deferred else self.update_layer
        self.live_state = [self.theta, *self.optimizer.state()]
        self.saved_state = [np.empty_like(array) for array in self.live_state]
        self.stopped_at: list[int | None] = [None] * K
        self.final_theta: list[np.ndarray | None] = [None] * K
        self.diverged = [False] * K

    def fit(self, progress: ProgressHook | None = None) -> list[RunRecord]:
        """Run every epoch, or until all networks stopped or `progress` said stop."""
        epochs, n = self.config.epochs, len(self.X)
        epoch = 0
        with np.errstate(all="ignore"):
            if progress is not None and progress(0, None) is False:
                epochs = 0
            while epoch < epochs and None in self.stopped_at:
                count = min(self.chunk, epochs - epoch, self.every - epoch % self.every)
                diverging, count, stats = self.run_chunk(epoch, count)
                self.history[epoch : epoch + count] = stats[:count, :, self.recorded]
                epoch += count
                for k in diverging:
                    self.diverged[k] = True
                    self.stop(k, epoch)
                at_mark = epoch % self.every == 0 or epoch == epochs
                report = progress is not None and not diverging and at_mark
                if report and progress(epoch, stats[-1, :, 0] / n) is False:
                    epochs = epoch
        for k in range(len(self.configs)):
            if self.stopped_at[k] is None and epoch < self.config.epochs:
                self.stop(k, epoch)
        return self.records()

    def run_chunk(self, epoch: int, count: int) -> tuple[list[int], int, np.ndarray]:
        """Run `count` epochs and score them. If a network's loss or gradient turned
        non-finite, replay from the checkpoint up to the first such epoch instead.

        Returns the networks that diverge at the end, the epochs kept, and their stats.
        """
        saved = self.checkpoint()
        self.run_epochs(epoch, count)
        stats = self.score(count)
        bad = ~np.isfinite(stats).all(axis=2)  # (count, K)
        if not bad.any():
            return [], count, stats
        first_bad = int(np.flatnonzero(bad.any(axis=1))[0])
        self.restore(saved)
        self.run_epochs(epoch, first_bad)
        return np.flatnonzero(bad[first_bad]).tolist(), first_bad, stats

    def run_epochs(self, first_epoch: int, count: int) -> None:
        """Forward, backward and update for `count` epochs, into chunk slots 0..count-1."""
        stack, loss_fn, output, step = (
            self.stack,
            self.loss_fn,
            self.stack.output,
            self.optimizer.step,
        )
        theta, lr, epoch_batches = self.theta, self.lr, self.batches.epoch
        tick, layer_done = self.optimizer.tick, self.layer_done
        for i in range(count):
            slot = self.snapshot_slot.get(first_epoch + i)
            if slot is not None:
                self.snapshots[slot] = theta
            for ws, X_aug, X_aug_T, y, z_out, grad, grad_views in epoch_batches(i):
                y_hat = stack.forward(ws, X_aug, z_out)
                np.subtract(y_hat, y, out=ws.err)
                loss_fn.output_delta(y_hat, ws.err, output, ws.scale, ws.delta[-1])
                tick()
                stack.backward(ws, X_aug_T, grad_views, layer_done)
                if layer_done is None:
                    step(theta, grad, lr)

    def update_layer(self, l: int) -> None:
        """One layer's step, taken as soon as backprop is done with that layer."""
        self.optimizer.step(self.theta, self.batches.grad_one, self.lr, self.layer_columns[l])

    def score(self, count: int) -> np.ndarray:
        """(count, K, 2 + segments): Σ loss, wrong predictions and g² sums per epoch."""
        z, y = self.batches.z[:count], self.batches.labels(count)
        y_hat = self.stack.output(z)
        stats = np.empty((count, len(self.configs), 2 + len(self.segments)))
        stats[..., 0] = self.loss_fn.point_loss(y_hat, z, y).sum(axis=(2, 3))
        stats[..., 1] = ((y_hat > 0.5) != (y > 0.5)).sum(axis=(2, 3))
        stats[..., 2:] = self.batches.grad_norms_sq(count)
        return stats

    def checkpoint(self):
        """Save what the next epochs change, into buffers allocated once."""
        for array, saved in zip(self.live_state, self.saved_state, strict=True):
            np.copyto(saved, array)
        return self.optimizer.t, [r.bit_generator.state for r in self.rngs]

    def restore(self, saved) -> None:
        for array, kept in zip(self.live_state, self.saved_state, strict=True):
            np.copyto(array, kept)
        self.optimizer.t, rng_states = saved
        for rng, state in zip(self.rngs, rng_states, strict=True):
            rng.bit_generator.state = state

    def stop(self, k: int, epoch: int) -> None:
        """Network k stops: keep its parameters, then park its slot at zero (finite, inert)."""
        self.stopped_at[k], self.final_theta[k] = epoch, self.theta[k].copy()
        self.theta[k] = self.lr[k] = 0.0
        self.optimizer.reset(k)

    def records(self) -> list[RunRecord]:
        seconds = (time.perf_counter() - self.start) / len(self.configs)
        final = np.stack(
            [t if t is not None else self.theta[k] for k, t in enumerate(self.final_theta)]
        )
        stack = NetworkStack(self.sizes, self.stack.hidden, self.stack.output, final)
        X_aug = augment(self.X)
        z_out = np.empty((*stack.lead, len(X_aug), 1))
        with np.errstate(all="ignore"):
            predictions = stack.forward(Workspace(stack, len(X_aug)), X_aug, z_out).reshape(
                len(final), -1, 1
            )
        records = []
        for k, config in enumerate(self.configs):
            end = config.epochs if self.stopped_at[k] is None else self.stopped_at[k]
            rows = self.history[:end, k]
            kept = int(np.sum(self.planned < end))
            self.snapshots[kept, k] = final[k]
            records.append(
                RunRecord(
                    config=config,
                    X=self.X,
                    y=self.y,
                    loss=rows[:, 0] / len(self.X),
                    accuracy=1.0 - rows[:, 1] / len(self.X),
                    grad_norms=np.sqrt(rows[:, 2:] / self.batches.per_epoch),
                    snapshot_epochs=np.append(self.planned[:kept], end),
                    snapshot_theta=self.snapshots[: kept + 1, k],
                    network=MLP.from_theta(
                        self.sizes, config.activation, config.output_activation, final[k]
                    ),
                    predictions=predictions[k].copy(),
                    seconds=seconds,
                    diverged=self.diverged[k],
                    stopped_epoch=self.stopped_at[k],
                )
            )
        return records


class Batches:
    """The batches of each epoch of a chunk, and where their results go.

    Each batch is (workspace, [X, 1], its transpose, y, where the output z goes, the flat
    gradient, its per-layer views). Mini-batches: each network draws its own permutation
    from its own generator every epoch (the last batch may be smaller), and the labels are
    kept in that order for scoring.

    Gradient norms: small full-batch stacks give each epoch of the chunk its own gradient
    buffer and take the norms of the whole chunk at once (`deferred`: two numpy calls
    fewer per epoch); otherwise the norms are summed batch by batch after each step.
    """

    DEFERRED_GRAD_FLOATS = 65_536

    def __init__(self, stack, X_aug, y, config, rngs, chunk_budget, every, segments):
        K, n, P = stack.K, len(X_aug), stack.theta.shape[1]
        self.stack, self.X_aug, self.batch_size, self.rngs = stack, X_aug, config.batch_size, rngs
        self.y = y.astype(float)
        self.segments, self.loss_fn, self.reduction = (
            segments,
            get_loss(config.loss),
            config.reduction,
        )
        self.per_epoch = 1 if self.batch_size is None else -(-n // self.batch_size)
        self.deferred = self.batch_size is None and K * P <= self.DEFERRED_GRAD_FLOATS
        per_epoch_floats = K * (n + P) if self.deferred else K * n
        self.chunk = max(1, min(every, chunk_budget // per_epoch_floats))
        self.z = np.empty((self.chunk, K, n, 1))  # output pre-activations, one slot per epoch
        self.norms_sq = np.empty((self.chunk, K, len(segments)))
        self.workspaces: dict[int, Workspace] = {}
        if self.deferred:
            ws = self.workspace(n)
            self.grad = np.empty((self.chunk, K, P))
            self.grad_sq = np.empty_like(self.grad)
            self.full = [
                [(ws, X_aug, X_aug.T, self.y, self._lead(self.z[i]), g, stack.layer_views(g))]
                for i, g in enumerate(self.grad)
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
            ws = self.workspaces[n] = Workspace(self.stack, n)
            ws.scale = self.loss_fn.gradient_scale(self.reduction, n)
        return self.workspaces[n]

    def labels(self, count: int) -> np.ndarray:
        return self.y if self.batch_size is None else self.y_order[:count]

    def grad_norms_sq(self, count: int) -> np.ndarray:
        """(count, K, segments): Σ g² over each parameter segment, per epoch."""
        if self.deferred:
            squares = np.square(self.grad[:count], out=self.grad_sq[:count])
            return np.add.reduceat(squares, self.segments, axis=2)
        return self.norms_sq[:count]

    def epoch(self, i: int):
        return self.full[i] if self.deferred else self._batches(i)

    def _batches(self, i: int):
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
            yield (
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
