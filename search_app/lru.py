"""Values kept by key within a budget, the least recently used dropped first.

The engine's postings, the items shown, their texts' tokens, whole answers,
parsed query texts and what depends on the index's words are each kept this
way, shared by a worker's threads: each under a budget of a cost its caller
states (bytes, tokens, entries), some also under a count. The newest
value is always kept, even alone over the budget, so that what was just
computed is there for the caller's next look.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterator
from typing import Any


class LRU:
    """A bounded map; thread-safe. Values must not be None (None is "not kept")."""

    def __init__(self, budget: int, limit: int | None = None) -> None:
        self._budget = budget
        self._limit = limit
        self._entries: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()
        self.used = 0  # the costs of what is kept, summed

    def get(self, key: Hashable) -> Any:
        """The value kept for ``key`` (now the most recently used), or None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            return entry[0]

    def put(self, key: Hashable, value: Any, cost: int) -> None:
        """Keep ``value`` (unless ``key`` is kept already), then drop the least
        recently used past the budget or the count."""
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = (value, cost)
            self.used += cost
            while len(self._entries) > 1 and (
                self.used > self._budget
                or (self._limit is not None and len(self._entries) > self._limit)
            ):
                _, (_, dropped) = self._entries.popitem(last=False)
                self.used -= dropped

    def costs(self) -> list[int]:
        """The cost of each value kept, least recently used first."""
        with self._lock:
            return [cost for _, cost in self._entries.values()]

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[Hashable]:
        """The keys, least recently used first (a snapshot)."""
        with self._lock:
            return iter(list(self._entries))
