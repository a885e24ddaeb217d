"""Sets ``scope["state"]["identity"]`` for every request; rejects bad credentials early."""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from scriptohio.api.identity import (
    DEFAULT_ROLE,
    Identity,
    KeyStore,
    check_role,
    check_user_id,
)
from scriptohio.api.open_paths import is_open
from scriptohio.api.problems import problem_for
from scriptohio.errors import AuthError, CallerError

LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


class IdentityMiddleware:
    def __init__(self, app: ASGIApp, *, mode: str, keys: Callable[[], KeyStore | None]) -> None:
        self.app = app
        self.mode = mode
        self.keys = keys

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            identity = self._identify(scope)
        except CallerError as exc:
            await problem_for(exc)(scope, receive, send)
            return
        scope.setdefault("state", {})["identity"] = identity
        await self.app(scope, receive, send)

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
                    return Identity(f"ip:{host}", DEFAULT_ROLE, loopback=False)
                raise AuthError("missing Authorization: Bearer <api key>")
            scheme, _, key = auth.partition(" ")
            store = self.keys()
            found = store.lookup(key.strip()) if store and scheme.lower() == "bearer" else None
            if found is None:
                raise AuthError("invalid API key")
            return found
        user = headers.get(b"x-user-id")
        role = headers.get(b"x-role")
        return Identity(
            user_id=check_user_id(user.decode("latin-1")) if user else f"ip:{host}",
            role=check_role(role.decode("latin-1")) if role else DEFAULT_ROLE,
            loopback=loopback,
        )
