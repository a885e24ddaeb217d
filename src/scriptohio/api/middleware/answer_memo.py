"""Repeat cached GETs answered before FastAPI's routing, from what the first one resolved.

A cached answer's slow path is: match the route, validate the query, resolve team names and
the default week, build the recipe and its key, look the key up. All of it depends only on
the path, the raw query string, the caller's role and the loaded data. So
:func:`~scriptohio.api.responses.cached_answer` leaves behind
``(path, query string, role) -> (route, recipe, key)`` in an :class:`AnswerMemo`, and
:class:`AnswerMemoMiddleware` answers the next identical request straight from the local
cache tiers when the key is fresh there: the same bytes and headers, the same cache
statistics and preload bookkeeping, the route recorded for the metrics, and the headers the
route added for that query (``X-Team-Corrections``). Anything else (a
query not seen, an entry that is not fresh in L1, other methods) takes the normal path, and
is counted in the cache statistics there only. The memo is tied to the analytics context it
was built from, since names and default weeks depend on the data: a new context empties it.
Memo entries are also keyed by the caller's model arm (``scope["state"]["model_arm"]``, set by
:class:`~scriptohio.api.middleware.canary_arm.CanaryMiddleware`: a canary's candidate version, or
empty), so a query a canary caller asked never maps a stable caller to the candidate's answer,
nor the other way round. It is bounded in entries, and queries longer than
``MAX_QUERY_BYTES`` (no real one is) are not remembered, so padding a query cannot grow it.

It runs inside the identity and rate-limit middleware, so every request is still identified,
limited and measured. In-process a repeated cached ``GET /v1/predict`` costs about a ninth
of the same answer through the route (``bench/api_latency.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from scriptohio.api.identity import Identity
from scriptohio.api.recipes import Recipe
from scriptohio.api.response_cache import ResponseCache

__all__ = ["AnswerMemo", "AnswerMemoMiddleware"]

DEFAULT_MAX_ENTRIES = 50_000
MAX_QUERY_BYTES = 512
_JSON = (b"content-type", b"application/json")

MemoKey = tuple[str, bytes, str, str]
RawHeaders = tuple[tuple[bytes, bytes], ...]


class AnswerMemo:
    """Bounded ``(path, query, role) -> (route, recipe, key, headers)`` for one analytics
    context."""

    def __init__(self, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._entries: dict[MemoKey, tuple[Any, Recipe, str, RawHeaders]] = {}
        self._ctx: object | None = None
        self.served = 0  # requests answered by the middleware

    def __len__(self) -> int:
        return len(self._entries)

    def remember(self, ctx: object, scope: Scope, role: str, recipe: Recipe, key: str, *,
                 headers: Mapping[str, str] | None = None) -> None:
        query: bytes = scope["query_string"]
        if len(query) > MAX_QUERY_BYTES:
            return
        if ctx is not self._ctx:
            self._entries.clear()
            self._ctx = ctx
        entries = self._entries
        memo_key = (scope["path"], query, role, _arm(scope))
        if memo_key not in entries and len(entries) >= self.max_entries:
            del entries[next(iter(entries))]  # the oldest remembered
        raw = tuple((k.lower().encode("latin-1"), v.encode("latin-1"))
                    for k, v in (headers or {}).items())
        entries[memo_key] = (scope.get("route"), recipe, key, raw)

    def find(self, ctx: object, path: str, query: bytes, role: str, arm: str = ""
             ) -> tuple[Any, Recipe, str, RawHeaders] | None:
        if ctx is not self._ctx:
            return None
        return self._entries.get((path, query, role, arm))


class AnswerMemoMiddleware:
    """Answers a remembered GET from L1; ``context()`` is the context now served (None while
    loading), ``cache`` the response cache, ``memo`` what the routes left behind."""

    def __init__(self, app: ASGIApp, *, context: Callable[[], object | None],
                 cache: ResponseCache, memo: AnswerMemo) -> None:
        self.app = app
        self.context = context
        self.cache = cache
        self.memo = memo

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            identity: Identity | None = scope.get("state", {}).get("identity")
            ctx = self.context()
            if identity is not None and ctx is not None:
                found = self.memo.find(ctx, scope["path"], scope["query_string"], identity.role,
                                       _arm(scope))
                if found is not None:
                    route, recipe, key, extra = found
                    # Fresh in L1, checked without counting: otherwise the route counts it.
                    result = self.cache.fresh_local(key)
                    if result is not None:
                        if route is not None:
                            scope["route"] = route
                        self.cache.after_access(key, recipe, session=identity.user_id)
                        self.memo.served += 1
                        body: bytes = result.value  # type: ignore[assignment]
                        await send({"type": "http.response.start", "status": 200, "headers": [
                            *extra, (b"x-cache", result.header.encode()),
                            (b"content-length", str(len(body)).encode()), _JSON]})
                        await send({"type": "http.response.body", "body": body})
                        return
        await self.app(scope, receive, send)


def _arm(scope: Scope) -> str:
    """The caller's model arm: a canary's candidate version, or empty (the served one)."""
    arm: str = scope.get("state", {}).get("model_arm", "")
    return arm
