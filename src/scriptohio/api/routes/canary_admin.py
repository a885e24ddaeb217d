"""Admin endpoints of model canaries: start, status, promote, abort (``/v1/admin/canary``).

The same operations as ``scriptohio models canary ...``, with the same refusals as
problem+json: an unknown version (404), a version trained on other features, the version
already serving, a canary already running or none to end (409), bad stages (422).
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Body
from pydantic import BaseModel, Field
from starlette.responses import Response

from scriptohio.api.dependencies import Caller, Canary
from scriptohio.api.responses import json_response
from scriptohio.api.routes.admin import require_admin
from scriptohio.api.routes.common import ERRORS
from scriptohio.errors import NotReadyError, ValidationError
from scriptohio.models.canary import DEFAULT_POLICY, CanaryPolicy

router = APIRouter(prefix="/v1/admin/canary", tags=["admin"], responses={
    **ERRORS, 403: {"description": "Admin only (problem+json)"},
    409: {"description": "A canary is already running, or none is (problem+json)"}})


class StartBody(BaseModel):
    version: str = Field(min_length=1, max_length=64, description="Model version, e.g. v0002")
    stages: list[float] | None = Field(default=None, min_length=1, max_length=10,
                                       description="Shares of callers, increasing, last 1.0")
    stage_s: float | None = Field(default=None, ge=0, le=7 * 86400,
                                  description="Least seconds per stage")
    min_requests: int | None = Field(default=None, ge=1, le=10_000_000,
                                     description="Least canary requests per stage")
    max_errors: int | None = Field(default=None, ge=1, le=10_000_000)
    max_margin_diff: float | None = Field(default=None, gt=0)
    max_win_prob_diff: float | None = Field(default=None, gt=0, le=1)
    max_mae_gap: float | None = Field(default=None, gt=0)
    max_p95_ratio: float | None = Field(default=None, gt=0)
    p95_floor_s: float | None = Field(default=None, ge=0)


class AbortBody(BaseModel):
    reason: str = Field(default="aborted by operator", min_length=1, max_length=200)


def _policy(body: StartBody) -> CanaryPolicy:
    values: dict[str, Any] = DEFAULT_POLICY.as_json()
    values.update({k: v for k, v in body.model_dump().items()
                   if k != "version" and v is not None})
    try:
        return CanaryPolicy.from_json(values)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


@router.get("", summary="The current (or last) canary: stage, share, comparison, timeline")
async def status(caller: Caller, canary: Canary) -> Response:
    require_admin(caller)
    state = await canary.refresh()
    return json_response({"canary": None if state is None else state.summary()})


@router.post("", status_code=201, summary="Start a canary of a trained model version")
async def start(body: Annotated[StartBody, Body()], caller: Caller, canary: Canary) -> Response:
    require_admin(caller)
    policy = _policy(body)
    stable = canary.stable_version
    if stable is None:
        raise NotReadyError("the models are still loading", retry_after=2)


    state = await asyncio.to_thread(canary.control.start, body.version, stable=stable,
                                    policy=policy, by=f"admin {caller.user_id}")
    await canary.refresh()
    return json_response({"canary": state.summary()}, status=201)


@router.post("/promote", summary="Promote the running canary's version now")
async def promote(caller: Caller, canary: Canary) -> Response:
    require_admin(caller)


    state = await asyncio.to_thread(canary.control.promote,
                                    f"promoted by admin {caller.user_id}")
    await canary.refresh()
    return json_response({"canary": state.summary()})


@router.post("/abort", summary="Abort the running canary: every caller back to stable")
async def abort(caller: Caller, canary: Canary,
                body: Annotated[AbortBody | None, Body()] = None) -> Response:
    require_admin(caller)


    reason = (body or AbortBody()).reason
    state = await asyncio.to_thread(canary.control.abort, f"{reason} (admin {caller.user_id})")
    await canary.refresh()
    return json_response({"canary": state.summary()})
