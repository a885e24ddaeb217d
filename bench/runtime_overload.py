"""Overload at 3x capacity: shed with 503/429, admitted P95 within deadline, bounded memory,
recovery by itself (targets from issue 5).

Set-up: the "light" pool is fixed at 50 slots (2 workers x 25) with a queue of 100, the agent
takes 20 ms, so capacity is about 2,500 req/s; in-flight is capped at 200. Every request
carries a 200 ms deadline. One "scraper" user sends 10% of the traffic and meets the
per-user limit (100/minute) -> 429. Open-loop phases: 0.5x capacity (baseline, same run),
3x capacity, then 0.5x again (recovery). Memory: process RSS sampled every 50 ms.

Run: .venv/bin/python bench/runtime_overload.py [--seconds S]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import time

import psutil

from scriptohio.errors import DeadlineExceededError, OverloadedError, RateLimitedError
from scriptohio.events import EventBus
from scriptohio.runtime import (
    AgentRequest,
    AsyncAgentOrchestrator,
    AutoscalerConfig,
    PoolConfig,
    RateLimitConfig,
    UserRateLimiter,
)

CAPACITY_RPS = 2500
DEADLINE_S = 0.2
SERVICE_S = 0.02


async def agent(request: AgentRequest) -> int:
    await asyncio.sleep(SERVICE_S)
    return 1


def pct(samples: list[float], q: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def run_phase(orch: AsyncAgentOrchestrator, rate: float, seconds: float,
                    memory: list[float]) -> dict[str, float]:
    outcomes: collections.Counter[str] = collections.Counter()
    latencies: list[float] = []
    tasks: list[asyncio.Task[None]] = []
    process = psutil.Process()
    max_queue = 0

    async def one(i: int) -> None:
        # Regular users are "casual" (generous limit here); the scraper has the default role.
        user, role = ("scraper", "anonymous") if i % 10 == 0 else (f"user{i % 5000}", "casual")
        started = time.perf_counter()
        request = AgentRequest("work", user_id=user, role=role,
                               deadline=time.monotonic() + DEADLINE_S)
        response = await orch.handle(request)
        error = response.error
        if error is None:
            outcomes["ok"] += 1
            latencies.append((time.perf_counter() - started) * 1000)
        elif isinstance(error, RateLimitedError):
            outcomes["429"] += 1
        elif isinstance(error, OverloadedError):
            outcomes["503"] += 1
        elif isinstance(error, DeadlineExceededError):
            outcomes["504"] += 1
        else:
            outcomes["other"] += 1

    begin = time.perf_counter()
    sent = 0
    last_sample = 0.0
    while (elapsed := time.perf_counter() - begin) < seconds:
        due = int(elapsed * rate) - sent
        for k in range(due):
            tasks.append(asyncio.ensure_future(one(sent + k)))
        sent += due
        max_queue = max(max_queue, orch.pools["light"].queued)
        if elapsed - last_sample >= 0.05:
            memory.append(process.memory_info().rss / 2**20)
            last_sample = elapsed
        await asyncio.sleep(0.001)
    await asyncio.gather(*tasks)
    total = sum(outcomes.values())
    return {"offered": total, "ok": outcomes["ok"], "503": outcomes["503"],
            "429": outcomes["429"], "504": outcomes["504"], "other": outcomes["other"],
            "shed": (outcomes["503"] + outcomes["429"]) / total if total else 0.0,
            "p50": pct(latencies, 0.5), "p95": pct(latencies, 0.95),
            "p99": pct(latencies, 0.99), "goodput": outcomes["ok"] / seconds,
            "max_queue": max_queue}


async def main(seconds: float) -> None:
    pool = PoolConfig(slots_per_worker=25, max_queue=100,
                      autoscaling=AutoscalerConfig(min_workers=2, max_workers=2))
    limiter = UserRateLimiter(RateLimitConfig(default="100/minute",
                                              per_role={"casual": "100000/minute"}))
    orch = AsyncAgentOrchestrator(200, pools={"light": pool}, bus=EventBus(),
                                  rate_limiter=limiter)
    orch.register("work", agent)
    await orch.start()
    memory: list[float] = []
    phases = [("baseline 0.5x", 0.5), ("overload 3x", 3.0), ("recovery 0.5x", 0.5)]
    results = {}
    rss_before = psutil.Process().memory_info().rss / 2**20
    for name, factor in phases:
        results[name] = await run_phase(orch, factor * CAPACITY_RPS, seconds, memory)
    await orch.stop()
    print(f"capacity ~{CAPACITY_RPS} req/s (50 slots x 20 ms), queue 100, in-flight cap 200, "
          f"deadline {DEADLINE_S * 1000:.0f} ms; {seconds:.0f} s per phase")
    print(f"{'phase':15} {'offered':>8} {'ok':>7} {'503':>6} {'429':>6} {'504':>5} "
          f"{'other':>5} {'shed':>6} {'goodput/s':>9} {'P50 ms':>7} {'P95 ms':>7} "
          f"{'P99 ms':>7} {'max q':>6}")
    for name, r in results.items():
        print(f"{name:15} {r['offered']:8.0f} {r['ok']:7.0f} {r['503']:6.0f} {r['429']:6.0f} "
              f"{r['504']:5.0f} {r['other']:5.0f} {r['shed']:6.1%} {r['goodput']:9.0f} "
              f"{r['p50']:7.1f} {r['p95']:7.1f} {r['p99']:7.1f} {r['max_queue']:6.0f}")
    over, base, rec = results["overload 3x"], results["baseline 0.5x"], results["recovery 0.5x"]
    print(f"admitted P95 under 3x: {over['p95']:.1f} ms vs deadline {DEADLINE_S * 1000:.0f} ms "
          f"({'PASS' if over['p95'] <= DEADLINE_S * 1000 else 'FAIL'}); "
          f"x{over['p95'] / base['p95']:.2f} the baseline P95")
    print(f"memory RSS: before {rss_before:.0f} MiB, peak {max(memory):.0f} MiB, "
          f"end {memory[-1]:.0f} MiB; pool queue never above {over['max_queue']:.0f} (bound 100)")
    recovered = rec["503"] == 0 and rec["504"] == 0 and rec["other"] == 0
    print(f"recovery: after the overload, {rec['ok']:.0f} ok, {rec['503']:.0f} shed with 503, "
          f"P95 {rec['p95']:.1f} ms (baseline {base['p95']:.1f} ms) -> "
          f"{'PASS' if recovered else 'FAIL'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3)
    asyncio.run(main(parser.parse_args().seconds))
