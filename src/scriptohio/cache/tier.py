"""A bounded in-process tier: a dict of entries whose residency an eviction policy decides.

Both local tiers are this class: L1 holds values as given, L2 holds compressed bytes. The
tier is bounded by entry count *and* bytes through one policy capacity: each entry weighs
``ceil(size / unit)`` units (at least 1) with ``unit = max_bytes / max_entries``, so
``capacity = max_entries`` units enforces both limits at once.

Reads are recorded lazily: a hit appends the key to a small buffer that is replayed into the
policy every ``read_buffer`` hits (and before every write). The hit path is then a dict
lookup, a clock read and a list append; the policy work is amortised, as in Caffeine.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator

from scriptohio.cache.entry import CacheEntry
from scriptohio.cache.policy import EvictionPolicy
from scriptohio.cache.tinylfu import TinyLfuConfig, TinyLfuPolicy

PolicyFactory = Callable[[int], EvictionPolicy]
# In-process tiers pay for the shadow tuner on every access: a smaller sample keeps that
# under a tenth of an extra policy operation per access (see docs/cache.md). 15 shadows x
# 200 keys is no more shadow work per access than the former 12 x 256.
IN_PROCESS = TinyLfuConfig(shadow_budget=200)


def default_policy(capacity: int) -> EvictionPolicy:
    """The default policy as configured for the in-process tiers."""
    return TinyLfuPolicy(capacity, config=IN_PROCESS)


DEFAULT_READ_BUFFER = 64

Evicted = tuple[str, CacheEntry, str]
"""(key, entry, reason) with reason ``size`` (evicted for room) or ``rejected`` (not admitted)."""


class LocalTier:
    """Entries bounded by count and bytes; O(1) get/put; policy chosen by the caller."""

    def __init__(
        self,
        *,
        max_entries: int,
        max_bytes: int,
        policy: PolicyFactory = default_policy,
        read_buffer: int = DEFAULT_READ_BUFFER,
    ) -> None:
        if max_entries < 1 or max_bytes < 1:
            raise ValueError("max_entries and max_bytes must be >= 1")
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._unit = max_bytes / max_entries
        self._policy = policy(max_entries)
        self._data: dict[str, CacheEntry] = {}
        self._reads: list[str] = []
        self._read_buffer = read_buffer
        self.bytes = 0

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: str) -> bool:
        return key in self._data

    def snapshot_keys(self) -> Iterator[str]:
        """A snapshot of the resident keys."""
        return iter(list(self._data))

    def peek(self, key: str) -> CacheEntry | None:
        """The entry without counting an access."""
        return self._data.get(key)

    def get(self, key: str) -> CacheEntry | None:
        """The entry, recording the access for the policy."""
        entry = self._data.get(key)
        if entry is not None:
            reads = self._reads
            reads.append(key)
            if len(reads) >= self._read_buffer:
                self.drain()
        return entry

    def drain(self) -> None:
        """Replay buffered reads into the policy."""
        reads, self._reads = self._reads, []
        policy = self._policy
        for key in reads:
            if key in policy:
                policy.on_hit(key)

    def weight_of(self, size: int) -> int:
        """Policy units for an entry of ``size`` bytes."""
        return max(1, math.ceil(size / self._unit))

    def put(self, key: str, entry: CacheEntry) -> list[Evicted]:
        """Store ``entry``; return what left the tier (possibly ``key`` itself: rejected)."""
        if self._reads:
            self.drain()
        old = self._data.pop(key, None)
        if old is not None:
            self.bytes -= old.size
            self._policy.on_remove(key)
        self._data[key] = entry
        self.bytes += entry.size
        gone = self._policy.on_insert(
            key, self.weight_of(entry.size), priority=entry.priority, cost=entry.cost
        )
        evicted: list[Evicted] = []
        for gone_key in gone:
            k = str(gone_key)
            e = self._data.pop(k)
            self.bytes -= e.size
            evicted.append((k, e, "rejected" if k == key else "size"))
        return evicted

    def replace(self, key: str, entry: CacheEntry) -> None:
        """Swap a resident entry in place, leaving the policy untouched (L2 compaction: the
        policy keeps the old, larger weight until the key is next written)."""
        old = self._data.get(key)
        if old is not None:
            self._data[key] = entry
            self.bytes += entry.size - old.size

    def pop(self, key: str) -> CacheEntry | None:
        """Remove ``key``; return its entry if it was resident."""
        entry = self._data.pop(key, None)
        if entry is not None:
            self.bytes -= entry.size
            self._policy.on_remove(key)
        return entry
