"""StackTrainer: K networks that share everything but lr, seed and init, trained as one
stack of batched arrays — the engine under `mlp.Trainer`, `mlp.train` and `mlp.sweep`.

The epoch loop does only what the update needs (forward, output delta, backward, step).
Each epoch's output pre-activations go into a buffer, and every chunk of epochs is scored
at once (`RunLog`). A chunk that turns out to hold a non-finite loss or gradient is
replayed from its checkpoint up to that epoch, so a diverging network stops exactly there
with its last finite weights.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np

from mlp import blas
from mlp.activations import get_activation
from mlp.batches import Batches
from mlp.config import TrainConfig
from mlp.features import expand
from mlp.losses import get_loss
from mlp.network import MLP, NetworkStack, Workspace, augment, init_theta, layer_shapes
from mlp.optimizers import Optimizer, get_optimizer
from mlp.penalty import Penalty
from mlp.record import RunRecord
from mlp.runlog import HeldOut, RunLog, Scores

# The progress hook is called this many times over a run (at chunk boundaries).
PROGRESS_STEPS = 100

# hook(epochs_done, each network's mean loss in the last epoch, or None at 0) -> False to stop
ProgressHook = Callable[[int, np.ndarray | None], bool | None]


class StackTrainer:
    """Trains K networks that share everything but lr, seed and init, as one stack."""

    def __init__(self, X: np.ndarray, y: np.ndarray, configs: Sequence[TrainConfig], test=None):
        first = self.config = configs[0]
        self.configs = list(configs)
        n = len(X)
        self.sizes = first.sizes()
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
        inputs = expand(X, first.features)  # (n, features): what the first layer sees
        self.batches = Batches(self.stack, inputs, y, first, self.rngs, segments, self.every)
        self.penalty = Penalty(first, self.sizes) if first.regularized else None
        self.held_out = None
        if test is not None and len(test[0]):
            self.held_out = HeldOut(
                self.stack, expand(test[0], first.features), test[1], self.loss_fn
            )
        # Unless the chunk keeps a gradient per epoch (`deferred`), each layer steps right
        # after backprop computed its gradient, while it is still in the cache (measured
        # 13% faster at h = 500 when this was introduced; the same numbers either way).
        self.layer_by_layer = not self.batches.deferred
        K, P = self.theta.shape
        self.log = RunLog(first, K, P, len(sizes) // 2, tested=self.held_out is not None)
        self.epoch, self.seconds, self.cpu_seconds = 0, 0.0, 0.0
        self.saved: list[np.ndarray] | None = None  # checkpoint buffers
        self.stopped_at: list[int | None] = [None] * len(configs)
        self.final_theta: list[np.ndarray | None] = [None] * len(configs)
        self.diverged = [False] * len(configs)

    def run(self, epochs: int, progress: ProgressHook | None = None) -> int:
        """Train up to `epochs` more epochs (stopping early as `Trainer.run` says);
        returns how many ran."""
        start, started, cpu_started = self.epoch, time.perf_counter(), time.thread_time()
        target = min(self.epoch + max(0, int(epochs)), self.config.epochs)
        n = len(self.X)
        with np.errstate(all="ignore"), blas.one_thread():
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
        self.cpu_seconds += time.thread_time() - cpu_started  # one BLAS thread: this one
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
            self.observe(first_epoch + i)
            for batch in self.batches.epoch(i):
                ws = batch.workspace
                y_hat = stack.forward(ws, batch.X_aug, batch.z_out)
                np.subtract(y_hat, batch.y, out=ws.err)
                loss_fn.output_delta(y_hat, ws.err, output, ws.scale, ws.delta[-1])  # δ_L
                optimizer.tick()
                stack.backward(ws, batch.X_aug_T, batch.grad_views, layer_done)
                if layer_done is None:
                    if self.penalty is not None:
                        self.penalty.add_gradient(theta, batch.grad)
                    optimizer.step(theta, batch.grad, lr)

    def observe(self, epoch: int) -> None:
        """What is kept of the weights at an epoch's start: a snapshot (when planned), the
        penalty, and the test points' loss and accuracy (when scheduled)."""
        self.log.snapshot(epoch, self.theta)
        if self.penalty is not None:
            self.log.penalty[epoch] = self.penalty.value(self.theta)
        slot = self.log.test_slot.get(epoch)
        if slot is not None:
            self.log.test_loss[slot], self.log.test_accuracy[slot] = self.held_out.score(self.stack)

    def step_layer(self, l: int) -> None:
        """One layer's step, taken as soon as backprop is done with that layer."""
        grad = self.batches.grad_one
        if self.penalty is not None:
            self.penalty.add_gradient(self.theta, grad, layer=l)
        self.optimizer.step(self.theta, grad, self.lr, self.layer_columns[l])

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
        theta = self.theta_of(k)
        return MLP.from_theta(self.sizes, c.activation, c.output_activation, theta, c.features)

    def records(self) -> list[RunRecord]:
        """Every network's record of the epochs run so far."""
        final = np.stack([self.theta_of(k) for k in range(len(self.configs))])
        stack = NetworkStack(self.sizes, self.stack.hidden, self.stack.output, final)
        X_aug = augment(expand(self.X, self.config.features))
        z_out = np.empty((*stack.lead, len(X_aug), 1))
        with np.errstate(all="ignore"), blas.one_thread():
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
                    cpu_seconds=self.cpu_seconds / len(self.configs),
                    diverged=self.diverged[k],
                    stopped_epoch=stopped,
                )
            )
        return records
