"""The cache manager: local tiers + shared Redis tier + loaders, for async and sync callers.

* ``lookup``/``get``/``put``/``invalidate*``: synchronous, local tiers (shared writes and
  invalidations are scheduled in the background when an event loop runs).
* ``aget``/``aput``/``ainvalidate*``: the same through the shared tier as well.
* ``get_or_load``: single flight per key; the loader's duration becomes the entry's cost;
  loader errors are never cached; a stale value is served at once while one refresh runs, and
  an expired one is served (stale) when the loader fails with a ServiceError (circuit open).
* ``preload_predicted_entries``: learn successors, preload the likely next keys in budget.
* ``put_stored``/``share_stored``/``pull``: bulk work (warming): values already compressed go
  straight to L2 and to Redis with an index of their keys, from which another process copies
  them in bulk, still compressed.
* ``start()``/``close()``: the pub/sub invalidation listener and the maintenance task.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from typing import Any

from scriptohio.cache.compression import Compressor
from scriptohio.cache.entry import CacheResult, Loaded
from scriptohio.cache.local import DEFAULT_LOCAL, LocalCache, LocalConfig
from scriptohio.cache.maintenance import DEFAULT_MAINTENANCE, MaintenanceConfig, run_maintenance
from scriptohio.cache.preload import DEFAULT_PRELOAD, PreloadConfig, SuccessorModel
from scriptohio.cache.shared import SharedTier, SharedValue
from scriptohio.cache.singleflight import SingleFlight
from scriptohio.errors import ServiceError

log = logging.getLogger(__name__)
Loader = Callable[[], Awaitable[Any]]
KeyLoader = Callable[[str], Awaitable[Any]]
#: values stored by :meth:`CacheManager.pull` between yields to the loop (~0.5 ms)
PULL_SLICE = 128


class CacheManager:
    """Multi-level cache; see the module docstring."""

    def __init__(
        self,
        config: LocalConfig = DEFAULT_LOCAL,
        *,
        shared: SharedTier | None = None,
        preload: PreloadConfig = DEFAULT_PRELOAD,
        maintenance: MaintenanceConfig = DEFAULT_MAINTENANCE,
        timer: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        saturated: Callable[[], bool] = lambda: False,
        local: LocalCache | None = None,
    ) -> None:
        self.local = local or LocalCache(config, timer=timer)
        self.shared = shared
        self.timer = timer
        self.wall = wall
        self.saturated = saturated
        self.successors = SuccessorModel(preload)
        self.origin = uuid.uuid4().hex
        self._maintenance_config = maintenance
        self._flights: SingleFlight[Any] = SingleFlight()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._preloading: set[str] = set()
        self._stop = asyncio.Event()
        self._daemons: list[asyncio.Task[None]] = []

    @property
    def stats(self) -> dict[str, object]:
        """Statistics snapshot (see :class:`~scriptohio.cache.stats.CacheStats`)."""
        snap = self.local.snapshot()
        snap["shared_errors"] = self.shared.errors if self.shared else 0
        snap["shared_circuit"] = self.shared.breaker.state.value if self.shared else "disabled"
        return snap

    @property
    def compressor(self) -> Compressor:
        """The compressor shared by L2 and the shared tier."""
        return self.local.compressor

    # -- sync, local ------------------------------------------------------------------------
    def lookup(self, key: str) -> CacheResult:
        """Local tiers only; never blocks."""
        return self.local.lookup(key)

    def get(self, key: str) -> object | None:
        """The fresh local value or None."""
        return self.local.get(key)

    def put(
        self,
        key: str,
        value: object,
        *,
        priority: int = 3,
        cost: float = 1.0,
        ttl: float | None = None,
        tags: Iterable[str] = (),
        share: bool = True,
    ) -> None:
        """Store locally; bytes values are also written to the shared tier in the background
        (unless ``share=False``: bulk writers batch them with :meth:`share_stored`)."""
        tags = tuple(tags)
        self.local.put(key, value, ttl=ttl, tags=tags, priority=priority, cost=cost)
        if share and self.shared is not None and isinstance(value, bytes):
            self._spawn(self._share(key, value, ttl, tags, priority, cost))

    def invalidate(self, key: str) -> bool:
        """Drop ``key`` here; everywhere else in the background."""
        found = self.local.invalidate(key)
        if self.shared is not None:
            self._spawn(self._shared_invalidate(keys=[key]))
        return found

    def invalidate_tag(self, tag: str) -> list[str]:
        """Drop keys tagged ``tag`` here; everywhere else in the background."""
        keys = self.local.invalidate_tag(tag)
        if self.shared is not None:
            self._spawn(self._shared_invalidate(tag=tag))
        return keys

    def invalidate_where(self, predicate: Callable[[str, frozenset[str]], bool]) -> list[str]:
        """Drop matching keys here and their shared copies (predicates do not cross processes)."""
        keys = self.local.invalidate_where(predicate)
        if self.shared is not None and keys:
            self._spawn(self._shared_invalidate(keys=keys))
        return keys

    # -- async ------------------------------------------------------------------------------
    async def aget(self, key: str) -> CacheResult:
        """Local tiers, then the shared tier (a shared hit is promoted to L1)."""
        result = self.local.lookup(key)
        if result.tier != "miss" or self.shared is None:
            return result
        found = await self.shared.get(key)
        if found is None:
            return result
        try:
            value = self.compressor.decode(found.stored)
        except ValueError:
            return result
        remaining = found.fresh_until_wall - self.wall()
        if remaining + self.local.config.stale_ttl <= 0:
            return result  # past its stale window too: a miss, as in the local tiers
        self.local.put(
            key, value, ttl=remaining, tags=found.tags, priority=found.priority, cost=found.cost
        )
        stats = self.local.stats
        stats.misses -= 1  # the local miss above became a shared hit
        stale = remaining <= 0
        stats.hits["stale" if stale else "shared"] += 1
        stats.hit_bytes += len(value)
        return CacheResult(value, "stale" if stale else "shared", stale=stale)

    async def aput(
        self,
        key: str,
        value: object,
        *,
        priority: int = 3,
        cost: float = 1.0,
        ttl: float | None = None,
        tags: Iterable[str] = (),
    ) -> None:
        """Store locally and (awaited) in the shared tier."""
        tags = tuple(tags)
        self.put(key, value, priority=priority, cost=cost, ttl=ttl, tags=tags, share=False)
        await self._share(key, value, ttl, tags, priority, cost)

    async def ainvalidate(self, key: str) -> bool:
        """Drop ``key`` everywhere, awaiting the shared tier."""
        found = self.local.invalidate(key)
        await self._shared_invalidate(keys=[key])
        return found

    async def ainvalidate_tag(self, tag: str) -> list[str]:
        """Drop ``tag`` everywhere, awaiting the shared tier and the broadcast."""
        keys = self.local.invalidate_tag(tag)
        await self._shared_invalidate(tag=tag)
        return keys

    async def get_or_load(
        self,
        key: str,
        loader: Loader,
        *,
        ttl: float | None = None,
        tags: Iterable[str] = (),
        priority: int = 3,
        keep: Callable[[], bool] | None = None,
    ) -> CacheResult:
        """Cached value, else ``await loader()`` once however many callers ask at once.

        ``keep()`` is asked after the loader returns: False (what the value was computed
        from changed meanwhile) answers the callers without storing the value.
        """
        tags = tuple(tags)
        result = await self.aget(key)
        if result.tier != "miss" and not result.stale:
            return result
        if result.stale:
            if not self._flights.in_flight(key):
                self._spawn(self._refresh(key, loader, ttl, tags, priority, keep))
            return result
        try:
            value = await self._flights.do(
                key, lambda: self._load(key, loader, ttl, tags, priority, keep)
            )
            if isinstance(value, Loaded):  # joined a preload's flight
                value = value.value
        except ServiceError:
            fallback = self.local.expired_value(key)
            if fallback is None:
                raise
            self.local.stats.hits["stale"] += 1
            return CacheResult(fallback, "stale", stale=True)
        return CacheResult(value, "miss")

    async def _load(
        self, key: str, loader: Loader, ttl: float | None, tags: tuple[str, ...], priority: int,
        keep: Callable[[], bool] | None = None,
    ) -> Any:
        start = self.timer()
        try:
            value = await loader()
        except BaseException:
            self.local.stats.record_load(self.timer() - start, ok=False)
            raise
        cost = self.timer() - start
        self.local.stats.record_load(cost, ok=True)
        if isinstance(value, bytes):
            self.local.stats.miss_bytes += len(value)
        if keep is None or keep():
            await self.aput(key, value, ttl=ttl, tags=tags, priority=priority, cost=cost)
        return value

    async def _refresh(
        self, key: str, loader: Loader, ttl: float | None, tags: tuple[str, ...], priority: int,
        keep: Callable[[], bool] | None = None,
    ) -> None:
        try:
            await self._flights.do(key, lambda: self._load(key, loader, ttl, tags, priority,
                                                           keep))
        except Exception:  # the stale value keeps being served; the next request retries
            log.warning("background refresh of %r failed", key, exc_info=True)

    # -- preloading -------------------------------------------------------------------------
    def preload_predicted_entries(
        self, key: str, loader: KeyLoader, *, session: str = "",
        keep: Callable[[], bool] | None = None,
    ) -> list[str]:
        """Learn that ``key`` was accessed; start preloads of its likely successors.

        Returns the keys whose preload started. Nothing starts without a running event loop,
        while ``saturated()`` is true, or beyond ``max_concurrent`` preloads in flight.
        A preload is stored only if ``keep()`` (when given) still holds when it is done.
        """
        self.successors.observe(key, session)
        if self.saturated():
            return []
        started = []
        budget = self.successors.config.max_concurrent - len(self._preloading)
        for successor, _p in self.successors.predict(key):
            if budget <= 0:
                break
            if (
                successor in self._preloading
                or self._flights.in_flight(successor)
                or self.local.holds(successor)
            ):
                continue
            if self._spawn(self._preload(successor, loader, keep)):
                self._preloading.add(successor)
                started.append(successor)
                budget -= 1
        return started

    async def _preload(self, key: str, loader: KeyLoader,
                       keep: Callable[[], bool] | None = None) -> None:
        try:
            start = self.timer()
            value = await self._flights.do(key, lambda: loader(key))
            loaded = value if isinstance(value, Loaded) else Loaded(value)
            if keep is not None and not keep():
                return
            self.local.put(key, loaded.value, ttl=loaded.ttl, tags=loaded.tags,
                           priority=loaded.priority, cost=self.timer() - start, preloaded=True)
            self.local.stats.preloads += 1
        except Exception:
            log.debug("preload of %r failed", key, exc_info=True)
        finally:
            self._preloading.discard(key)

    async def wait_idle(self) -> None:
        """Wait for background work (shared writes, refreshes, preloads) to finish."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # -- shared tier plumbing -----------------------------------------------------------------
    async def _share(
        self,
        key: str,
        value: object,
        ttl: float | None,
        tags: tuple[str, ...],
        priority: int,
        cost: float,
    ) -> None:
        if self.shared is None or not isinstance(value, bytes):
            return
        packed, redis_ttl = self._for_shared(value, ttl, tags, priority, cost)
        await self.shared.set(key, packed, redis_ttl)

    async def share_stored(self, entries: Iterable[tuple[str, bytes, float | None,
                                                       tuple[str, ...], int, float]],
                           *, index: str | None = None) -> bool:
        """Write ``(key, stored, ttl, tags, priority, cost)`` entries to the shared tier in one
        pipeline, awaited (bulk background work such as cache warming); False if not stored.
        Values are in the stored form (``put_stored``'s) and must be portable (encoded
        without the trained dictionary). ``index``: also record
        the keys under that name, so another process can :meth:`pull` them in bulk."""
        if self.shared is None:
            return False
        batch: list[tuple[str, SharedValue, float | None]] = []
        longest: float | None = 0.0
        for key, stored, ttl, tags, priority, cost in entries:
            ttl = self.local.config.default_ttl if ttl is None else ttl
            fresh_until = float("inf") if ttl is None else self.wall() + ttl
            redis_ttl = None if ttl is None else ttl + self.local.config.stale_ttl
            batch.append((key, SharedValue(stored, fresh_until, tags, priority, cost),
                          redis_ttl))
            longest = None if longest is None or redis_ttl is None else max(longest,
                                                                              redis_ttl)
        return await self.shared.set_many(
            batch, index=None if index is None else (index, longest))

    def put_stored(self, key: str, stored: bytes, *, priority: int = 3, cost: float = 1.0,
                   ttl: float | None = None, tags: Iterable[str] = ()) -> None:
        """Store a value in the compressor's stored form locally, compressed (L2); see
        :meth:`LocalCache.put_stored`. Not written to the shared tier."""
        self.local.put_stored(key, stored, ttl=ttl, tags=tuple(tags), priority=priority,
                              cost=cost)

    async def pull(self, index: str) -> int | None:
        """Copy the shared values recorded under ``index`` (by :meth:`share_stored`) into the
        local tiers, compressed as they are; returns how many, or None when no process has
        recorded that index (yet), or the shared tier is unavailable."""
        if self.shared is None:
            return None
        found = await self.shared.get_indexed(index)
        if found is None:
            return None
        now = self.wall()
        stale_ttl = self.local.config.stale_ttl
        pulled = 0
        for i, (key, value) in enumerate(found):
            if i % PULL_SLICE == PULL_SLICE - 1:
                await asyncio.sleep(0)  # a unit is hundreds of puts: let requests in between
            remaining = value.fresh_until_wall - now
            if remaining + stale_ttl <= 0 or self.local.holds(key):
                continue  # expired there, or this process has its own copy
            self.local.put_stored(key, value.stored, ttl=None if remaining == float("inf")
                                  else remaining, tags=value.tags, priority=value.priority,
                                  cost=value.cost)
            pulled += 1
        return pulled

    def _for_shared(self, value: bytes, ttl: float | None, tags: tuple[str, ...],
                    priority: int, cost: float) -> tuple[SharedValue, float | None]:
        ttl = self.local.config.default_ttl if ttl is None else ttl
        fresh_until = float("inf") if ttl is None else self.wall() + ttl
        redis_ttl = None if ttl is None else ttl + self.local.config.stale_ttl
        stored = self.compressor.encode(value, portable=True)
        return SharedValue(stored, fresh_until, tags, priority, cost), redis_ttl

    async def _shared_invalidate(
        self, *, keys: list[str] | None = None, tag: str | None = None
    ) -> None:
        if self.shared is None:
            return
        if tag is not None:
            await self.shared.delete_tag(tag)
            await self.shared.publish({"origin": self.origin, "tag": tag})
        if keys:
            await self.shared.delete(keys)
            await self.shared.publish({"origin": self.origin, "keys": keys})

    def on_invalidation(self, message: dict[str, Any]) -> None:
        """Apply an invalidation broadcast by another process."""
        if message.get("origin") == self.origin:
            return
        tag = message.get("tag")
        if isinstance(tag, str):
            self.local.invalidate_tag(tag)
        for key in message.get("keys") or ():
            if isinstance(key, str):
                self.local.invalidate(key)

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> bool:
        try:
            task = asyncio.get_running_loop().create_task(coro)
        except RuntimeError:  # no running loop: sync caller, local tiers only
            coro.close()
            return False
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return True

    # -- lifecycle ----------------------------------------------------------------------------
    async def start(self) -> None:
        """Start the invalidation listener (if shared) and the maintenance task."""
        self._stop.clear()
        if self.shared is not None:
            self._daemons.append(
                asyncio.create_task(self.shared.listen(self.on_invalidation, self._stop))
            )
        self._daemons.append(
            asyncio.create_task(run_maintenance(self.local, self._maintenance_config, self._stop))
        )

    async def close(self) -> None:
        """Stop background tasks and release the shared tier."""
        self._stop.set()
        await asyncio.gather(*self._daemons, return_exceptions=True)
        self._daemons.clear()
        await self.wait_idle()
        if self.shared is not None:
            await self.shared.close()
