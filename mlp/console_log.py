"""The console log the lab's script printed for a run: loss every few epochs, predictions,
classification."""

from __future__ import annotations

import numpy as np

from mlp.record import RunRecord


def log_epochs(epochs_run: int, every: int) -> list[int]:
    """1-based epoch counts to log: every `every` epochs, and the last one."""
    marks = list(range(every, epochs_run + 1, every))
    if epochs_run and (not marks or marks[-1] != epochs_run):
        marks.append(epochs_run)
    return marks


def lab_log(record: RunRecord, every: int | None = None) -> str:
    """The text the lab's script printed, for this record.

    "epoch e Loss: L" is the loss of the e-th epoch (counting from 1), as in the lab.
    """
    every = every or max(1, record.config.epochs // 20)
    lines = ["start training"]
    tested = {int(e): i for i, e in enumerate(record.test_epochs)}
    for e in log_epochs(record.epochs_run, every):
        line = f"epoch {e} Loss: {record.loss[e - 1]}"
        if (i := tested.get(e - 1)) is not None:
            line += f" | test loss: {record.test_loss[i]} test accuracy: {record.test_accuracy[i]}"
        lines.append(line)
    if record.diverged:
        lines.append(
            f"diverged at epoch {record.stopped_epoch}: the loss or a gradient became "
            "infinite or NaN; training stopped there"
        )
    elif record.stopped_epoch is not None:
        lines.append(f"stopped at epoch {record.stopped_epoch}")
    lines.append(f"Execution time : {record.seconds:.6f} sec")
    with np.printoptions(threshold=200):
        lines += ["**-----Prediction Result-----**", str(record.predictions), "**-----**"]
    predicted = (record.predictions > 0.5).astype(int)
    fails = np.flatnonzero(predicted.ravel() != record.y.ravel()).tolist()
    n = len(record.y)
    lines += [
        "**-----Classification Result-----**",
        f"PASS : {n - len(fails)} || FAIL : {len(fails)}",
        f"FAIL position : {fails if fails else 'NONE'}",
        f"Accuracy : {(n - len(fails)) / n}",
        "**-----end of classify-----**",
    ]
    return "\n".join(lines)
