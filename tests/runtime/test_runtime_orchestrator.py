"""The orchestrator end to end: concurrency, bulkheads, shedding, deadlines, priority."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator

import pytest

from scriptohio.errors import DeadlineExceededError, OverloadedError, ValidationError
from scriptohio.events import EventBus
from scriptohio.runtime import (
    AgentRequest,
    AsyncAgentOrchestrator,
    AutoscalerConfig,
    PoolConfig,
)
from scriptohio.runtime.telemetry import RequestAdmitted, RequestCompleted, RequestRejected


def small_pool(workers: int = 1, slots: int = 1, max_queue: int = 100) -> PoolConfig:
    return PoolConfig(autoscaling=AutoscalerConfig(min_workers=workers, max_workers=workers),
                      slots_per_worker=slots, max_queue=max_queue)


@pytest.fixture
async def bus() -> EventBus:
    return EventBus()


@pytest.fixture
async def orch(bus: EventBus) -> AsyncIterator[AsyncAgentOrchestrator]:
    orchestrator = AsyncAgentOrchestrator(bus=bus)
    await orchestrator.start()
    yield orchestrator
    await orchestrator.stop(drain=False)


async def test_thousand_concurrent_requests_all_answer_correctly(
    orch: AsyncAgentOrchestrator, bus: EventBus
) -> None:
    completed: list[RequestCompleted] = []
    bus.subscribe(RequestCompleted, completed.append)

    async def io_agent(request: AgentRequest) -> int:
        await asyncio.sleep(0.01)
        return int(request.payload["i"]) * 2

    orch.register("io", io_agent)
    responses = await asyncio.gather(
        *(orch.handle(AgentRequest("io", {"i": i}, user_id=f"u{i}")) for i in range(1000)))
    assert [r.unwrap() for r in responses] == [2 * i for i in range(1000)]
    assert len(completed) == 1000 and {c.outcome for c in completed} == {"ok"}
    assert orch.in_flight == 0


async def test_unknown_request_type_is_a_caller_error(orch: AsyncAgentOrchestrator) -> None:
    response = await orch.handle(AgentRequest("nope"))
    assert isinstance(response.error, ValidationError) and response.error.status == 422


async def test_heavy_flood_does_not_starve_the_light_pool(bus: EventBus) -> None:
    pools = {"light": small_pool(workers=1, slots=4), "heavy": small_pool(slots=2, max_queue=5)}
    orch = AsyncAgentOrchestrator(pools=pools, bus=bus)
    release_heavy = asyncio.Event()

    async def backtest(request: AgentRequest) -> str:
        await release_heavy.wait()
        return "done"

    async def lesson(request: AgentRequest) -> str:
        return "lesson"

    orch.register("backtest", backtest, pool="heavy")
    orch.register("lesson", lesson, pool="light")
    await orch.start()
    flood = [asyncio.ensure_future(orch.handle(AgentRequest("backtest"))) for _ in range(20)]
    await asyncio.sleep(0.01)
    light = await asyncio.gather(*(orch.handle(AgentRequest("lesson")) for _ in range(50)))
    assert all(r.result == "lesson" and r.timings.queue_wait_s == 0.0 for r in light)
    release_heavy.set()
    heavy = await asyncio.gather(*flood)
    shed = [r for r in heavy if isinstance(r.error, OverloadedError)]
    assert len(shed) == 13  # 2 running + 5 queued were admitted, the rest shed at once
    assert all(r.error.retry_after > 0 for r in shed)  # type: ignore[union-attr]
    assert sum(r.result == "done" for r in heavy) == 7
    await orch.stop()


async def test_global_in_flight_bound_sheds_with_retry_after(bus: EventBus) -> None:
    rejected: list[RequestRejected] = []
    bus.subscribe(RequestRejected, rejected.append)
    orch = AsyncAgentOrchestrator(max_concurrent_requests=10, bus=bus)
    gate = asyncio.Event()

    async def slow(request: AgentRequest) -> int:
        await gate.wait()
        return 1

    orch.register("slow", slow)
    await orch.start()
    tasks = [asyncio.ensure_future(orch.handle(AgentRequest("slow"))) for _ in range(30)]
    await asyncio.sleep(0.01)
    assert orch.in_flight == 10
    gate.set()
    responses = await asyncio.gather(*tasks)
    assert sum(r.ok for r in responses) == 10
    errors = [r.error for r in responses if not r.ok]
    assert len(errors) == 20 and all(isinstance(e, OverloadedError) for e in errors)
    assert all(e.status == 503 for e in errors)  # type: ignore[union-attr]
    assert [r.reason for r in rejected] == ["overload"] * 20
    # Recovers by itself: once the load is gone, new requests are admitted.
    assert (await orch.handle(AgentRequest("slow"))).ok
    await orch.stop()


async def test_request_whose_deadline_passes_in_queue_is_dropped_unrun(bus: EventBus) -> None:
    orch = AsyncAgentOrchestrator(pools={"light": small_pool()}, bus=bus)
    ran: list[str] = []
    gate = asyncio.Event()

    async def agent(request: AgentRequest) -> str:
        ran.append(request.payload["name"])
        if request.payload["name"] == "blocker":
            await gate.wait()
        return "ok"

    orch.register("a", agent)
    await orch.start()
    blocker = asyncio.ensure_future(orch.handle(AgentRequest("a", {"name": "blocker"})))
    await asyncio.sleep(0)
    doomed = asyncio.ensure_future(orch.handle(
        AgentRequest("a", {"name": "doomed"}, deadline=time.monotonic() + 0.02)))
    patient = asyncio.ensure_future(orch.handle(AgentRequest("a", {"name": "patient"})))
    response = await doomed
    assert isinstance(response.error, DeadlineExceededError)
    gate.set()
    assert (await patient).ok and (await blocker).ok
    assert ran == ["blocker", "patient"]  # the expired one never ran
    already_late = await orch.handle(AgentRequest("a", {"name": "late"}, deadline=0.0))
    assert isinstance(already_late.error, DeadlineExceededError)
    await orch.stop()


async def test_priority_order_within_a_saturated_pool(bus: EventBus) -> None:
    orch = AsyncAgentOrchestrator(pools={"light": small_pool()}, bus=bus)
    order: list[str] = []
    gate = asyncio.Event()

    async def agent(request: AgentRequest) -> None:
        if request.payload["name"] == "blocker":
            await gate.wait()
        order.append(request.payload["name"])

    orch.register("a", agent)
    await orch.start()
    tasks = [asyncio.ensure_future(orch.handle(AgentRequest("a", {"name": "blocker"})))]
    await asyncio.sleep(0)
    for name, priority in (("low", 0), ("high", 10), ("mid", 5)):
        tasks.append(asyncio.ensure_future(orch.handle(AgentRequest("a", {"name": name},
                                                                    priority=priority))))
        await asyncio.sleep(0)
    gate.set()
    await asyncio.gather(*tasks)
    assert order == ["blocker", "high", "mid", "low"]
    await orch.stop()


async def test_identical_concurrent_requests_execute_once(
    orch: AsyncAgentOrchestrator, bus: EventBus
) -> None:
    runs = 0
    gate = asyncio.Event()
    completed: list[RequestCompleted] = []
    bus.subscribe(RequestCompleted, completed.append)

    async def rankings(request: AgentRequest) -> list[str]:
        nonlocal runs
        runs += 1
        await gate.wait()
        return ["Ohio State", "Michigan"]

    orch.register("rankings", rankings, coalesce=True)
    tasks = [asyncio.ensure_future(orch.handle(AgentRequest("rankings", {"season": 2024},
                                                            user_id=f"u{i}"))) for i in range(25)]
    await asyncio.sleep(0.01)
    gate.set()
    responses = await asyncio.gather(*tasks)
    assert runs == 1
    assert all(r.result == ["Ohio State", "Michigan"] for r in responses)
    assert sum(r.coalesced for r in responses) == 24
    assert sum(c.coalesced for c in completed) == 24
    other = await orch.handle(AgentRequest("rankings", {"season": 2023}))
    assert other.ok and runs == 2  # a different payload is different work


async def test_events_report_admission_and_pool_name(
    orch: AsyncAgentOrchestrator, bus: EventBus
) -> None:
    admitted: list[RequestAdmitted] = []
    bus.subscribe(RequestAdmitted, admitted.append)

    async def agent(request: AgentRequest) -> int:
        return 1

    orch.register("x", agent, pool="heavy")
    await orch.handle(AgentRequest("x", priority=3))
    assert admitted == [RequestAdmitted("x", "heavy", 3, 0)]


async def test_cpu_heavy_handler_runs_in_a_process_pool(bus: EventBus) -> None:
    from .cpu_handlers import sum_of_squares

    orch = AsyncAgentOrchestrator(bus=bus)  # default pools include "cpu" (processes)
    orch.register("backtest", sum_of_squares, pool="cpu", timeout_s=60)
    await orch.start()
    responses = await asyncio.gather(*(orch.handle(AgentRequest("backtest", {"n": n}))
                                       for n in (10, 100, 1000)))
    results = [r.unwrap() for r in responses]
    assert [value for value, _ in results] == [285, 328350, 332833500]
    assert all(pid != os.getpid() for _, pid in results)
    await orch.stop()


def test_handler_must_fit_its_pool_kind() -> None:
    orch = AsyncAgentOrchestrator(bus=EventBus())

    def plain(request: AgentRequest) -> int:
        return 1

    async def coroutine(request: AgentRequest) -> int:
        return 1

    with pytest.raises(TypeError, match="must be an async function"):
        orch.register("a", plain, pool="light")
    with pytest.raises(TypeError, match="must not be async"):
        orch.register("b", coroutine, pool="cpu")
    with pytest.raises(ValueError, match="unknown pool"):
        orch.register("c", coroutine, pool="nope")


async def test_thread_pool_runs_blocking_work_off_the_event_loop() -> None:
    import threading

    pools = {"light": PoolConfig(), "io": PoolConfig(kind="thread")}
    orch = AsyncAgentOrchestrator(pools=pools, bus=EventBus())

    def blocking(request: AgentRequest) -> str:
        time.sleep(0.01)
        return threading.current_thread().name

    orch.register("blocking", blocking, pool="io")
    await orch.start()
    names = [r.unwrap() for r in await asyncio.gather(
        *(orch.handle(AgentRequest("blocking")) for _ in range(4)))]
    assert all(name.startswith("pool-io") for name in names)
    await orch.stop()
