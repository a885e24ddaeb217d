"""The shared tier across processes, and Redis dying under a running cache."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap

import redis.asyncio as aioredis

from scriptohio.breaker import BreakerConfig
from scriptohio.cache import CacheManager, LocalConfig, SharedConfig, SharedTier

from .conftest import PrivateRedis

SECOND_PROCESS = textwrap.dedent(
    """
    import asyncio, sys
    from scriptohio.cache import CacheManager, SharedConfig, SharedTier

    async def main(url, ns):
        cache = CacheManager(shared=SharedTier(url, config=SharedConfig(namespace=ns)))
        await cache.start()
        cache.local.put("team:osu", b"profile", tags=["team:Ohio State"])
        cache.local.put("team:um", b"profile", tags=["team:Michigan"])
        print("ready", flush=True)
        for _ in range(200):  # bounded: at most 10 s
            if cache.lookup("team:osu").header == "miss":
                break
            await asyncio.sleep(0.05)
        print(cache.lookup("team:osu").header, cache.lookup("team:um").header, flush=True)
        await cache.close()

    asyncio.run(main(sys.argv[1], sys.argv[2]))
    """
)


async def _until_subscribed(redis_url: str, channel: str) -> None:
    """Until Redis counts a subscriber on ``channel`` (the second process's listener)."""
    client = aioredis.Redis.from_url(redis_url)
    try:
        while not dict(await client.pubsub_numsub(channel)).get(channel.encode()):
            await asyncio.sleep(0.01)
    finally:
        await client.aclose()


async def test_tag_invalidation_reaches_a_second_process(redis_url: str, namespace: str) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", SECOND_PROCESS, redis_url, namespace],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    try:
        line = await asyncio.wait_for(asyncio.to_thread(proc.stdout.readline), timeout=20)
        assert line.strip() == "ready"
        await asyncio.wait_for(_until_subscribed(redis_url, f"{namespace}:invalidate"), 60)
        cache = CacheManager(shared=SharedTier(redis_url, config=SharedConfig(namespace=namespace)))
        await cache.ainvalidate_tag("team:Ohio State")
        await cache.close()
        out = await asyncio.wait_for(asyncio.to_thread(proc.stdout.readline), timeout=20)
        assert out.split() == ["miss", "hit-l1"]
    finally:
        proc.kill()
        proc.wait(timeout=10)


async def test_redis_stopped_mid_test_no_request_fails(private_redis: PrivateRedis) -> None:
    shared = SharedTier(
        private_redis.url,
        config=SharedConfig(namespace="t", breaker=BreakerConfig.consecutive(2)),
    )
    cache = CacheManager(LocalConfig(max_entries=50), shared=shared)
    await cache.start()
    loads = 0

    async def loader() -> bytes:
        nonlocal loads
        loads += 1
        return b"answer"

    for i in range(20):
        result = await cache.get_or_load(f"k{i}", loader)
        assert result.value == b"answer"
    assert cache.stats["shared_circuit"] == "closed"

    private_redis.stop()  # Redis goes away under the running cache

    headers = []
    for i in range(200):
        result = await cache.get_or_load(f"k{i % 100}", loader)
        assert result.value == b"answer"
        headers.append(result.header)
        cache.put(f"p{i}", b"x")
        cache.invalidate_tag("team:anything")
    await cache.wait_idle()
    assert "hit-l1" in headers  # local tiers kept serving
    assert cache.stats["shared_circuit"] == "open"
    assert cache.stats["shared_errors"] >= 2
    await cache.close()
