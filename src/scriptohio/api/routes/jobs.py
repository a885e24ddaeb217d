"""``POST /v1/jobs`` / ``GET /v1/jobs/{id}``: background workflows with progress.

A backtest's and a picks grade's report files (Markdown, JSON, plots) are listed in its result as
``artefacts``, each with the URL that serves it: ``GET /v1/jobs/{id}/artefacts/{name}``.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Path
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from scriptohio.agents.workflow.jobs import Job
from scriptohio.api.dependencies import Caller, Jobs
from scriptohio.api.responses import json_response
from scriptohio.api.routes.common import ERRORS
from scriptohio.errors import ForbiddenError

router = APIRouter(prefix="/v1/jobs", tags=["workflows"], responses=ERRORS)
ARTEFACT_TYPES = {".md": "text/markdown; charset=utf-8", ".json": "application/json",
                  ".png": "image/png"}
JobId = Annotated[str, Path(min_length=1, max_length=64)]


class JobBody(BaseModel):
    # strict: JSON's true is not week 1, nor "2024" a season (the schema says integer)
    model_config = ConfigDict(strict=True)

    type: Literal["weekly_report", "backtest", "batch_predict", "grade_picks"]
    season: int | None = Field(default=None, ge=2005, le=2100,
                               description="backtest: the season to replay; weekly_report")
    week: int | None = Field(default=None, ge=0, le=25, description="weekly_report: the week")
    csv: str | None = Field(default=None, max_length=4_000_000,
                            description="batch_predict: rows in the games.csv schema; "
                            "grade_picks: your picks (game_id or home_team/away_team/"
                            "game_date, and margin and/or home_win_prob)")
    train_through: int | None = Field(default=None, ge=2005, le=2100,
                                      description="grade_picks: last season the baselines "
                                      "learn from (default: before the first pick's)")
    games_csv: str | None = Field(default=None, max_length=4_000_000,
                                  description="weekly_report: new results to ingest first")


@router.post("", status_code=202, summary="Start a workflow; answers at once with its id")
async def create(body: Annotated[JobBody, Body()], caller: Caller, jobs: Jobs) -> Response:
    if body.games_csv and not caller.is_admin:
        raise ForbiddenError("ingesting results in a weekly report needs the admin role")
    job = await jobs.submit(body.type, caller.user_id,
                            body.model_dump(exclude_none=True, exclude={"type"}))
    return json_response(_answer(job), status=202, headers={"Location": f"/v1/jobs/{job.id}"})


@router.get("/{job_id}", summary="A job's status, progress and result")
async def status(job_id: JobId, jobs: Jobs) -> Response:
    return json_response(_answer(jobs.get(job_id)))


@router.get("/{job_id}/artefacts/{name}", summary="A report file a job's result lists",
            response_class=Response)
async def artefact(job_id: JobId, name: Annotated[str, Path(min_length=1, max_length=64)],
                   jobs: Jobs) -> Response:
    content = jobs.artefact(job_id, name)
    return Response(content, media_type=ARTEFACT_TYPES.get(PurePath(name).suffix,
                                                           "application/octet-stream"))


#: keys of results stored before results named no server paths; never answered
_SERVER_PATHS = frozenset({"report_dir", "input", "output", "files"})


def _answer(job: Job) -> dict[str, Any]:
    """The job as answered: report files as names and the URLs that serve them."""
    body = job.as_json()
    result = body["result"]
    if isinstance(result, dict):
        result = body["result"] = {k: v for k, v in result.items() if k not in _SERVER_PATHS}
    if isinstance(result, dict) and "artefacts" in result:
        body["result"] = {**result, "artefacts": [
            {"name": name, "url": f"{router.prefix}/{job.id}/artefacts/{name}"}
            for name in result["artefacts"]]}
    return body
