"""One contract, every tier: L1, L2 (compressed) and the shared Redis tier.

Each adapter writes through its tier and reads back so that the answer must come from that
tier (the header says which); the behaviour expected is the same for all three.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

import orjson
import pytest

from scriptohio.cache import CacheManager, CacheResult, LocalConfig, LruPolicy, SharedConfig
from scriptohio.cache.local import LocalCache
from scriptohio.cache.shared import SharedTier

from .conftest import FakeClock

TTL = 30.0
STALE = 10.0


class TierAdapter(Protocol):
    expected: str

    async def write(
        self, key: str, value: bytes, *, ttl: float | None = None, tags: tuple[str, ...] = ()
    ) -> None: ...
    async def read(self, key: str) -> CacheResult: ...
    async def invalidate(self, key: str) -> None: ...
    async def invalidate_tag(self, tag: str) -> None: ...


class L1Adapter:
    expected = "hit-l1"

    def __init__(self, clock: FakeClock) -> None:
        self.cache = CacheManager(LocalConfig(stale_ttl=STALE), timer=clock)

    async def write(
        self, key: str, value: bytes, *, ttl: float | None = None, tags: tuple[str, ...] = ()
    ) -> None:
        self.cache.put(key, value, ttl=ttl, tags=tags)

    async def read(self, key: str) -> CacheResult:
        return self.cache.lookup(key)

    async def invalidate(self, key: str) -> None:
        self.cache.invalidate(key)

    async def invalidate_tag(self, tag: str) -> None:
        self.cache.invalidate_tag(tag)


class L2Adapter(L1Adapter):
    """L1 holds one entry (LRU), so a filler write pushes the real one into L2."""

    expected = "hit-l2"

    def __init__(self, clock: FakeClock) -> None:
        local = LocalCache(
            LocalConfig(max_entries=1, stale_ttl=STALE), timer=clock, policy=LruPolicy
        )
        self.cache = CacheManager(local=local, timer=clock)

    async def write(
        self, key: str, value: bytes, *, ttl: float | None = None, tags: tuple[str, ...] = ()
    ) -> None:
        self.cache.put(key, value, ttl=ttl, tags=tags)
        self.cache.put("__filler__", b"f")

    async def read(self, key: str) -> CacheResult:
        result = self.cache.lookup(key)
        self.cache.put("__filler__", b"f")  # send it back to L2 for the next read
        return result


class SharedAdapter:
    """Writer and reader are two managers (two 'processes') sharing one Redis namespace."""

    expected = "hit-shared"

    def __init__(self, clock: FakeClock, url: str, namespace: str) -> None:
        def manager() -> CacheManager:
            shared = SharedTier(url, config=SharedConfig(namespace=namespace))
            return CacheManager(
                LocalConfig(stale_ttl=STALE), shared=shared, timer=clock, wall=clock
            )

        self.writer = manager()
        self.reader = manager()

    async def write(
        self, key: str, value: bytes, *, ttl: float | None = None, tags: tuple[str, ...] = ()
    ) -> None:
        await self.writer.aput(key, value, ttl=ttl, tags=tags)

    async def read(self, key: str) -> CacheResult:
        self.reader.local.invalidate(key)  # force the read to go to Redis
        return await self.reader.aget(key)

    async def invalidate(self, key: str) -> None:
        await self.writer.ainvalidate(key)

    async def invalidate_tag(self, tag: str) -> None:
        await self.writer.ainvalidate_tag(tag)

    async def close(self) -> None:
        await self.writer.close()
        await self.reader.close()


@pytest.fixture(params=["l1", "l2", "shared"])
async def tier(request: pytest.FixtureRequest, clock: FakeClock) -> AsyncIterator[TierAdapter]:
    if request.param == "l1":
        yield L1Adapter(clock)
    elif request.param == "l2":
        yield L2Adapter(clock)
    else:
        url = request.getfixturevalue("redis_url")
        ns = request.getfixturevalue("namespace")
        adapter = SharedAdapter(clock, url, ns)
        yield adapter
        await adapter.close()


BODY = orjson.dumps(
    {
        "home": "Ohio State",
        "away": "Michigan",
        "margin": 7.5,
        "models": {f"m{i}": {"margin": i / 3} for i in range(40)},
    }
)


async def test_round_trip_served_by_the_tier(tier: TierAdapter) -> None:
    await tier.write("predict:osu:mich", BODY)
    result = await tier.read("predict:osu:mich")
    assert result.value == BODY
    assert result.header == tier.expected
    assert not result.stale


async def test_unknown_key_is_a_miss(tier: TierAdapter) -> None:
    result = await tier.read("nothing-here")
    assert result.value is None and result.header == "miss"


async def test_overwrite_serves_the_new_value(tier: TierAdapter) -> None:
    await tier.write("k", b"old value")
    await tier.write("k", b"new value")
    assert (await tier.read("k")).value == b"new value"


async def test_invalidate_key(tier: TierAdapter) -> None:
    await tier.write("a", b"1")
    await tier.write("b", b"2")
    await tier.invalidate("a")
    assert (await tier.read("a")).header == "miss"
    assert (await tier.read("b")).value == b"2"


async def test_invalidate_tag_drops_only_tagged_keys(tier: TierAdapter) -> None:
    await tier.write("team:osu", b"profile", tags=("team:Ohio State", "season:2025"))
    await tier.write("team:um", b"profile2", tags=("team:Michigan", "season:2025"))
    await tier.invalidate_tag("team:Ohio State")
    assert (await tier.read("team:osu")).header == "miss"
    assert (await tier.read("team:um")).value == b"profile2"


async def test_ttl_fresh_then_stale_then_gone(tier: TierAdapter, clock: FakeClock) -> None:
    await tier.write("r", BODY, ttl=TTL)
    clock.advance(TTL - 1)
    assert (await tier.read("r")).header == tier.expected
    clock.advance(2)
    stale = await tier.read("r")
    assert stale.header == "stale" and stale.stale and stale.value == BODY
    clock.advance(STALE)
    assert (await tier.read("r")).header == "miss"


async def test_large_and_incompressible_values_round_trip(tier: TierAdapter) -> None:
    import random

    noise = random.Random(7).randbytes(20_000)
    big = BODY * 50
    await tier.write("noise", noise)
    await tier.write("big", big)
    assert (await tier.read("noise")).value == noise
    assert (await tier.read("big")).value == big
