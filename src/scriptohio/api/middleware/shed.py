"""Refusal at the door under pressure: 503 + Retry-After before any routing work.

The service's outermost own middleware (inside the metrics, so each refusal is counted as a
503). While the loop's lag says it is overloaded (:class:`~scriptohio.runtime.pressure.
PressureShedder`), a share of the requests for the API is answered at once from a prepared
problem+json; operations paths (health, readiness, metrics, the dashboard) are never refused,
so an overloaded service stays observable and its load balancer keeps its view of it.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import orjson
from starlette.types import ASGIApp, Receive, Scope, Send

from scriptohio.api.open_paths import is_open
from scriptohio.api.problems import PROBLEM_JSON, TYPE_BASE
from scriptohio.runtime.pressure import PressureShedder

__all__ = ["ShedMiddleware"]

_BODY = orjson.dumps({
    "type": TYPE_BASE + "service-unavailable", "title": "Service unavailable", "status": 503,
    "detail": "the service is overloaded and refused this request before doing any work; "
              "retry after the number of seconds in Retry-After",
})


class ShedMiddleware:
    def __init__(self, app: ASGIApp, *, shedder: PressureShedder,
                 on_shed: Callable[[], None] = lambda: None, retry_after_s: int = 1,
                 draw: Callable[[], float] = random.random) -> None:
        self.app = app
        self.shedder = shedder
        self.on_shed = on_shed
        self.draw = draw
        self.in_flight = 0
        self._start = {"type": "http.response.start", "status": 503, "headers": [
            (b"content-type", PROBLEM_JSON.encode()),
            (b"content-length", str(len(_BODY)).encode()),
            (b"retry-after", str(retry_after_s).encode()),
        ]}
        self._body = {"type": "http.response.body", "body": _BODY}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if (self.shedder.shed(self.in_flight, self.draw())
                and not is_open(scope["path"])):
            self.on_shed()
            await send(dict(self._start))
            await send(self._body)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
