"""What monitoring costs: throughput with and without ``MetricsMiddleware``; ``/metrics`` latency.

Four measurements, each against a baseline taken in the same run, rounds interleaved
(A, B, A, B, ...) so machine noise hits both sides alike; medians are quoted:

0. the middleware around a bare ASGI app: its absolute cost in microseconds per request;
1. in-process ASGI calls of a small FastAPI app (pure CPU cost of the middleware);
2. the same app behind a real uvicorn server (subprocess, 127.0.0.1) driven by a raw
   keep-alive HTTP/1.1 client with several connections (what a user sees);
3. ``GET /metrics`` latency on a real server after the registry holds a generous number of
   series (40 routes x 3 statuses, pools, breakers, cache tiers), next to the latency of a
   trivial JSON route on the same server (the baseline).

Run: ``.venv/bin/python bench/monitor_overhead.py [--seconds 3] [--rounds 5]``
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from typing import Any

import psutil

HERE = os.path.dirname(os.path.abspath(__file__))


def make_app(monitored: bool, *, populate: bool = False) -> Any:
    from fastapi import FastAPI

    from scriptohio.breaker import BreakerTransition
    from scriptohio.events import EventBus
    from scriptohio.monitor import MetricsMiddleware, Monitor, monitor_exclusions, monitor_router
    from scriptohio.runtime.telemetry import PoolSnapshot

    bus = EventBus()
    monitor = Monitor(bus=bus, sinks=[])

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The one-second ticker (resources, alerts, snapshot) runs as it would in production.
        if monitored:
            await monitor.start()
        yield
        await monitor.stop()

    app = FastAPI(lifespan=lifespan)

    @app.get("/v1/teams/{team}")
    async def team(team: str) -> dict[str, str]:
        return {"team": team, "conference": "Big Ten"}

    if monitored:
        app.include_router(monitor_router(monitor))
        app.add_middleware(MetricsMiddleware, monitor=monitor, exclude=monitor_exclusions())
        if populate:
            for i in range(40):
                for status in (200, 404, 503):
                    monitor.request_finished(f"/v1/route{i}/{{x}}", "GET", status, 0.01 * i)
            for p in ("predict", "features", "io"):
                bus.emit(PoolSnapshot(p, 4, 2, 1, 1, 8))
                bus.emit(BreakerTransition(p, "closed", "open"))

            class Tiers:
                def stats(self) -> dict[str, float]:
                    return {f"{t}.{k}": 1.0 for t in ("l1", "l2", "shared")
                            for k in ("hits", "misses", "evictions", "bytes")}

            monitor.add_cache_source(Tiers())
    return app


# --- 0. the middleware alone ---------------------------------------------------------------
async def raw_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The cheapest possible ASGI app: what is left is the middleware's own cost."""
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


def wrapped_raw_app() -> Any:
    from scriptohio.events import EventBus
    from scriptohio.monitor import MetricsMiddleware, Monitor

    return MetricsMiddleware(raw_app, Monitor(bus=EventBus(), sinks=[]))


# --- 1. in-process -------------------------------------------------------------------------
async def asgi_rate(app: Any, seconds: float) -> float:
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
             "scheme": "http", "path": "/v1/teams/ohio-state", "raw_path": b"/v1/teams/ohio-state",
             "root_path": "", "query_string": b"", "headers": [(b"host", b"bench")],
             "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80)}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        pass

    # Requests per second of *this process's CPU time*: other processes on a noisy machine
    # then change the figure far less than they change wall-clock rates.
    n = 0
    start = time.process_time()
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        for _ in range(100):
            await app(dict(scope), receive, send)
        n += 100
    return n / (time.process_time() - start)


# --- 2. real server ------------------------------------------------------------------------
SERVER = """
import sys, uvicorn
sys.path.insert(0, {here!r})
from monitor_overhead import make_app
uvicorn.run(make_app({monitored}, populate={populate}), host="127.0.0.1", port={port},
            log_level="warning", access_log=False)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(monitored: bool, populate: bool = False) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    code = SERVER.format(here=HERE, monitored=monitored, populate=populate, port=port)
    proc = subprocess.Popen([sys.executable, "-c", code])
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start")


async def _connection(port: int, path: str, end: float, latencies: list[float]) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = f"GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n".encode()
    n = 0
    while time.perf_counter() < end:
        start = time.perf_counter()
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        await reader.readexactly(length)
        latencies.append(time.perf_counter() - start)
        n += 1
    writer.close()
    return n


async def http_rate(port: int, seconds: float, connections: int = 16) -> float:
    end = time.perf_counter() + seconds
    latencies: list[float] = []
    counts = await asyncio.gather(
        *(_connection(port, "/v1/teams/ohio-state", end, latencies) for _ in range(connections))
    )
    return sum(counts) / seconds


async def sequential_latency(port: int, path: str, n: int = 200) -> list[float]:
    latencies: list[float] = []
    end = time.perf_counter() + 60
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = f"GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n".encode()
    for _ in range(n):
        if time.perf_counter() > end:
            break
        start = time.perf_counter()
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:"))
        await reader.readexactly(length)
        latencies.append(time.perf_counter() - start)
    writer.close()
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    print("0. the middleware alone, around a bare ASGI app (CPU microseconds per request)")
    bare, wrapped = [], []
    for _ in range(args.rounds):
        bare.append(1e6 / asyncio.run(asgi_rate(raw_app, args.seconds / 2)))
        wrapped.append(1e6 / asyncio.run(asgi_rate(wrapped_raw_app(), args.seconds / 2)))
    a, b = statistics.median(bare), statistics.median(wrapped)
    print(f"   bare app: {a:.2f} us   with MetricsMiddleware + Monitor: {b:.2f} us"
          f"   monitoring cost {b - a:.2f} us per request")

    print("1. in-process ASGI calls of a small FastAPI app (requests per CPU-second)")
    plain, monitored = make_app(False), make_app(True)
    a_rates, b_rates = [], []
    for _ in range(args.rounds):
        a_rates.append(asyncio.run(asgi_rate(plain, args.seconds / 2)))
        b_rates.append(asyncio.run(asgi_rate(monitored, args.seconds / 2)))
    a, b = statistics.median(a_rates), statistics.median(b_rates)
    print(f"   without monitor: {a:9.0f}   with monitor: {b:9.0f}   ratio {b / a:.3f}"
          f"   cost {1 - b / a:+.1%}   (+{1e6 / b - 1e6 / a:.1f} us per request)")

    print("2. real uvicorn server, 16 keep-alive connections")
    servers = [start_server(False), start_server(True)]
    try:
        rates: list[list[float]] = [[], []]
        cpu_us: list[list[float]] = [[], []]
        for _ in range(args.rounds):
            for i, (proc, port) in enumerate(servers):
                server = psutil.Process(proc.pid)
                before = sum(server.cpu_times()[:2])
                rate = asyncio.run(http_rate(port, args.seconds))
                used = sum(server.cpu_times()[:2]) - before
                rates[i].append(rate)
                cpu_us[i].append(1e6 * used / (rate * args.seconds))
        a, b = statistics.median(rates[0]), statistics.median(rates[1])
        print(f"   throughput (req/s)  without: {a:9.0f}   with: {b:9.0f}   ratio {b / a:.3f}")
        # Server CPU per request is far less sensitive to a noisy machine than wall-clock
        # throughput: the monitor's cost is the difference.
        ca, cb = statistics.median(cpu_us[0]), statistics.median(cpu_us[1])
        print(f"   server CPU per request  without: {ca:6.1f} us   with: {cb:6.1f} us"
              f"   cost {cb / ca - 1:+.1%}  (throughput ratio at saturation {ca / cb:.3f})")
    finally:
        for proc, _ in servers:
            proc.terminate()
            proc.wait()

    print("3. GET /metrics on a real server (populated registry)")
    proc, port = start_server(True, populate=True)
    try:
        for path, note in (("/v1/teams/ohio-state", "baseline, trivial JSON route"),
                           ("/metrics", "goal < 20 ms")):
            lat = sorted(asyncio.run(sequential_latency(port, path)))
            median = statistics.median(lat) * 1000
            p95 = lat[int(0.95 * (len(lat) - 1))] * 1000
            print(f"   {path:22s} n={len(lat)}  median {median:6.2f} ms  p95 {p95:6.2f} ms"
                  f"  ({note})")
    finally:
        proc.terminate()
        proc.wait()


if __name__ == "__main__":
    main()
