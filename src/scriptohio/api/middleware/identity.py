"""Sets ``scope["state"]["identity"]`` for every request; rejects bad credentials early.

The client address is the socket's, or the one a trusted proxy put in ``X-Forwarded-For``
(uvicorn rewrites it only for ``--forwarded-allow-ips``; nothing is trusted by default). In
open mode a loopback caller is an administrator only when the service was started with
``--open-admin``. In key mode failed authentications count against a limit per address
(``AUTH_FAILURE_LIMIT``): past it, 429 before any key is looked at, so keys cannot be guessed
at the speed of the network.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from starlette.types import ASGIApp, Receive, Scope, Send

from scriptohio.api.identity import (
    DEFAULT_ROLE,
    Identity,
    KeyStore,
    check_role,
    check_user_id,
)
from scriptohio.api.open_paths import is_open
from scriptohio.api.problems import problem, problem_for
from scriptohio.errors import AuthError, CallerError, RateLimitedError, ServiceError
from scriptohio.runtime import UserRateLimiter

LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
#: failed authentications one address may make (then 429 until the window ends)
AUTH_FAILURE_LIMIT = "20/minute"


class IdentityMiddleware:
    def __init__(self, app: ASGIApp, *, mode: str, keys: Callable[[], KeyStore | None],
                 open_admin: bool = False, limiter: UserRateLimiter | None = None,
                 auth_failure_limit: str = AUTH_FAILURE_LIMIT) -> None:
        self.app = app
        self.mode = mode
        self.keys = keys
        self.open_admin = open_admin
        self.limiter = limiter
        self.auth_failure_limit = auth_failure_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            identity = self._identify(scope)
        except AuthError as exc:
            await self._refuse_auth(scope, receive, send, exc)
            return
        except (CallerError, ServiceError) as exc:  # the key store down: 503, not 401
            await problem_for(exc)(scope, receive, send)
            return
        scope.setdefault("state", {})["identity"] = identity
        await self.app(scope, receive, send)

    async def _refuse_auth(self, scope: Scope, receive: Receive, send: Send,
                           exc: AuthError) -> None:
        """401, counted per address; past the address's limit, 429 with Retry-After."""
        if self.limiter is not None:
            client = scope.get("client")
            decision = await self.limiter.hit_key(f"authfail:{client[0] if client else '?'}",
                                                  self.auth_failure_limit)
            if not decision.allowed:
                response = problem(RateLimitedError.status, RateLimitedError.title,
                                   "too many failed authentications from this address")
                response.raw_headers.extend(decision.raw_headers())
                await response(scope, receive, send)
                return
        await problem_for(exc)(scope, receive, send)

    def _identify(self, scope: Scope) -> Identity:
        headers = dict(scope["headers"])
        client = scope.get("client")
        host = client[0] if client else "unknown"
        loopback = host in LOOPBACK or host.startswith("127.")
        if self.mode == "keys":
            path: str = scope["path"]
            auth = headers.get(b"authorization", b"").decode("latin-1")
            if not auth:
                if is_open(path):
                    return Identity(f"ip:{host}", DEFAULT_ROLE, address=host)
                raise AuthError("missing Authorization: Bearer <api key>")
            scheme, _, key = auth.partition(" ")
            store = self.keys()
            found = store.lookup(key.strip()) if store and scheme.lower() == "bearer" else None
            if found is None:
                raise AuthError("invalid API key")
            return replace(found, address=host)
        user = headers.get(b"x-user-id")
        role = headers.get(b"x-role")
        return Identity(
            user_id=check_user_id(user.decode("latin-1")) if user else f"ip:{host}",
            role=check_role(role.decode("latin-1")) if role else DEFAULT_ROLE,
            local_admin=loopback and self.open_admin,
            address=host,
        )
