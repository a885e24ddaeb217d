"""``POST /v1/ask``: free text → intent and entities → the facts looked up → a recipe → the
same cached answer a GET would get (``agents.ask.plan`` does the looking up)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Body, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from scriptohio.agents.ask import router_for
from scriptohio.agents.ask.plan import Plan, plan, settle_ambiguous
from scriptohio.agents.context import AnalyticsContext
from scriptohio.agents.learn import LearningNavigator
from scriptohio.agents.projections import projection_ref
from scriptohio.api.answers import Answerer
from scriptohio.api.dependencies import Answers, Caller, Context, Navigator, refresher
from scriptohio.api.identity import Identity
from scriptohio.api.recipes import (
    Recipe,
    games_recipe,
    predict_recipe,
    projection_recipe,
    tagged_recipe,
    team_projection_recipe,
)
from scriptohio.api.responses import json_response
from scriptohio.api.routes.common import ERRORS
from scriptohio.api.routes.learn import served_lesson

router = APIRouter(prefix="/v1", tags=["ask"], responses=ERRORS)

#: request fields holding team names, resolved (404 / 409) before anything runs
_TEAM_FIELDS = ("home", "away", "team")


class AskBody(BaseModel):
    query: str = Field(min_length=1, max_length=500, description="A question in plain words")


@router.post("/ask", summary="Ask in plain words; routed to the right agent")
async def ask(request: Request, body: Annotated[AskBody, Body()], ctx: Context,
              answers: Answers, caller: Caller, navigator: Navigator) -> Response:
    return json_response(await answer_question(request, body.query, ctx, answers, caller,
                                               navigator))


async def answer_question(request: Request, query: str, ctx: AnalyticsContext,
                          answers: Answerer, caller: Identity, navigator: LearningNavigator
                          ) -> dict[str, Any]:
    """``/v1/ask``'s answer to ``query`` (shared with the web app's ask box): the intent, what
    was understood, and the answer from the cache entry the matching GET reads, or a
    ``clarification``."""
    router_ = router_for(ctx)
    routed = router_.route(query, role=caller.role)
    if routed.clarification is not None and routed.clarification.field == "team":
        settled = settle_ambiguous(ctx, routed.query, routed.entities)
        if settled is not None:
            routed = router_.route(settled, role=caller.role)
    out: dict[str, Any] = {"query": query, "intent": routed.intent,
                           "confidence": round(routed.confidence, 3),
                           "request": dict(routed.request), "entities": dict(routed.entities),
                           "answer": None, "clarification": None}
    if routed.clarification is not None:
        out["clarification"] = routed.clarification.as_json()
        return out
    role = routed.role or caller.role
    agent = routed.request.get("agent")
    if agent == "learn":
        out["answer"] = _learn(request, navigator, dict(routed.request), caller.user_id, role)
    elif agent == "changes":
        out["answer"] = await _latest_changes(request, ctx, role)
    elif agent == "help":
        examples = list(routed.request.get("examples", []))
        out["answer"] = {"examples": examples, "summary": (
            "That is not something the data here can answer: it covers FBS college football "
            "games, teams and lines from 2004 to 2025. Questions that work: "
            + "; ".join(f"'{e}'" for e in examples[:5]) + ".")}
    else:
        recipe = _recipe(ctx, plan(ctx, _resolved(ctx, dict(routed.request))), role)
        found = await answers.cached(recipe, Identity(caller.user_id, role))
        encoded: bytes = found.value  # type: ignore[assignment]
        out["answer"] = orjson.loads(encoded)
    return out


def _resolved(ctx: AnalyticsContext, req: dict[str, Any]) -> dict[str, Any]:
    """The request with its team names canonical (404 unknown, 409 ambiguous)."""
    for key in _TEAM_FIELDS:
        if req.get(key):
            req[key] = ctx.require_team(req[key])
    if req.get("teams"):
        req["teams"] = [ctx.require_team(t) for t in req["teams"] if t]
    return req


def _recipe(ctx: AnalyticsContext, call: Plan, role: str) -> Recipe:
    """The same recipe the GET endpoints build for this answer, so both share its entry."""
    p = call.payload
    if call.kind == "predict":
        ref = ctx.week_ref(p["season"], p["week"], p["season_type"])
        return predict_recipe(ctx, p["home"], p["away"], ref, p["neutral"], role)
    if call.kind == "games":
        ref = ctx.week_ref(p.get("season"), p["week"], p.get("season_type", "regular"))
        extra = {k: p[k] for k in ("conference", "occasion", "named_bowl", "playoff_round")
                 if p.get(k)}
        return games_recipe(ctx, ref, role, extra)
    if call.kind == "projections":
        return projection_recipe(ctx, projection_ref(ctx, p["season"], p["week"]), role,
                                 conference=p["conference"], simulations=p["simulations"])
    if call.kind == "team_projection":
        return team_projection_recipe(ctx, p["team"], projection_ref(ctx, p["season"],
                                                                     p["week"]),
                                      role, simulations=p["simulations"])
    if "teams" in p:
        p = {**p, "teams": tuple(p["teams"])}
    return tagged_recipe(ctx, call.kind, p, role)


async def _latest_changes(request: Request, ctx: AnalyticsContext, role: str
                          ) -> dict[str, Any]:
    """The change feed's newest entry (``GET /v1/changes``), with its plain words."""
    feed = (await refresher(request)).changes
    entry = await asyncio.to_thread(feed.newest)
    if entry is None:
        return {"change": None, "summary": (
            "No new results have come in since the feed began, so nothing has moved; the "
            f"numbers are from the {ctx.as_of(ctx.current)}.")}
    summary = str(entry.get("summary", ""))
    if role == "production":
        entry = {k: v for k, v in entry.items() if k != "summary"}
    return {"change": entry, "summary": summary}


def _learn(request: Request, navigator: LearningNavigator, req: dict[str, Any], user_id: str,
           role: str) -> dict[str, Any]:
    if req.get("concept"):
        return dict(navigator.concept(req["concept"]))
    if req.get("lesson"):
        return served_lesson(navigator.lesson(req["lesson"]), request)
    return dict(navigator.path(req.get("role") or role, user_id))
