"""Adaptive admission: the gradient limit, predicted-wait shedding, the service's pools."""

from __future__ import annotations

import asyncio

import pytest

from scriptohio.api.service import POOLS, Service, adaptive_pools
from scriptohio.config import Settings
from scriptohio.errors import OverloadedError
from scriptohio.runtime import (
    AgentRequest,
    AsyncAgentOrchestrator,
    AutoscalerConfig,
    GradientConfig,
    GradientLimit,
    PoolConfig,
)
from scriptohio.runtime.pool import WorkerPool
from scriptohio.testing import FakeClock

CONFIG = GradientConfig(initial_limit=16, min_limit=4, max_limit=200, short_window=5,
                        probe_every=500, probe_samples=5)


def _measured(config: GradientConfig = CONFIG, execution_s: float = 0.004) -> GradientLimit:
    """A limit past its first baseline probe (at min_limit, ``execution_s`` each)."""
    limit = GradientLimit(config)
    assert limit.limit == config.min_limit  # it measures before it trusts anything
    for _ in range(config.probe_samples):
        limit.observe(execution_s, in_flight=config.min_limit)
    assert limit.limit == config.initial_limit and limit.baseline_s == execution_s
    return limit


def test_the_first_samples_measure_the_baseline_at_the_floor() -> None:
    limit = GradientLimit(CONFIG)
    for _ in range(20):
        limit.observe(0.050, in_flight=9)  # more running than the floor: not a clean sample
    assert limit.limit == 4 and limit.baseline_s == float("inf")
    _measured()


def test_steady_latency_with_the_limit_in_use_lets_the_limit_grow() -> None:
    limit = _measured()
    for _ in range(50):
        limit.observe(0.004, in_flight=limit.limit)
    assert limit.limit > 30
    for _ in range(400):
        limit.observe(0.004, in_flight=limit.limit)
    assert limit.limit == 200  # and no further than max_limit


def test_a_pool_that_does_not_use_its_limit_does_not_grow_it() -> None:
    limit = _measured()
    for _ in range(400):
        limit.observe(0.004, in_flight=3)
    assert limit.limit == 16


def test_rising_latency_cuts_the_limit_towards_the_floor() -> None:
    limit = _measured()
    for _ in range(100):
        limit.observe(0.004, in_flight=limit.limit)
    grown = limit.limit
    for _ in range(10):
        limit.observe(0.004 * 4, in_flight=limit.limit)  # four times slower than the baseline
    assert limit.limit < grown * 0.6
    for _ in range(60):
        limit.observe(0.004 * 4, in_flight=limit.limit)
    assert limit.limit >= CONFIG.min_limit


def test_latency_that_grows_with_concurrency_settles_the_limit_near_the_knee() -> None:
    """Work that runs 8 at once without slowing and waits inside past that (latency in
    proportion to concurrency above 8, as CPU-bound work on one loop): the limit must
    settle near 8, not climb to the ceiling with the latency (a long average of loaded
    samples would follow it up)."""
    config = GradientConfig(initial_limit=16, min_limit=2, max_limit=1000)
    limit = GradientLimit(config)
    seen = []
    for _ in range(20_000):
        running = limit.limit
        limit.observe(0.004 * max(1.0, running / 8), in_flight=running)
        seen.append(limit.limit)
    settled = sorted(seen[-5000:])[2500]
    assert 8 <= settled <= 32, settled


def test_a_lasting_slow_down_is_measured_again_so_the_limit_recovers() -> None:
    limit = _measured()
    for _ in range(200):
        limit.observe(0.200, in_flight=limit.limit)  # the work got 50x slower for good
    assert limit.limit <= 8
    for _ in range(CONFIG.probe_every + CONFIG.probe_samples):
        limit.observe(0.200, in_flight=min(limit.limit, 4))
    assert limit.baseline_s == pytest.approx(0.200)  # the next probe measured the new normal ...
    for _ in range(100):
        limit.observe(0.200, in_flight=limit.limit)
    assert limit.limit > 30  # ... and at that latency the limit may grow again


def test_config_is_checked() -> None:
    with pytest.raises(ValueError):
        GradientConfig(initial_limit=2, min_limit=4)
    with pytest.raises(ValueError):
        GradientConfig(tolerance=0.5)
    with pytest.raises(ValueError):
        GradientConfig(probe_every=10, probe_samples=10)


def _pool(clock: FakeClock, **config: object) -> WorkerPool:
    return WorkerPool("light", PoolConfig(
        autoscaling=AutoscalerConfig(min_workers=1, max_workers=1), slots_per_worker=100,
        **config), clock=clock)  # type: ignore[arg-type]


async def test_the_pool_runs_no_more_at_once_than_its_adaptive_limit() -> None:
    pool = _pool(FakeClock(), adaptive=CONFIG)
    assert pool.capacity == 4  # measuring its baseline first
    for _ in range(CONFIG.probe_samples):
        pool.record_execution(0.004)
    assert pool.capacity == 16 and pool.adaptive_limit == 16
    for _ in range(16):
        assert pool.try_acquire("t", 0)
    assert not pool.try_acquire("t", 0)  # 100 slots, but the limit is 16
    waiter = asyncio.ensure_future(pool.acquire("t", 0, None))
    await asyncio.sleep(0)
    assert pool.queued == 1
    for _ in range(20):
        pool.record_execution(0.004)  # steady latency, limit in use: it grows ...
    await asyncio.sleep(0)
    assert pool.adaptive_limit is not None and pool.adaptive_limit > 16
    assert waiter.done() and pool.queued == 0  # ... and the raised limit let the waiter in


async def test_a_request_that_would_wait_too_long_is_shed_at_once() -> None:
    pool = _pool(FakeClock(), max_queue_wait_s=0.25)
    pool.set_limit(16)
    for _ in range(16):
        assert pool.try_acquire("t", 0)
    pool.record_execution(0.100)  # each execution takes ~100 ms; 16 run at once
    waiters = []
    for _ in range(200):
        waiters.append(asyncio.ensure_future(pool.acquire("t", 0, None)))
        await asyncio.sleep(0)
    results = await asyncio.gather(*[w for w in waiters if w.done()], return_exceptions=True)
    refused = [r for r in results if isinstance(r, OverloadedError)]
    # the queue holds what 16 slots serve within 0.25 s at 100 ms each (40), the rest are
    # refused at once with a retry hint
    assert 30 <= pool.queued <= 40
    assert len(refused) == 200 - pool.queued
    assert all(r.retry_after is not None and r.retry_after > 0 for r in refused)
    for w in waiters:
        w.cancel()


async def test_without_a_bound_the_same_requests_queue() -> None:
    pool = _pool(FakeClock())
    pool.set_limit(16)
    for _ in range(16):
        pool.try_acquire("t", 0)
    pool.record_execution(0.100)
    waiters = [asyncio.ensure_future(pool.acquire("t", 0, None)) for _ in range(200)]
    await asyncio.sleep(0)
    assert pool.queued == 200
    for w in waiters:
        w.cancel()
    await asyncio.gather(*waiters, return_exceptions=True)


async def test_an_orchestrator_under_a_flood_sheds_fast_and_answers_the_rest() -> None:
    """An agent whose latency grows with how many run at once (as CPU-bound work on one loop
    does): 600 requests at once get answers or fast 503s, none waits in a queue for long."""
    running = 0

    async def agent(request: AgentRequest) -> int:
        nonlocal running
        running += 1
        try:
            await asyncio.sleep(0.001 * running)
            return 1
        finally:
            running -= 1

    pools = {"light": PoolConfig(autoscaling=AutoscalerConfig(min_workers=1, max_workers=1),
                                 slots_per_worker=1000, max_queue=1000,
                                 adaptive=GradientConfig(initial_limit=16, min_limit=4),
                                 max_queue_wait_s=0.1)}
    orchestrator = AsyncAgentOrchestrator(2000, pools=pools)
    orchestrator.register("work", agent, pool="light")
    await orchestrator.start()
    try:
        answers = await asyncio.gather(*[orchestrator.handle(AgentRequest(type="work"))
                                         for _ in range(600)])
    finally:
        await orchestrator.stop()
    ok = [a for a in answers if a.error is None]
    shed = [a for a in answers if isinstance(a.error, OverloadedError)]
    assert len(ok) + len(shed) == 600 and ok and shed
    assert all(a.attempts == 0 for a in shed)  # refused before running, not failed
    assert all("at its limit" in str(a.error) or "full" in str(a.error) for a in shed)
    limit = orchestrator.pools["light"].adaptive_limit
    assert limit is not None and limit < 600  # it never let all of them run at once


def test_the_service_light_pool_is_adaptive_when_turned_on(tmp_path: object) -> None:
    assert POOLS["light"].adaptive is None  # the table itself is the fixed one
    pools = adaptive_pools(POOLS)
    assert pools["light"].adaptive is not None and pools["light"].max_queue_wait_s
    assert pools["heavy"] == POOLS["heavy"]  # batch work keeps its queue
    assert not Settings.from_env({}).adaptive_admission  # opt-in
    assert Settings.from_env({"SCRIPTOHIO_ADAPTIVE": "1"}).adaptive_admission
    assert Settings.from_env({"SCRIPTOHIO_ADAPTIVE": "1"}).to_env()["SCRIPTOHIO_ADAPTIVE"] == "1"
    on = Service(Settings(state_dir=str(tmp_path), adaptive_admission=True))
    off = Service(Settings(state_dir=str(tmp_path)))
    assert on.orchestrator.pools["light"].adaptive_limit is not None
    assert off.orchestrator.pools["light"].adaptive_limit is None


def test_the_service_refuses_at_the_door_only_with_adaptive_admission(tmp_path: object) -> None:
    on = Service(Settings(state_dir=str(tmp_path), adaptive_admission=True))
    off = Service(Settings(state_dir=str(tmp_path)))
    assert on.orchestrator.pressure is not None and off.orchestrator.pressure is None
