"""What a process keeps between requests: values by slot, each with the stamp it was written
under (everything it was made from), the least recently used going first past a size.

The worksheet keeps its stages' HTML in it, the dashboard its KPI cards: a value is given back
only while its stamp is the one asked with, so a kept value is never shown once what it was made
from has changed.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class Kept(Generic[V]):
    """Values by slot, each with the stamp it was written under, the least recently used first,
    within `max_bytes` (by the `size` of each value)."""

    def __init__(self, size: Callable[[V], int], max_bytes: int) -> None:
        self._size_of, self.max_bytes = size, max_bytes
        self._entries: OrderedDict[Hashable, tuple[Hashable, V]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()  # threaded servers share one process's cache

    def get(self, slot: Hashable, stamp: Hashable) -> V | None:
        with self._lock:
            found = self._entries.get(slot)
        # Compared outside the lock (a stage's stamp holds every value of its rows); an entry
        # is never changed, only replaced.
        if found is None or found[0] != stamp:
            return None
        with self._lock:
            if self._entries.get(slot) is found:
                self._entries.move_to_end(slot)
        return found[1]

    def put(self, slot: Hashable, stamp: Hashable, value: V) -> None:
        size = self._size_of(value)
        with self._lock:
            self._drop(slot)
            if size > self.max_bytes:
                return
            while self._entries and self._bytes + size > self.max_bytes:
                self._drop(next(iter(self._entries)))
            self._entries[slot] = (stamp, value)
            self._bytes += size

    def _drop(self, slot: Hashable) -> None:
        gone = self._entries.pop(slot, None)
        if gone is not None:
            self._bytes -= self._size_of(gone[1])

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0
