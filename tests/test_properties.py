"""Property tests: whatever a caller sends within the documented bounds trains; anything
outside them is a ValueError naming the field; no file makes RunRecord.load run code."""

import io
import math
import pickle
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlp import RunRecord, TrainConfig, sweep, train
from mlp.activations import ACTIVATIONS
from mlp.network import INITS
from mlp.optimizers import OPTIMIZERS

from .conftest import assert_records_equal

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def problems(draw):
    """Small data sets (n points in 2-D, labels 0/1) and a valid config for them."""
    n = draw(st.integers(2, 30))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    X = rng.uniform(-3, 3, (n, 2))
    y = rng.integers(0, 2, (n, 1))
    loss = draw(st.sampled_from(["mse", "bce"]))
    output = "sigmoid" if loss == "bce" else draw(st.sampled_from(list(ACTIVATIONS)))
    config = TrainConfig(
        hidden=tuple(draw(st.lists(st.integers(1, 12), min_size=1, max_size=4))),
        activation=draw(st.sampled_from(list(ACTIVATIONS))),
        output_activation=output,
        loss=loss,
        reduction=draw(st.sampled_from(["mean", "sum"])),
        optimizer=draw(st.sampled_from(list(OPTIMIZERS))),
        lr=draw(st.floats(1e-8, 1e8) | st.sampled_from([1e300, 5e-324])),
        epochs=draw(st.integers(1, 60)),
        batch_size=draw(st.none() | st.integers(1, n)),
        init=draw(st.sampled_from(INITS)),
        seed=draw(st.integers(0, 2**32 - 1)),
        snapshots=draw(st.integers(2, 20)),
    )
    return X, y, config


def assert_finite_or_diverged(record, config):
    epochs = config.epochs if record.stopped_epoch is None else record.stopped_epoch
    assert record.loss.shape == record.accuracy.shape == (epochs,)
    assert record.grad_norms.shape == (epochs, len(config.hidden) + 1)
    for values in (record.loss, record.accuracy, record.grad_norms):
        assert np.all(np.isfinite(values))
    if not record.diverged:
        assert record.stopped_epoch is None
        assert np.all(np.isfinite(record.network.theta))


@FAST
@given(problems())
def test_any_valid_config_trains_to_a_finite_or_diverged_record(problem):
    X, y, config = problem
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        record = train(X, y, config)
    assert_finite_or_diverged(record, config)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    problems(),
    st.lists(st.tuples(st.floats(1e-6, 1e3), st.integers(0, 99)), min_size=1, max_size=4),
)
def test_sweep_of_any_valid_configs_equals_training_them_one_by_one(problem, variations):
    X, y, config = problem
    configs = [config] + [config.replace(lr=lr, seed=seed) for lr, seed in variations]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        records = sweep(X, y, configs)
    for record, one in zip(records, configs, strict=True):
        assert_finite_or_diverged(record, one)
        assert_records_equal(record, train(X, y, one))


INVALID = {
    "lr": [0, -1.0, math.nan, math.inf, -math.inf, "1", None, True],
    "epochs": [0, -5, 1_000_001, 2.5, "10", None],
    "hidden": [(), (0,), (1025,), (4,) * 11, (2.5,), ("a",), None],
    "activation": ["swish", "", "SIGMOID", None, 3],
    "output_activation": ["softmax", None],
    "loss": ["hinge", None],
    "reduction": ["max", None],
    "optimizer": ["rmsprop", None],
    "init": ["orthogonal", None],
    "batch_size": [0, -1, 2.5, "8"],
    "seed": [-1, 2**32, 1.5, "0"],
    "snapshots": [0, 1, 10_001],
}


@FAST
@given(st.sampled_from([(field, value) for field, values in INVALID.items() for value in values]))
def test_out_of_bounds_settings_raise_value_error_naming_the_field(case):
    field, value = case
    with pytest.raises(ValueError, match=field):
        TrainConfig(**{field: value})


@pytest.fixture(scope="module")
def record_bytes():
    from mlp.datasets import generate_xor_easy

    buffer = io.BytesIO()
    train(*generate_xor_easy(), TrainConfig(hidden=(3,), epochs=20)).save(buffer)
    return buffer.getvalue()


@FAST
@given(st.binary(max_size=2000))
def test_loading_random_bytes_raises_value_error(content):
    with pytest.raises(ValueError):
        RunRecord.load(io.BytesIO(content))


@FAST
@given(st.data())
def test_loading_a_truncated_or_truncated_and_flipped_record_raises_value_error(record_bytes, data):
    cut = data.draw(st.integers(0, len(record_bytes) - 1))
    content = bytearray(record_bytes[:cut])
    if content and data.draw(st.booleans()):
        content[data.draw(st.integers(0, len(content) - 1))] ^= 0xFF
    with pytest.raises(ValueError):
        RunRecord.load(io.BytesIO(bytes(content)))


def rewritten(record_bytes: bytes, **changes) -> bytes:
    """A complete, well-formed .npz: the record's arrays with some replaced or removed."""
    with np.load(io.BytesIO(record_bytes), allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in npz.files}
    for name, value in changes.items():
        if value is None:
            del arrays[name]
        else:
            arrays[name] = value
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


COMPLETE_BUT_WRONG = {
    "loss one epoch short": (
        lambda r: {"loss": np.zeros(19)},
        "accuracy has shape (20,), expected (19,)",
    ),
    "weights of another network": (
        lambda r: {"theta": np.zeros(7)},
        "theta has shape (7,), expected (13,)",
    ),
    "config not JSON": (lambda r: {"config": np.array("{hidden: 3")}, "not a valid run record"),
    "config with an unknown field": (
        lambda r: {"config": np.array('{"hidden": [3], "momentum": 0.9}')},
        "unknown config field(s): momentum",
    ),
    "config out of bounds": (
        lambda r: {"config": np.array('{"hidden": [3], "lr": -1}')},
        "lr must be a finite number > 0, got -1",
    ),
    "a member missing": (lambda r: {"predictions": None}, "predictions"),
}


@pytest.mark.parametrize("case", list(COMPLETE_BUT_WRONG))
def test_a_complete_record_file_with_wrong_contents_is_refused_saying_why(record_bytes, case):
    changes, message = COMPLETE_BUT_WRONG[case]
    content = rewritten(record_bytes, **changes(record_bytes))
    with pytest.raises(ValueError) as error:
        RunRecord.load(io.BytesIO(content))
    assert message in str(error.value)


def test_a_complete_record_file_with_a_flipped_byte_is_refused_or_loads_unchanged(record_bytes):
    # a flip in the data is caught (zip checksums, decompression, shapes); one in zip
    # metadata that no reader uses changes nothing: never a silently different record
    original = RunRecord.load(io.BytesIO(record_bytes))
    refused = 0
    for position in range(0, len(record_bytes), 7):
        flipped = bytearray(record_bytes)
        flipped[position] ^= 0xFF
        try:
            record = RunRecord.load(io.BytesIO(bytes(flipped)))
        except ValueError:
            refused += 1
            continue
        assert_records_equal(record, original, rtol=0)
    assert refused > len(record_bytes) // 7 // 2


class Exploit:
    def __reduce__(self):
        return (Path.touch, (Path(self.target),))


def test_a_pickle_that_would_run_code_is_refused_without_running_it(tmp_path):
    target = tmp_path / "pwned"
    payload = Exploit()
    payload.target = str(target)
    for content in (pickle.dumps(payload), _npz_with(pickle.dumps(payload))):
        with pytest.raises(ValueError):
            RunRecord.load(io.BytesIO(content))
    assert not target.exists()


def _npz_with(member: bytes) -> bytes:
    """A zip that looks like an .npz whose config member is a pickle."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("config.npy", member)
    return buffer.getvalue()
