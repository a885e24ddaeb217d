"""A priority queue with aging, so low priority waits longer but never starves.

Each priority level is worth ``aging_s`` seconds of waiting: an entry is ordered by its
*virtual* arrival time ``enqueued_at - priority * aging_s``. A higher priority therefore runs
first, but a low-priority entry that has waited longer than the gap beats newcomers. The key
is fixed at push time, so the heap stays a plain O(log n) heap. The heap holds
``(key, seq, entry)`` tuples: tuple comparisons run in C, where comparing dataclasses would
build two tuples in Python per comparison (a queue of 1,000 waiters does ~10 per push/pop).
"""

from __future__ import annotations

import heapq
import itertools
import time
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from scriptohio.clock import Clock

T = TypeVar("T")

DEFAULT_AGING_S = 1.0


@dataclass(order=True, slots=True)
class QueueEntry(Generic[T]):
    key: float
    seq: int
    item: T = field(compare=False)
    enqueued_at: float = field(compare=False)
    removed: bool = field(default=False, compare=False)


class AgingPriorityQueue(Generic[T]):
    """Pop returns the entry with the earliest virtual arrival; removal is O(1) (lazy)."""

    def __init__(self, *, aging_s: float = DEFAULT_AGING_S, clock: Clock = time.monotonic) -> None:
        self._aging_s = aging_s
        self._clock = clock
        self._heap: list[tuple[float, int, QueueEntry[T]]] = []
        self._seq = itertools.count()
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def push(self, item: T, priority: int = 0) -> QueueEntry[T]:
        now = self._clock()
        key, seq = now - priority * self._aging_s, next(self._seq)
        entry = QueueEntry(key, seq, item, now)
        heapq.heappush(self._heap, (key, seq, entry))
        self._size += 1
        return entry

    def pop(self) -> QueueEntry[T] | None:
        while self._heap:
            entry = heapq.heappop(self._heap)[2]
            if not entry.removed:
                self._size -= 1
                entry.removed = True
                return entry
        return None

    def remove(self, entry: QueueEntry[T]) -> None:
        """Forget an entry (its waiter gave up); skipped when it reaches the top."""
        if not entry.removed:
            entry.removed = True
            self._size -= 1

    def drain(self) -> list[QueueEntry[T]]:
        """Remove and return every live entry (used at shutdown)."""
        live = [entry for _, _, entry in self._heap if not entry.removed]
        self._heap.clear()
        self._size = 0
        for entry in live:
            entry.removed = True
        return live
