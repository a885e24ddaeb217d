"""Graceful shutdown: stop admitting, drain in-flight work, answer everything accepted."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time

from scriptohio.errors import OverloadedError
from scriptohio.events import EventBus
from scriptohio.runtime import (
    AgentRequest,
    AsyncAgentOrchestrator,
    AutoscalerConfig,
    EventLoopLagMonitor,
    PoolConfig,
)
from scriptohio.runtime.lag import RunQueueWait
from scriptohio.runtime.telemetry import EventLoopLag


async def test_drain_finishes_in_flight_and_queued_work_and_refuses_new() -> None:
    one_slot = PoolConfig(slots_per_worker=1,
                          autoscaling=AutoscalerConfig(min_workers=1, max_workers=1))
    orch = AsyncAgentOrchestrator(pools={"light": one_slot}, bus=EventBus())

    async def work(request: AgentRequest) -> int:
        await asyncio.sleep(0.02)
        return int(request.payload["i"])

    orch.register("work", work)
    await orch.start()
    tasks = [asyncio.ensure_future(orch.handle(AgentRequest("work", {"i": i}))) for i in range(5)]
    await asyncio.sleep(0)
    stopping = asyncio.ensure_future(orch.stop(drain=True, grace_s=10))
    await asyncio.sleep(0)
    late = await orch.handle(AgentRequest("work", {"i": 7}))
    assert isinstance(late.error, OverloadedError) and late.error.status == 503
    await stopping
    assert [t.result().unwrap() for t in tasks] == [0, 1, 2, 3, 4]  # accepted: answered
    assert orch.in_flight == 0


async def test_grace_period_exceeded_still_answers_every_request() -> None:
    orch = AsyncAgentOrchestrator(bus=EventBus())

    async def forever(request: AgentRequest) -> None:
        await asyncio.sleep(3600)

    orch.register("forever", forever, timeout_s=None)
    await orch.start()
    tasks = [asyncio.ensure_future(orch.handle(AgentRequest("forever"))) for _ in range(3)]
    await asyncio.sleep(0)
    await orch.stop(drain=True, grace_s=0.05)
    responses = await asyncio.wait_for(asyncio.gather(*tasks), timeout=5)
    assert all(isinstance(r.error, OverloadedError) for r in responses)
    assert orch.in_flight == 0


async def test_a_request_after_stop_is_refused_at_once() -> None:
    orch = AsyncAgentOrchestrator(bus=EventBus())

    async def anything(request: AgentRequest) -> int:
        return 1

    orch.register("anything", anything)
    await orch.start()
    await orch.stop()
    refused = await orch.handle(AgentRequest("anything"))
    assert isinstance(refused.error, OverloadedError) and refused.error.retry_after > 0
    assert refused.attempts == 0  # never ran


async def test_lag_monitor_emits_samples() -> None:
    samples: list[EventLoopLag] = []
    monitor = EventLoopLagMonitor(interval_s=0.001, emit=samples.append)
    monitor.start()
    for _ in range(200):  # bounded wait for a few samples
        if len(samples) >= 3:
            break
        await asyncio.sleep(0.005)
    await monitor.stop()
    assert len(samples) >= 3 and all(s.lag_s >= 0 for s in samples)
    assert monitor.percentile(0.99) >= monitor.percentile(0.5) >= 0


def test_run_queue_wait_grows_only_when_the_cpus_are_oversubscribed() -> None:
    """Linux schedstat: a thread spinning alone waits ~0; with more spinners than cores it
    waits for a CPU a large share of the time (bounded: 0.4 s each phase)."""
    cores = os.cpu_count() or 1
    waited = RunQueueWait()

    def spin(seconds: float) -> float:
        before, end = waited(), time.perf_counter() + seconds
        while time.perf_counter() < end:
            pass
        return waited() - before

    hogs: list[subprocess.Popen[bytes]] = []
    try:
        alone = spin(0.4)
        hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
                for _ in range(cores + 1)]
        time.sleep(0.05)
        crowded = spin(0.4)
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
        waited.close()
    assert crowded > 0.05 and crowded > 5 * alone, (alone, crowded)

