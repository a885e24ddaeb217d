"""Claims and bulk writes on the shared tier: work split between processes, fail open."""

from __future__ import annotations

import asyncio
import time

import redis.asyncio as aioredis

from scriptohio.cache.shared import SharedConfig, SharedTier, SharedValue


def _tier(url: str, namespace: str) -> SharedTier:
    return SharedTier(url, config=SharedConfig(namespace=namespace))


async def test_a_claim_is_won_once_until_it_expires(redis_url: str, namespace: str) -> None:
    first, second = _tier(redis_url, namespace), _tier(redis_url, namespace)
    # A long claim for the race (no host is slow enough to see it expire mid-test) ...
    results = await asyncio.gather(*(t.claim("warm:1", 60, owner=f"p{i}")
                                     for i, t in enumerate((first, second, first, second))))
    assert sorted(results) == [False, False, False, True]
    # ... and a short one for the expiry, waited out in Redis rather than guessed with a sleep.
    assert await first.claim("warm:2", 0.05)
    client = aioredis.Redis.from_url(redis_url)
    while await client.exists(f"{namespace}:claim:warm:2"):
        await asyncio.sleep(0.01)
    await client.aclose()
    assert await second.claim("warm:2", 5)  # expired: the next process may take it
    assert not await first.claim("warm:2", 5)
    await first.close()
    await second.close()


async def test_set_many_is_read_back_with_tags(redis_url: str, namespace: str) -> None:
    tier = _tier(redis_url, namespace)
    items = [(f"k{i}", SharedValue(b"v%d" % i, time.time() + 60, ("season:2025",), 1, 0.1), 60.0)
             for i in range(50)]
    assert await tier.set_many(items)
    got = await tier.get("k7")
    assert got is not None and got.stored == b"v7" and got.tags == ("season:2025",)
    assert len(await tier.delete_tag("season:2025")) == 50
    await tier.close()


async def test_claims_and_bulk_writes_fail_open_fast_when_redis_is_down() -> None:
    tier = SharedTier("redis://127.0.0.1:1/0")  # nothing listens there
    assert await tier.claim("warm:1", 5)  # do the work here rather than not at all
    assert await tier.claim("warm:2", 5)  # and do not wait on the dead Redis again
    value = SharedValue(b"v", float("inf"), (), 1, 0.0)
    assert not await tier.set_many([("k", value, None)])
    assert tier.errors == 1  # one attempt failed; the other two did not try again
    await tier.close()
