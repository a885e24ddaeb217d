"""What a cache holds per key, and what a lookup answers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, NamedTuple

Tier = Literal["l1", "l2", "shared", "miss", "stale"]
FOREVER = float("inf")


class CacheEntry:
    """One cached value with its freshness, tags and eviction value.

    ``fresh_until``: served as a normal hit before this clock time; ``stale_until``: after
    ``fresh_until`` and before this, served only flagged *stale* (stale-while-revalidate).
    Arguments may be given by position (in this order) on hot paths.
    """

    __slots__ = (
        "cost",
        "fresh_until",
        "preloaded",
        "priority",
        "size",
        "stale_until",
        "tags",
        "value",
    )

    def __init__(
        self,
        value: object,
        size: int,
        fresh_until: float = FOREVER,
        stale_until: float = FOREVER,
        tags: frozenset[str] = frozenset(),
        priority: int = 3,
        cost: float = 1.0,
        preloaded: bool = False,
    ) -> None:
        self.value = value
        self.size = size
        self.fresh_until = fresh_until
        self.stale_until = stale_until
        self.tags = tags
        self.priority = priority
        self.cost = cost
        self.preloaded = preloaded

    def with_value(self, value: object, size: int) -> CacheEntry:
        """The same entry (freshness, tags, eviction value) holding another representation
        of its value: compressed for L2, decompressed on promotion to L1."""
        return CacheEntry(value, size, self.fresh_until, self.stale_until, self.tags,
                          self.priority, self.cost, self.preloaded)


class CacheResult(NamedTuple):
    """The answer to a lookup: the value (None on a miss) and the tier that served it.

    A NamedTuple rather than a frozen dataclass: it is built on every hit, and tuples are
    several times cheaper to create.
    """

    value: object
    tier: Tier
    stale: bool = False

    @property
    def hit(self) -> bool:
        """True when a value was served (fresh or stale)."""
        return self.tier != "miss"

    @property
    def header(self) -> str:
        """The ``X-Cache`` header value: hit-l1 | hit-l2 | hit-shared | miss | stale."""
        if self.tier in ("l1", "l2", "shared"):
            return f"hit-{self.tier}"
        return self.tier


MISS = CacheResult(None, "miss")


@dataclass(frozen=True, slots=True)
class Loaded:
    """What a preload loader may return instead of a bare value: the value with the ttl, tags
    and priority it must be stored under (so tag invalidation reaches preloaded entries)."""

    value: object
    tags: tuple[str, ...] = ()
    ttl: float | None = None
    priority: int = 3
