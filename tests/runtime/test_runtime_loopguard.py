"""The loop guard: the limit rule, the lag signal, the pool's limit, and the guard at work."""

from __future__ import annotations

import asyncio
import time

import pytest

from scriptohio.events import EventBus
from scriptohio.runtime import (
    AgentRequest,
    AsyncAgentOrchestrator,
    AutoscalerConfig,
    LoopGuardConfig,
    PoolConfig,
)
from scriptohio.runtime.loopguard import LagSignal, next_limit
from scriptohio.runtime.orchestrator import OrchestratorConfig
from scriptohio.runtime.pool import WorkerPool
from scriptohio.runtime.telemetry import ConcurrencyLimited, EventLoopLag

GUARD = LoopGuardConfig(high_s=0.006, low_s=0.003, decrease=0.9, increase=1.1, min_limit=32)


def test_sustained_lag_cuts_the_limit_below_what_the_pool_runs() -> None:
    assert next_limit(0.020, 0.030, busy=500, limit=1000, ceiling=1000, config=GUARD) == 450
    # the cut starts from the lower of busy and limit, and never goes under min_limit
    assert next_limit(0.020, 0.030, busy=900, limit=400, ceiling=1000, config=GUARD) == 360
    assert next_limit(0.020, 0.030, busy=34, limit=34, ceiling=1000, config=GUARD) == 32


def test_a_pool_running_little_is_not_cut_for_someone_elses_lag() -> None:
    assert next_limit(0.050, 0.050, busy=20, limit=1000, ceiling=1000, config=GUARD) == 1000
    assert next_limit(0.050, 0.050, busy=32, limit=300, ceiling=1000, config=GUARD) == 300


def test_low_lag_raises_the_limit_back_to_the_ceiling_and_no_further() -> None:
    assert next_limit(0.001, 0.002, busy=100, limit=100, ceiling=1000, config=GUARD) == 110
    assert next_limit(0.0, 0.0, busy=5, limit=5, ceiling=1000, config=GUARD) == 6  # at least +1
    assert next_limit(0.0, 0.0, busy=950, limit=950, ceiling=1000, config=GUARD) == 1000
    assert next_limit(0.0, 0.0, busy=10, limit=1000, ceiling=1000, config=GUARD) == 1000


def test_lag_inside_the_band_holds_the_limit() -> None:
    assert next_limit(0.004, 0.005, busy=300, limit=300, ceiling=1000, config=GUARD) == 300
    # one sample high and one low: neither "every sample high" nor "every sample low"
    assert next_limit(0.001, 0.020, busy=300, limit=300, ceiling=1000, config=GUARD) == 300


def test_lag_signal_needs_agreeing_samples() -> None:
    signal = LagSignal(window=2)
    assert signal.observe(0.030) == (0.030, 0.030)
    assert signal.observe(0.001) == (0.001, 0.030)  # a lone spike: sustained is low
    assert signal.observe(0.002) == (0.001, 0.002)
    assert signal.observe(0.020) == (0.002, 0.020)
    assert signal.observe(0.025) == (0.020, 0.025)  # two high in a row: sustained is high


def test_config_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        LoopGuardConfig(high_s=0.001, low_s=0.002)
    with pytest.raises(ValueError):
        LoopGuardConfig(decrease=1.2)
    with pytest.raises(ValueError):
        LoopGuardConfig(min_limit=0)


async def test_pool_limit_queues_beyond_it_and_a_raise_lets_waiters_in() -> None:
    pool = WorkerPool("p", PoolConfig(autoscaling=AutoscalerConfig(min_workers=1, max_workers=1),
                                      slots_per_worker=10))
    pool.set_limit(2)
    assert pool.capacity == 2
    assert pool.try_acquire("t", 3) and pool.try_acquire("t", 3)
    assert not pool.try_acquire("t", 3)
    waiter = asyncio.ensure_future(pool.acquire("t", 3, None))
    await asyncio.sleep(0)
    assert pool.queued == 1 and not waiter.done()
    pool.set_limit(50)  # above the slots: capped at what the pool has
    assert pool.capacity == 10 and pool.limit == 10
    await asyncio.wait_for(waiter, 1.0)
    assert pool.busy == 3 and pool.queued == 0


async def test_guard_cuts_a_loop_hogging_pool_answers_everyone_and_recovers() -> None:
    """Handlers that hold the loop 0.2 ms each, 150 at once: 30 ms turns without a guard.

    The guard must cut the flooded pool's limit, leave the lightly used pool alone, answer
    every request, and give the limit back once the load is gone."""
    bus = EventBus()
    moves: list[ConcurrencyLimited] = []
    cut, restored = asyncio.Event(), asyncio.Event()

    def moved(move: ConcurrencyLimited) -> None:
        moves.append(move)
        if move.pool == "heavy" and move.to_limit < move.from_limit:
            cut.set()
        if cut.is_set() and move.pool == "heavy" and move.to_limit == heavy.ceiling:
            restored.set()

    bus.subscribe(ConcurrencyLimited, moved)
    guard = LoopGuardConfig(high_s=0.006, low_s=0.003, decrease=0.5, increase=2.0, min_limit=8)
    pools = {name: PoolConfig(autoscaling=AutoscalerConfig(min_workers=4, max_workers=4))
             for name in ("light", "heavy")}
    orch = AsyncAgentOrchestrator(
        pools=pools, bus=bus, config=OrchestratorConfig(lag_interval_s=0.005, loop_guard=guard))

    async def hog(request: AgentRequest) -> int:
        time.sleep(0.0002)  # deliberately blocks the loop
        await asyncio.sleep(0)
        return 1

    async def lesson(request: AgentRequest) -> str:
        await asyncio.sleep(0.001)
        return "lesson"

    orch.register("hog", hog, pool="heavy")
    orch.register("lesson", lesson, pool="light")
    await orch.start()
    heavy, light = orch.pools["heavy"], orch.pools["light"]
    answers: list[bool] = []
    # The load runs until the guard has acted and the watcher has seen the cut limit, however
    # long the host takes; the 60 s are a hang guard, not a deadline for the guard.
    load_over = asyncio.Event()

    async def client(kind: str) -> None:
        while not load_over.is_set():
            answers.append((await orch.handle(AgentRequest(kind))).ok)

    lowest = heavy.ceiling

    async def watch() -> None:
        nonlocal lowest
        while not load_over.is_set():
            lowest = min(lowest, heavy.limit)
            await asyncio.sleep(0.005)

    async def cut_seen() -> None:
        await cut.wait()
        while lowest >= 150:
            await asyncio.sleep(0.005)

    async def end_load() -> None:
        try:
            await asyncio.wait_for(cut_seen(), timeout=60)
        finally:
            load_over.set()

    await asyncio.gather(end_load(), watch(), *(client("hog") for _ in range(150)),
                         *(client("lesson") for _ in range(4)))
    assert answers and all(answers)  # nothing refused, nothing lost
    assert lowest < 150  # the flooded pool ran fewer than its 150 clients at once
    assert any(m.pool == "heavy" and m.to_limit < m.from_limit for m in moves)
    assert light.limit == light.ceiling  # 4 clients: never the cause, never cut
    await asyncio.wait_for(restored.wait(), timeout=60)  # load gone: the limit climbs back
    assert heavy.limit == heavy.ceiling
    await orch.stop()


async def test_guard_off_leaves_limits_alone() -> None:
    orch = AsyncAgentOrchestrator(bus=EventBus(),
                                  config=OrchestratorConfig(lag_interval_s=0.005, loop_guard=None))

    async def hog(request: AgentRequest) -> int:
        time.sleep(0.002)
        return 1

    orch.register("hog", hog)
    await orch.start()
    await asyncio.gather(*(orch.handle(AgentRequest("hog")) for _ in range(100)))
    await asyncio.sleep(0.02)
    assert orch.pools["light"].limit == orch.pools["light"].ceiling
    await orch.stop()


async def test_guard_ignores_lag_that_waiting_for_a_cpu_explains() -> None:
    """A late timer while another process held the CPU is not the pools' doing: no cut.
    The same lateness with no CPU wait is, and cuts the busy pool."""
    guard = LoopGuardConfig(high_s=0.006, low_s=0.003, min_limit=8)
    orch = AsyncAgentOrchestrator(
        bus=EventBus(), config=OrchestratorConfig(lag_interval_s=60.0, loop_guard=guard))
    release = asyncio.Event()

    async def wait(request: AgentRequest) -> int:
        await release.wait()
        return 1

    orch.register("wait", wait)
    await orch.start()
    pool = orch.pools["light"]
    running = [asyncio.ensure_future(orch.handle(AgentRequest("wait"))) for _ in range(40)]
    for _ in range(100):
        if pool.busy == 40:
            break
        await asyncio.sleep(0.001)
    assert pool.busy == 40
    for _ in range(5):
        orch._lag_sampled(EventLoopLag(0.03, cpu_wait_s=0.029))
    assert pool.limit == pool.ceiling
    for _ in range(2):
        orch._lag_sampled(EventLoopLag(0.03))
    assert pool.limit < 40
    release.set()
    assert all(r.ok for r in await asyncio.gather(*running))
    await orch.stop()
