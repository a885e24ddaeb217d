"""Values stored compressed (warming) and copied in bulk from another process's shared work."""

from __future__ import annotations

import orjson

from scriptohio.cache import CacheManager, LocalCache, LocalConfig, SharedConfig, SharedTier
from scriptohio.cache.compression import Compressor
from scriptohio.clock import FakeClock
from tests.conftest import PrivateRedis

BODY = orjson.dumps({"home": "Ohio State", "away": "Michigan",
                     "factors": [{"name": f"f{i}", "weight": i / 7} for i in range(40)]})


def test_a_stored_value_reads_back_as_given_from_l2_then_l1(clock: FakeClock) -> None:
    cache = LocalCache(LocalConfig(), timer=clock)
    stored = Compressor().encode(BODY, portable=True)
    assert len(stored) < len(BODY) / 2  # held compressed
    cache.put_stored("k", stored, ttl=60, tags=("team:Ohio State:2024",))
    first, second = cache.lookup("k"), cache.lookup("k")
    assert (first.value, first.tier) == (BODY, "l2")
    assert (second.value, second.tier) == (BODY, "l1")  # promoted on first read


def test_stored_values_keep_their_tags_and_lifetime(clock: FakeClock) -> None:
    cache = LocalCache(LocalConfig(stale_ttl=10), timer=clock)
    pack = Compressor().encode
    cache.put_stored("a", pack(BODY), ttl=60, tags=("week:2024:regular:3",))
    cache.put_stored("b", pack(BODY + b" "), ttl=60, tags=("week:2024:regular:4",))
    assert cache.invalidate_tag("week:2024:regular:3") == ["a"]
    assert cache.lookup("a").tier == "miss"
    clock.advance(65)
    assert cache.lookup("b").stale
    clock.advance(10)
    assert cache.lookup("b").tier == "miss"


def test_a_stored_value_replaces_the_old_one_in_every_tier(clock: FakeClock) -> None:
    cache = LocalCache(LocalConfig(), timer=clock)
    cache.put("k", b"old", tags=("old",))
    cache.put_stored("k", Compressor().encode(BODY), tags=("new",))
    assert cache.lookup("k").value == BODY
    assert cache.invalidate_tag("old") == []
    assert cache.invalidate_tag("new") == ["k"]


def _manager(url: str, clock: FakeClock) -> CacheManager:
    shared = SharedTier(url, config=SharedConfig(namespace="stored-test"))
    return CacheManager(LocalConfig(), shared=shared, timer=clock)


async def test_another_process_copies_a_shared_unit_compressed(
        private_redis: PrivateRedis, clock: FakeClock) -> None:
    first, second = _manager(private_redis.url, clock), _manager(private_redis.url, clock)
    pack = Compressor().encode
    bodies = {f"predict|casual|game={i}": BODY + b" " * i for i in range(700)}
    entries = [(key, pack(body, portable=True), 3600.0, ("week:2024:regular:3",), 1, 0.01)
               for key, body in bodies.items()]
    assert await second.pull("warm:unit-1") is None  # nobody shared it yet
    assert await first.share_stored(entries, index="warm:unit-1")
    assert await second.pull("warm:unit-1") == len(bodies)
    for key, body in bodies.items():
        found = second.lookup(key)
        assert (found.value, found.tier) == (body, "l2")
    # invalidated where it was shared: a later copy does not bring it back
    await first.ainvalidate_tag("week:2024:regular:3")
    third = _manager(private_redis.url, clock)
    assert await third.pull("warm:unit-1") == 0
    for manager in (first, second, third):
        await manager.close()


async def test_a_copy_is_none_when_redis_is_down(clock: FakeClock) -> None:
    manager = _manager("redis://127.0.0.1:1/0", clock)  # nothing listens there
    assert await manager.pull("warm:unit-1") is None
    await manager.close()
