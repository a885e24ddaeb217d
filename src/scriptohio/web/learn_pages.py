"""The learning pages: a role's path with progress, a lesson that can be completed, a concept.

They call the learning navigator the ``/v1/learn`` routes call. A visitor's progress is kept
under a learner id in a cookie (``so_learner``, made on the first visit), so two people
behind one address do not share it; an API caller's ``X-User-Id`` is used when there is no
cookie yet.
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from markdown_it import MarkdownIt
from markupsafe import Markup
from starlette.responses import RedirectResponse, Response

from scriptohio.api.dependencies import Caller, Navigator
from scriptohio.api.identity import Identity
from scriptohio.api.routes.learn import served_lesson
from scriptohio.web.rendering import PageRoute, html_response, page_role, render

__all__ = ["LEARNER_COOKIE", "lesson_html", "router"]

router = APIRouter(route_class=PageRoute)
LEARNER_COOKIE = "so_learner"
_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

LessonId = Annotated[str, Path(min_length=1, max_length=80)]


@lru_cache(maxsize=256)
def lesson_html(body: str) -> Markup:
    """A lesson's Markdown as HTML (raw HTML in the source is escaped, not passed through)."""
    return Markup(_MARKDOWN.render(body))


def _learner(request: Request, caller: Identity) -> tuple[str, str | None]:
    """The learner id, and a new cookie value when the visitor has none."""
    kept = request.cookies.get(LEARNER_COOKIE)
    if kept and kept.isalnum() and len(kept) <= 64:
        return f"web:{kept}", None
    if not caller.user_id.startswith("ip:"):  # an API user who named themselves
        return caller.user_id, None
    fresh = secrets.token_hex(12)
    return f"web:{fresh}", fresh


def _page(request: Request, template: str, data: dict[str, Any], cookie: str | None
          ) -> Response:
    response = html_response(request, render(request, template, data))
    if cookie is not None:
        response.set_cookie(LEARNER_COOKIE, cookie, max_age=365 * 86400, samesite="lax",
                            httponly=True)
    return response


@router.get("/app/learn")
async def path(request: Request, nav: Navigator, caller: Caller) -> Response:
    learner, cookie = _learner(request, caller)
    role = page_role(request)
    route = nav.path(role, learner)
    others = [lesson.summary() for lesson in nav.catalogue.lessons.values()
              if lesson.id not in {item["id"] for item in route["lessons"]}]  # type: ignore[attr-defined]
    return _page(request, "learn.html", {"route": route, "others": others}, cookie)


@router.get("/app/learn/lessons/{lesson_id}")
async def lesson(request: Request, nav: Navigator, caller: Caller, lesson_id: LessonId
                 ) -> Response:
    learner, cookie = _learner(request, caller)
    found = served_lesson(nav.lesson(lesson_id), request)
    completed: list[str] = nav.progress(learner)["completed"]  # type: ignore[assignment]
    done = set(completed)
    body = lesson_html(str(found["body"]))
    titles = {lid: lesson.title for lid, lesson in nav.catalogue.lessons.items()}
    return _page(request, "lesson.html", {"lesson": found, "body": body, "done": done,
                                          "completed": found["id"] in done, "titles": titles},
                 cookie)


@router.post("/app/learn/lessons/{lesson_id}/complete")
async def complete(request: Request, nav: Navigator, caller: Caller, lesson_id: LessonId
                   ) -> Response:
    learner, cookie = _learner(request, caller)
    nav.complete(learner, lesson_id)
    response = RedirectResponse(f"/app/learn/lessons/{lesson_id}?completed=1", status_code=303)
    if cookie is not None:
        response.set_cookie(LEARNER_COOKIE, cookie, max_age=365 * 86400, samesite="lax",
                            httponly=True)
    return response


@router.get("/app/learn/concepts/{name}")
async def concept(request: Request, nav: Navigator,
                  name: Annotated[str, Path(min_length=1, max_length=80)]) -> Response:
    return html_response(request, render(request, "concept.html", {"c": nav.concept(name)}))
