"""Breakers that fail fast and recover, retries within a budget, timeouts, scaling, and a dependency
breaker in front of the rate limiter's Redis."""

from __future__ import annotations

import asyncio
import time

import pytest

from scriptohio.breaker import BreakerConfig, BreakerTransition
from scriptohio.clock import FakeClock
from scriptohio.errors import (
    CircuitOpenError,
    DeadlineExceededError,
    ValidationError,
)
from scriptohio.events import EventBus
from scriptohio.runtime import (
    AgentRequest,
    AsyncAgentOrchestrator,
    AutoscalerConfig,
    Handler,
    OrchestratorConfig,
    PoolConfig,
    RateLimitConfig,
    RetryPolicy,
    UserRateLimiter,
    WorkerPool,
)
from scriptohio.runtime.telemetry import PoolScaled

NO_TICKS = OrchestratorConfig(tick_interval_s=3600)  # no background autoscaling here
BREAKER = BreakerConfig(minimum_calls=4, window_size=10, wait_in_open_s=30.0, half_open_calls=1)


async def test_open_breaker_fails_fast_then_recovers() -> None:
    bus = EventBus()
    moves: list[BreakerTransition] = []
    bus.subscribe(BreakerTransition, moves.append)
    clock = FakeClock(0.0)
    orch = AsyncAgentOrchestrator(bus=bus, clock=clock, config=NO_TICKS)
    healthy = True
    calls = 0

    async def team(request: AgentRequest) -> str:
        nonlocal calls
        calls += 1
        if not healthy:
            raise ConnectionError("model store down")
        return f"profile of {request.payload['team']}"

    orch.register("team", team, breaker=BREAKER)
    await orch.start()
    assert (await orch.handle(AgentRequest("team", {"team": "Ohio State"}))).ok
    healthy = False
    for _ in range(3):  # 1 success + 3 failures = 75 % of the minimum 4 calls: trips
        assert isinstance((await orch.handle(AgentRequest("team", {"team": "Iowa"}))).error,
                          ConnectionError)
    assert [(m.from_state, m.to_state) for m in moves] == [("closed", "open")]
    calls_before = calls
    # Answered before or not, both fail fast (stale answers are the response cache's job).
    for team in ("Ohio State", "Texas"):
        refused = await orch.handle(AgentRequest("team", {"team": team}))
        assert isinstance(refused.error, CircuitOpenError) and refused.error.status == 503
        assert refused.error.retry_after == pytest.approx(30.0)
    assert calls == calls_before  # open circuit: the agent was not called at all
    healthy = True
    clock.advance(30.0)
    probe = await orch.handle(AgentRequest("team", {"team": "Texas"}))
    assert probe.ok and probe.result == "profile of Texas"
    assert [m.to_state for m in moves] == ["open", "half_open", "closed"]
    await orch.stop()


async def test_caller_errors_do_not_trip_the_breaker() -> None:
    orch = AsyncAgentOrchestrator(bus=EventBus())

    async def strict(request: AgentRequest) -> None:
        raise ValidationError("week must be 1..16")

    orch.register("strict", strict, breaker=BREAKER)
    await orch.start()
    for _ in range(10):
        assert isinstance((await orch.handle(AgentRequest("strict"))).error, ValidationError)
    assert orch.breakers["agent:strict"].state == "closed"
    await orch.stop()


async def test_idempotent_work_is_retried_and_other_work_is_not() -> None:
    orch = AsyncAgentOrchestrator(bus=EventBus())
    attempts = {"read": 0, "write": 0}

    def flaky(kind: str) -> Handler:
        async def handler(request: AgentRequest) -> str:
            attempts[kind] += 1
            if attempts[kind] < 3:
                raise ConnectionError("blip")
            return "ok"
        return handler

    fast = RetryPolicy(max_attempts=3, backoff_s=0.001)
    orch.register("read", flaky("read"), idempotent=True, retry=fast, use_breaker=False)
    orch.register("write", flaky("write"), idempotent=False, retry=fast, use_breaker=False)
    await orch.start()
    read = await orch.handle(AgentRequest("read"))
    assert read.ok and read.attempts == 3
    write = await orch.handle(AgentRequest("write"))
    assert isinstance(write.error, ConnectionError) and write.attempts == 1
    assert attempts["write"] == 1
    await orch.stop()


async def test_retry_budget_caps_retries_when_everything_fails() -> None:
    orch = AsyncAgentOrchestrator(bus=EventBus(),
                                  config=OrchestratorConfig(retry_budget_ratio=0.1))
    calls = 0

    async def down(request: AgentRequest) -> None:
        nonlocal calls
        calls += 1
        raise ConnectionError("down")

    orch.register("down", down, idempotent=True, use_breaker=False,
                  retry=RetryPolicy(max_attempts=5, backoff_s=0.0))
    await orch.start()
    for _ in range(100):
        await orch.handle(AgentRequest("down"))
    # Without a budget: 500 calls. With it: 100 first attempts + ~10 initial + 0.1 per request.
    assert 100 < calls <= 100 + 10 + 11
    await orch.stop()


async def test_slow_agent_times_out_with_504() -> None:
    orch = AsyncAgentOrchestrator(bus=EventBus())

    async def stuck(request: AgentRequest) -> None:
        await asyncio.sleep(60)

    orch.register("stuck", stuck, timeout_s=0.02)
    await orch.start()
    response = await orch.handle(AgentRequest("stuck"))
    assert isinstance(response.error, DeadlineExceededError) and response.error.status == 504
    await orch.stop()


async def test_pool_scales_up_under_pressure_and_back_down_when_idle() -> None:
    clock = FakeClock()
    events: list[object] = []
    config = PoolConfig(slots_per_worker=1, autoscaling=AutoscalerConfig(
        min_workers=2, max_workers=6, target_utilization=1.0,
        scale_up_delay_s=1.0, scale_down_delay_s=5.0))
    pool = WorkerPool("light", config, clock=clock, emit=events.append)
    waiters = [asyncio.ensure_future(pool.acquire("x", 0, None)) for _ in range(5)]
    await asyncio.sleep(0)
    assert (pool.busy, pool.queued) == (2, 3)
    pool.evaluate()
    clock.advance(1.0)
    pool.evaluate()
    assert pool.workers == 5
    await asyncio.gather(*waiters)  # the queued three got the new slots
    assert (pool.busy, pool.queued) == (5, 0)
    for _ in range(5):
        pool.release()
    pool.evaluate()  # still reports the long waits of the burst: no scale-down yet
    pool.evaluate()
    clock.advance(5.0)
    pool.evaluate()
    assert pool.workers == 2
    scaled = [e for e in events if isinstance(e, PoolScaled)]
    assert [(e.from_workers, e.to_workers) for e in scaled] == [(2, 5), (5, 2)]


async def test_running_out_of_the_callers_deadline_does_not_trip_the_breaker() -> None:
    orch = AsyncAgentOrchestrator(bus=EventBus())

    async def steady(request: AgentRequest) -> str:
        await asyncio.sleep(0.05)
        return "ok"

    orch.register("steady", steady, timeout_s=10, breaker=BREAKER)
    await orch.start()
    for _ in range(8):  # each caller allows only 5 ms: 504, but the agent is healthy
        response = await orch.handle(AgentRequest("steady", deadline=time.monotonic() + 0.005))
        assert isinstance(response.error, DeadlineExceededError)
    assert orch.breakers["agent:steady"].state == "closed"
    assert (await orch.handle(AgentRequest("steady"))).ok
    await orch.stop()


async def test_agent_exceeding_its_own_timeout_does_trip_the_breaker() -> None:
    orch = AsyncAgentOrchestrator(bus=EventBus())

    async def stuck(request: AgentRequest) -> None:
        await asyncio.sleep(60)

    orch.register("stuck", stuck, timeout_s=0.005, breaker=BREAKER)
    await orch.start()
    for _ in range(4):
        await orch.handle(AgentRequest("stuck"))
    assert orch.breakers["agent:stuck"].state == "open"
    await orch.stop()


async def test_redis_dependency_breaker_makes_the_limiter_fail_open_fast() -> None:
    orch = AsyncAgentOrchestrator(bus=EventBus())
    redis_breaker = orch.breaker("redis", BreakerConfig(minimum_calls=2, window_size=2))
    dead = RateLimitConfig(default="1/minute", storage_url="redis://127.0.0.1:1/0")
    limiter = UserRateLimiter(dead, breaker=redis_breaker)
    for _ in range(3):
        assert (await limiter.hit("u")).allowed
    assert redis_breaker.state == "open"  # later hits skip Redis entirely, still allowed
    assert (await limiter.hit("u")).allowed
    await limiter.aclose()
