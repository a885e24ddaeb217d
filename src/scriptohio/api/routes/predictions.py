"""``GET /v1/predict`` and ``GET /v1/games``: single predictions and a week's slate."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from scriptohio.agents.views import prediction_view, slate_view
from scriptohio.api.responses import cached_answer
from scriptohio.api.routes.common import ERRORS, context, team_tag, week_tag
from scriptohio.errors import ValidationError

router = APIRouter(prefix="/v1", tags=["predictions"], responses=ERRORS)

TeamName = Annotated[str, Query(min_length=1, max_length=80, description="Team name or alias")]
Season = Annotated[int | None, Query(ge=1869, le=2100, description="Season (default: current)")]
Week = Annotated[int | None, Query(ge=0, le=25, description="Week (default: the next slate)")]
SeasonType = Annotated[Literal["regular", "postseason"], Query(description="regular or postseason")]


@router.get("/predict", summary="Predict one game: ensemble and per-model margin and win "
            "probability, interval, market edge")
async def predict(request: Request, home: TeamName, away: TeamName, season: Season = None,
                  week: Week = None, neutral: bool | None = None,
                  season_type: SeasonType = "regular") -> Response:
    ctx = context(request)
    home, away = ctx.require_team(home), ctx.require_team(away)
    if home == away:
        raise ValidationError(f"home and away must be different teams (both are {home})")
    ref = ctx.week_ref(season, week, season_type)
    role = request.state.identity.role
    payload = {"home": home, "away": away, "season": ref.season, "week": ref.week,
               "neutral": neutral, "season_type": ref.season_type,
               "explain": role == "data_scientist"}
    tags = [team_tag(home, ref.season), team_tag(away, ref.season), week_tag(ref)]
    return await cached_answer(request, kind="predict", payload=payload, tags=tags,
                               view=prediction_view)


@router.get("/games", summary="The games of one week with results (if played) and predictions")
async def games(request: Request, season: Season = None, week: Week = None,
                season_type: SeasonType = "regular") -> Response:
    ctx = context(request)
    ref = ctx.week_ref(season, week, season_type)
    if ref.week is None:
        ref = ctx.week_ref(ref.season, ctx.dataset.games.weeks(ref.season)[-1], season_type)
    rows = ctx.dataset.games.rows_for_week(ref.season, ref.week or 0, ref.season_type)
    c = ctx.dataset.games.cols
    teams = set(c["home_team"][rows].tolist()) | set(c["away_team"][rows].tolist())
    role = request.state.identity.role
    payload = {"season": ref.season, "week": ref.week, "season_type": ref.season_type,
               "explain": role == "data_scientist"}
    tags = [week_tag(ref), *(team_tag(t, ref.season) for t in teams)]
    return await cached_answer(request, kind="games", payload=payload, tags=tags,
                               view=slate_view)
