"""Training: full-batch or mini-batch gradient descent on a stack of K networks.

`Trainer` trains one network in pieces (`run(k)` as often as you like: the numbers are
those of one uninterrupted run); `train` is a Trainer run to the end; `mlp.sweep` runs
many configs through the same `StackTrainer`, so a network gives the same record
whichever way it was trained. `mlp/reference.py` states the algorithm plainly.

The epoch loop does only what the update needs (forward, backward, step). Each epoch's
output pre-activations go into a buffer, and every chunk of epochs is scored at once
(`RunLog`). A chunk that turns out to hold a non-finite loss or gradient is replayed from
its checkpoint up to that epoch, so a diverging network stops exactly there with its last
finite weights.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np

from mlp.activations import get_activation
from mlp.batches import Batches
from mlp.config import TrainConfig
from mlp.datasets import check_data
from mlp.losses import get_loss
from mlp.network import MLP, NetworkStack, Workspace, augment, init_theta, layer_shapes
from mlp.optimizers import Optimizer, get_optimizer
from mlp.record import RunRecord
from mlp.runlog import RunLog, Scores

# The progress hook is called this many times over a run (at chunk boundaries).
PROGRESS_STEPS = 100

# hook(epochs_done, each network's mean loss in the last epoch, or None at 0) -> False to stop
ProgressHook = Callable[[int, np.ndarray | None], bool | None]


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
    trainer = Trainer(X, y, config)
    trainer.run(config.epochs, callback)
    return trainer.record()


class Trainer:
    """One network trained in pieces: `run(k)` trains k more epochs.

    Any split gives the numbers of one `train` call of the same length. The learning
    rate and the optimizer may change between pieces (`adjust`); the weights carry on.
    """

    def __init__(self, X: np.ndarray, y: np.ndarray, config: TrainConfig):
        if not isinstance(config, TrainConfig):
            raise TypeError(f"config must be a TrainConfig, got {type(config).__name__}")
        X, y = check_data(X, y)
        self.stack = StackTrainer(X, y, [config])

    @property
    def config(self) -> TrainConfig:
        return self.stack.configs[0]

    @property
    def epoch(self) -> int:
        """Epochs trained so far."""
        return self.stack.epoch

    @property
    def diverged(self) -> bool:
        return self.stack.diverged[0]

    @property
    def done(self) -> bool:
        """True once every epoch of the config ran or the run diverged: `run` does nothing."""
        return self.diverged or self.epoch >= self.config.epochs

    @property
    def network(self) -> MLP:
        """A copy of the network as it is now (after the last finite epoch if diverged)."""
        return self.stack.network(0)

    def run(self, epochs: int, callback: Callable[[int, float], bool | None] | None = None) -> int:
        """Train up to `epochs` more epochs; fewer if the run diverges, reaches
        `config.epochs`, or `callback(epoch, loss)` returns False. Returns how many ran."""

        def hook(epoch, losses):
            return True if losses is None else callback(epoch, float(losses[0]))

        return self.stack.run(epochs, hook if callback else None)

    def record(self) -> RunRecord:
        """The record of the epochs run so far (stopped_epoch = epochs run, until the end)."""
        return self.stack.records()[0]

    def adjust(self, lr: float | None = None, optimizer: str | None = None) -> None:
        """Take a new learning rate or optimizer from the next epoch on (a new optimizer
        starts from fresh state); the record's config says the latest."""
        self.stack.adjust(lr, optimizer)


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
        self.X, self.y = X, y
        self.rngs = [np.random.default_rng(c.seed) for c in configs]
        self.theta = np.stack(
            [init_theta(self.sizes, c.init, rng) for c, rng in zip(configs, self.rngs, strict=True)]
        )  # (K, P)
        hidden, output = get_activation(first.activation), get_activation(first.output_activation)
        self.stack = NetworkStack(self.sizes, hidden, output, self.theta)
        self.loss_fn = get_loss(first.loss)
        self.optimizer: Optimizer = get_optimizer(first.optimizer)(self.theta.shape)
        self.lr = np.array([[c.lr] for c in configs])  # (K, 1)
        # θ is laid out [W_1, b_1, W_2, b_2, ...]: one segment per W_l and per b_l
        sizes = [
            size for rows, cols in layer_shapes(self.sizes) for size in ((rows - 1) * cols, cols)
        ]
        segments = np.cumsum([0, *sizes[:-1]])
        ends = np.cumsum([rows * cols for rows, cols in layer_shapes(self.sizes)])
        self.layer_columns = [slice(a, b) for a, b in zip([0, *ends[:-1]], ends, strict=True)]
        self.every = max(1, first.epochs // PROGRESS_STEPS)
        self.batches = Batches(self.stack, X, y, first, self.rngs, segments, self.every)
        # Unless the chunk keeps a gradient per epoch (`deferred`), each layer steps right
        # after backprop computed its gradient, while it is still in the cache (measured
        # 13% faster at h = 500 when this was introduced; the same numbers either way).
        self.layer_by_layer = not self.batches.deferred
        self.log = RunLog(first, len(configs), self.theta.shape[1], len(sizes) // 2)
        self.epoch, self.seconds = 0, 0.0
        self.saved: list[np.ndarray] | None = None  # checkpoint buffers
        self.stopped_at: list[int | None] = [None] * len(configs)
        self.final_theta: list[np.ndarray | None] = [None] * len(configs)
        self.diverged = [False] * len(configs)

    def run(self, epochs: int, progress: ProgressHook | None = None) -> int:
        """Train up to `epochs` more epochs (stopping early as `Trainer.run` says);
        returns how many ran."""
        start, started = self.epoch, time.perf_counter()
        target = min(self.epoch + max(0, int(epochs)), self.config.epochs)
        n = len(self.X)
        with np.errstate(all="ignore"):
            if progress is not None and self.epoch == 0 and progress(0, None) is False:
                target = 0
            while self.epoch < target and None in self.stopped_at:
                count = min(self.batches.chunk, target - self.epoch)
                count = min(count, self.every - self.epoch % self.every)
                diverging, count, scores = self.run_chunk(self.epoch, count)
                self.log.keep(self.epoch, scores, count)
                self.epoch += count
                for k in diverging:
                    self.diverged[k] = True
                    self.stop(k, self.epoch)
                at_mark = self.epoch % self.every == 0 or self.epoch == self.config.epochs
                report = progress is not None and not diverging and at_mark
                if report and progress(self.epoch, scores.loss_sum[-1] / n) is False:
                    break
        self.seconds += time.perf_counter() - started
        return self.epoch - start

    def run_chunk(self, epoch: int, count: int) -> tuple[list[int], int, Scores]:
        """Run `count` epochs and score them. If a network's loss or gradient turned
        non-finite, replay from the checkpoint up to the first such epoch instead.

        Returns the networks that diverge at the end, the epochs kept, and their scores.
        """
        saved = self.checkpoint()
        self.run_epochs(epoch, count)
        scores = self.log.score(self.stack, self.loss_fn, self.batches, count)
        bad = ~scores.finite()  # (count, K)
        if not bad.any():
            return [], count, scores
        first_bad = int(np.flatnonzero(bad.any(axis=1))[0])
        self.restore(saved)
        self.run_epochs(epoch, first_bad)
        return np.flatnonzero(bad[first_bad]).tolist(), first_bad, scores

    def run_epochs(self, first_epoch: int, count: int) -> None:
        """Forward, output delta, backward and step for `count` epochs (chunk slots 0..)."""
        stack, loss_fn, optimizer = self.stack, self.loss_fn, self.optimizer
        output, theta, lr = stack.output, self.theta, self.lr
        layer_done = self.step_layer if self.layer_by_layer else None
        for i in range(count):
            self.log.snapshot(first_epoch + i, theta)
            for batch in self.batches.epoch(i):
                ws = batch.workspace
                y_hat = stack.forward(ws, batch.X_aug, batch.z_out)
                np.subtract(y_hat, batch.y, out=ws.err)
                loss_fn.output_delta(y_hat, ws.err, output, ws.scale, ws.delta[-1])  # δ_L
                optimizer.tick()
                stack.backward(ws, batch.X_aug_T, batch.grad_views, layer_done)
                if layer_done is None:
                    optimizer.step(theta, batch.grad, lr)

    def step_layer(self, l: int) -> None:
        """One layer's step, taken as soon as backprop is done with that layer."""
        self.optimizer.step(self.theta, self.batches.grad_one, self.lr, self.layer_columns[l])

    def checkpoint(self):
        """Save what the next epochs change (θ, the optimizer's state, the generators),
        into buffers allocated once per optimizer."""
        live = [self.theta, *self.optimizer.state()]
        if self.saved is None:
            self.saved = [np.empty_like(array) for array in live]
        for array, saved in zip(live, self.saved, strict=True):
            np.copyto(saved, array)
        return self.optimizer.t, [r.bit_generator.state for r in self.rngs]

    def restore(self, saved) -> None:
        for array, kept in zip([self.theta, *self.optimizer.state()], self.saved, strict=True):
            np.copyto(array, kept)
        self.optimizer.t, rng_states = saved
        for rng, state in zip(self.rngs, rng_states, strict=True):
            rng.bit_generator.state = state

    def stop(self, k: int, epoch: int) -> None:
        """Network k stops: keep its parameters, then park its slot at zero (finite, inert)."""
        self.stopped_at[k], self.final_theta[k] = epoch, self.theta[k].copy()
        self.theta[k] = self.lr[k] = 0.0
        self.optimizer.reset(k)

    def adjust(self, lr: float | None, optimizer: str | None) -> None:
        """A new learning rate or optimizer for every network, from the next epoch on."""
        changes = {}
        if lr is not None:
            changes["lr"] = lr
        if optimizer is not None and optimizer != self.config.optimizer:
            changes["optimizer"] = optimizer
        self.configs = [c.replace(**changes) for c in self.configs]  # validates them
        self.config = self.configs[0]
        for k, c in enumerate(self.configs):
            self.lr[k] = c.lr if self.stopped_at[k] is None else 0.0
        if "optimizer" in changes:
            self.optimizer = get_optimizer(optimizer)(self.theta.shape)
            self.saved = None  # the checkpoint buffers follow the optimizer's state

    def theta_of(self, k: int) -> np.ndarray:
        return self.theta[k] if self.stopped_at[k] is None else self.final_theta[k]

    def network(self, k: int) -> MLP:
        c = self.configs[k]
        return MLP.from_theta(self.sizes, c.activation, c.output_activation, self.theta_of(k))

    def records(self) -> list[RunRecord]:
        """Every network's record of the epochs run so far."""
        final = np.stack([self.theta_of(k) for k in range(len(self.configs))])
        stack = NetworkStack(self.sizes, self.stack.hidden, self.stack.output, final)
        X_aug = augment(self.X)
        z_out = np.empty((*stack.lead, len(X_aug), 1))
        with np.errstate(all="ignore"):
            predictions = stack.forward(Workspace(stack, len(X_aug)), X_aug, z_out)
        predictions = predictions.reshape(len(final), -1, 1)
        records = []
        for k, config in enumerate(self.configs):
            end = self.epoch if self.stopped_at[k] is None else self.stopped_at[k]
            stopped = None if end == config.epochs and not self.diverged[k] else end
            history = self.log.history(k, end, len(self.X), self.batches.per_epoch)
            epochs, thetas = self.log.snapshots_until(k, end, final[k])
            records.append(
                RunRecord(
                    config=config,
                    X=self.X,
                    y=self.y,
                    **history,
                    snapshot_epochs=epochs,
                    snapshot_theta=thetas,
                    network=self.network(k),
                    predictions=predictions[k].copy(),
                    seconds=self.seconds / len(self.configs),
                    diverged=self.diverged[k],
                    stopped_epoch=stopped,
                )
            )
        return records
