"""Rendering pages: the Jinja2 environment, the visitor's role, rendered pages reused per
answer, and caller errors as HTML pages.

A page is a template over one or more cached answers (bytes). :class:`PageCache` keeps the
rendered HTML with the answer bytes it came from and reuses it only while the cache returns
those same bytes, so an invalidated or recomputed answer renders a new page.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Coroutine, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from weakref import WeakKeyDictionary

import jinja2
import orjson
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from scriptohio.agents.context import AnalyticsContext
from scriptohio.api.answers import Answerer
from scriptohio.api.identity import Identity
from scriptohio.api.recipes import Recipe
from scriptohio.errors import AmbiguousError, ScriptOhioError, ServiceError
from scriptohio.web import assets, formatting

__all__ = ["PAGE_ROLES", "ROLE_COOKIE", "PageCache", "PageRoute", "Renderer", "page_role"]

TEMPLATES = Path(__file__).parent / "templates"
#: the roles a visitor can switch between (production users get the API docs)
PAGE_ROLES = ("casual", "data_scientist")
ROLE_COOKIE = "so_role"
#: a page's HTML must not be framed or load anything from elsewhere
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
DEFAULT_MAX_PAGES = 1024


def page_role(request: Request) -> str:
    """``?role=`` if valid, else the role cookie, else casual."""
    asked = request.query_params.get("role")
    if asked in PAGE_ROLES:
        return asked
    kept = request.cookies.get(ROLE_COOKIE)
    return kept if kept in PAGE_ROLES else "casual"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES),
                             autoescape=jinja2.select_autoescape(("html",)),
                             trim_blocks=True, lstrip_blocks=True)
    env.filters.update(formatting.FILTERS)
    env.globals.update(formatting.GLOBALS, asset_url=assets.asset_url)
    return env


ENV = _environment()


class PageCache:
    """Rendered pages by (page, role, answer keys), each kept with the answer bytes it was
    rendered from; least recently used out."""

    def __init__(self, max_pages: int = DEFAULT_MAX_PAGES) -> None:
        self.max_pages = max_pages
        self._pages: OrderedDict[tuple[Any, ...], tuple[tuple[bytes, ...], bytes]] = (
            OrderedDict())

    def get(self, key: tuple[Any, ...], sources: tuple[bytes, ...]) -> bytes | None:
        found = self._pages.get(key)
        if found is None:
            return None
        kept, html = found
        # the cache's L1 hands back the very same objects; equal bytes are as good
        if all(a is b or a == b for a, b in zip(kept, sources, strict=True)):
            self._pages.move_to_end(key)
            return html
        return None

    def put(self, key: tuple[Any, ...], sources: tuple[bytes, ...], html: bytes) -> None:
        self._pages[key] = (sources, html)
        self._pages.move_to_end(key)
        if len(self._pages) > self.max_pages:
            self._pages.popitem(last=False)

    def clear(self) -> None:
        self._pages.clear()


class Renderer:
    """Fetches a page's answers through the :class:`Answerer` and renders its template."""

    def __init__(self, pages: PageCache | None = None) -> None:
        self.pages = pages or PageCache()
        # recipes that cost more to build than to answer (a season's 17 slates), per data
        # context: a new context (after an ingest) builds them afresh
        self._recipes: WeakKeyDictionary[AnalyticsContext, dict[Any, list[Recipe]]] = (
            WeakKeyDictionary())

    def recipes(self, ctx: AnalyticsContext, key: Any,
                make: Callable[[], list[Recipe]]) -> list[Recipe]:
        """``make()``'s recipes, built once per context and ``key``."""
        kept = self._recipes.setdefault(ctx, {})
        if key not in kept:
            if len(kept) > 64:
                kept.clear()
            kept[key] = make()
        return kept[key]

    async def answers(self, answerer: Answerer, caller: Identity, role: str,
                      recipes: Sequence[Recipe]) -> tuple[bytes, ...]:
        who = Identity(caller.user_id, role, address=caller.address)
        found = []
        for recipe in recipes:
            result = await answerer.cached(recipe, who)
            value: bytes = result.value  # type: ignore[assignment]
            found.append(value)
        return tuple(found)

    async def page(self, request: Request, template: str, answerer: Answerer,
                   caller: Identity, recipes: Sequence[Recipe],
                   build: Callable[[list[Any]], Mapping[str, Any]], *,
                   status: int = 200) -> Response:
        """The page of ``template`` over the answers of ``recipes``: ``build`` turns the
        decoded answers into the template's variables."""
        role = page_role(request)
        sources = await self.answers(answerer, caller, role, recipes)
        # the page's address (its links to switch roles repeat the query) and its answers
        query = tuple(sorted(item for item in request.query_params.multi_items()
                             if item[0] != "role"))
        key = (template, role, request.url.path, query, *(r.key for r in recipes))
        html = self.pages.get(key, sources)
        if html is None:
            data = build([orjson.loads(s) for s in sources])
            html = render(request, template, data)
            self.pages.put(key, sources, html)
        return html_response(request, html, status)


def base_context(request: Request) -> dict[str, Any]:
    """What every template reads: the role, the path and links to switch the role."""
    role = page_role(request)
    query = {k: v for k, v in request.query_params.items() if k != "role"}
    switch = {r: f"{request.url.path}?{urlencode({**query, 'role': r})}" for r in PAGE_ROLES}
    return {"role": role, "path": request.url.path, "role_links": switch,
            "is_ds": role == "data_scientist"}


def render(request: Request, template: str, data: Mapping[str, Any]) -> bytes:
    return ENV.get_template(template).render(**base_context(request), **data).encode()


def html_response(request: Request, html: bytes, status: int = 200) -> Response:
    response = HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)
    asked = request.query_params.get("role")
    if asked in PAGE_ROLES and request.cookies.get(ROLE_COOKIE) != asked:
        response.set_cookie(ROLE_COOKIE, asked, max_age=365 * 86400, samesite="lax",
                            httponly=True)
    return response


def error_page(request: Request, exc: Exception) -> Response:
    """A caller or service error as a friendly HTML page with the API's status code."""
    status, title, detail = 500, "Something went wrong", "The service failed to answer."
    links: list[tuple[str, str]] = []
    retry_after: float | None = None
    if isinstance(exc, RequestValidationError):
        status, title = 422, "That address has a value we cannot read"
        detail = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()) if p not in ('query', 'path'))}: "
            f"{e.get('msg', 'invalid')}" for e in exc.errors())
    elif isinstance(exc, ScriptOhioError):
        status, title, detail = exc.status, exc.title, exc.detail
        names = list(getattr(exc, "suggestions", None) or [])
        if isinstance(exc, AmbiguousError):
            names = list(exc.candidates)
        links = [(name, f"/app/teams/{formatting.quote_path(name)}") for name in names]
        if isinstance(exc, ServiceError):
            retry_after = exc.retry_after
    html = render(request, "error.html", {"status": status, "title": title, "detail": detail,
                                          "links": links})
    response = html_response(request, html, status)
    if retry_after is not None:
        response.headers["Retry-After"] = str(max(1, round(retry_after)))
    return response


class PageRoute(APIRoute):
    """A page route: caller errors (bad parameters, unknown teams) and service errors are
    answered as HTML pages, not problem+json."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except (ScriptOhioError, RequestValidationError) as exc:
                return error_page(request, exc)

        return handle
