"""HTTP surface of the monitor: ``/metrics``, ``/v1/monitor/status``, ``/dashboard`` (+ stream).

``monitor_router(monitor)`` returns a plain FastAPI ``APIRouter`` the API layer includes. The
dashboard page and its script and style are package files served here (no CDN). The live
stream is Server-Sent Events: one JSON snapshot per monitor tick; the snapshot is serialised
once per tick and shared by every connected client, so a thousand dashboards cost a thousand
small writes per second, not a thousand snapshot builds.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from importlib import resources

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse

from scriptohio.monitor.core import Monitor

STATIC_FILES = {
    "dashboard.js": "text/javascript; charset=utf-8",
    "dashboard.css": "text/css; charset=utf-8",
}
#: A stream ends after this many events (about a minute); EventSource reconnects by itself.
#: This bounds how long any one response lives: a server shutting down waits for open
#: responses to finish, so an endless stream would hold a graceful shutdown forever.
DEFAULT_STREAM_EVENTS = 60
STREAM_PATH = "/dashboard/stream"


def _asset(name: str) -> bytes:
    return resources.files(__package__).joinpath("static", name).read_bytes()


def monitor_router(monitor: Monitor, *, stream_events: int = DEFAULT_STREAM_EVENTS) -> APIRouter:
    """Routes: GET /metrics, /v1/monitor/status, /dashboard, /dashboard/static/*, stream."""
    router = APIRouter()
    page = _asset("dashboard.html")
    assets = {name: _asset(name) for name in STATIC_FILES}

    @router.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        monitor.refresh_gauges()
        body, content_type = monitor.metrics.exposition()
        return Response(body, media_type=content_type)

    @router.get("/v1/monitor/status", tags=["monitor"])
    async def status() -> JSONResponse:
        """Score, grade, each criterion's value and verdict, firing alerts, bottlenecks."""
        return JSONResponse(monitor.status())

    @router.get("/dashboard", include_in_schema=False)
    async def dashboard() -> HTMLResponse:
        return HTMLResponse(page, headers={"Cache-Control": "no-cache"})

    @router.get("/dashboard/static/{name}", include_in_schema=False)
    async def static(name: str) -> Response:
        if name not in assets:
            return JSONResponse({"title": "Not found", "status": 404}, status_code=404)
        return Response(
            assets[name], media_type=STATIC_FILES[name],
            headers={"Cache-Control": "public, max-age=300"},
        )

    @router.get("/dashboard/snapshot", include_in_schema=False)
    async def snapshot() -> Response:
        _, body = await monitor.next_snapshot(-1)
        return Response(body, media_type="application/json")

    @router.get(STREAM_PATH, include_in_schema=False)
    async def stream(request: Request) -> StreamingResponse:
        return StreamingResponse(
            _events(monitor, request, stream_events),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    return router


async def _events(monitor: Monitor, request: Request, limit: int) -> AsyncIterator[bytes]:
    version = -1
    yield b"retry: 1000\n\n"
    for _ in range(limit):
        if await request.is_disconnected():
            return
        version, body = await monitor.next_snapshot(version)
        yield b"data: " + body + b"\n\n"


def monitor_exclusions() -> tuple[str, ...]:
    """Paths the metrics middleware should not time: scrapes, long-lived streams, and the
    dashboard's page and files (a viewer must not change the grade it is looking at)."""
    return ("/metrics", STREAM_PATH, "/dashboard", "/dashboard/snapshot",
            *(f"/dashboard/static/{name}" for name in STATIC_FILES))


__all__ = ["monitor_exclusions", "monitor_router"]
