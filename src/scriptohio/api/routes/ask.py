"""``POST /v1/ask``: free text → intent and entities → the facts looked up → the right agent."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from scriptohio.agents.ask.plan import plan, settle_ambiguous
from scriptohio.agents.views import generic_view, prediction_view, slate_view
from scriptohio.api.responses import json_response
from scriptohio.api.routes.common import ERRORS
from scriptohio.api.routes.learn import served_lesson
from scriptohio.runtime import AgentRequest

router = APIRouter(prefix="/v1", tags=["ask"], responses=ERRORS)

VIEWS = {"prediction": prediction_view, "generic": generic_view, "slate": slate_view}
#: request fields holding team names, resolved (404 / 409) before anything runs
_TEAM_FIELDS = ("home", "away", "team")


class AskBody(BaseModel):
    query: str = Field(min_length=1, max_length=500, description="A question in plain words")


@router.post("/ask", summary="Ask in plain words; routed to the right agent")
async def ask(request: Request, body: Annotated[AskBody, Body()]) -> Response:
    service = request.app.state.service
    ident = request.state.identity
    router_ = service.ask_router()
    routed = router_.route(body.query, role=ident.role)
    if routed.clarification is not None and routed.clarification.field == "team":
        settled = settle_ambiguous(service.ctx, routed.query, routed.entities)
        if settled is not None:
            routed = router_.route(settled, role=ident.role)
    out: dict[str, Any] = {"query": body.query, "intent": routed.intent,
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
    elif agent == "help":
        examples = list(routed.request.get("examples", []))
        out["answer"] = {"examples": examples, "summary": (
            "That is not something the data here can answer: it covers FBS college football "
            "games, teams and lines from 2004 to 2025. Questions that work: "
            + "; ".join(f"'{e}'" for e in examples[:5]) + ".")}
    else:
        out["answer"] = await _dispatch(service, dict(routed.request), ident, role)
    return json_response(out)


async def _dispatch(service: Any, req: dict[str, Any], ident: Any, role: str) -> dict[str, Any]:
    ctx = service.ctx
    for key in _TEAM_FIELDS:
        if req.get(key):
            req[key] = ctx.require_team(req[key])
    if req.get("teams"):
        req["teams"] = [ctx.require_team(t) for t in req["teams"] if t]
    call = plan(ctx, req, explain=role == "data_scientist")
    answer = await service.orchestrator.handle(AgentRequest(
        type=call.kind, payload=call.payload, user_id=ident.user_id, role=role))
    result: dict[str, Any] = answer.unwrap()
    return dict(VIEWS[call.view](result, role))


def _learn(request: Request, req: dict[str, Any], user_id: str, role: str) -> dict[str, Any]:
    nav = request.app.state.service.navigator
    if req.get("concept"):
        return dict(nav.concept(req["concept"]))
    if req.get("lesson"):
        return served_lesson(nav.lesson(req["lesson"]), request)
    return dict(nav.path(req.get("role") or role, user_id))
