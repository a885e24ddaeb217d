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

from scriptohio.agents.learn import BASE_URL_PLACEHOLDER
from scriptohio.api.dependencies import Caller, Navigator
from scriptohio.api.responses import json_response
from scriptohio.api.routes.common import ERRORS

router = APIRouter(prefix="/v1/learn", tags=["learning"], responses=ERRORS)

RoleParam = Annotated[Literal["casual", "data_scientist", "production"] | None,
                      Query(description="Learning path of this role (default: your X-Role)")]


def served_lesson(lesson: dict[str, Any], request: Request) -> dict[str, Any]:
    """``lesson`` with each example's ``curl`` addressed to where ``request`` came in."""
    # The Host header is the client's to choose: percent-encode whatever could end the
    # command's single quotes or add words to it.
    base = quote(str(request.base_url).rstrip("/"), safe=":/[]@%")
    examples = [{**example, "curl": example["curl"].replace(BASE_URL_PLACEHOLDER, base)}
                for example in lesson["examples"]]
    return {**lesson, "examples": examples}


@router.get("/path", summary="Your role's learning path with progress and the next step")
async def path(nav: Navigator, caller: Caller, role: RoleParam = None) -> Response:
    return json_response(nav.path(role or caller.role, caller.user_id))


@router.get("/lessons", summary="The lesson catalogue")
async def lessons(nav: Navigator) -> Response:
    catalogue = nav.catalogue
    return json_response({"count": len(catalogue.lessons),
                          "lessons": [lesson.summary() for lesson in catalogue.lessons.values()],
                          "paths": {role: list(ids) for role, ids in catalogue.paths.items()}})


@router.get("/lessons/{lesson_id}", summary="One lesson with runnable examples")
async def lesson(request: Request, nav: Navigator,
                 lesson_id: Annotated[str, Path(min_length=1, max_length=80)]) -> Response:
    return json_response(served_lesson(nav.lesson(lesson_id), request))


@router.post("/lessons/{lesson_id}/complete", summary="Mark a lesson done (idempotent)")
async def complete(nav: Navigator, caller: Caller,
                   lesson_id: Annotated[str, Path(min_length=1, max_length=80)]) -> Response:
    return json_response(nav.complete(caller.user_id, lesson_id))


@router.get("/progress", summary="Lessons you have completed")
async def progress(nav: Navigator, caller: Caller) -> Response:
    return json_response(nav.progress(caller.user_id))


@router.get("/recommend", summary="What to learn next")
async def recommend(nav: Navigator, caller: Caller, role: RoleParam = None) -> Response:
    return json_response(nav.recommend(caller.user_id, role or caller.role))


@router.get("/concepts/{name}", summary="A concept explained, with related lessons")
async def concept(nav: Navigator,
                  name: Annotated[str, Path(min_length=1, max_length=80)]) -> Response:
    return json_response(nav.concept(name))
