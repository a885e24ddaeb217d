"""Shared pieces of the monitor tests: a fake clock, a small app, a real loopback server."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from scriptohio.clock import FakeClock
from scriptohio.events import EventBus
from scriptohio.monitor import MetricsMiddleware, Monitor, monitor_exclusions, monitor_router

EPOCH = 1_800_000_000.0  # a realistic wall-clock start for the monitor's fake clocks


class CountingCache:
    """A cache statistics source with settable cumulative counters (two tiers)."""

    def __init__(self) -> None:
        self.values: dict[str, float] = {}

    def stats(self) -> Mapping[str, float]:
        return dict(self.values)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(EPOCH)


def build_app(monitor: Monitor, *, stream_events: int = 60,
              timer: Callable[[], float] = time.perf_counter) -> FastAPI:
    """A tiny service: a templated route, a failing route, the monitor's router; the metrics
    middleware times requests with ``timer``."""
    app = FastAPI()

    @app.get("/v1/teams/{team}")
    async def team(team: str) -> dict[str, str]:
        return {"team": team}

    @app.get("/v1/fail")
    async def fail() -> JSONResponse:
        return JSONResponse({"title": "Service unavailable"}, status_code=503)

    @app.get("/v1/crash")
    async def crash() -> None:
        raise RuntimeError("boom")

    app.include_router(monitor_router(monitor, stream_events=stream_events))
    app.add_middleware(MetricsMiddleware, monitor=monitor, exclude=monitor_exclusions(),
                       timer=timer)
    return app


@pytest.fixture
def monitor(tmp_path: object) -> Iterator[Monitor]:
    m = Monitor(bus=EventBus(), sinks=[])
    yield m
    m.close()


def free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """Run ``app`` on a real uvicorn server on 127.0.0.1 (random port) in a thread."""
    sock = free_socket()
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
