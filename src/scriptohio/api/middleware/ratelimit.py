"""Per-user rate limits: 429 with ``Retry-After``; ``RateLimit-*`` headers on every answer.

Operations endpoints (health, readiness, metrics, dashboard, docs) are exempt.
"""

from __future__ import annotations

import math

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scriptohio.api.identity import Identity
from scriptohio.api.problems import problem
from scriptohio.runtime import UserRateLimiter

EXEMPT = ("/health", "/ready", "/metrics", "/dashboard", "/docs", "/openapi.json", "/redoc")


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, *, limiter: UserRateLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(EXEMPT):
            await self.app(scope, receive, send)
            return
        identity: Identity = scope["state"]["identity"]
        if identity.role == "admin":
            await self.app(scope, receive, send)
            return
        decision = await self.limiter.hit(identity.user_id, identity.role)
        headers = [
            (b"ratelimit-limit", str(decision.limit).encode()),
            (b"ratelimit-remaining", str(decision.remaining).encode()),
            (b"ratelimit-reset", str(math.ceil(decision.reset_after_s)).encode()),
        ]
        if not decision.allowed:
            response = problem(429, "Too many requests",
                               f"rate limit of {decision.limit} requests per window reached "
                               f"for user {identity.user_id}",
                               retry_after=decision.retry_after_s)
            response.raw_headers.extend(headers)
            await response(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *headers]
            await send(message)

        await self.app(scope, receive, send_with_headers)
