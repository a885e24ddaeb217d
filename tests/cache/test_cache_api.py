"""The public surface: names, the plan's entry points, headers, statistics, maintenance."""

from __future__ import annotations

import asyncio

import scriptohio.cache as cache_pkg
from scriptohio.cache import (
    CacheManager,
    LocalCache,
    LocalConfig,
    LruPolicy,
    get_cache_manager,
    make_cache_manager,
)
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


async def test_sweep_checks_only_the_entries_that_are_due(clock: FakeClock) -> None:
    cache = CacheManager(LocalConfig(stale_ttl=10, keep_expired=100), timer=clock)
    for i in range(5000):
        cache.put(f"long{i}", b"x", ttl=1000)
    for i in range(100):
        cache.put(f"short{i}", b"x", ttl=5)
    clock.advance(200)
    assert sorted(cache.local.due_keys()) == sorted(f"short{i}" for i in range(100))
    for i in range(100):  # taken once: back in the index only if re-put
        cache.put(f"short{i}", b"x", ttl=5)
    assert await sweep_in_slices(cache.local) == 0  # due again only 115 s from now
    assert cache.local.expiry_backlog == 5100
    clock.advance(1200)
    assert await sweep_in_slices(cache.local) == 5100
    assert cache.local.expiry_backlog == 0


async def test_expiry_index_follows_re_puts_and_drops(clock: FakeClock) -> None:
    cache = CacheManager(LocalConfig(stale_ttl=10, keep_expired=100), timer=clock)
    for i in range(50):  # re-puts with advancing deadlines: always one slot
        cache.put("k", b"1", ttl=5 + i)
        clock.advance(1)
    cache.put("forever", b"2")  # no deadline: never filed
    assert cache.local.expiry_backlog == 1
    cache.put("k", b"3", ttl=500)
    assert cache.local.expiry_backlog == 1
    clock.advance(200)  # past the earlier deadlines only
    assert await sweep_in_slices(cache.local) == 0
    assert cache.get("k") == b"3"
    cache.put("gone", b"4", ttl=5)
    assert cache.invalidate("gone") and cache.local.expiry_backlog == 1
    clock.advance(600)
    assert await sweep_in_slices(cache.local) == 1
    assert cache.get("k") is None and cache.get("forever") == b"2"
    assert cache.local.expiry_backlog == 0


def test_expiry_index_forgets_entries_evicted_from_every_tier(clock: FakeClock) -> None:
    cache = CacheManager(LocalConfig(max_entries=100, l2_max_entries=100, keep_expired=100),
                         timer=clock)
    for i in range(5000):
        cache.put(f"k{i}", b"v" * 50, ttl=60)
    cache.local.flush_demotions()
    held = len(cache.local.l1) + len(cache.local.l2)
    assert held <= 200 and cache.local.expiry_backlog == held


async def test_background_maintenance_runs_and_stops() -> None:
    cache = CacheManager(maintenance=MaintenanceConfig(interval=0.01))
    await cache.start()
    cache.put("a", b"1")
    await asyncio.sleep(0.05)
    await cache.close()
    assert cache.get("a") == b"1"


def test_batched_demotion_is_invisible_to_callers(clock: FakeClock) -> None:
    # L1 leavers wait uncompressed before going to L2 in batches; reads, overwrites and
    # invalidations must see them exactly as if they were already in L2.
    local = LocalCache(LocalConfig(max_entries=4, l2_max_entries=64 * 32), timer=clock,
                       policy=LruPolicy)
    body = b'{"team": "Ohio State", "margin": 3.5} ' * 30  # compressible, > 512 B
    for i in range(12):
        local.put(f"k{i}", body + bytes([i]), tags=[f"t{i % 3}"])
    assert len(local.l1) == 4 and all(local.holds(f"k{i}") for i in range(12))
    assert local.lookup("k0").tier == "l2" and local.lookup("k0").value == body + b"\0"
    local.put("k1", b"new")
    assert local.lookup("k1").value == b"new"
    assert local.invalidate("k2") and not local.holds("k2")
    dropped = local.invalidate_tag("t0")  # k0 (back in L1), k3, k6, k9
    assert dropped == ["k0", "k3", "k6", "k9"] and not any(local.holds(k) for k in dropped)
    assert local.expired_value("k4") == body + b"\4"
    # Reading .l2 flushes: every leaver is now compressed in L2 and counted as demoted.
    l2 = local.l2
    assert {"k4", "k5", "k7", "k8"} <= set(l2.snapshot_keys())
    stored = l2.peek("k4")
    assert stored is not None and isinstance(stored.value, bytes)
    assert stored.size < len(body) / 3
    stats = local.snapshot()["evictions"]
    assert isinstance(stats, dict) and stats["demoted"] >= 8
    assert local.lookup("k5").value == body + b"\5"  # decompressed on the way back


def test_pending_demotions_stay_within_a_small_share_of_l2() -> None:
    local = LocalCache(LocalConfig(max_entries=100, l2_max_entries=10_000), policy=LruPolicy)
    for i in range(5_000):
        local.put(f"k{i}", bytes(100))
        assert len(local._pending) < 32  # the batch bound (1/64 of L2 is larger here)
    small = LocalCache(LocalConfig(max_entries=2, l2_max_entries=5), policy=LruPolicy)
    for i in range(10):
        small.put(f"k{i}", bytes(10))
        assert not small._pending  # a tiny L2 takes its leavers at once
    assert len(small._l2) == 5


def test_a_due_key_evicted_by_a_buffered_write_mid_sweep_is_still_dropped(
    clock: FakeClock,
) -> None:
    """Taking a key's second out of the index commits the sweep to it: when the L1 pop
    replays a write buffered meanwhile and that evicts the key into the pending list, the
    sweep must still find and drop it there."""
    from scriptohio.cache.local import LocalCache
    from scriptohio.cache.policy import LruPolicy

    local = LocalCache(LocalConfig(max_entries=128, stale_ttl=1, keep_expired=1),
                       timer=clock, policy=LruPolicy)
    local.put("K", b"v" * 10, ttl=1)
    for i in range(127):
        local.put(f"f{i}", b"x" * 10)  # no deadline
    local.l1.drain()
    clock.advance(100)
    due = local.due_keys()
    first = next(due)
    local.put("X", b"y" * 10)  # a request's write while the sweep yields (buffered)
    assert first == "K" and local.sweep([first]) == 1
    assert not local.holds("K") and local.expired_value("K") is None
    assert local.stats.evictions["expired"] == 1
