"""One BLAS thread while networks train, so that a run's record does not depend on the cores.

OpenBLAS splits a wide layer's matmuls (here from about 300 units) differently for each
thread count, so their last bits differ, and training amplifies them: on XOR, 2-500-500-1
at lr 1, seed 1 stays stuck at loss 0.476 with one thread and reaches 0.09 in 300 epochs
with two. With one thread, `mlp.train`, `mlp.sweep` on any executor, the CLI and the app
give the same records. The cost: a single wide run forgoes BLAS's other threads (at h = 500
on two idle cores, 2.6 ms per epoch instead of 2.0); parallel runs use the cores instead.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from threadpoolctl import ThreadpoolController

_lock = threading.Lock()
_training = 0  # threads of this process inside `one_thread` now
_limiter = None  # the caller's limits, restored when the last of them leaves


@cache
def _controller() -> ThreadpoolController:
    return ThreadpoolController()  # finds the BLAS numpy loaded (a few ms, once)


@contextmanager
def one_thread() -> Iterator[None]:
    """BLAS runs one thread inside, until no thread of this process is inside any more
    (a sweep may train in several threads at once); then the caller's limit is back."""
    global _training, _limiter
    with _lock:
        if _training == 0:
            _limiter = _controller().limit(limits=1, user_api="blas")
        _training += 1
    try:
        yield
    finally:
        with _lock:
            _training -= 1
            if _training == 0:
                _limiter.restore_original_limits()
