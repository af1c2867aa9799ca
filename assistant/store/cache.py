"""Rows read from the store, kept in this process for as long as the store's generation (a
token every write replaces) is the one they were read at: what another process writes is
seen at the next `refresh`, as what this one writes is at once."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from typing import Generic, TypeVar

V = TypeVar("V")


class GenerationCache(Generic[V]):
    """Up to `size` values by key, the least recently used dropped first, all of them
    dropped when asked at another generation; safe across threads."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._generation: str | None = None
        self._values: OrderedDict[str, V] = OrderedDict()

    def found(self, keys: Iterable[str], generation: str | None) -> dict[str, V]:
        """The values kept for `keys` at `generation` (none once the store moved on)."""
        with self._lock:
            if generation != self._generation:
                self._values.clear()
                self._generation = generation
            found = {key: self._values[key] for key in keys if key in self._values}
            for key in found:
                self._values.move_to_end(key)
            return found

    def keep(self, values: Mapping[str, V], generation: str | None) -> None:
        """Keep values read at `generation`, unless the store has moved on since."""
        with self._lock:
            if generation != self._generation:
                return
            for key, value in values.items():
                self._values[key] = value
                self._values.move_to_end(key)
            while len(self._values) > self._size:
                self._values.popitem(last=False)

    def clear(self) -> None:
        """Drop every value (this process has just written to the store)."""
        with self._lock:
            self._values.clear()
