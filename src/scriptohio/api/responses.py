"""Cached JSON answers: encoded bytes in, the same bytes out on a hit.

The routes resolve and validate their parameters first (so equivalent requests share one key
and bad input never reaches an agent), then call :func:`cached_answer`:

    key → cache (X-Cache: hit-l1 | hit-l2 | hit-shared | stale) → bytes
        ↘ miss → orchestrator → agent → role view → orjson → cache (with tags) → bytes

Tags name what an answer depends on (``team:<name>:<season>``, ``week:<s>:<type>:<w>``,
``model:<version>``) so an ingest or a model reload invalidates exactly those entries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import orjson
from starlette.requests import Request as HttpRequest
from starlette.responses import Response

from scriptohio.api.identity import ROLE_PRIORITY, Identity
from scriptohio.api.preload import Recipe
from scriptohio.api.response_cache import ResponseCache

if TYPE_CHECKING:
    from scriptohio.api.service import Service

__all__ = ["JSON", "ResponseCache", "cached_answer", "json_response"]

JSON = "application/json"


def json_response(body: Any, *, status: int = 200, headers: Mapping[str, str] | None = None
                  ) -> Response:
    return Response(orjson.dumps(body, option=orjson.OPT_SERIALIZE_NUMPY), status_code=status,
                    media_type=JSON, headers=dict(headers or {}))


async def cached_answer(
    request: HttpRequest,
    *,
    kind: str,
    payload: dict[str, Any],
    tags: Iterable[str],
    view: Callable[[dict[str, Any], str], dict[str, Any]],
    role_specific: bool = True,
) -> Response:
    """Answer from the cache, or run ``kind`` through the orchestrator and cache the bytes."""
    service: Service = request.app.state.service
    identity: Identity = request.state.identity
    role = identity.role if role_specific else "any"
    model = service.ctx.predictor.model_version
    recipe = Recipe(kind, payload, identity.role, (*tags, f"model:{model}"), view)
    key = _key(kind, role, payload)
    found = await service.cache.get_or_load(key, lambda: service.compute(recipe),
                                            tags=recipe.tags,
                                            priority=ROLE_PRIORITY.get(identity.role, 1) + 2)
    service.cache.after_access(key, recipe, session=identity.user_id)
    return Response(found.value, media_type=JSON, headers={"X-Cache": found.header})


def _key(kind: str, role: str, payload: Mapping[str, Any]) -> str:
    parts = ",".join(f"{k}={payload[k]}" for k in sorted(payload))
    return f"{kind}|{role}|{parts}"
