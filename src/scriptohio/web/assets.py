"""The app's own CSS and script, served from the package (``/app/static/<name>``).

Read once at import; answered with a content hash in the ETag, so a browser revalidates
cheaply, and with a year's cache life when asked for by the hashed URL the pages link to
(``?v=<hash>``), so a new release is fetched at once.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from starlette.responses import Response

__all__ = ["ASSETS", "asset_url", "router"]

STATIC = Path(__file__).parent / "static"
_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
          ".svg": "image/svg+xml"}


def _load() -> dict[str, tuple[bytes, str, str]]:
    found = {}
    for path in sorted(STATIC.iterdir()):
        if path.suffix in _TYPES:
            body = path.read_bytes()
            found[path.name] = (body, _TYPES[path.suffix], hashlib.sha256(body).hexdigest()[:12])
    return found


#: name → (bytes, content type, hash)
ASSETS = _load()


def asset_url(name: str) -> str:
    """The versioned URL of an asset (a template global)."""
    return f"/app/static/{name}?v={ASSETS[name][2]}"


router = APIRouter()


@router.get("/app/static/{name}")
async def asset(request: Request, name: str) -> Response:
    found = ASSETS.get(name)
    if found is None:
        raise HTTPException(404, f"no asset named {name!r}")
    body, media_type, digest = found
    etag = f'"{digest}"'
    life = "public, max-age=31536000, immutable" if request.query_params.get("v") == digest \
        else "public, max-age=300"
    headers = {"ETag": etag, "Cache-Control": life, "X-Content-Type-Options": "nosniff"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)
