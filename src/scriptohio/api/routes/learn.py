"""The learning navigator: role paths, lessons, concepts, progress and recommendations.

A lesson's examples come with ``curl`` commands that name the service by a placeholder;
:func:`served_lesson` puts in the address this request reached (``request.base_url``: the
scheme, the ``Host`` header a client or proxy sent, the mount path), so a reader can paste
them as they are.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from scriptohio.agents.learn import BASE_URL_PLACEHOLDER, LearningNavigator
from scriptohio.api.responses import json_response
from scriptohio.api.routes.common import ERRORS

router = APIRouter(prefix="/v1/learn", tags=["learning"], responses=ERRORS)

RoleParam = Annotated[Literal["casual", "data_scientist", "production"] | None,
                      Query(description="Learning path of this role (default: your X-Role)")]


def _nav(request: Request) -> LearningNavigator:
    navigator: LearningNavigator = request.app.state.service.navigator
    return navigator


def served_lesson(lesson: dict[str, Any], request: Request) -> dict[str, Any]:
    """``lesson`` with each example's ``curl`` addressed to where ``request`` came in."""
    # The Host header is the client's to choose: percent-encode whatever could end the
    # command's single quotes or add words to it.
    base = quote(str(request.base_url).rstrip("/"), safe=":/[]@%")
    examples = [{**example, "curl": example["curl"].replace(BASE_URL_PLACEHOLDER, base)}
                for example in lesson["examples"]]
    return {**lesson, "examples": examples}


@router.get("/path", summary="Your role's learning path with progress and the next step")
async def path(request: Request, role: RoleParam = None) -> Response:
    ident = request.state.identity
    return json_response(_nav(request).path(role or ident.role, ident.user_id))


@router.get("/lessons", summary="The lesson catalogue")
async def lessons(request: Request) -> Response:
    catalogue = _nav(request).catalogue
    return json_response({"count": len(catalogue.lessons),
                          "lessons": [lesson.summary() for lesson in catalogue.lessons.values()],
                          "paths": {role: list(ids) for role, ids in catalogue.paths.items()}})


@router.get("/lessons/{lesson_id}", summary="One lesson with runnable examples")
async def lesson(request: Request,
                 lesson_id: Annotated[str, Path(min_length=1, max_length=80)]) -> Response:
    return json_response(served_lesson(_nav(request).lesson(lesson_id), request))


@router.post("/lessons/{lesson_id}/complete", summary="Mark a lesson done (idempotent)")
async def complete(request: Request,
                   lesson_id: Annotated[str, Path(min_length=1, max_length=80)]) -> Response:
    ident = request.state.identity
    return json_response(_nav(request).complete(ident.user_id, lesson_id))


@router.get("/progress", summary="Lessons you have completed")
async def progress(request: Request) -> Response:
    return json_response(_nav(request).progress(request.state.identity.user_id))


@router.get("/recommend", summary="What to learn next")
async def recommend(request: Request, role: RoleParam = None) -> Response:
    ident = request.state.identity
    return json_response(_nav(request).recommend(ident.user_id, role or ident.role))


@router.get("/concepts/{name}", summary="A concept explained, with related lessons")
async def concept(request: Request,
                  name: Annotated[str, Path(min_length=1, max_length=80)]) -> Response:
    return json_response(_nav(request).concept(name))
