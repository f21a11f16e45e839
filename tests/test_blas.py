"""Training runs on one BLAS thread: records do not depend on the caller's thread count."""

import threading

import numpy as np
import pytest
from threadpoolctl import ThreadpoolController, threadpool_limits

from mlp import TrainConfig, blas, datasets, train
from tests.conftest import assert_records_equal

WIDE = 400  # wide enough that OpenBLAS splits the layer's matmuls by thread


def blas_threads() -> int:
    return ThreadpoolController().select(user_api="blas").info()[0]["num_threads"]


def test_a_wide_network_gets_the_same_record_whatever_blas_threads_the_caller_set():
    rng = np.random.default_rng(0)
    a, W = rng.random((21, WIDE + 1)), rng.standard_normal((WIDE + 1, WIDE))
    with threadpool_limits(1):
        one = a @ W
    with threadpool_limits(2):
        two = a @ W
    if np.array_equal(one, two):
        pytest.skip("this BLAS gives the same bits for any thread count")
    config = TrainConfig(hidden=(WIDE, WIDE), epochs=30, seed=1)
    X, y = datasets.load("xor")
    with threadpool_limits(1):
        alone = train(X, y, config)
    with threadpool_limits(2):
        assert_records_equal(train(X, y, config), alone, rtol=0)
        assert blas_threads() == 2  # and the caller's limit is back


def test_blas_stays_on_one_thread_until_the_last_of_two_training_threads_is_done():
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def first():
        with blas.one_thread():
            first_in.set()
            second_in.wait()
        first_out.set()

    def second():
        first_in.wait()
        with blas.one_thread():
            second_in.set()
            first_out.wait()
            seen["after the first left"] = blas_threads()
        seen["after both left"] = blas_threads()

    with threadpool_limits(2):
        threads = [threading.Thread(target=first), threading.Thread(target=second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert seen == {"after the first left": 1, "after both left": 2}
