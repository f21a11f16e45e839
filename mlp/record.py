"""RunRecord: everything a training run produced, and its `.npz` file format."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import numpy as np

from mlp.config import TrainConfig
from mlp.network import MLP, parameter_count

_ARRAYS = (
    "X",
    "y",
    "loss",
    "accuracy",
    "grad_norms",
    "snapshot_epochs",
    "snapshot_theta",
    "theta",
    "predictions",
    "penalty",
    "test_epochs",
    "test_loss",
    "test_accuracy",
)


@dataclass(eq=False)
class RunRecord:
    """The complete record of one run.

    Per epoch e (0-based, from epoch e's forward pass, before its update): `loss[e]` (mean
    loss), `accuracy[e]` (share of points with (ŷ > 0.5) == y) and `grad_norms[e, l]`, the
    Frobenius norm ‖∂L/∂W_l‖ of layer l's weights (input side first). With mini-batches
    these are epoch averages (grad norms: root mean square over the batches).

    `snapshot_epochs[i]` and `snapshot_theta[i]` hold the parameters after that many
    updates (epoch 0 = initial weights), evenly spaced, the last one being `network`.
    `stopped_epoch` is None when every epoch ran, else the epoch at which training stopped
    (the first non-finite loss or gradient — then `diverged` — or the callback said stop);
    the arrays cover the epochs before it. `predictions` is the final network's ŷ on X.

    `loss` is the data loss alone, comparable across settings; `penalty[e]` is the L1/L2
    penalty at the weights of epoch e's start (0 without regularization). With held-out
    points, `test_loss[i]` and `test_accuracy[i]` are theirs at the weights of `loss[e]`,
    e = `test_epochs[i]`; without, the three are empty.

    `seconds` is the training's wall-clock time, `cpu_seconds` the CPU time of the thread
    that trained: the work itself, however busy the machine was (NaN in files saved before
    it was kept). A network trained in a stack of K gets 1/K of the stack's times.
    """

    config: TrainConfig
    X: np.ndarray
    y: np.ndarray
    loss: np.ndarray
    accuracy: np.ndarray
    grad_norms: np.ndarray
    snapshot_epochs: np.ndarray
    snapshot_theta: np.ndarray
    network: MLP
    predictions: np.ndarray
    seconds: float
    cpu_seconds: float = float("nan")
    diverged: bool = False
    stopped_epoch: int | None = None
    penalty: np.ndarray = field(default_factory=lambda: np.zeros(0))
    test_epochs: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    test_loss: np.ndarray = field(default_factory=lambda: np.zeros(0))
    test_accuracy: np.ndarray = field(default_factory=lambda: np.zeros(0))
    _networks: dict = field(default_factory=dict, repr=False)

    @property
    def epochs_run(self) -> int:
        return len(self.loss)

    @property
    def final_loss(self) -> float:
        return float(self.loss[-1]) if len(self.loss) else float("nan")

    @property
    def final_accuracy(self) -> float:
        return float(self.accuracy[-1]) if len(self.accuracy) else float("nan")

    @property
    def first_perfect_epoch(self) -> int | None:
        """The first epoch whose accuracy was 100%, or None."""
        hits = np.flatnonzero(self.accuracy >= 1.0)
        return int(hits[0]) if len(hits) else None

    def network_at(self, epoch: int) -> MLP:
        """The network as it was at the latest snapshot taken at or before `epoch`."""
        i = max(int(np.searchsorted(self.snapshot_epochs, epoch, side="right")) - 1, 0)
        if i not in self._networks:
            c, theta = self.config, self.snapshot_theta[i]
            self._networks[i] = MLP.from_theta(
                self.network.sizes, c.activation, c.output_activation, theta, c.features
            )
        return self._networks[i]

    def save(self, path: str | Path | IO[bytes]) -> None:
        """One `.npz`: the arrays, the config as JSON, and the scalars."""
        np.savez_compressed(
            path,
            config=np.array(json.dumps(self.config.to_dict())),
            seconds=np.array(self.seconds),
            cpu_seconds=np.array(self.cpu_seconds),
            diverged=np.array(self.diverged),
            stopped_epoch=np.array(-1 if self.stopped_epoch is None else self.stopped_epoch),
            theta=self.network.theta,
            **{name: getattr(self, name) for name in _ARRAYS if name != "theta"},
        )

    @classmethod
    def load(cls, path: str | Path | IO[bytes]) -> RunRecord:
        """Read a record written by `save`; anything else raises ValueError (no pickle)."""
        try:
            with np.load(path, allow_pickle=False) as npz:
                data = {name: npz[name] for name in npz.files}
        except Exception as exc:  # zipfile, zlib and numpy raise a dozen kinds on bad bytes
            raise ValueError(f"not a run record file: {exc}") from None
        try:
            return cls._from_arrays(data)
        except (KeyError, TypeError, ValueError, json.JSONDecodeError) as exc:
            raise ValueError(f"not a valid run record: {exc}") from None

    @classmethod
    def _from_arrays(cls, data: dict[str, np.ndarray]) -> RunRecord:
        config = TrainConfig.from_dict(json.loads(str(data["config"][()])))
        arrays = {name: np.asarray(data[name], dtype=float) for name in _ARRAYS}
        n, sizes = len(arrays["X"]), config.sizes()
        P, epochs, tested = parameter_count(sizes), len(arrays["loss"]), len(arrays["test_epochs"])
        expected = {
            "y": (n, 1),
            "loss": (epochs,),
            "accuracy": (epochs,),
            "grad_norms": (epochs, len(sizes) - 1),
            "snapshot_theta": (len(arrays["snapshot_epochs"]), P),
            "theta": (P,),
            "predictions": (n, 1),
            "penalty": (epochs,),
            "test_loss": (tested,),
            "test_accuracy": (tested,),
        }
        for name, shape in expected.items():
            if arrays[name].shape != shape:
                raise ValueError(f"{name} has shape {arrays[name].shape}, expected {shape}")
        stopped = int(data["stopped_epoch"])
        return cls(
            config=config,
            X=arrays["X"],
            y=arrays["y"].astype(int),
            loss=arrays["loss"],
            accuracy=arrays["accuracy"],
            grad_norms=arrays["grad_norms"],
            snapshot_epochs=arrays["snapshot_epochs"].astype(int),
            snapshot_theta=arrays["snapshot_theta"],
            network=MLP.from_theta(
                sizes, config.activation, config.output_activation, arrays["theta"], config.features
            ),
            predictions=arrays["predictions"],
            seconds=float(data["seconds"]),
            cpu_seconds=float(data.get("cpu_seconds", np.nan)),
            diverged=bool(data["diverged"]),
            stopped_epoch=None if stopped < 0 else stopped,
            penalty=arrays["penalty"],
            test_epochs=arrays["test_epochs"].astype(int),
            test_loss=arrays["test_loss"],
            test_accuracy=arrays["test_accuracy"],
        )
