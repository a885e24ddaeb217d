"""The in-process cache: L1 (objects) over L2 (compressed bytes), tags and statistics.

Synchronous and free of I/O, so sync code can use it directly and the async manager wraps it.

Flow: a put lands in L1. What L1 evicts or declines to admit, if it is ``bytes``, is
compressed into L2 (an exclusive victim tier, so L1 + L2 together hold more than either);
anything else leaves the cache. An L2 hit is decompressed and promoted back to L1.

Freshness: an entry is *fresh* until ``fresh_until``, then *stale* (served only flagged, for
stale-while-revalidate) until ``stale_until``; after that lookups miss, but the entry stays
(``expired``) until the sweep reaches it, ``keep_expired`` seconds later, so it can still be
served stale while the loader's circuit is open.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from scriptohio.cache.compression import DEFAULT_COMPRESSION, RAW, CompressionConfig, Compressor
from scriptohio.cache.entry import FOREVER, MISS, CacheEntry, CacheResult
from scriptohio.cache.stats import CacheStats
from scriptohio.cache.tier import Evicted, LocalTier, PolicyFactory, default_policy

MB = 1024 * 1024


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
    compression: CompressionConfig = field(default_factory=lambda: DEFAULT_COMPRESSION)


DEFAULT_LOCAL = LocalConfig()


def size_of(value: object) -> int:
    """Bytes charged for ``value``: exact for bytes/str, a flat estimate otherwise."""
    if isinstance(value, bytes | bytearray | memoryview):
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
            max_entries=config.max_entries, max_bytes=config.max_bytes, policy=policy
        )
        self.l2 = LocalTier(
            max_entries=config.l2_max_entries, max_bytes=config.l2_max_bytes, policy=policy
        )
        self.compressor = Compressor(config.compression)
        self.stats = CacheStats()
        self._tags: dict[str, set[str]] = {}
        self.last_snapshot: dict[str, object] = {}

    # -- reads ------------------------------------------------------------------------------
    def lookup(self, key: str) -> CacheResult:
        """Fresh hit (``l1``/``l2``), ``stale`` within the stale window, else ``miss``."""
        return self._resolve(key, self.l1.get(key))

    def get(self, key: str) -> object | None:
        """The fresh value for ``key`` or None (the plan's ``cache.get``)."""
        entry = self.l1.get(key)
        # Fast path for the common case, a fresh L1 hit: no result object is built.
        if entry is not None and self.timer() < entry.fresh_until and not entry.preloaded:
            stats = self.stats
            stats.hits["l1"] += 1
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
        entry = self.l1.peek(key)
        if entry is None:
            stored = self.l2.peek(key)
            if stored is None:
                return None
            return self.compressor.decode(stored.value)  # type: ignore[arg-type]
        return entry.value

    def _promote(self, key: str) -> CacheEntry | None:
        stored = self.l2.pop(key)
        if stored is None:
            return None
        raw = self.compressor.decode(stored.value)  # type: ignore[arg-type]
        entry = stored.with_value(raw, len(raw))
        self._settle(self.l1.put(key, entry))
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
        """Store ``value`` in L1 (priority 1..5, cost = seconds to recompute)."""
        ttl = self.config.default_ttl if ttl is None else ttl
        now = self.timer()
        fresh = FOREVER if ttl is None else now + ttl
        entry = CacheEntry(
            value,
            size_of(value),
            fresh_until=fresh,
            stale_until=FOREVER if ttl is None else fresh + self.config.stale_ttl,
            tags=frozenset(tags),
            priority=min(5, max(1, priority)),
            cost=max(cost, 1e-6),
            preloaded=preloaded,
        )
        old = self.l2.pop(key)
        if old is not None:
            self._unindex(key, old.tags)
        previous = self.l1.peek(key)
        if previous is not None:
            self._unindex(key, previous.tags)
        for tag in entry.tags:
            self._tags.setdefault(tag, set()).add(key)
        self._settle(self.l1.put(key, entry))
        return entry

    def _settle(self, evicted: list[Evicted]) -> None:
        """Demote what L1 let go into L2 (bytes only); drop the rest."""
        for key, entry, reason in evicted:
            if isinstance(entry.value, bytes):
                stored = self.compressor.encode(entry.value)
                demoted = entry.with_value(stored, len(stored))
                self.stats.evictions["demoted"] += 1
                for k, e, why in self.l2.put(key, demoted):
                    self._drop_record(k, e, why)
            else:
                self._drop_record(key, entry, reason)

    def _drop_record(self, key: str, entry: CacheEntry, reason: str) -> None:
        self.stats.evictions[reason] += 1
        self._unindex(key, entry.tags)

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
        found = False
        for tier in (self.l1, self.l2):
            entry = tier.pop(key)
            if entry is not None:
                found = True
                self._drop_record(key, entry, "invalidated")
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
    def sweep(self, keys: Iterable[str]) -> int:
        """Drop the given keys if they are past ``stale_until + keep_expired``; count them."""
        limit = self.timer() - self.config.keep_expired
        dropped = 0
        for key in keys:
            for tier in (self.l1, self.l2):
                entry = tier.peek(key)
                if entry is not None and entry.stale_until < limit:
                    tier.pop(key)
                    self._drop_record(key, entry, "expired")
                    dropped += 1
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
                self.l2.replace(key, entry.with_value(packed, len(packed)))
        return saved

    def snapshot(self) -> dict[str, object]:
        """Statistics as a JSON-ready dict."""
        return self.stats.snapshot(
            tier_bytes={"l1": self.l1.bytes, "l2": self.l2.bytes},
            compression_ratio=self.compressor.ratio,
        )
