"""The public surface: names, the plan's entry points, headers, statistics, maintenance."""

from __future__ import annotations

import asyncio

import scriptohio.cache as cache_pkg
from scriptohio.cache import CacheManager, LocalConfig, get_cache_manager, make_cache_manager
from scriptohio.cache.maintenance import MaintenanceConfig, sweep_in_slices

from .conftest import FakeClock


def test_public_names_are_pinned() -> None:
    assert sorted(cache_pkg.__all__) == [
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


def test_plan_entry_points() -> None:
    cache = get_cache_manager(max_size_mb=200, max_entries=10000)
    assert get_cache_manager() is cache
    cache.put("plan:key", b"value", priority=5, cost=2.0)
    assert cache.get("plan:key") == b"value"
    assert cache.lookup("plan:key").header == "hit-l1"
    assert cache.lookup("plan:nothing").header == "miss"
    cache.invalidate("plan:key")


def test_entry_and_byte_bounds_hold() -> None:
    cache = make_cache_manager(max_size_mb=0.01, max_entries=50)  # 10 KiB, 50 entries
    for i in range(500):
        cache.put(f"k{i}", bytes(300 + i % 7))
    l1 = cache.local.l1
    assert len(l1) <= 50 and l1.bytes <= 0.01 * 1024 * 1024


async def test_statistics_cover_tiers_bytes_and_evictions() -> None:
    cache = CacheManager(LocalConfig(max_entries=10, l2_max_entries=5))
    body = b"{" + b'"a": 1, ' * 100 + b"}"

    async def load() -> bytes:
        return body

    for i in range(40):
        cache.put(f"k{i}", body)
    for i in range(40):
        await cache.get_or_load(f"k{i}", load)
    stats = cache.stats
    hits = stats["hits"]
    assert isinstance(hits, dict) and hits.get("l1", 0) > 0 and hits.get("l2", 0) > 0
    assert stats["misses"] > 0
    assert 0 < stats["hit_ratio"] < 1 and 0 < stats["byte_hit_ratio"] < 1  # type: ignore[operator]
    evictions = stats["evictions"]
    assert isinstance(evictions, dict) and evictions.get("demoted", 0) > 0
    assert stats["compression_ratio"] > 2  # type: ignore[operator]
    tier_bytes = stats["bytes"]
    assert isinstance(tier_bytes, dict) and tier_bytes["l2"] < tier_bytes["l1"]


async def test_sweep_drops_long_expired_entries(clock: FakeClock) -> None:
    cache = CacheManager(LocalConfig(stale_ttl=10, keep_expired=100), timer=clock)
    for i in range(1000):
        cache.put(f"short{i}", b"x", ttl=5)
    cache.put("forever", b"y")
    clock.advance(200)
    dropped = await sweep_in_slices(cache.local, MaintenanceConfig(slice_keys=64))
    assert dropped == 1000
    assert cache.get("forever") == b"y"
    assert cache.stats["evictions"] == {"expired": 1000}  # type: ignore[comparison-overlap]


async def test_background_maintenance_runs_and_stops() -> None:
    cache = CacheManager(maintenance=MaintenanceConfig(interval=0.01))
    await cache.start()
    cache.put("a", b"1")
    await asyncio.sleep(0.05)
    await cache.close()
    assert cache.get("a") == b"1"
