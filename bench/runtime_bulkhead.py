"""Bulkhead: light-request latency with the heavy pools saturated vs idle (target: P95 +<20%).

Light traffic: an open-loop stream of 5 ms I/O requests (default 500 req/s) in the "light"
pool. Heavy load, in the *saturated* phase only: the async "heavy" pool (10 slots, queue 40)
is kept flooded with 500 ms requests (the excess is shed with 503), and the "cpu" process
pool (1 process, leaving one core to the event loop) runs CPU-bound jobs back to back.
Baseline, same run: the identical light stream with the heavy pools idle. The scenarios
(async heavy only, cpu only, both) alternate for several rounds; medians are printed, with
the event-loop lag P99 of each phase. Worker processes run at niceness 10.

Run: .venv/bin/python bench/runtime_bulkhead.py [--rate R] [--seconds S] [--rounds N]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from scriptohio.events import EventBus
from scriptohio.runtime import (
    AgentRequest,
    AgentResponse,
    AsyncAgentOrchestrator,
    AutoscalerConfig,
    PoolConfig,
)

HEAVY_CLIENTS = 100
CPU_CLIENTS = 3
SCENARIOS = {  # name -> (heavy async clients, cpu-job clients)
    "heavy idle (baseline)": (0, 0),
    "async heavy saturated": (HEAVY_CLIENTS, 0),
    "cpu pool saturated": (0, CPU_CLIENTS),
    "both saturated": (HEAVY_CLIENTS, CPU_CLIENTS),
    # Counterfactual: the same CPU job run inline on the event loop instead of the process
    # pool (what the process pool prevents); one client, so about one job at a time.
    "cpu inline on the loop": (0, -1),
}


def crunch(request: AgentRequest) -> int:
    """CPU-bound work for the process pool (~0.2 s of pure Python)."""
    return sum(i * i for i in range(int(request.payload["n"])))


async def light_agent(request: AgentRequest) -> str:
    await asyncio.sleep(0.005)
    return "lesson"


async def crunch_inline(request: AgentRequest) -> int:
    return crunch(request)  # blocks the event loop for the whole job, on purpose


async def heavy_agent(request: AgentRequest) -> str:
    await asyncio.sleep(0.5)
    return "backtest"


def fixed(workers: int, **kwargs: object) -> PoolConfig:
    return PoolConfig(autoscaling=AutoscalerConfig(min_workers=workers, max_workers=workers),
                      **kwargs)  # type: ignore[arg-type]


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def light_stream(orch: AsyncAgentOrchestrator, rate: float, seconds: float) -> list[float]:
    """Open-loop arrivals at ``rate``/s; returns latencies (ms) of successful requests."""
    latencies: list[float] = []
    tasks: list[asyncio.Task[None]] = []

    async def one() -> None:
        started = time.perf_counter()
        response = await orch.handle(AgentRequest("lesson"))
        if response.ok:
            latencies.append((time.perf_counter() - started) * 1000)

    begin = time.perf_counter()
    sent = 0
    while (elapsed := time.perf_counter() - begin) < seconds:
        due = int(elapsed * rate) - sent
        for _ in range(due):
            tasks.append(asyncio.ensure_future(one()))
        sent += due
        await asyncio.sleep(0.001)
    await asyncio.gather(*tasks)
    return latencies


async def flood(orch: AsyncAgentOrchestrator, stop: asyncio.Event, counts: dict[str, int],
                heavy_clients: int, cpu_clients: int) -> None:
    async def heavy_client() -> None:
        while not stop.is_set():
            response: AgentResponse = await orch.handle(AgentRequest("backtest"))
            counts["heavy ok" if response.ok else "heavy shed"] += 1
            if not response.ok:  # a well-behaved client honours Retry-After (capped here so
                # the heavy pool stays saturated throughout the phase)
                retry_after = getattr(response.error, "retry_after", 0.1)
                await asyncio.sleep(min(retry_after, 0.25))

    async def cpu_client(request_type: str) -> None:
        while not stop.is_set():
            response = await orch.handle(AgentRequest(request_type, {"n": 3_000_000}))
            counts["cpu ok" if response.ok else "cpu shed"] += 1
            await asyncio.sleep(0)

    inline = cpu_clients < 0
    await asyncio.gather(*(heavy_client() for _ in range(heavy_clients)),
                         *(cpu_client("crunch-inline" if inline else "crunch")
                           for _ in range(abs(cpu_clients))))


async def phase(orch: AsyncAgentOrchestrator, heavy_clients: int, cpu_clients: int,
                rate: float, seconds: float) -> dict[str, float]:
    counts = {"heavy ok": 0, "heavy shed": 0, "cpu ok": 0, "cpu shed": 0}
    stop = asyncio.Event()
    flooding = asyncio.ensure_future(flood(orch, stop, counts, heavy_clients, cpu_clients))
    await asyncio.sleep(0.5)  # let the heavy pools fill up first (same pause when idle)
    orch.lag_monitor.samples.clear()
    latencies = await light_stream(orch, rate, seconds)
    lag = orch.lag_monitor.percentile(0.99) * 1000
    stop.set()
    await flooding
    return {"p50": pct(latencies, 0.5), "p95": pct(latencies, 0.95), "lag": lag,
            "light ok": len(latencies), **counts}


async def main(rate: float, seconds: float, rounds: int) -> None:
    pools = {"light": PoolConfig(), "heavy": fixed(2, slots_per_worker=5, max_queue=40),
             "cpu": fixed(1, kind="process")}
    orch = AsyncAgentOrchestrator(pools=pools, bus=EventBus())
    orch.register("lesson", light_agent, pool="light")
    orch.register("backtest", heavy_agent, pool="heavy")
    orch.register("crunch", crunch, pool="cpu", timeout_s=60)
    orch.register("crunch-inline", crunch_inline, pool="heavy", timeout_s=60)
    await orch.start()
    await orch.handle(AgentRequest("crunch", {"n": 10}))  # start the worker process up front
    results: dict[str, list[dict[str, float]]] = {name: [] for name in SCENARIOS}
    for _ in range(rounds):  # interleaved so machine noise hits every scenario alike
        for name, (heavy_clients, cpu_clients) in SCENARIOS.items():
            results[name].append(await phase(orch, heavy_clients, cpu_clients, rate, seconds))
    await orch.stop(drain=False)

    def med(name: str, key: str) -> float:
        return statistics.median(r[key] for r in results[name])

    print(f"light stream: {rate:.0f} req/s of a 5 ms agent for {seconds:.0f} s; "
          f"median of {rounds} rounds")
    base = med("heavy idle (baseline)", "p95")
    for name in SCENARIOS:
        print(f"  {name:22} light P50 {med(name, 'p50'):6.2f} ms  P95 {med(name, 'p95'):6.2f} ms "
              f"({med(name, 'p95') / base - 1:+6.1%})  loop lag P99 {med(name, 'lag'):5.2f} ms  "
              f"light ok {med(name, 'light ok'):.0f}  heavy ok/shed "
              f"{med(name, 'heavy ok'):.0f}/{med(name, 'heavy shed'):.0f}  "
              f"cpu jobs {med(name, 'cpu ok'):.0f}")
    inline_rise = med("cpu inline on the loop", "p95") / base - 1
    print(f"  (counterfactual without the process pool: light P95 {inline_rise:+.0%}, "
          f"loop lag P99 {med('cpu inline on the loop', 'lag'):.0f} ms)")
    rise = med("both saturated", "p95") / base - 1
    print(f"  light P95 rise with both heavy pools saturated: {rise:+.1%} "
          f"(target < +20%: {'PASS' if rise < 0.2 else 'FAIL'})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=500)
    parser.add_argument("--seconds", type=float, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.rate, args.seconds, args.rounds))
