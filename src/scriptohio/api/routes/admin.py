"""Admin endpoints: ingest results, invalidate cache entries, hot-reload models.

They need the admin role (key mode), or — in open mode — a request from loopback.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body
from pydantic import BaseModel, Field
from starlette.responses import Response

from scriptohio.api.dependencies import Caller, Refresher, ResponseStore
from scriptohio.api.identity import Identity
from scriptohio.api.responses import json_response
from scriptohio.api.routes.common import ERRORS
from scriptohio.errors import ForbiddenError, ValidationError

router = APIRouter(prefix="/v1/admin", tags=["admin"], responses={
    **ERRORS, 403: {"description": "Admin only (problem+json)"}})


def require_admin(caller: Identity) -> None:
    if not caller.is_admin:
        raise ForbiddenError("admin endpoints need the admin role (or loopback in open mode)")


class IngestBody(BaseModel):
    games_csv: str = Field(min_length=1, max_length=4_000_000,
                           description="Rows in the games.csv schema")
    team_games_csv: str | None = Field(default=None, max_length=4_000_000,
                                       description="Optional rows in the team_games schema")


class InvalidateBody(BaseModel):
    tags: list[str] = Field(default_factory=list, max_length=1000)
    keys: list[str] = Field(default_factory=list, max_length=1000)
    all: bool = False


@router.post("/ingest", summary="Add or update results; the service serves them at once")
async def ingest(body: Annotated[IngestBody, Body()], caller: Caller,
                 refresher: Refresher) -> Response:
    require_admin(caller)
    result = await refresher.ingest_text(body.games_csv, body.team_games_csv)
    refresh = await refresher.refresh_data() if result.changed else {"changed": False}
    return json_response({"ingest": result.as_json(), "refresh": refresh})


@router.post("/invalidate", summary="Invalidate cache entries by tag, key, or all")
async def invalidate(body: Annotated[InvalidateBody, Body()], caller: Caller,
                     cache: ResponseStore) -> Response:
    require_admin(caller)
    if not (body.tags or body.keys or body.all):
        raise ValidationError("give tags, keys, or all=true")
    removed = 0
    if body.all:
        removed += await cache.clear()
    removed += await cache.invalidate_tags(body.tags)
    for key in body.keys:
        removed += int(await cache.delete(key))
    return json_response({"invalidated": removed})


@router.post("/reload", summary="Hot-reload the newest model version")
async def reload(caller: Caller, refresher: Refresher) -> Response:
    require_admin(caller)
    return json_response(await refresher.reload_models())
