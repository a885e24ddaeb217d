"""The web app's routers, in the order they match, and how an app serves them."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from scriptohio.web import assets, learn_pages, pages
from scriptohio.web.rendering import Renderer

__all__ = ["ROUTERS", "install"]

#: the catch-all 404 page (``pages.fallback``) last
ROUTERS: tuple[APIRouter, ...] = (assets.router, pages.router, learn_pages.router,
                                  pages.fallback)


def install(app: FastAPI) -> None:
    """Serve the pages from ``app``, each app with its own rendered-page store. Each router
    is included on its own (not under one parent router), so a page is matched in one step."""
    app.state.web_renderer = Renderer()
    for router in ROUTERS:
        app.include_router(router, include_in_schema=False)
