"""1,000 concurrent requests of a 10 ms I/O-bound agent (target: P95 <= 30 ms).

Baseline, same run: 1,000 concurrent bare ``await agent(request)`` calls (no orchestrator).
Measured twice: *cold* (pool at its minimum of 2 workers x 50 slots, as after idling) and
*warm* (after one second of sustained load, once the autoscaler has scaled the pool up).
Also reports the event-loop lag P99 under sustained closed-loop load (target < 10 ms); the
1,000 clients run on the same loop, so this is the lag of a CPU-saturated process. It is
measured in steady state (after 0.3 s of the same load; the start of 1,000 clients in one
loop turn is the burst measured above), without the loop guard (the default) and with it
(``OrchestratorConfig(loop_guard=LoopGuardConfig())``, opt-in), in the same round. The
process's collector is tuned as the service tunes it (``tune_gc_for_latency``). Between the
sustained load and the warm burst the load pauses for 0.5 s, as between two bursts.

Run: .venv/bin/python bench/runtime_concurrency.py [--rounds R]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable

from scriptohio.events import EventBus
from scriptohio.runtime import (
    AgentRequest,
    AgentResponse,
    AsyncAgentOrchestrator,
    LoopGuardConfig,
    tune_gc_for_latency,
)
from scriptohio.runtime.orchestrator import OrchestratorConfig
from scriptohio.runtime.telemetry import PoolScaled

N = 1000


async def io_agent(request: AgentRequest) -> int:
    await asyncio.sleep(0.010)
    return 1


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def burst(call: Callable[[AgentRequest], Awaitable[object]]) -> tuple[list[float], int]:
    """Latency in ms of N concurrent calls, and how many failed."""
    failures = 0

    async def one(i: int) -> float:
        nonlocal failures
        started = time.perf_counter()
        result = await call(AgentRequest("io", {"i": i}))
        if isinstance(result, AgentResponse) and not result.ok:
            failures += 1
        return (time.perf_counter() - started) * 1000

    return list(await asyncio.gather(*(one(i) for i in range(N)))), failures


async def sustain(orch: AsyncAgentOrchestrator, seconds: float) -> tuple[int, int]:
    """N closed-loop clients for ``seconds``; returns (answered ok, refused)."""
    stop_at = time.perf_counter() + seconds
    ok = refused = 0

    async def client() -> None:
        nonlocal ok, refused
        while time.perf_counter() < stop_at:
            response = await orch.handle(AgentRequest("io"))
            if response.ok:
                ok += 1
            else:
                refused += 1
                await asyncio.sleep(0.01)  # a refused client pauses briefly before retrying

    await asyncio.gather(*(client() for _ in range(N)))
    return ok, refused


async def steady_state(orch: AsyncAgentOrchestrator, label: str) -> dict[str, float]:
    """Throughput and lag of 1.5 s of sustained load, after 0.3 s of the same to settle."""
    await sustain(orch, 0.3)
    orch.lag_monitor.samples.clear()
    completed, _ = await sustain(orch, 1.5)
    lag = orch.lag_monitor.percentile
    return {f"{label} req/s": completed / 1.5, f"{label} lag P50 ms": lag(0.5) * 1000,
            f"{label} lag P99 ms": lag(0.99) * 1000}


async def one_round() -> dict[str, float]:
    figures: dict[str, float] = {}
    base, _ = await burst(io_agent)
    figures["baseline P50"], figures["baseline P95"] = pct(base, 0.5), pct(base, 0.95)

    bus = EventBus()
    scaled: list[PoolScaled] = []
    bus.subscribe(PoolScaled, scaled.append)
    orch = AsyncAgentOrchestrator(bus=bus)
    orch.register("io", io_agent)
    await orch.start()
    cold, cold_failed = await burst(orch.handle)
    figures["cold P50"], figures["cold P95"] = pct(cold, 0.5), pct(cold, 0.95)
    figures |= await steady_state(orch, "default")
    figures["workers after load"] = orch.pools["light"].workers
    await asyncio.sleep(0.5)
    warm, warm_failed = await burst(orch.handle)
    figures["warm P50"], figures["warm P95"] = pct(warm, 0.5), pct(warm, 0.95)
    figures["failed"] = cold_failed + warm_failed
    figures["scale events"] = len(scaled)
    await orch.stop()

    guarded = OrchestratorConfig(loop_guard=LoopGuardConfig())
    with_guard = AsyncAgentOrchestrator(bus=EventBus(), config=guarded)
    with_guard.register("io", io_agent)
    await with_guard.start()
    figures |= await steady_state(with_guard, "guarded")
    await with_guard.stop()
    return figures


async def main(rounds: int) -> None:
    results = [await one_round() for _ in range(rounds)]
    med = {key: statistics.median(r[key] for r in results) for key in results[0]}
    print(f"{N} concurrent requests of a 10 ms I/O agent; median of {rounds} rounds")
    print(f"  baseline (bare await)  P50 {med['baseline P50']:6.1f} ms  "
          f"P95 {med['baseline P95']:6.1f} ms")
    for kind in ("cold", "warm"):
        print(f"  orchestrator {kind:9} P50 {med[kind + ' P50']:6.1f} ms  "
              f"P95 {med[kind + ' P95']:6.1f} ms  "
              f"(P95 x{med[kind + ' P95'] / med['baseline P95']:.2f} baseline)")
    print(f"  failed requests: {med['failed']:.0f}; workers after sustained load: "
          f"{med['workers after load']:.0f}; scaling events: {med['scale events']:.0f}")
    print("  sustained closed-loop load (1,000 clients, CPU saturated):")
    for label, key in (("no loop guard (default)", "default"), ("loop guard (opt-in)", "guarded")):
        print(f"    {label:24} {med[key + ' req/s']:7.0f} req/s; event-loop lag P50 "
              f"{med[key + ' lag P50 ms']:5.1f} ms, P99 {med[key + ' lag P99 ms']:5.1f} ms")
    ratio = {k: med[f"guarded {k}"] / med[f"default {k}"]
             for k in ("lag P99 ms", "lag P50 ms", "req/s")}
    print(f"  with the guard: lag P99 x{ratio['lag P99 ms']:.2f}, P50 x{ratio['lag P50 ms']:.2f}, "
          f"throughput x{ratio['req/s']:.2f} of without (target P99 < 10 ms: default "
          f"{'PASS' if med['default lag P99 ms'] < 10 else 'FAIL'}, guard "
          f"{'PASS' if med['guarded lag P99 ms'] < 10 else 'FAIL'})")
    print(f"  warm P95 target <= 30 ms: {'PASS' if med['warm P95'] <= 30 else 'FAIL'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--loop", choices=("uvloop", "asyncio"), default="uvloop",
                        help="event loop (the service runs on uvloop)")
    args = parser.parse_args()
    print(f"event loop: {args.loop}")
    tune_gc_for_latency()
    if args.loop == "uvloop":
        import uvloop

        uvloop.run(main(args.rounds))
    else:
        asyncio.run(main(args.rounds))
