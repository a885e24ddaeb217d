"""Canary arms for prediction requests: which model version a caller gets, measured.

``X-Model-Version`` on every answer of a canaried path (``/v1/predict``) says which version
answered. While a canary runs, such a request gets its arm in ``scope["state"]["model_arm"]``
(the candidate version for callers in the canary's share, else empty) before the answer memo
and the route read it; afterwards its latency and outcome are recorded for that arm. It sits
inside the identity and rate-limit middleware (a refused request is no model's), outside the
answer memo (a memo hit is measured like any other answer).
"""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scriptohio.api.canary_router import CanaryRouter

__all__ = ["CANARY_PATHS", "CanaryMiddleware"]

#: the prediction endpoints a canary serves a share of
CANARY_PATHS = frozenset({"/v1/predict"})


class CanaryMiddleware:
    def __init__(self, app: ASGIApp, *, router: CanaryRouter,
                 paths: frozenset[str] = CANARY_PATHS) -> None:
        self.app = app
        self.router = router
        self.paths = paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        router = self.router
        if scope["type"] != "http" or scope["path"] not in self.paths:
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        identity = state.get("identity")
        running = router.running
        arm = router.arm(identity) if identity is not None and running else ""
        state["model_arm"] = arm
        status = 500
        started = time.perf_counter()

        async def send_with_version(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                version = router.served(arm, bool(state.get("canary_fallback")))
                message["headers"] = [*message.get("headers", []),
                                      (b"x-model-version", version.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_version)
        finally:
            if running and (status < 400 or status >= 500):  # a caller's error is no model's
                router.record(arm, time.perf_counter() - started, ok=status < 500,
                              fell_back=bool(state.get("canary_fallback")))
