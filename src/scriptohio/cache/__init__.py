"""Multi-level cache: L1 objects, L2 compressed, optional shared Redis tier, smart eviction.

Public API (pinned by ``tests/cache/test_cache_api.py``)::

    cache = get_cache_manager(max_size_mb=200, max_entries=10000, redis_url=None)
    cache.put(key, body, priority=5, cost=2.0, ttl=60, tags=["team:Ohio State"])
    cache.get(key)                         # fresh value or None (local tiers)
    result = cache.lookup(key)             # CacheResult: .value, .tier, .stale, .header
    result = await cache.get_or_load(key, loader, ttl=60, tags=[...])   # single flight + SWR
    cache.invalidate(key); cache.invalidate_tag(tag); cache.invalidate_where(pred)
    cache.preload_predicted_entries(key, loader, session=user)
    await cache.start(); ...; await cache.close()   # listener + maintenance

Policies (``EvictionPolicy``): ``LruPolicy`` and the default ``TinyLfuPolicy``; trace replay:
``scriptohio.cache.replay.replay(trace_path, capacity, policy)``.
Layering: imports only ``scriptohio.errors`` from the project.
"""

from __future__ import annotations

from scriptohio.cache.entry import CacheEntry, CacheResult, Loaded
from scriptohio.cache.local import MB as _MB
from scriptohio.cache.local import LocalCache, LocalConfig
from scriptohio.cache.manager import CacheManager
from scriptohio.cache.policy import EvictionPolicy, LruPolicy
from scriptohio.cache.shared import SharedConfig, SharedTier
from scriptohio.cache.tinylfu import TinyLfuConfig, TinyLfuPolicy

__all__ = [
    "CacheEntry",
    "CacheManager",
    "CacheResult",
    "EvictionPolicy",
    "Loaded",
    "LocalCache",
    "LocalConfig",
    "LruPolicy",
    "SharedConfig",
    "SharedTier",
    "TinyLfuConfig",
    "TinyLfuPolicy",
    "get_cache_manager",
    "make_cache_manager",
]

_default: CacheManager | None = None


def make_cache_manager(
    max_size_mb: float = 200,
    max_entries: int = 10_000,
    *,
    redis_url: str | None = None,
    default_ttl: float | None = None,
    namespace: str = "scriptohio:cache",
) -> CacheManager:
    """A new manager: L1 of ``max_entries`` / ``max_size_mb``, L2 half that size in bytes."""
    config = LocalConfig(
        max_entries=max_entries,
        max_bytes=int(max_size_mb * _MB),
        l2_max_entries=max_entries * 5,
        l2_max_bytes=max(1, int(max_size_mb * _MB) // 2),
        default_ttl=default_ttl,
    )
    shared = None
    if redis_url:
        shared = SharedTier(redis_url, config=SharedConfig(namespace=namespace))
    return CacheManager(config, shared=shared)


def get_cache_manager(
    max_size_mb: float = 200,
    max_entries: int = 10_000,
    *,
    redis_url: str | None = None,
) -> CacheManager:
    """The process-wide manager (created on first call with these settings; the plan's API)."""
    global _default
    if _default is None:
        _default = make_cache_manager(max_size_mb, max_entries, redis_url=redis_url)
    return _default
