"""Every agent the service runs, declared in one list, and how they join an orchestrator.

An :class:`AgentSpec` says what an agent is: its request type, the function that answers it
from the analytics context and the payload, the pool it runs in, whether concurrent calls are
micro-batched into one vectorised call, and how its answer is shaped per role (the view, which
roles share one cache entry, whether data scientists get an explanation). The API maps URLs to
these types and builds recipes from them; it defines none of them.

A batched agent is registered twice when the service can load other model versions
(``predictor_for``): ``kind`` on the served context, and ``kind@canary`` for a canary's
candidate, whose payload names the ``model_version``. The canary route has its own batcher per
version (a batch never mixes versions), no retries and no breaker, so a broken candidate fails
only its own requests (which the API then answers from the stable version) and can never open
the stable agent's breaker.

:func:`register_agents` hands the list to an orchestrator with a context getter, the only
thing the handlers read: plain functions run in a worker thread (numpy releases the GIL for
the heavy parts, the event loop stays free); batched ones go through a
:class:`~scriptohio.runtime.MicroBatcher`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from scriptohio.agents import predict as predict_agent
from scriptohio.agents import projections
from scriptohio.agents.context import AnalyticsContext
from scriptohio.agents.insight.history import (
    head_to_head,
    occasion_record,
    season_record,
    streak,
)
from scriptohio.agents.insight.matchup import compare, matchup
from scriptohio.agents.insight.profile import team_profile
from scriptohio.agents.insight.rankings import rankings
from scriptohio.agents.insight.units import compare_units, unit_leaders, unit_profile
from scriptohio.agents.views import ROLES, generic_view, prediction_view, slate_view
from scriptohio.features import FeatureStore
from scriptohio.models import PredictionRequest, Predictor
from scriptohio.runtime import (
    AgentRequest,
    AsyncAgentOrchestrator,
    BatchConfig,
    MicroBatcher,
    RetryPolicy,
)

__all__ = ["AGENTS", "PREDICT_BATCH", "AgentSpec", "ContextGetter", "PredictorFor",
           "canary_request_type", "register_agents"]

ContextGetter = Callable[[], AnalyticsContext]
View = Callable[[dict[str, Any], str], dict[str, Any]]
BatchObserver = Callable[[str, float, int], None]
PredictorFor = Callable[[str, FeatureStore], Predictor]

PREDICT_BATCH = BatchConfig(max_batch_size=64, max_wait_s=0.002)
#: insight answers look the same to casual users and data scientists; production gets less
_FULL_OR_PRODUCTION: Mapping[str, str] = MappingProxyType(
    {"casual": "full", "data_scientist": "full", "production": "production"})
_EVERY_ROLE: Mapping[str, str] = MappingProxyType({str(role): str(role) for role in ROLES})


@dataclass(frozen=True)
class AgentSpec:
    """One agent: ``run(ctx, **payload)`` answers a request of type ``kind``.

    ``view(answer, role)`` shapes the full answer for a role; ``cache_roles`` maps each role
    to the label its cache entry is stored under (roles whose views are identical share one);
    ``explains``: data scientists get the per-feature explanation (``explain=True`` in the
    payload the agent sees). ``run_many(ctx, payloads)`` answers a batch at once.
    """

    kind: str
    run: Callable[..., Any]
    view: View = generic_view
    cache_roles: Mapping[str, str] = field(default_factory=lambda: _FULL_OR_PRODUCTION)
    explains: bool = False
    pool: str = "light"
    run_many: Callable[[AnalyticsContext, list[dict[str, Any]]], Sequence[Any]] | None = None
    batch: BatchConfig | None = None

    def cache_role(self, role: str) -> str:
        """The role label of ``role``'s cache entry."""
        return self.cache_roles.get(role, role)


def _predict_many(ctx: AnalyticsContext, items: list[dict[str, Any]]) -> list[Any]:
    explain = any(i["explain"] for i in items)
    reqs = [PredictionRequest(i["home"], i["away"], i["season"], i["week"], i["neutral"],
                              i["season_type"], explain) for i in items]
    bodies = predict_agent.predict_many(ctx, reqs, explain=explain)
    for item, body in zip(items, bodies, strict=True):
        if not item["explain"]:  # batched with a data scientist's request
            body.pop("explanation", None)
    return bodies


AGENTS: Mapping[str, AgentSpec] = MappingProxyType({spec.kind: spec for spec in (
    AgentSpec("predict", predict_agent.predict_one, prediction_view, _EVERY_ROLE,
              explains=True, run_many=_predict_many, batch=PREDICT_BATCH),
    AgentSpec("games", predict_agent.week_games, slate_view, _EVERY_ROLE, explains=True),
    AgentSpec("team", team_profile),
    AgentSpec("rankings", rankings),
    AgentSpec("matchup", matchup),
    AgentSpec("compare", compare),
    AgentSpec("unit", unit_profile),
    AgentSpec("compare_units", compare_units),
    AgentSpec("leaders", unit_leaders),
    AgentSpec("record", season_record),
    AgentSpec("streak", streak),
    AgentSpec("head_to_head", head_to_head),
    AgentSpec("occasion_record", occasion_record),
    # whole-season simulations: seconds of numpy, kept off the light pool's short requests
    AgentSpec("projections", projections.season_projection, pool="heavy"),
    AgentSpec("team_projection", projections.team_projection, pool="heavy"),
)})


def canary_request_type(kind: str) -> str:
    """The request type of ``kind`` answered by a canary's candidate version."""
    return f"{kind}@canary"


def register_agents(orchestrator: AsyncAgentOrchestrator, context: ContextGetter, *,
                    agents: Mapping[str, AgentSpec] = AGENTS,
                    observe_batch: BatchObserver | None = None,
                    predictor_for: PredictorFor | None = None) -> None:
    """Register every agent with ``orchestrator``; handlers read only ``context()``.

    ``observe_batch(model, seconds, rows)`` hears each batched model call (the monitor's
    prediction timings), on the event loop's thread. ``predictor_for(version, features)``
    loads another model version for canaries (see the module docstring).
    """
    for spec in agents.values():
        handler = (_batched(spec, context, observe_batch) if spec.run_many is not None
                   else _threaded(spec, context))
        orchestrator.register(spec.kind, handler, pool=spec.pool, coalesce=True,
                              idempotent=True)
        if spec.run_many is not None and predictor_for is not None:
            orchestrator.register(canary_request_type(spec.kind),
                                  _versioned(spec, context, predictor_for), pool=spec.pool,
                                  coalesce=True, idempotent=True,
                                  retry=RetryPolicy(max_attempts=1), use_breaker=False)


def _versioned(spec: AgentSpec, context: ContextGetter, predictor_for: PredictorFor
               ) -> Callable[[AgentRequest], Any]:
    """``spec`` answered by the model version its payload names, one batcher per version."""
    run_many = spec.run_many
    assert run_many is not None
    batchers: dict[str, MicroBatcher[dict[str, Any], Any]] = {}

    def for_version(version: str) -> MicroBatcher[dict[str, Any], Any]:
        async def batch(items: list[dict[str, Any]]) -> list[Any]:
            ctx = context()

            def run() -> Sequence[Any]:
                memo: dict[str, AnalyticsContext] = ctx.memo("model_versions")
                versioned = memo.get(version)
                if versioned is None:
                    versioned = memo[version] = AnalyticsContext(
                        ctx.dataset, ctx.features, predictor_for(version, ctx.features))
                return run_many(versioned, items)

            return list(await asyncio.to_thread(run))

        if len(batchers) > 8:  # versions come and go with canaries; keep a few
            batchers.clear()
        return batchers.setdefault(version, MicroBatcher(batch, spec.batch or BatchConfig()))

    async def handler(req: AgentRequest) -> Any:
        payload = dict(req.payload)
        version = str(payload.pop("model_version"))
        found = batchers.get(version) or for_version(version)
        return await found.submit(payload)

    return handler


def _threaded(spec: AgentSpec, context: ContextGetter) -> Callable[[AgentRequest], Any]:
    async def handler(req: AgentRequest) -> Any:
        return await asyncio.to_thread(spec.run, context(), **req.payload)

    return handler


def _batched(spec: AgentSpec, context: ContextGetter,
             observe: BatchObserver | None) -> Callable[[AgentRequest], Any]:
    run_many = spec.run_many
    assert run_many is not None

    async def batch(items: list[dict[str, Any]]) -> list[Any]:
        ctx = context()

        def run() -> tuple[Sequence[Any], float]:
            started = time.perf_counter()
            answers = run_many(ctx, items)
            return answers, time.perf_counter() - started

        answers, seconds = await asyncio.to_thread(run)
        if observe is not None:
            observe("ensemble", seconds, len(items))
        return list(answers)

    batcher: MicroBatcher[dict[str, Any], Any] = MicroBatcher(batch, spec.batch or BatchConfig())

    async def handler(req: AgentRequest) -> Any:
        return await batcher.submit(dict(req.payload))

    return handler
