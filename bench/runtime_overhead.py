"""Orchestrator overhead per request for a no-op agent (target: P50 <= 50 µs).

Baseline, measured in the same run: a bare ``await handler(request)``. Each figure is the
median of several rounds (the machine has 2 noisy cores). Variants: default route (breaker,
30 s timeout), route without breaker/timeout, a hit of the in-memory per-user rate limiter
before it (as the API's rate-limit middleware does).

Run: .venv/bin/python bench/runtime_overhead.py [--requests N] [--rounds R]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import time
from collections.abc import Awaitable, Callable

from scriptohio.events import EventBus
from scriptohio.runtime import (
    AgentRequest,
    AsyncAgentOrchestrator,
    RateLimitConfig,
    UserRateLimiter,
)


async def noop(request: AgentRequest) -> int:
    return 1


async def measure(call: Callable[[AgentRequest], Awaitable[object]], request_type: str,
                  n: int) -> list[float]:
    requests = [AgentRequest(request_type, {"i": i}, user_id=f"user{i % 1000}") for i in range(n)]
    samples = []
    clock = time.perf_counter_ns
    for request in requests:
        started = clock()
        await call(request)
        samples.append((clock() - started) / 1000)
    return samples


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def main(n: int, rounds: int) -> None:
    limiter = UserRateLimiter(RateLimitConfig(default="1000000/minute"))
    plain = AsyncAgentOrchestrator(bus=EventBus())
    plain.register("noop", noop)
    plain.register("bare", noop, use_breaker=False, timeout_s=None)
    await plain.start()

    async def limited(request: AgentRequest) -> object:
        await limiter.hit(request.user_id, request.role)
        return await plain.handle(request)

    variants: dict[str, tuple[Callable[[AgentRequest], Awaitable[object]], str]] = {
        "baseline await handler(req)": (noop, "noop"),
        "handle (breaker + timeout)": (plain.handle, "noop"),
        "handle (no breaker/timeout)": (plain.handle, "bare"),
        "handle + rate limiter (memory)": (limited, "noop"),
    }
    p50s: dict[str, list[float]] = {name: [] for name in variants}
    p99s: dict[str, list[float]] = {name: [] for name in variants}
    gc.disable()  # GC pauses would land on random variants; collected between rounds
    for _ in range(rounds):
        for name, (call, request_type) in variants.items():
            samples = await measure(call, request_type, n)
            p50s[name].append(pct(samples, 0.5))
            p99s[name].append(pct(samples, 0.99))
            gc.collect()
    gc.enable()
    base = statistics.median(p50s["baseline await handler(req)"])
    print(f"requests per round: {n}, rounds: {rounds} (median of rounds)")
    print(f"{'variant':34} {'P50 µs':>8} {'P99 µs':>8} {'overhead P50 µs':>16} {'x baseline':>10}")
    for name in variants:
        p50 = statistics.median(p50s[name])
        p99 = statistics.median(p99s[name])
        print(f"{name:34} {p50:8.2f} {p99:8.2f} {p50 - base:16.2f} {p50 / base:10.1f}")
    overhead = statistics.median(p50s["handle (breaker + timeout)"]) - base
    print(f"\norchestrator overhead P50 (default route): {overhead:.1f} µs "
          f"-> target <= 50 µs: {'PASS' if overhead <= 50 else 'FAIL'}")
    await plain.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(main(args.requests, args.rounds))
