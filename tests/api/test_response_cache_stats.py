"""What the monitor reads of the service's answer cache: each tier's own hits and misses."""

from __future__ import annotations

from scriptohio.api.response_cache import ResponseCache
from scriptohio.monitor.cachestats import CacheStatsReader


def test_an_l1_miss_answered_by_l2_is_an_l1_miss_and_a_service_hit() -> None:
    cache = ResponseCache(None, max_mb=1, max_entries=4)  # a small L1: most entries go to L2
    for i in range(20):
        cache.manager.put(f"k{i}", b"x" * 1000 * (i + 1), ttl=100)
    for i in range(20):
        assert cache.manager.lookup(f"k{i}").value is not None
    assert cache.manager.lookup("absent").value is None
    reader = CacheStatsReader()
    reader.add(cache.stats_source())
    tiers = reader.read()
    l1, l2 = tiers["l1"], tiers["l2"]
    assert l1["hits"] + l1["misses"] == 21  # every lookup starts at L1
    assert l1["misses"] == l2["hits"] + l2["misses"] and l2["hits"] > 0
    assert l1["hit_ratio"] < 1.0
    assert "shared" not in tiers  # no Redis: no shared tier to report
    assert CacheStatsReader.overall_hit_ratio(tiers) == 20 / 21
