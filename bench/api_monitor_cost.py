"""Benchmark: what monitoring costs the real service (goal: at most 5 % of throughput).

Two apps from the same factory in one process, one with the per-request metrics middleware and
one without (``Settings(metrics=False)``); the monitor's event subscriptions, sampling and
dashboard run in both. Cached ``GET /v1/predict`` and ``GET /v1/rankings`` through the whole
middleware stack (ASGI calls, no network), rounds alternating between the two apps; the figure
is requests per CPU-second, median of rounds, and the ratio with / without.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
from typing import Any

from scriptohio.api.app import create_app
from scriptohio.config import Settings

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "7"))
PER_ROUND = int(os.environ.get("BENCH_N", "2000"))
TARGETS = [("/v1/predict", b"home=Ohio%20State&away=Michigan&season=2024&week=14"),
           ("/v1/rankings", b"season=2024&limit=25")]


def _scope(path: str, query: bytes) -> dict[str, Any]:
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
            "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": query,
            "root_path": "", "headers": [(b"host", b"bench"), (b"x-role", b"production"),
                                         (b"x-user-id", b"bench")],
            "client": ("127.0.0.1", 1234), "server": ("127.0.0.1", 8000)}


async def _receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


async def _send(message: dict[str, Any]) -> None:
    return None


async def _round(app: Any) -> float:
    scopes = [_scope(p, q) for p, q in TARGETS]
    start = time.process_time()
    for i in range(PER_ROUND):
        await app(scopes[i % len(scopes)], _receive, _send)
    return PER_ROUND / (time.process_time() - start)


async def main_async() -> int:
    env = {k: v for k, v in (("state_dir", os.environ.get("SCRIPTOHIO_STATE_DIR")),
                             ("data_dir", os.environ.get("SCRIPTOHIO_DATA_DIR"))) if v}
    apps = {flag: create_app(Settings(rate_limit="100000000/minute", warm_cache=False,
                                      metrics=flag, **env)) for flag in (True, False)}
    rates: dict[bool, list[float]] = {True: [], False: []}
    async with apps[True].router.lifespan_context(apps[True]), \
            apps[False].router.lifespan_context(apps[False]):
        for app in apps.values():
            while not app.state.service.holder.ready:
                await asyncio.sleep(0.1)
            await _round(app)  # fill the cache, warm the code paths
        for _ in range(ROUNDS):
            for flag in (True, False):
                rates[flag].append(await _round(apps[flag]))
    on, off = statistics.median(rates[True]), statistics.median(rates[False])
    cost = 1 - on / off
    print(f"cached /v1/predict + /v1/rankings through the full middleware stack, "
          f"{ROUNDS} rounds x {PER_ROUND} requests")
    print(f"  without per-request metrics: {off:8.0f} req per CPU-second "
          f"({1e6 / off:6.1f} us CPU per request)")
    print(f"  with per-request metrics:    {on:8.0f} req per CPU-second "
          f"({1e6 / on:6.1f} us CPU per request)")
    print(f"  ratio with/without {on / off:.3f}; monitoring cost {cost * 100:+.1f} % "
          f"(goal <= 5 %: {'PASS' if cost <= 0.05 else 'FAIL'})")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main_async()))
