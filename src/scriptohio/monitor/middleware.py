"""``MetricsMiddleware``: per-route requests, errors and durations, as a pure ASGI wrapper.

Why pure ASGI rather than ``BaseHTTPMiddleware``: no extra task or body copying per request, so
the cost stays a few microseconds (see ``bench/monitor_overhead.py``). The route label is the
matched route's *template* (``/v1/teams/{team}``), read from ``scope["route"]`` after the router
ran, so cardinality is bounded by the app's routes. A request answered before routing (a
429 from the rate limiter, a 503 shed at the door) is matched against the app's routes here,
so it is filed under the route it was for; only paths no route matches share ``<unmatched>``.
An exception escaping the app is recorded as a 500 (and re-raised untouched); which answers
count as failures is :mod:`~scriptohio.monitor.outcomes`' call, not the middleware's.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol

from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

UNMATCHED = "<unmatched>"


class RequestRecorder(Protocol):
    """What the middleware reports to (the :class:`~scriptohio.monitor.core.Monitor`)."""

    def request_started(self) -> None: ...

    def request_finished(self, route: str, method: str, status: int, seconds: float) -> None: ...


def route_template(scope: Scope) -> str:
    """The route template of a request, or ``<unmatched>``."""
    route: Any = scope.get("route")
    if route is None:
        route = _match(scope)
        if route is None:
            return UNMATCHED
    path = getattr(route, "path_format", None) or getattr(route, "path", None)
    return str(path) if path else UNMATCHED


def _match(scope: Scope) -> Any:
    """The app's route matching ``scope`` (the router did not run: the answer came first)."""
    router = getattr(scope.get("app"), "router", None)
    for route in _leaf_routes(getattr(router, "routes", ())):
        try:
            match, _ = route.matches(scope)
        except Exception:  # a route that cannot judge this scope is not its route
            continue
        if match is Match.FULL:
            return route
    return None


def _leaf_routes(routes: Iterable[Any]) -> Iterator[Any]:
    """Routes with a template, through FastAPI's included routers (no prefixes used here)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _leaf_routes(inner.routes)
        else:
            yield route


class MetricsMiddleware:
    """Wraps an ASGI app; ``app.add_middleware(MetricsMiddleware, monitor=monitor)``.

    ``timer`` measures the durations (seconds, monotonic); tests pass a stepped clock.
    """

    def __init__(
        self, app: ASGIApp, monitor: RequestRecorder, *, exclude: tuple[str, ...] = (),
        timer: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.app = app
        self.monitor = monitor
        self.timer = timer
        # Paths not measured at all, e.g. ("/metrics", "/dashboard/stream"): a scrape or a
        # minute-long stream would otherwise distort the latency of real traffic.
        self.exclude = frozenset(exclude)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.exclude:
            await self.app(scope, receive, send)
            return
        status = 500
        timer = self.timer
        start = timer()

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        self.monitor.request_started()
        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            self.monitor.request_finished(
                route_template(scope), scope["method"], status, timer() - start
            )
