"""``POST /v1/jobs`` / ``GET /v1/jobs/{id}``: background workflows with progress."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Path, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from scriptohio.api.responses import json_response
from scriptohio.api.routes.common import ERRORS
from scriptohio.errors import ForbiddenError

router = APIRouter(prefix="/v1/jobs", tags=["workflows"], responses=ERRORS)


class JobBody(BaseModel):
    type: Literal["weekly_report", "backtest", "batch_predict"]
    season: int | None = Field(default=None, ge=2005, le=2100,
                               description="backtest: the season to replay; weekly_report")
    week: int | None = Field(default=None, ge=0, le=25, description="weekly_report: the week")
    csv: str | None = Field(default=None, max_length=4_000_000,
                            description="batch_predict: rows in the games.csv schema")
    games_csv: str | None = Field(default=None, max_length=4_000_000,
                                  description="weekly_report: new results to ingest first")


@router.post("", status_code=202, summary="Start a workflow; answers at once with its id")
async def create(request: Request, body: Annotated[JobBody, Body()]) -> Response:
    service = request.app.state.service
    ident = request.state.identity
    if body.games_csv and not ident.is_admin:
        raise ForbiddenError("ingesting results in a weekly report needs the admin role")
    job = await service.jobs.submit(body.type, ident.user_id,
                                    body.model_dump(exclude_none=True, exclude={"type"}))
    return json_response(job.as_json(), status=202,
                         headers={"Location": f"/v1/jobs/{job.id}"})


@router.get("/{job_id}", summary="A job's status, progress and result")
async def status(request: Request,
                 job_id: Annotated[str, Path(min_length=1, max_length=64)]) -> Response:
    return json_response(request.app.state.service.jobs.get(job_id).as_json())
