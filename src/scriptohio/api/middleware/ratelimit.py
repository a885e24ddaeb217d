"""Per-user rate limits: 429 with ``Retry-After``; ``RateLimit-*`` headers on every answer.

The one place the service limits rates: every request but the open paths
(:mod:`scriptohio.api.open_paths`) and administrators' counts against the caller's limit in
one :class:`~scriptohio.runtime.UserRateLimiter`, whose decision builds the headers.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scriptohio.api.identity import Identity
from scriptohio.api.open_paths import is_open
from scriptohio.api.problems import problem
from scriptohio.errors import RateLimitedError
from scriptohio.runtime import UserRateLimiter


class RateLimitMiddleware:
    """``per_address`` (open mode): a second limit per client address, so a caller who
    rotates ``X-User-Id`` does not multiply the user limit."""

    def __init__(self, app: ASGIApp, *, limiter: UserRateLimiter,
                 per_address: str | None = None) -> None:
        self.app = app
        self.limiter = limiter
        self.per_address = per_address

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or is_open(scope["path"]):
            await self.app(scope, receive, send)
            return
        identity: Identity = scope["state"]["identity"]
        if identity.role == "admin":
            await self.app(scope, receive, send)
            return
        decision = await self.limiter.hit(identity.user_id, identity.role)
        who = f"user {identity.user_id}"
        # every request of an address counts against one budget, with X-User-Id or without:
        # 100 anonymous requests and 100 more under made-up ids would double the limit
        if self.per_address is not None and decision.allowed:
            by_address = await self.limiter.hit_key(f"addr:{identity.address}",
                                                    self.per_address)
            if not by_address.allowed or by_address.remaining < decision.remaining:
                decision, who = by_address, f"address {identity.address}"
        headers = decision.raw_headers()
        if not decision.allowed:
            response = problem(RateLimitedError.status, RateLimitedError.title,
                               f"rate limit of {decision.limit} requests per window reached "
                               f"for {who}")
            response.raw_headers.extend(headers)
            await response(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *headers]
            await send(message)

        await self.app(scope, receive, send_with_headers)
