"""A bounded in-process tier: a dict of entries whose residency an eviction policy decides.

Both local tiers are this class: L1 holds values as given, L2 holds compressed bytes. The
tier is bounded by entry count *and* bytes through one policy capacity: each entry weighs
``ceil(size / unit)`` units (at least 1) with ``unit = max_bytes / max_entries``, so
``capacity = max_entries`` units enforces both limits at once.

Reads are recorded lazily: a hit appends the key to a small buffer that is replayed into the
policy every ``read_buffer`` hits (and before every write). The hit path is then a dict
lookup, a clock read and a list append; the policy work is amortised, as in Caffeine.

Writes of new keys may be buffered the same way (``write_buffer`` > 0, as L1 does): the entry
is stored and readable at once, and the policy sees the insert, in order with the buffered
reads, when the buffer is replayed (every ``write_buffer`` writes, or a read buffer's worth of
operations, or before an overwrite or removal). The policy therefore makes exactly the
decisions it would make unbuffered; only their effect is late: until the replay the tier may
hold up to ``write_buffer`` entries (at most 1/64 of its bounds) more than its limit, and an
entry the policy is about to evict can still be read. Evictions found by a replay that no
``put`` asked for (a read, a removal, maintenance) go to ``on_evict``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from math import ceil
from typing import cast

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
EvictionSink = Callable[[list[Evicted]], None]
_Write = tuple[str, int, int, float]  # a buffered insert: key, weight, priority, cost


class LocalTier:
    """Entries bounded by count and bytes; O(1) get/put; policy chosen by the caller."""

    def __init__(
        self,
        *,
        max_entries: int,
        max_bytes: int,
        policy: PolicyFactory = default_policy,
        read_buffer: int = DEFAULT_READ_BUFFER,
        write_buffer: int = 0,
        on_evict: EvictionSink | None = None,
    ) -> None:
        if max_entries < 1 or max_bytes < 1:
            raise ValueError("max_entries and max_bytes must be >= 1")
        if write_buffer and on_evict is None:
            raise ValueError("a write buffer needs on_evict: a replay may evict outside put")
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._unit = max_bytes / max_entries
        self._policy = policy(max_entries)
        self._data: dict[str, CacheEntry] = {}
        # peek(key): the entry without counting an access. The dict's own bound ``get``
        # (``_data`` is never rebound): no Python frame on the write and lookup paths.
        self.peek: Callable[[str], CacheEntry | None] = self._data.get
        self._ops: list[str | _Write] = []  # buffered reads (keys) and writes, in order
        self._read_buffer = read_buffer
        self._write_buffer = min(write_buffer, max_entries // 64)
        self._write_bytes_max = max_bytes // 64
        self._writes = 0
        self._write_bytes = 0
        self._on_evict = on_evict
        self.bytes = 0

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: str) -> bool:
        return key in self._data

    def snapshot_keys(self) -> Iterator[str]:
        """A snapshot of the resident keys."""
        return iter(list(self._data))

    def get(self, key: str) -> CacheEntry | None:
        """The entry, recording the access for the policy."""
        entry = self._data.get(key)
        if entry is not None:
            ops = self._ops
            ops.append(key)
            if len(ops) >= self._read_buffer:
                self.drain()
        return entry

    def drain(self) -> None:
        """Replay buffered reads and writes into the policy (evictions go to ``on_evict``)."""
        evicted = self._replay()
        if evicted and self._on_evict is not None:
            self._on_evict(evicted)

    def _replay(self, *, keep_last_reads: bool = False) -> list[Evicted]:
        """Apply the buffered operations in order; return what the writes evicted.

        ``keep_last_reads``: leave the reads after the last buffered write in the buffer, as
        an unbuffered tier would still hold them at that point (a removal does not replay
        reads, so a read of a key removed later is then dropped, not counted).
        """
        ops, self._ops = self._ops, []
        if keep_last_reads:
            last = len(ops)
            while last and isinstance(ops[last - 1], str):
                last -= 1
            ops, self._ops = ops[:last], ops[last:]
        policy = self._policy
        if not self._writes:
            for key in ops:
                if key in policy:
                    policy.on_hit(key)
            return []
        self._writes = self._write_bytes = 0
        data = self._data
        evicted: list[Evicted] = []
        for op in ops:
            if isinstance(op, str):
                if op in policy:
                    policy.on_hit(op)
                continue
            key, weight, priority, cost = op
            for gone in cast("list[str]", policy.on_insert(key, weight, priority=priority,
                                                           cost=cost)):
                e = data.pop(gone)
                self.bytes -= e.size
                evicted.append((gone, e, "rejected" if gone == key else "size"))
        return evicted

    def put(self, key: str, entry: CacheEntry) -> list[Evicted]:
        """Store ``entry``; return what left the tier (possibly ``key`` itself: rejected).

        With a write buffer, what left is what this call's replay (if any) evicted; the
        entry being overwritten is never reported.
        """
        data = self._data
        size = entry.size
        weight = ceil(size / self._unit) or 1
        if self._write_buffer and key not in data:
            data[key] = entry
            self.bytes += size
            ops = self._ops
            ops.append((key, weight, entry.priority, entry.cost))
            self._writes += 1
            self._write_bytes += size
            if (
                self._writes < self._write_buffer
                and self._write_bytes < self._write_bytes_max
                and len(ops) < self._read_buffer
            ):
                return []
            return self._replay()
        evicted = self._replay() if self._ops else []
        if evicted:  # a replay may have evicted the entry this write replaces: superseded
            evicted = [gone for gone in evicted if gone[0] != key]
        old = data.pop(key, None)
        if old is not None:
            self.bytes -= old.size
            self._policy.on_remove(key)
        data[key] = entry
        self.bytes += size
        gone = self._policy.on_insert(key, weight, priority=entry.priority, cost=entry.cost)
        for gone_key in cast("list[str]", gone):  # the policy returns keys it was given
            e = data.pop(gone_key)
            self.bytes -= e.size
            evicted.append((gone_key, e, "rejected" if gone_key == key else "size"))
        return evicted

    def repack(self, key: str, value: object, size: int) -> None:
        """Give a resident entry another representation of the same value, in place, leaving
        the policy untouched (L2 compaction: the policy keeps the old, larger weight until
        the key is next written). The entry object is reused, not copied, so compacting
        tens of thousands of values allocates no entry objects."""
        entry = self._data.get(key)
        if entry is not None:
            self.bytes += size - entry.size
            entry.value = value
            entry.size = size

    def pop(self, key: str) -> CacheEntry | None:
        """Remove ``key``; return its entry if it was resident."""
        if self._writes:  # the policy must know every key before it forgets one
            evicted = self._replay(keep_last_reads=True)
            if evicted and self._on_evict is not None:
                self._on_evict(evicted)
        entry = self._data.pop(key, None)
        if entry is not None:
            self.bytes -= entry.size
            self._policy.on_remove(key)
        return entry
