"""``GET /v1/predict`` and ``GET /v1/games``: single predictions and a week's slate."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from scriptohio.agents.context import AnalyticsContext
from scriptohio.agents.predict import resolve_game
from scriptohio.api.dependencies import Answers, Caller, Canary, Context
from scriptohio.api.recipes import Recipe, games_recipe, predict_recipe
from scriptohio.api.routes.common import ERRORS, require_teams
from scriptohio.errors import OutOfRangeError

router = APIRouter(prefix="/v1", tags=["predictions"], responses=ERRORS)

TeamName = Annotated[str, Query(min_length=1, max_length=80, description="Team name or alias")]
Season = Annotated[int | None, Query(ge=1869, le=2100, description="Season (default: current)")]
Week = Annotated[int | None, Query(ge=0, le=25, description="Week (default: the next slate)")]
SeasonType = Annotated[Literal["regular", "postseason"], Query(description="regular or postseason")]


@router.get("/predict", summary="Predict one game: ensemble and per-model margin and win "
            "probability, interval, market edge")
async def predict(request: Request, ctx: Context, canary: Canary, caller: Caller,
                  home: TeamName, away: TeamName, season: Season = None,
                  week: Week = None, neutral: bool | None = None,
                  season_type: SeasonType = "regular") -> Response:
    recipe, corrections = game_recipe(ctx, home, away, season, week, neutral, season_type,
                                      caller.role)
    return await canary.respond(request, recipe, headers=corrections)


@router.get("/games", summary="The games of one week with results (if played) and predictions")
async def games(request: Request, ctx: Context, answers: Answers, caller: Caller,
                season: Season = None, week: Week = None,
                season_type: SeasonType = "regular") -> Response:
    return await answers.respond(request, slate_recipe(ctx, season, week, season_type,
                                                       caller.role))


# The requests' recipes, shared with the web pages (scriptohio.web) so a page and its JSON
# endpoint read one cache entry.

def game_recipe(ctx: AnalyticsContext, home: str, away: str, season: int | None,
                week: int | None, neutral: bool | None, season_type: str, role: str
                ) -> tuple[Recipe, dict[str, str]]:
    """``/v1/predict``'s recipe and its correction headers (404 / 409 for bad names)."""
    (home, away), corrections = require_teams(ctx, home, away)
    # without a week: the teams' real game in the season (sides as scheduled), else hypothetical
    ref, home, away, neutral = resolve_game(ctx, home, away, season, week, season_type, neutral)
    return predict_recipe(ctx, home, away, ref, neutral, role), corrections


def slate_recipe(ctx: AnalyticsContext, season: int | None, week: int | None,
                 season_type: str, role: str) -> Recipe:
    """``/v1/games``'s recipe: a season without a week means its last week."""
    ref = ctx.week_ref(season, week, season_type)
    if ref.week is None:
        weeks = ctx.dataset.games.weeks(ref.season, season_type)
        if not weeks:
            raise OutOfRangeError(f"season {ref.season} has no {season_type} games")
        ref = ctx.week_ref(ref.season, weeks[-1], season_type)
    return games_recipe(ctx, ref, role)
