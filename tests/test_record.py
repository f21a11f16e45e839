import io
import pickle
import zipfile

import numpy as np
import pytest

from mlp import RunRecord, TrainConfig, train


@pytest.fixture
def record(xor):
    return train(*xor, TrainConfig(hidden=(4, 3), epochs=200, snapshots=5))


def test_save_and_load_round_trip(tmp_path, record):
    path = tmp_path / "run.npz"
    record.save(path)
    loaded = RunRecord.load(path)
    assert loaded.config == record.config
    for name in ("loss", "accuracy", "grad_norms", "snapshot_epochs", "snapshot_theta", "X", "y"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(record, name))
    np.testing.assert_array_equal(loaded.network.forward(record.X), record.predictions)
    assert (loaded.diverged, loaded.stopped_epoch) == (False, None)
    assert (loaded.seconds, loaded.cpu_seconds) == (record.seconds, record.cpu_seconds)


def test_a_record_saved_before_cpu_seconds_were_kept_loads_with_nan(record):
    with np.load(io.BytesIO(_bytes(record))) as npz:
        older = {name: npz[name] for name in npz.files if name != "cpu_seconds"}
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **older)
    buffer.seek(0)
    loaded = RunRecord.load(buffer)
    assert np.isnan(loaded.cpu_seconds) and loaded.seconds == record.seconds


def test_save_to_a_buffer(record):
    buffer = io.BytesIO()
    record.save(buffer)
    buffer.seek(0)
    assert RunRecord.load(buffer).epochs_run == 200


def _bytes(record) -> bytes:
    buffer = io.BytesIO()
    record.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not a record at all",
        pickle.dumps({"loss": [1, 2, 3]}),
        b"PK\x03\x04 truncated zip",
    ],
)
def test_loading_something_else_raises_value_error(content):
    with pytest.raises(ValueError):
        RunRecord.load(io.BytesIO(content))


def test_loading_a_truncated_record_raises_value_error(record):
    data = _bytes(record)
    with pytest.raises(ValueError):
        RunRecord.load(io.BytesIO(data[: len(data) // 2]))


def test_loading_an_npz_with_object_arrays_raises_value_error():
    buffer = io.BytesIO()
    np.savez(buffer, config=np.array([{"a": 1}], dtype=object))
    buffer.seek(0)
    with pytest.raises(ValueError):
        RunRecord.load(buffer)


def test_loading_a_record_with_inconsistent_shapes_raises_value_error(record):
    buffer = io.BytesIO(_bytes(record))
    with zipfile.ZipFile(buffer) as z:
        arrays = {name[:-4]: np.load(z.open(name)) for name in z.namelist()}
    arrays["loss"] = arrays["loss"][:-1]
    out = io.BytesIO()
    np.savez(out, **arrays)
    out.seek(0)
    with pytest.raises(ValueError, match="accuracy has shape"):
        RunRecord.load(out)
