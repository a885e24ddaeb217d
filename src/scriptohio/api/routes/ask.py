"""``POST /v1/ask``: free text → intent and entities → the right agent → the answer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from scriptohio.agents.views import generic_view, prediction_view, slate_view
from scriptohio.api.responses import json_response
from scriptohio.api.routes.common import ERRORS
from scriptohio.api.routes.learn import served_lesson
from scriptohio.runtime import Request as AgentRequest

router = APIRouter(prefix="/v1", tags=["ask"], responses=ERRORS)

#: ask-router agent -> (orchestrator request type, the parameters it takes, role view)
DISPATCH: dict[str, tuple[str, tuple[str, ...], Any]] = {
    "predict": ("predict", ("home", "away", "season", "week", "neutral", "season_type"),
                prediction_view),
    "team_profile": ("team", ("team", "season", "week"), generic_view),
    "rankings": ("rankings", ("season", "week", "method", "conference", "limit"), generic_view),
    "matchup": ("matchup", ("home", "away", "season", "week"), generic_view),
    "compare": ("compare", ("teams", "season", "week"), generic_view),
    "games": ("games", ("season", "week", "season_type"), slate_view),
}


class AskBody(BaseModel):
    query: str = Field(min_length=1, max_length=500, description="A question in plain words")


@router.post("/ask", summary="Ask in plain words; routed to the right agent")
async def ask(request: Request, body: Annotated[AskBody, Body()]) -> Response:
    service = request.app.state.service
    ident = request.state.identity
    routed = service.ask_router().route(body.query, role=ident.role)
    out: dict[str, Any] = {"query": routed.query, "intent": routed.intent,
                           "confidence": round(routed.confidence, 3),
                           "request": dict(routed.request), "entities": dict(routed.entities),
                           "answer": None, "clarification": None}
    if routed.clarification is not None:
        out["clarification"] = routed.clarification.as_json()
        return json_response(out)
    role = routed.role or ident.role
    agent = routed.request.get("agent")
    if agent == "learn":
        out["answer"] = _learn(request, routed.request, ident.user_id, role)
    elif agent in DISPATCH:
        out["answer"] = await _dispatch(service, agent, dict(routed.request), ident, role)
    else:
        out["answer"] = {"examples": list(routed.request.get("examples", []))}
    return json_response(out)


async def _dispatch(service: Any, agent: str, req: dict[str, Any], ident: Any,
                    role: str) -> dict[str, Any]:
    kind, params, view = DISPATCH[agent]
    ctx = service.ctx
    payload = {k: req.get(k) for k in params if req.get(k) is not None}
    if agent in ("predict", "matchup"):
        home, away = ctx.require_team(payload["home"]), ctx.require_team(payload["away"])
        if req.get("venue") == "assumed" and _scheduled(ctx, away, home, payload):
            home, away = away, home  # "X vs Y": use the real game's home team
        payload.update(home=home, away=away)
    if agent == "predict":
        ref = ctx.week_ref(payload.get("season"), payload.get("week"),
                           payload.get("season_type", "regular"))
        payload.update(season=ref.season, week=ref.week, season_type=ref.season_type,
                       neutral=payload.get("neutral"), explain=role == "data_scientist")
    if agent == "compare":
        payload["teams"] = tuple(payload.get("teams") or ())
    answer = await service.orchestrator.handle(AgentRequest(
        type=kind, payload=payload, user_id=ident.user_id, role=role))
    result: dict[str, Any] = answer.unwrap()
    return dict(view(result, role))


def _scheduled(ctx: Any, home: str, away: str, payload: dict[str, Any]) -> bool:
    games = ctx.dataset.games
    season = payload.get("season") or ctx.current.season
    for g in games.records(games.rows_for_team(home, season)):
        if g.home_team == home and g.away_team == away and (
                payload.get("week") in (None, g.week)):
            return True
    return False


def _learn(request: Request, req: dict[str, Any], user_id: str, role: str) -> dict[str, Any]:
    nav = request.app.state.service.navigator
    if req.get("concept"):
        return dict(nav.concept(req["concept"]))
    if req.get("lesson"):
        return served_lesson(nav.lesson(req["lesson"]), request)
    return dict(nav.path(req.get("role") or role, user_id))
