"""The eviction-policy protocol, and LRU as its simplest implementation.

A policy decides *which keys are resident*; it never sees values. Storage (L1, the trace
replayer) keeps the values in its own dict and asks the policy three questions: a key was hit,
a key was inserted (which keys must go?), a key was removed from outside. LRU and the default
policy run through exactly this code path, so a benchmark compares policies and nothing else.

Weights are abstract units: the replayer uses 1 per entry (or bytes for sized traces), L1 uses
a normalised weight so that one bound enforces both its entry and byte limits.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Protocol, runtime_checkable

DEFAULT_PRIORITY = 3
DEFAULT_COST = 1.0


@runtime_checkable
class EvictionPolicy(Protocol):
    """What every eviction/admission policy offers to a storage layer."""

    capacity: int

    def __contains__(self, key: Hashable) -> bool: ...

    def __len__(self) -> int: ...

    def on_hit(self, key: Hashable) -> None:
        """A resident key was read."""

    def on_insert(
        self,
        key: Hashable,
        weight: int = 1,
        *,
        priority: int = DEFAULT_PRIORITY,
        cost: float = DEFAULT_COST,
    ) -> list[Hashable]:
        """Make ``key`` resident (it must not be resident yet); return the keys evicted.

        The returned list may contain ``key`` itself: the policy declined to admit it.
        """

    def on_remove(self, key: Hashable) -> None:
        """``key`` was deleted by the storage (invalidation, expiry); forget it."""


class LruPolicy:
    """Least-recently-used: the baseline every benchmark row is compared with."""

    __slots__ = ("_order", "_weight", "capacity")

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("capacity must be >= 1")
        self.capacity = capacity
        self._order: OrderedDict[Hashable, int] = OrderedDict()
        self._weight = 0

    def __contains__(self, key: Hashable) -> bool:
        return key in self._order

    def __len__(self) -> int:
        return len(self._order)

    @property
    def weight(self) -> int:
        """Total weight of the resident keys."""
        return self._weight

    def on_hit(self, key: Hashable) -> None:
        self._order.move_to_end(key)

    def on_insert(
        self,
        key: Hashable,
        weight: int = 1,
        *,
        priority: int = DEFAULT_PRIORITY,
        cost: float = DEFAULT_COST,
    ) -> list[Hashable]:
        order = self._order
        if weight > self.capacity:
            return [key]
        order[key] = weight
        self._weight += weight
        evicted: list[Hashable] = []
        while self._weight > self.capacity:
            old, w = order.popitem(last=False)
            self._weight -= w
            evicted.append(old)
        return evicted

    def on_remove(self, key: Hashable) -> None:
        w = self._order.pop(key, None)
        if w is not None:
            self._weight -= w
