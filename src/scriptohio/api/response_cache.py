"""The service's cache of encoded answers, on top of :mod:`scriptohio.cache`.

Interim implementation: an in-process LRU with tags, until the multi-level cache lands.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from scriptohio.events import EventBus

DEFAULT_MAX_ENTRIES = 50_000


@dataclass(frozen=True, slots=True)
class Hit:
    value: bytes
    tier: str  # "hit-l1" | "hit-l2" | "hit-shared" | "stale"


class _Stats:
    def __init__(self, cache: ResponseCache) -> None:
        self._cache = cache

    def stats(self) -> Mapping[str, float]:
        c = self._cache
        total = c.hits + c.misses
        return {"hits": c.hits, "misses": c.misses, "hit_ratio": c.hits / total if total else 0.0,
                "entries": len(c._entries)}


class ResponseCache:
    def __init__(self, redis_url: str | None, *, bus: EventBus,
                 max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        self.redis_url = redis_url
        self.max_entries = max_entries
        self._entries: OrderedDict[str, tuple[bytes, tuple[str, ...]]] = OrderedDict()
        self._by_tag: dict[str, set[str]] = {}
        self.hits = 0
        self.misses = 0

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    def stats_source(self) -> _Stats:
        return _Stats(self)

    async def get(self, key: str, *, allow_stale: bool = False) -> Hit | None:
        entry = self._entries.get(key)
        if entry is None:
            if not allow_stale:
                self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return Hit(entry[0], "hit-l1")

    async def put(self, key: str, value: bytes, *, tags: Iterable[str] = (),
                  cost: float = 0.0) -> None:
        tags = tuple(tags)
        self._entries[key] = (value, tags)
        for tag in tags:
            self._by_tag.setdefault(tag, set()).add(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    async def invalidate_tags(self, tags: Iterable[str]) -> int:
        removed = 0
        for tag in tags:
            for key in self._by_tag.pop(tag, set()):
                if self._entries.pop(key, None) is not None:
                    removed += 1
        return removed

    async def delete(self, key: str) -> bool:
        return self._entries.pop(key, None) is not None

    async def clear(self) -> int:
        n = len(self._entries)
        self._entries.clear()
        self._by_tag.clear()
        return n
