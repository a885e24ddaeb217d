"""The in-process cache: L1 (objects) over L2 (compressed bytes), tags and statistics.

Synchronous and free of I/O, so sync code can use it directly and the async manager wraps it.

Flow: a put lands in L1. What L1 evicts or declines to admit, if it is ``bytes``, is
compressed into L2 (an exclusive victim tier, so L1 + L2 together hold more than either);
anything else leaves the cache. An L2 hit is decompressed and promoted back to L1.

Demotion is batched: L1's leavers wait (uncompressed) in a small pending buffer that is
compressed into L2 ``DEMOTE_BATCH`` at a time, so a write does not pay a compression and a
second policy insert. Pending entries are part of L2 for every read, write and invalidation;
reading the ``l2`` attribute, a snapshot or maintenance flushes the buffer first.

Freshness: an entry is *fresh* until ``fresh_until``, then *stale* (served only flagged, for
stale-while-revalidate) until ``stale_until``; after that lookups miss, but the entry stays
(``expired``) until the sweep reaches it, ``keep_expired`` seconds later, so it can still be
served stale while the loader's circuit is open.

Expiry index: each entry with a finite lifetime is filed under the whole second
(``EXPIRY_GRANULE``) at which the sweep may drop it, in a set per second, and the seconds are
kept in a heap. A sweep pops only the sets that are due and checks their keys, so its cost
follows what expires, not how much is cached (a scan of every key once a second was a fifth of
the service's CPU with 68k entries warmed). A re-put moves the key to its new second and a
drop takes it out, so the index holds exactly the live entries that have a deadline.
"""

from __future__ import annotations

import heapq
import math
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from scriptohio.cache.compression import DEFAULT_COMPRESSION, RAW, CompressionConfig, Compressor
from scriptohio.cache.entry import FOREVER, MISS, CacheEntry, CacheResult
from scriptohio.cache.stats import CacheStats
from scriptohio.cache.tier import Evicted, LocalTier, PolicyFactory, default_policy

MB = 1024 * 1024
# L1 leavers compressed into L2 per batch: one flush costs about this many compressions and
# L2 inserts (~0.1 ms at 32), well under the 1 ms the event loop may be blocked. The buffer
# also stays under 1/64 of L2's entry and byte bounds (a small L2 demotes at once).
DEMOTE_BATCH = 32
_NO_TAGS: frozenset[str] = frozenset()
EXPIRY_GRANULE = 1.0  # seconds per expiry bucket


@dataclass(frozen=True, slots=True)
class LocalConfig:
    """Bounds and freshness defaults of the local tiers."""

    max_entries: int = 10_000
    max_bytes: int = 200 * MB
    l2_max_entries: int = 50_000
    l2_max_bytes: int = 100 * MB
    default_ttl: float | None = None
    stale_ttl: float = 60.0
    keep_expired: float = 3600.0
    # L1 inserts replayed into the policy this many at a time (at most 1/64 of max_entries;
    # 0: every write runs the policy at once). See tier.py.
    l1_write_buffer: int = 16
    compression: CompressionConfig = field(default_factory=lambda: DEFAULT_COMPRESSION)


DEFAULT_LOCAL = LocalConfig()


def size_of(value: object) -> int:
    """Bytes charged for ``value``: exact for bytes/str, a flat estimate otherwise."""
    if type(value) is bytes or isinstance(value, bytes | bytearray | memoryview):
        return len(value)
    if isinstance(value, str):
        return len(value.encode())
    return 256


class LocalCache:
    """L1 + L2 with tag index and statistics; all methods are O(1) except invalidation."""

    def __init__(
        self,
        config: LocalConfig = DEFAULT_LOCAL,
        *,
        timer: Callable[[], float] = time.monotonic,
        policy: PolicyFactory = default_policy,
    ) -> None:
        self.config = config
        self.timer = timer
        self.l1 = LocalTier(
            max_entries=config.max_entries, max_bytes=config.max_bytes, policy=policy,
            write_buffer=config.l1_write_buffer, on_evict=self._settle,
        )
        self._l2 = LocalTier(
            max_entries=config.l2_max_entries, max_bytes=config.l2_max_bytes, policy=policy
        )
        self._pending: dict[str, CacheEntry] = {}  # L1 leavers not yet compressed into L2
        self._pending_bytes = 0
        self._demoted = 0  # leavers not yet added to stats.evictions["demoted"]
        self._pending_max = min(DEMOTE_BATCH, config.l2_max_entries // 64)
        self._pending_max_bytes = config.l2_max_bytes // 64
        self.compressor = Compressor(config.compression)
        self.stats = CacheStats()
        self._tags: dict[str, set[str]] = {}
        # due second -> keys filed there; a set emptied by moves stays until its second is
        # due, so the heap never holds a second twice
        self._expiry: dict[int, set[str]] = {}
        self._expiry_seconds: list[int] = []  # heap of the keys of _expiry
        self.last_snapshot: dict[str, object] = {}

    @property
    def l2(self) -> LocalTier:
        """The L2 tier, with every pending demotion already in it."""
        if self._pending or self._demoted:
            self.flush_demotions()
        return self._l2

    def holds(self, key: str) -> bool:
        """True if any local tier has ``key`` (fresh or not)."""
        return key in self.l1 or key in self._pending or key in self._l2

    # -- reads ------------------------------------------------------------------------------
    def lookup(self, key: str) -> CacheResult:
        """Fresh hit (``l1``/``l2``), ``stale`` within the stale window, else ``miss``."""
        return self._resolve(key, self.l1.get(key))

    def fresh_in_l1(self, key: str) -> bool:
        """True if L1 holds a fresh value for ``key``; no statistics, no policy access."""
        entry = self.l1.peek(key)
        return entry is not None and self.timer() < entry.fresh_until

    def get(self, key: str) -> object | None:
        """The fresh value for ``key`` or None (the plan's ``cache.get``)."""
        entry = self.l1.get(key)
        # Fast path for the common case, a fresh L1 hit: no result object is built.
        if entry is not None and self.timer() < entry.fresh_until and not entry.preloaded:
            stats = self.stats
            stats.l1_fast_hits += 1
            stats.hit_bytes += entry.size
            return entry.value
        result = self._resolve(key, entry)
        return None if result.stale else result.value

    def _resolve(self, key: str, entry: CacheEntry | None) -> CacheResult:
        """Classify ``entry`` (already read from L1, or None: then try L2) and count it."""
        tier = "l1"
        if entry is None:
            entry = self._promote(key)
            tier = "l2"
        if entry is None:
            self.stats.misses += 1
            return MISS
        now = self.timer()
        if now < entry.fresh_until:
            result = CacheResult(entry.value, tier)  # type: ignore[arg-type]
        elif now < entry.stale_until:
            result = CacheResult(entry.value, "stale", stale=True)
        else:
            self.stats.misses += 1
            return MISS
        self.stats.hits[result.tier] += 1
        self.stats.hit_bytes += entry.size
        if entry.preloaded:
            entry.preloaded = False
            self.stats.preload_hits += 1
        return result

    def expired_value(self, key: str) -> object | None:
        """A value past its stale window but not yet swept (for circuit-open fallbacks)."""
        entry = self.l1.peek(key) or self._pending.get(key)
        if entry is None:
            stored = self._l2.peek(key)
            if stored is None:
                return None
            return self.compressor.decode(stored.value)  # type: ignore[arg-type]
        return entry.value

    def _promote(self, key: str) -> CacheEntry | None:
        entry = self._take_pending(key) if self._pending else None
        if entry is None:
            stored = self._l2.pop(key)
            if stored is None:
                return None
            raw = self.compressor.decode(stored.value)  # type: ignore[arg-type]
            entry = stored.with_value(raw, len(raw))
        evicted = self.l1.put(key, entry)
        if evicted:
            self._settle(evicted)
        return entry

    # -- writes -----------------------------------------------------------------------------
    def put(
        self,
        key: str,
        value: object,
        *,
        ttl: float | None = None,
        tags: Iterable[str] = (),
        priority: int = 3,
        cost: float = 1.0,
        preloaded: bool = False,
    ) -> CacheEntry:
        """Store ``value`` in L1 (priority 1..5, cost = seconds to recompute).

        A ``bytes`` value is held as an exactly sized copy: encoders hand out bytes whose
        allocation is several times their length (an ``orjson.dumps`` of a 2 KB answer keeps
        about 8 KB), and a cache keeps its values for hours (``bench/memory_per_answer.py``).
        """
        if type(value) is bytes:
            value = bytes(memoryview(value))
        entry = self._entry(value, len(value) if type(value) is bytes else size_of(value),
                            ttl, tags, priority, cost, preloaded)
        old = self._take_pending(key) if self._pending else None
        if old is None and self._l2.peek(key) is not None:
            old = self._l2.pop(key)
        if old is not None:
            self._forget(key, old)
        l1 = self.l1
        previous = l1.peek(key)
        if previous is not None:
            self._forget(key, previous)
        self._remember(key, entry)
        evicted = l1.put(key, entry)
        if evicted:
            self._settle(evicted)
        return entry

    def put_stored(
        self,
        key: str,
        stored: bytes,
        *,
        ttl: float | None = None,
        tags: Iterable[str] = (),
        priority: int = 3,
        cost: float = 1.0,
    ) -> CacheEntry:
        """Store a value already in the compressor's stored form (codec byte + payload, as
        :meth:`Compressor.encode` or the shared tier gives it) straight into L2.

        For answers nobody has asked for yet (warming, or copies pulled from the shared
        tier): they stay compressed until first read, which promotes them to L1."""
        entry = self._entry(bytes(memoryview(stored)), len(stored), ttl, tags, priority, cost)
        for previous in (self.l1.pop(key), self._take_pending(key), self._l2.pop(key)):
            if previous is not None:
                self._forget(key, previous)
        self._remember(key, entry)
        for gone, e, why in self._l2.put(key, entry):
            self._drop_record(gone, e, why)
        return entry

    def _entry(self, value: object, size: int, ttl: float | None, tags: Iterable[str],
               priority: int, cost: float, preloaded: bool = False) -> CacheEntry:
        config = self.config
        if ttl is None:
            ttl = config.default_ttl
        if ttl is None:
            fresh = stale = FOREVER
        else:
            fresh = self.timer() + ttl
            stale = fresh + config.stale_ttl
        if not 1 <= priority <= 5:
            priority = min(5, max(1, priority))
        if not cost >= 1e-6:
            cost = max(cost, 1e-6)
        return CacheEntry(value, size, fresh, stale, self._tag_set(tags) if tags else _NO_TAGS,
                          priority, cost, preloaded)

    @staticmethod
    def _tag_set(tags: Iterable[str]) -> frozenset[str]:
        """``tags`` as a frozenset of interned strings: each tag is held once however many
        entries carry it (tens of thousands of answers share a few thousand tags); interned
        strings are freed with their last entry."""
        return frozenset(map(sys.intern, tags))

    def _remember(self, key: str, entry: CacheEntry) -> None:
        for tag in entry.tags:
            self._tags.setdefault(tag, set()).add(key)
        if entry.stale_until != FOREVER:
            self._file_expiry(key, entry.stale_until)

    def _forget(self, key: str, entry: CacheEntry) -> None:
        self._unindex(key, entry.tags)
        self._unfile_expiry(key, entry)

    def _expiry_second(self, stale_until: float) -> int:
        return math.ceil((stale_until + self.config.keep_expired) / EXPIRY_GRANULE)

    def _file_expiry(self, key: str, stale_until: float) -> None:
        self._file_at(key, self._expiry_second(stale_until))

    def _file_at(self, key: str, due: int) -> None:
        bucket = self._expiry.get(due)
        if bucket is None:
            self._expiry[due] = {key}
            heapq.heappush(self._expiry_seconds, due)
        else:
            bucket.add(key)

    def _unfile_expiry(self, key: str, entry: CacheEntry) -> None:
        if entry.stale_until != FOREVER:
            bucket = self._expiry.get(self._expiry_second(entry.stale_until))
            if bucket is not None:
                bucket.discard(key)

    def _settle(self, evicted: list[Evicted]) -> None:
        """Queue what L1 let go for L2 (bytes only); drop the rest."""
        pending = self._pending
        for key, entry, reason in evicted:
            if isinstance(entry.value, bytes):
                pending[key] = entry
                self._pending_bytes += entry.size
                self._demoted += 1  # counted as it leaves L1, even if it returns before a flush
            else:
                self._drop_record(key, entry, reason)
        if len(pending) >= self._pending_max or self._pending_bytes >= self._pending_max_bytes:
            self.flush_demotions()

    def _take_pending(self, key: str) -> CacheEntry | None:
        entry = self._pending.pop(key, None)
        if entry is not None:
            self._pending_bytes -= entry.size
        return entry

    def flush_demotions(self) -> None:
        """Compress the pending L1 leavers into L2, oldest first."""
        pending, self._pending = self._pending, {}
        self._pending_bytes = 0
        if self._demoted:
            self.stats.evictions["demoted"] += self._demoted
            self._demoted = 0
        encode = self.compressor.encode
        l2 = self._l2
        for key, entry in pending.items():
            stored = encode(entry.value)  # type: ignore[arg-type]
            for k, e, why in l2.put(key, entry.with_value(stored, len(stored))):
                self._drop_record(k, e, why)

    def _drop_record(self, key: str, entry: CacheEntry, reason: str) -> None:
        self.stats.evictions[reason] += 1
        self._unindex(key, entry.tags)
        self._unfile_expiry(key, entry)

    def _unindex(self, key: str, tags: frozenset[str]) -> None:
        for tag in tags:
            keys = self._tags.get(tag)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._tags[tag]

    # -- invalidation -----------------------------------------------------------------------
    def invalidate(self, key: str) -> bool:
        """Drop ``key`` from every local tier; True if it was there."""
        return self._remove(key, "invalidated")

    def _remove(self, key: str, reason: str) -> bool:
        found = False
        # In this order: L1's pop may replay buffered writes, moving leavers to the pending
        # list, which is emptied next.
        for entry in (self.l1.pop(key), self._take_pending(key), self._l2.pop(key)):
            if entry is not None:
                found = True
                self._drop_record(key, entry, reason)
        return found

    def invalidate_tag(self, tag: str) -> list[str]:
        """Drop every key carrying ``tag``; return them."""
        keys = sorted(self._tags.get(tag, ()))
        for key in keys:
            self.invalidate(key)
        return keys

    def invalidate_where(self, predicate: Callable[[str, frozenset[str]], bool]) -> list[str]:
        """Drop every key for which ``predicate(key, tags)`` holds; return them."""
        doomed = []
        for tier in (self.l1, self.l2):
            for key in tier.snapshot_keys():
                entry = tier.peek(key)
                if entry is not None and predicate(key, entry.tags):
                    doomed.append(key)
        for key in doomed:
            self.invalidate(key)
        return doomed

    # -- maintenance ------------------------------------------------------------------------
    def due_keys(self) -> Iterator[str]:
        """Take the keys filed under seconds that have passed, one second's set at a time as
        the iterator is consumed (a sweep in slices never copies a large set); :meth:`sweep`
        checks each key again, as it may be re-put or dropped while the sweep yields."""
        now = self.timer() / EXPIRY_GRANULE
        seconds, buckets = self._expiry_seconds, self._expiry
        while seconds and seconds[0] < now:
            bucket = buckets.pop(heapq.heappop(seconds))
            # Emptied as it is handed out: freeing a spent set of 25k keys at once (their
            # last references) was a 0.3-0.5 ms step of its own.
            while bucket:
                yield bucket.pop()

    @property
    def expiry_backlog(self) -> int:
        """Keys filed in the expiry index and not yet handed to a sweep."""
        return sum(map(len, self._expiry.values()))

    def sweep(self, keys: Iterable[str]) -> int:
        """Drop the given keys if they are past ``stale_until + keep_expired``; count them.

        A key that is not (a re-put moved its deadline, or the clock is a rounding short) is
        filed again, at the next second at the earliest, so a key handed out by
        :meth:`due_keys` is never lost from the index."""
        now = self.timer()
        limit = now - self.config.keep_expired
        next_second = math.floor(now / EXPIRY_GRANULE) + 1
        dropped = 0
        for key in keys:
            entry = self.l1.peek(key) or self._pending.get(key) or self._l2.peek(key)
            if entry is None:
                continue
            if entry.stale_until < limit:
                dropped += self._remove(key, "expired")
            elif entry.stale_until != FOREVER:
                self._file_at(key, max(self._expiry_second(entry.stale_until), next_second))
        return dropped

    def compact_l2(self, keys: Iterable[str]) -> int:
        """Re-encode raw L2 values that the (newly trained) dictionary now shrinks; return the
        bytes saved."""
        saved = 0
        if not self.compressor.has_dictionary:
            return 0
        for key in keys:
            entry = self.l2.peek(key)
            if entry is None or not isinstance(entry.value, bytes) or entry.value[:1] != RAW:
                continue
            packed = self.compressor.encode(self.compressor.decode(entry.value))
            if len(packed) < entry.size:
                saved += entry.size - len(packed)
                self.l2.repack(key, packed, len(packed))
        return saved

    def snapshot(self) -> dict[str, object]:
        """Statistics as a JSON-ready dict."""
        return self.stats.snapshot(
            tier_bytes={"l1": self.l1.bytes, "l2": self.l2.bytes},
            compression_ratio=self.compressor.ratio,
        )
