"""get_or_load: single flight, errors not cached, stale-while-revalidate, circuit-open fallback."""

from __future__ import annotations

import asyncio

import pytest

from scriptohio.cache import CacheManager, LocalConfig
from scriptohio.errors import CircuitOpenError

from .conftest import FakeClock


class CountingLoader:
    def __init__(self, value: bytes = b"body", *, fail: BaseException | None = None) -> None:
        self.calls = 0
        self.value = value
        self.fail = fail
        self.gate = asyncio.Event()
        self.gate.set()

    async def __call__(self) -> bytes:
        self.calls += 1
        await self.gate.wait()
        if self.fail is not None:
            raise self.fail
        return self.value + str(self.calls).encode()


async def test_thousand_concurrent_callers_run_the_loader_once() -> None:
    cache = CacheManager()
    loader = CountingLoader()
    loader.gate.clear()
    calls = [asyncio.create_task(cache.get_or_load("hot", loader)) for _ in range(1000)]
    await asyncio.sleep(0)
    loader.gate.set()
    results = await asyncio.gather(*calls)
    assert loader.calls == 1
    assert {r.value for r in results} == {b"body1"}
    assert cache.lookup("hot").header == "hit-l1"


async def test_loader_error_reaches_waiters_and_is_not_cached() -> None:
    cache = CacheManager()
    failing = CountingLoader(fail=RuntimeError("backend down"))
    failing.gate.clear()
    calls = [asyncio.create_task(cache.get_or_load("k", failing)) for _ in range(50)]
    await asyncio.sleep(0)
    failing.gate.set()
    outcomes = await asyncio.gather(*calls, return_exceptions=True)
    assert failing.calls == 1
    assert all(isinstance(o, RuntimeError) for o in outcomes)
    ok = CountingLoader()
    assert (await cache.get_or_load("k", ok)).value == b"body1"
    assert ok.calls == 1


async def test_expired_value_is_served_stale_while_one_refresh_runs(clock: FakeClock) -> None:
    cache = CacheManager(LocalConfig(stale_ttl=60), timer=clock)
    first = CountingLoader(b"v")
    await cache.get_or_load("k", first, ttl=10)
    clock.advance(11)
    refresh = CountingLoader(b"new")
    refresh.gate.clear()
    answers = [await cache.get_or_load("k", refresh, ttl=10) for _ in range(20)]
    assert {a.header for a in answers} == {"stale"}
    assert {a.value for a in answers} == {b"v1"}
    refresh.gate.set()
    await cache.wait_idle()
    assert refresh.calls == 1
    fresh = await cache.get_or_load("k", refresh, ttl=10)
    assert fresh.header == "hit-l1" and fresh.value == b"new1"


async def test_expired_value_served_while_loader_circuit_is_open(clock: FakeClock) -> None:
    cache = CacheManager(LocalConfig(stale_ttl=5), timer=clock)
    await cache.get_or_load("k", CountingLoader(b"v"), ttl=10)
    clock.advance(100)  # past the stale window: a plain lookup misses
    assert cache.lookup("k").header == "miss"
    broken = CountingLoader(fail=CircuitOpenError("models circuit open"))
    result = await cache.get_or_load("k", broken, ttl=10)
    assert result.header == "stale" and result.value == b"v1"


async def test_circuit_open_without_anything_stale_raises() -> None:
    cache = CacheManager()
    with pytest.raises(CircuitOpenError):
        await cache.get_or_load("never", CountingLoader(fail=CircuitOpenError("open")))


async def test_loader_duration_becomes_the_cost(clock: FakeClock) -> None:
    cache = CacheManager(timer=clock)

    async def slow() -> bytes:
        clock.advance(2.5)
        return b"x"

    await cache.get_or_load("k", slow)
    entry = cache.local.l1.peek("k")
    assert entry is not None and entry.cost == pytest.approx(2.5)
    stats = cache.stats
    assert stats["loads"] == 1
    assert stats["loader_latency"]["counts"][-2] == 1  # the (1 s, 5 s] bucket


async def test_sync_put_get_without_event_loop_semantics() -> None:
    cache = CacheManager()
    cache.put("a", b"1", priority=5, cost=2.0)
    assert cache.get("a") == b"1"
    assert cache.get("b") is None
