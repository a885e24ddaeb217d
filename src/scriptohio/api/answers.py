"""Answering a recipe: from the cache, else computed by its agent through the orchestrator.

::

    recipe.key → cache (X-Cache: hit-l1 | hit-l2 | hit-shared | stale) → bytes
               ↘ miss → orchestrator → agent(ctx, payload) → recipe.view → orjson → cache

The routes resolve and validate their parameters first (so equivalent requests share one key
and bad input never reaches an agent) and build a :class:`~scriptohio.api.recipes.Recipe`;
``/v1/ask`` does the same after its plan. Tags name what an answer depends on
(``team:<name>:<season>``, ``week:<s>:<type>:<w>``, ``model:<version>``) so an ingest or a
model reload invalidates exactly those entries, and an answer computed across a context swap
is answered but not stored (:class:`~scriptohio.api.context_holder.ContextHolder`).
"""

from __future__ import annotations

from collections.abc import Mapping

import orjson
from starlette.requests import Request as HttpRequest
from starlette.responses import Response

from scriptohio.api.context_holder import ContextHolder
from scriptohio.api.identity import Identity
from scriptohio.api.middleware.answer_memo import AnswerMemo
from scriptohio.api.recipes import Recipe
from scriptohio.api.response_cache import ResponseCache
from scriptohio.api.responses import JSON
from scriptohio.cache import CacheResult
from scriptohio.runtime import AgentRequest, AsyncAgentOrchestrator

__all__ = ["Answerer"]
#: answers a user waits for go before preloads (2) and warming (1) in the cache's admission
_CACHE_PRIORITY_BOOST = 2


class Answerer:
    """Answers recipes through the cache; see the module docstring."""

    def __init__(self, holder: ContextHolder, cache: ResponseCache,
                 orchestrator: AsyncAgentOrchestrator, memo: AnswerMemo) -> None:
        self._holder = holder
        self._cache = cache
        self._orchestrator = orchestrator
        self._memo = memo

    async def compute(self, recipe: Recipe) -> bytes:
        """Run the recipe's agent and encode its view (errors propagate: a ServiceError may be
        served stale by the cache)."""
        answer = await self._orchestrator.handle(AgentRequest(
            type=recipe.request_type, payload=recipe.agent_payload(), role=recipe.role,
            priority=recipe.priority))
        return orjson.dumps(recipe.view(answer.unwrap(), recipe.role),
                            option=orjson.OPT_SERIALIZE_NUMPY)

    async def cached(self, recipe: Recipe, identity: Identity) -> CacheResult:
        """The recipe's answer bytes, from the cache or computed and stored."""
        keep = self._holder.unchanged_since(self._holder.generation)
        found = await self._cache.get_or_load(
            recipe.key, lambda: self.compute(recipe), tags=recipe.tags,
            priority=recipe.priority + _CACHE_PRIORITY_BOOST, keep=keep)
        self._cache.after_access(recipe.key, recipe, session=identity.user_id)
        return found

    async def respond(self, request: HttpRequest, recipe: Recipe, *,
                      headers: Mapping[str, str] | None = None,
                      remember: bool = True) -> Response:
        """The HTTP answer to ``recipe``; a GET is remembered for the answer memo.

        ``headers`` describe this request, not the answer (e.g. the typos its team names were
        read from): they go on this response and on the memo's repeats of the same query,
        never into the cache key or the cached bytes. ``remember=False``: not for the memo
        (a canary's fallback: the memo would serve the stable body as the candidate's).
        """
        identity: Identity = request.state.identity
        ctx = self._holder.current()  # the context the route just built ``recipe`` from
        found = await self.cached(recipe, identity)
        # Only if the data did not change while this answer was computed: the memo must map
        # the query to what the route would resolve it to now.
        if remember and request.method == "GET" and ctx is not None \
                and self._holder.current() is ctx:
            self._memo.remember(ctx, request.scope, identity.role, recipe, recipe.key,
                                headers=headers)
        return Response(found.value, media_type=JSON,
                        headers={**(headers or {}), "X-Cache": found.header})
