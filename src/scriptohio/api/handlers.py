"""Agents registered with the orchestrator: one request type per kind of question.

Handlers take a :class:`~scriptohio.runtime.AgentRequest` and return the full (role-independent)
answer as a dict; the routes shape it per role, encode it and cache the bytes. CPU work runs
in worker threads (numpy releases the GIL for the heavy parts) so the event loop stays free;
concurrent single predictions are micro-batched into one vectorised model call.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from scriptohio.agents import predict as predict_agent
from scriptohio.agents.insight.history import head_to_head, season_record, streak
from scriptohio.agents.insight.matchup import compare, matchup
from scriptohio.agents.insight.profile import team_profile
from scriptohio.agents.insight.rankings import rankings
from scriptohio.agents.insight.units import compare_units, unit_leaders, unit_profile
from scriptohio.models import PredictionRequest
from scriptohio.runtime import AgentRequest, BatchConfig, MicroBatcher

if TYPE_CHECKING:
    from scriptohio.api.service import Service

PREDICT_BATCH = BatchConfig(max_batch_size=64, max_wait_s=0.002)


def register_agents(service: Service) -> None:
    """Register every request type of the service with its orchestrator."""
    orch = service.orchestrator

    async def predict_batch(items: list[dict[str, Any]]) -> list[Any]:
        ctx = service.ctx
        explain = any(i["explain"] for i in items)

        def run() -> tuple[list[Any], float]:
            # payloads arrive canonical (teams resolved, season/week validated by the route)
            reqs = [PredictionRequest(i["home"], i["away"], i["season"], i["week"], i["neutral"],
                                      i["season_type"], explain) for i in items]
            started = time.perf_counter()
            bodies = predict_agent.predict_many(ctx, reqs, explain=explain)
            return bodies, time.perf_counter() - started

        bodies, seconds = await asyncio.to_thread(run)
        # on the loop's thread: the monitor's state is not shared with worker threads
        service.monitor.observe_prediction("ensemble", seconds, len(items))
        return bodies

    batcher: MicroBatcher[dict[str, Any], Any] = MicroBatcher(predict_batch, PREDICT_BATCH)
    service.extras["predict_batcher"] = batcher

    async def predict(req: AgentRequest) -> Any:
        answer = await batcher.submit(dict(req.payload))
        if not req.payload["explain"]:
            answer.pop("explanation", None)
        return answer

    def threaded(fn: Callable[..., Any]) -> Callable[[AgentRequest], Any]:
        async def handler(req: AgentRequest) -> Any:
            ctx = service.ctx
            return await asyncio.to_thread(fn, ctx, **req.payload)

        return handler

    orch.register("predict", predict, pool="light", coalesce=True, idempotent=True)
    orch.register("games", threaded(predict_agent.week_games), pool="light", coalesce=True,
                  idempotent=True)
    orch.register("team", threaded(team_profile), pool="light", coalesce=True, idempotent=True)
    orch.register("rankings", threaded(rankings), pool="light", coalesce=True, idempotent=True)
    orch.register("matchup", threaded(matchup), pool="light", coalesce=True, idempotent=True)
    orch.register("compare", threaded(compare), pool="light", coalesce=True, idempotent=True)
    for kind, fn in (("unit", unit_profile), ("compare_units", compare_units),
                     ("leaders", unit_leaders), ("record", season_record), ("streak", streak),
                     ("head_to_head", head_to_head)):
        orch.register(kind, threaded(fn), pool="light", coalesce=True, idempotent=True)
