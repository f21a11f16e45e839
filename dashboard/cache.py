"""The server's one cache across sessions: finished results, study digests and data sets,
within a budget in bytes (each entry counted by its pickled size), least recently used out
first. Not thread-safe by itself: the work queue calls it under its lock."""

from __future__ import annotations

import pickle
from collections import OrderedDict
from collections.abc import Hashable


def pickled_size(value: object) -> int:
    """What an entry costs the cache: its size pickled, in bytes."""
    return len(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


class ByteBudgetCache:
    def __init__(self, megabytes: float):
        self.budget = megabytes * 1e6
        self.bytes = 0
        self._entries: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()

    def __contains__(self, key: Hashable) -> bool:
        return key in self._entries

    def keys(self):
        return self._entries.keys()

    def get(self, key: Hashable) -> object | None:
        """The value kept under `key` (now the most recently used), or None."""
        if key not in self._entries:
            return None
        self._entries.move_to_end(key)
        return self._entries[key][0]

    def put(self, key: Hashable, value: object, size: int) -> None:
        """Keep `value` of `size` bytes (pickled_size), evicting the least recently used over
        the budget; a value larger than the whole budget is not kept."""
        if size > self.budget:
            return
        if key in self._entries:
            self.bytes -= self._entries.pop(key)[1]
        self._entries[key] = (value, size)
        self.bytes += size
        while self.bytes > self.budget:
            _, (_, evicted) = self._entries.popitem(last=False)
            self.bytes -= evicted

    def clear(self) -> None:
        self._entries.clear()
        self.bytes = 0
