"""mlp.sweep on an executor: the same records, bit for bit, as the serial sweep."""

from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pytest

from mlp import TrainConfig, datasets, sweep
from mlp.sweep import plan
from tests.conftest import assert_records_equal

# stacks of small networks, a wide one alone, mini-batches, and diverging members
CONFIGS = [
    *[
        TrainConfig(hidden=(8, 8), lr=lr, seed=s, epochs=200)
        for lr in (0.5, 5.0, 80.0)
        for s in (0, 1)
    ],
    TrainConfig(hidden=(300,), lr=0.1, epochs=20),
    *[TrainConfig(batch_size=5, optimizer="adam", lr=0.02, seed=s, epochs=60) for s in (0, 1)],
    *[
        TrainConfig(activation="identity", output_activation="identity", lr=lr, epochs=300)
        for lr in (0.0002, 5.0)
    ],
]  # fmt: skip


@pytest.fixture(scope="module")
def serial(xor_points):
    return sweep(*xor_points, CONFIGS)


@pytest.fixture(scope="module")
def xor_points():
    return datasets.generate_xor_easy()


def assert_bitwise_equal(records, expected):
    assert [r.diverged for r in expected].count(True) >= 1  # the set holds diverging runs
    for record, reference in zip(records, expected, strict=True):
        assert_records_equal(record, reference, rtol=0)


def test_the_dearest_piece_comes_first():
    # epochs × networks × points × parameters: the two 2-20-20-1 identity networks,
    # 300 · 2 · 21 · 501 = 6.3M, before the six 2-8-8-1: 200 · 6 · 21 · 105 = 2.6M
    pieces = plan(CONFIGS, 21)
    assert pieces[0] == [9, 10] and pieces[1] == [0, 1, 2, 3, 4, 5]


def test_a_stack_dearer_than_a_workers_share_is_cut_into_nearly_equal_stacks():
    small = [TrainConfig(hidden=(4, 4), epochs=100, seed=s) for s in range(10)]  # one stack
    assert plan(small, 21) == [list(range(10))]
    assert plan(small, 21, workers=3) == [[6, 7, 8, 9], [0, 1, 2], [3, 4, 5]]
    # 2-300-1 alone costs 100 · 21 · 1,201 = 2.5M, more than half of the whole (2.5M + 0.8M
    # for the ten 2-4-4-1 of 37 parameters), but one network is never cut; the ten stay whole
    assert plan([TrainConfig(hidden=(300,), epochs=100), *small], 21, workers=2) == [
        [0],
        list(range(1, 11)),
    ]


@pytest.mark.parametrize("pool", [ThreadPoolExecutor, ProcessPoolExecutor])
def test_a_pool_gives_the_serial_records_bit_for_bit(xor_points, serial, pool):
    with pool(max_workers=2) as executor:
        assert_bitwise_equal(sweep(*xor_points, CONFIGS, executor=executor), serial)


def test_a_dask_cluster_gives_the_serial_records_bit_for_bit(xor_points, serial):
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        assert_bitwise_equal(sweep(*xor_points, CONFIGS, executor=client.get_executor()), serial)


def test_progress_comes_piece_by_piece_and_a_stop_cancels_what_has_not_started(xor_points):
    seen = []

    def stop_after_the_first(done, total):
        seen.append((done, total))
        return False

    with ThreadPoolExecutor(max_workers=1) as executor:
        records = sweep(*xor_points, CONFIGS, stop_after_the_first, executor=executor)
    total = sum(c.epochs for c in CONFIGS)
    assert len(seen) == 1 and seen[0][1] == total and 0 < seen[0][0] < total
    unrun = [r for r in records if r.epochs_run == 0]
    assert unrun and all(r.stopped_epoch == 0 for r in unrun)
    assert np.all([r.epochs_run in (0, r.config.epochs) or r.diverged for r in records])
