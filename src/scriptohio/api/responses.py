"""Cached JSON answers: encoded bytes in, the same bytes out on a hit.

The routes resolve and validate their parameters first (so equivalent requests share one key
and bad input never reaches an agent), build a :class:`~scriptohio.api.preload.Recipe`
(:mod:`scriptohio.api.recipes`), then call :func:`cached_answer`:

    key → cache (X-Cache: hit-l1 | hit-l2 | hit-shared | stale) → bytes
        ↘ miss → orchestrator → agent → role view → orjson → cache (with tags) → bytes

Tags name what an answer depends on (``team:<name>:<season>``, ``week:<s>:<type>:<w>``,
``model:<version>``) so an ingest or a model reload invalidates exactly those entries.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import orjson
from starlette.requests import Request as HttpRequest
from starlette.responses import Response

from scriptohio.api.identity import ROLE_PRIORITY, Identity
from scriptohio.api.preload import Recipe
from scriptohio.api.recipes import cache_key

if TYPE_CHECKING:
    from scriptohio.api.service import Service

__all__ = ["JSON", "cached_answer", "json_response"]

JSON = "application/json"


def json_response(body: Any, *, status: int = 200, headers: Mapping[str, str] | None = None
                  ) -> Response:
    return Response(orjson.dumps(body, option=orjson.OPT_SERIALIZE_NUMPY), status_code=status,
                    media_type=JSON, headers=dict(headers or {}))


async def cached_answer(request: HttpRequest, recipe: Recipe, *,
                        headers: Mapping[str, str] | None = None) -> Response:
    """Answer ``recipe`` from the cache, or compute it through the orchestrator and cache it.

    ``headers`` describe this request, not the answer (e.g. the typos its team names were
    read from): they go on this response and on the memo's repeats of the same query, never
    into the cache key or the cached bytes.
    """
    service: Service = request.app.state.service
    identity: Identity = request.state.identity
    ctx = service.ctx_or_none  # the context the route just built ``recipe`` from
    key = cache_key(recipe)
    found = await service.cache.get_or_load(key, lambda: service.compute(recipe),
                                            tags=recipe.tags,
                                            priority=ROLE_PRIORITY.get(identity.role, 1) + 2)
    service.cache.after_access(key, recipe, session=identity.user_id)
    # Only if the data did not change while this answer was computed: the memo must map the
    # query to what the route would resolve it to now.
    if request.method == "GET" and ctx is not None and service.ctx_or_none is ctx:
        service.answer_memo.remember(ctx, request.scope, identity.role, recipe, key,
                                     headers=headers)
    return Response(found.value, media_type=JSON,
                    headers={**(headers or {}), "X-Cache": found.header})
