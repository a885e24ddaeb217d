"""``/docs`` (Swagger UI) and ``/redoc`` (ReDoc), working without internet.

FastAPI's own pages load Swagger UI and ReDoc from a CDN, so offline they are blank. These pages
are FastAPI's (``get_swagger_ui_html`` / ``get_redoc_html``) pointed at ``/docs/static/``, which
serves the files the ``fastapi-offline`` package ships (Swagger UI 5, ReDoc 2, a favicon): the
browser fetches nothing but this service. ReDoc is told not to load Google Fonts.

The assets live under ``/docs`` so the open paths of the identity and rate-limit middleware
(matched by prefix) already cover them: open in key mode, never rate limited. The metrics
record them under their route templates like any other request.
The app is built with ``docs_url=None, redoc_url=None`` and includes :data:`router`.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from starlette.responses import FileResponse, HTMLResponse

from scriptohio.errors import NotFoundError

__all__ = ["ASSETS", "DOCS_URL", "REDOC_URL", "STATIC_URL", "router"]

DOCS_URL = "/docs"
REDOC_URL = "/redoc"
STATIC_URL = "/docs/static"
#: The package that ships the assets, and the folder inside it.
ASSETS_PACKAGE, ASSETS_FOLDER = "fastapi_offline", "static"
#: Every file served under STATIC_URL, with its content type; nothing else is.
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "redoc.standalone.js": "text/javascript; charset=utf-8",
    "favicon.png": "image/png",
}
CACHE_CONTROL = "public, max-age=3600"
#: The pages may load nothing from anywhere but this service. ReDoc's menu shows Redocly's logo
#: from Redocly's CDN; refused here, the image hides itself. The inline parts are FastAPI's
#: start-up script and the styles both UIs inject; ``data:`` images are Swagger UI's icons.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self' 'unsafe-inline'; "
                           "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                           "worker-src 'self' blob:")


def _asset_dir() -> Path:
    folder = resources.files(ASSETS_PACKAGE).joinpath(ASSETS_FOLDER)
    if not isinstance(folder, Path):  # FileResponse streams from a real file
        raise RuntimeError(f"{ASSETS_PACKAGE} must be installed as files, not in an archive")
    missing = [name for name in ASSETS if not (folder / name).is_file()]
    if missing:  # a new release moved its files: fail at import, not as a blank page
        raise RuntimeError(f"{ASSETS_PACKAGE} no longer ships {', '.join(missing)}")
    return folder


_FOLDER = _asset_dir()
router = APIRouter(include_in_schema=False)


def _root(request: Request) -> str:
    root: str = request.scope.get("root_path", "")
    return root.rstrip("/")


def _same_origin_only(page: HTMLResponse) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return page


@router.get(DOCS_URL)
async def swagger_ui(request: Request) -> HTMLResponse:
    app, root = request.app, _root(request)
    page = get_swagger_ui_html(
        openapi_url=f"{root}{app.openapi_url}",
        title=f"{app.title} - Swagger UI",
        swagger_js_url=f"{root}{STATIC_URL}/swagger-ui-bundle.js",
        swagger_css_url=f"{root}{STATIC_URL}/swagger-ui.css",
        swagger_favicon_url=f"{root}{STATIC_URL}/favicon.png",
        swagger_ui_parameters=app.swagger_ui_parameters,
    )
    return _same_origin_only(page)


@router.get(REDOC_URL)
async def redoc(request: Request) -> HTMLResponse:
    app, root = request.app, _root(request)
    page = get_redoc_html(
        openapi_url=f"{root}{app.openapi_url}",
        title=f"{app.title} - ReDoc",
        redoc_js_url=f"{root}{STATIC_URL}/redoc.standalone.js",
        redoc_favicon_url=f"{root}{STATIC_URL}/favicon.png",
        with_google_fonts=False,
    )
    return _same_origin_only(page)


@router.get(STATIC_URL + "/{name}")
async def asset(name: str) -> FileResponse:
    media_type = ASSETS.get(name)
    if media_type is None:
        raise NotFoundError(f"no docs asset {name!r}; assets: {', '.join(ASSETS)}")
    return FileResponse(_FOLDER / name, media_type=media_type,
                        headers={"Cache-Control": CACHE_CONTROL})
