"""Graceful shutdown: stop admitting, drain in-flight work, answer everything accepted."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

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
    enough = asyncio.Event()

    def collect(sample: EventLoopLag) -> None:
        samples.append(sample)
        if len(samples) >= 3:
            enough.set()

    monitor = EventLoopLagMonitor(interval_s=0.001, emit=collect)
    monitor.start()
    await asyncio.wait_for(enough.wait(), timeout=60)  # as long as it takes, not a deadline
    await monitor.stop()
    assert len(samples) >= 3 and all(s.lag_s >= 0 and s.cpu_wait_s >= 0 for s in samples)
    assert monitor.percentile(0.99) >= monitor.percentile(0.5) >= 0


def _schedstat(path: Path, wait_ns: int) -> None:
    path.write_text(f"123456789 {wait_ns} 42\n")  # cpu time, run-queue wait, timeslices (ns)


def test_run_queue_wait_reads_the_second_schedstat_field_in_seconds(tmp_path: Path) -> None:
    stat = tmp_path / "schedstat"
    _schedstat(stat, 2_500_000_000)
    waited = RunQueueWait(str(stat))
    assert waited() == 2.5
    _schedstat(stat, 2_750_000_000)  # the kernel's counter only grows; the probe diffs it
    assert waited() == 2.75
    stat.write_text("garbage")  # never let the probe die over a statistic
    assert waited() == 0.0
    waited.close()
    waited.close()
    assert waited() == 0.0
    assert RunQueueWait(str(tmp_path / "missing"))() == 0.0  # not Linux: no wait reported


def test_run_queue_wait_grows_when_another_process_shares_the_cpu() -> None:
    """Linux schedstat, for real: this thread and a spinning process pinned to one CPU.

    Measured against this thread's own CPU time, not the wall clock: however slow or busy the
    host, while the thread ran for 0.2 s of CPU the other runnable process had the CPU for
    a share of the time the scheduler gives it (half, alone on that CPU; more if others wait
    there too), and all of that is run-queue wait for this thread."""
    cpu = min(os.sched_getaffinity(0))
    mine = os.sched_getaffinity(0)
    hog = subprocess.Popen([sys.executable, "-c", (
        f"import os; os.sched_setaffinity(0, {{{cpu}}}); print('spinning', flush=True)\n"
        "while True: pass")], stdout=subprocess.PIPE, text=True)
    try:
        assert hog.stdout is not None and hog.stdout.readline().strip() == "spinning"
        os.sched_setaffinity(0, {cpu})  # this thread only (pid 0 = the calling thread)
        waited = RunQueueWait()
        try:
            before, cpu_before = waited(), time.thread_time()
            while time.thread_time() - cpu_before < 0.2:
                pass
            crowded = waited() - before
        finally:
            waited.close()
            os.sched_setaffinity(0, mine)
    finally:
        hog.kill()
        hog.wait()
    assert crowded >= 0.05, crowded  # a quarter of the CPU time it spun, at the very least
