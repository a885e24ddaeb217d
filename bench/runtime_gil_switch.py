"""Benchmark: event-loop lag while worker threads compute in Python, by GIL switch interval.

The service runs Python-heavy handlers in threads (``asyncio.to_thread``); while they compute
they hold the GIL, and the loop's thread waits for it each time it wakes. CPython makes a
computing thread drop the GIL only after the switch interval (5 ms by default). Here a lag
probe sleeps 5 ms on the loop (uvloop, as the service) while 1 or 2 threads spin in Python,
for each interval in the same run, three rounds interleaved; figures are the medians of the
rounds' P50/P99 and the ratio against the default 5 ms. The service uses 0.5 ms
(``scriptohio.runtime.shorten_gil_switch_interval``).

Run: ``.venv/bin/python bench/runtime_gil_switch.py``
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import threading
import time

import uvloop

INTERVALS_S = (0.005, 0.001, 0.0005)
PROBES = 300
ROUNDS = 3


def _compute(stop: threading.Event, done: list[int]) -> None:
    while not stop.is_set():
        total = 0
        for i in range(10_000):
            total += i
        done[0] += 1


async def _lag(interval_s: float, threads: int) -> tuple[float, float, float]:
    """(lag P50, lag P99, worker loops per second) with ``threads`` computing."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(interval_s)
    stop, done = threading.Event(), [0]
    workers = [threading.Thread(target=_compute, args=(stop, done)) for _ in range(threads)]
    for worker in workers:
        worker.start()
    lags: list[float] = []
    start = time.perf_counter()
    try:
        for _ in range(PROBES):
            asked = time.perf_counter() + 0.005
            await asyncio.sleep(0.005)
            lags.append(time.perf_counter() - asked)
    finally:
        stop.set()
        elapsed = time.perf_counter() - start
        for worker in workers:
            worker.join()
        sys.setswitchinterval(previous)
    lags.sort()
    return lags[len(lags) // 2], lags[int(0.99 * len(lags))], done[0] / elapsed


def main() -> None:
    print(f"{PROBES} probes of 5 ms per cell, {ROUNDS} rounds interleaved; medians of rounds")
    print("\n| threads | switch interval | lag P50 ms | lag P99 ms | P99 vs 5 ms | worker "
          "loops/s vs 5 ms |")
    print("|---|---|---|---|---|---|")
    for threads in (1, 2):
        cells: dict[float, list[tuple[float, float, float]]] = {i: [] for i in INTERVALS_S}
        for _ in range(ROUNDS):
            for interval in INTERVALS_S:
                cells[interval].append(uvloop.run(_lag(interval, threads)))
        base_p99 = statistics.median(c[1] for c in cells[INTERVALS_S[0]])
        base_work = statistics.median(c[2] for c in cells[INTERVALS_S[0]])
        for interval in INTERVALS_S:
            p50 = statistics.median(c[0] for c in cells[interval])
            p99 = statistics.median(c[1] for c in cells[interval])
            work = statistics.median(c[2] for c in cells[interval])
            print(f"| {threads} | {interval * 1e3:g} ms | {p50 * 1e3:.2f} | {p99 * 1e3:.2f} | "
                  f"{p99 / base_p99:.2f}x | {work / base_work:.2f}x |")


if __name__ == "__main__":
    main()
