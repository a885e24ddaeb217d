"""The web app's routes, assembled, and how an app serves them."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from scriptohio.web import assets, learn_pages, pages
from scriptohio.web.rendering import Renderer

__all__ = ["install", "router"]

router = APIRouter(include_in_schema=False)
router.include_router(assets.router)
router.include_router(pages.router)
router.include_router(learn_pages.router)
router.include_router(pages.fallback)


def install(app: FastAPI) -> None:
    """Serve the pages from ``app``, each app with its own rendered-page store."""
    app.state.web_renderer = Renderer()
    app.include_router(router)
