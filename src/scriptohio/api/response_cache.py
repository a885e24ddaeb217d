"""The service's cache of encoded answers: :class:`scriptohio.cache.CacheManager` configured
for response bodies, plus the view the monitor reads.

Answers are cached for an hour and served stale for a further day while one refresh runs
(stale-while-revalidate), or while the agent's circuit is open. Explicit invalidation (ingest,
model reload, admin) is what normally retires an answer; the TTL only bounds how long a
forgotten entry can live. With ``SCRIPTOHIO_REDIS_URL`` set, answers are shared between
processes and invalidations are broadcast to them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

from scriptohio.api.recipe_book import RecipeBook
from scriptohio.api.recipes import Recipe
from scriptohio.cache import CacheManager, CacheResult, Loaded, make_cache_manager
from scriptohio.cache.shared import SharedTier
from scriptohio.config import DEFAULT_CACHE_NAMESPACE

__all__ = ["DEFAULT_TTL_S", "PRELOAD_PRIORITY", "ResponseCache"]

DEFAULT_MAX_MB = 256
DEFAULT_MAX_ENTRIES = 100_000
DEFAULT_TTL_S = 3600.0
PRELOAD_PRIORITY = 2
KeepFactory = Callable[[], Callable[[], bool]]


class _MonitorView:
    """``stats()`` in the monitor's shape: per tier hits, misses and bytes.

    Tiers are consulted in order (l1, l2, then the shared tier when there is one), so a tier's
    misses are the lookups it did not answer: everything a later tier answered plus the
    misses of all of them."""

    def __init__(self, manager: CacheManager) -> None:
        self._manager = manager

    def stats(self) -> Mapping[str, float]:
        snap: dict[str, Any] = self._manager.stats
        hits: dict[str, int] = snap["hits"]
        tier_bytes: dict[str, int] = snap["bytes"]
        evictions = sum(snap["evictions"].values())
        shared_hits = hits.get("shared", 0) + hits.get("stale", 0)
        misses = snap["misses"]
        out = {
            "l1.hits": hits.get("l1", 0), "l1.bytes": tier_bytes.get("l1", 0),
            "l1.misses": hits.get("l2", 0) + shared_hits + misses,
            "l1.evictions": evictions,
            "l1.preload_precision": snap["preload"]["precision"],
            "l2.hits": hits.get("l2", 0), "l2.bytes": tier_bytes.get("l2", 0),
            "l2.misses": shared_hits + misses,
        }
        if self._manager.shared is not None or shared_hits:
            out |= {"shared.hits": shared_hits, "shared.misses": misses}
        return {k: float(v) for k, v in out.items()}


class ResponseCache:
    """Encoded answers by key, with tags; see the module docstring."""

    def __init__(self, redis_url: str | None, *,
                 max_mb: float = DEFAULT_MAX_MB, max_entries: int = DEFAULT_MAX_ENTRIES,
                 ttl_s: float = DEFAULT_TTL_S, namespace: str = DEFAULT_CACHE_NAMESPACE,
                 saturated: Callable[[], bool] = lambda: False) -> None:
        self.manager = make_cache_manager(max_mb, max_entries, redis_url=redis_url,
                                          namespace=namespace)
        self.manager.saturated = saturated
        self.ttl_s = ttl_s
        self.recipes = RecipeBook()
        self._preload: Callable[[str], Awaitable[Loaded]] | None = None
        self._keep: KeepFactory | None = None

    @property
    def shared(self) -> SharedTier | None:
        """The shared (Redis) tier, if configured."""
        return self.manager.shared

    @property
    def origin(self) -> str:
        """This process's id in the shared tier (claims, invalidation messages)."""
        return self.manager.origin

    def enable_preloading(self, compute: Callable[[Recipe], Awaitable[bytes]], *,
                          keep: KeepFactory | None = None) -> None:
        """Preload predicted successors of each access, computing them with ``compute``;
        ``keep()`` makes the check a preload must pass to be stored (see ``get_or_load``)."""

        async def load(key: str) -> Loaded:
            recipe = self.recipes.get(key)
            if recipe is None:
                raise KeyError(f"no recipe for {key!r}")
            return Loaded(await compute(recipe), tags=recipe.tags, ttl=self.ttl_s,
                          priority=PRELOAD_PRIORITY)

        self._preload = load
        self._keep = keep

    def after_access(self, key: str, recipe: Recipe, *, session: str) -> None:
        """Remember how ``key`` is computed; start preloads of its likely successors."""
        if self._preload is None:
            return
        self.recipes.remember(key, recipe)
        self.manager.preload_predicted_entries(
            key, self._preload, session=session,
            keep=None if self._keep is None else self._keep())

    async def start(self) -> None:
        await self.manager.start()

    async def stop(self) -> None:
        await self.manager.close()

    def stats_source(self) -> _MonitorView:
        return _MonitorView(self.manager)

    def fresh_local(self, key: str) -> CacheResult | None:
        """The entry for ``key`` if L1 holds it fresh (counted as a hit), else None: looked at
        without counting a miss, so a caller that falls back to ``get_or_load`` counts once."""
        if not self.manager.local.fresh_in_l1(key):
            return None
        return self.manager.lookup(key)

    async def get_or_load(self, key: str, loader: Callable[[], Awaitable[bytes]], *,
                          tags: Iterable[str], priority: int = 3,
                          keep: Callable[[], bool] | None = None) -> CacheResult:
        """The cached bytes, else ``loader()``'s, stored only if ``keep()`` still holds."""
        return await self.manager.get_or_load(key, loader, ttl=self.ttl_s, tags=tags,
                                              priority=priority, keep=keep)

    def put_many(self, entries: Iterable[tuple[Recipe, bytes]], *, priority: int,
                 cost: float) -> int:
        """Store computed answers in the local tiers (bulk work: warming); returns how many."""
        n = 0
        for recipe, body in entries:
            self.manager.put(recipe.key, body, ttl=self.ttl_s, tags=recipe.tags,
                             priority=priority, cost=cost, share=False)
            n += 1
        return n

    def put_stored_many(self, entries: Iterable[tuple[Recipe, bytes]], *, priority: int,
                        cost: float) -> int:
        """:meth:`put_many` for answers already compressed (``Compressor.encode(...,
        portable=True)``): they stay compressed (L2) until first read; returns how many."""
        n = 0
        for recipe, stored in entries:
            self.manager.put_stored(recipe.key, stored, ttl=self.ttl_s, tags=recipe.tags,
                                    priority=priority, cost=cost)
            n += 1
        return n

    async def share_stored(self, entries: Iterable[tuple[Recipe, bytes]], *, priority: int,
                           cost: float, index: str | None = None) -> bool:
        """Write compressed answers to the shared tier in one pipeline, their keys listed
        under ``index`` for :meth:`pull` (False: not stored)."""
        if self.manager.shared is None:
            return False
        return await self.manager.share_stored(
            ((recipe.key, stored, self.ttl_s, recipe.tags, priority, cost)
             for recipe, stored in entries), index=index)

    async def pull(self, index: str) -> int | None:
        """Copy the answers another process shared under ``index`` into the local tiers
        (compressed); how many, or None when that index is not (yet) in the shared tier."""
        return await self.manager.pull(index)

    async def invalidate_tags(self, tags: Iterable[str]) -> int:
        removed = 0
        for tag in tags:
            removed += len(await self.manager.ainvalidate_tag(tag))
        return removed

    async def delete(self, key: str) -> bool:
        return await self.manager.ainvalidate(key)

    async def clear(self) -> int:
        return len(self.manager.invalidate_where(lambda _key, _tags: True))
