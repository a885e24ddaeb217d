"""``GET /v1/projections`` and ``GET /v1/teams/{team}/projection``: simulated seasons."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from scriptohio.agents.projections import projection_ref, resolve_conference
from scriptohio.api.dependencies import Answers, Caller, Context
from scriptohio.api.recipes import projection_recipe, team_projection_recipe
from scriptohio.api.routes.common import ERRORS, require_teams
from scriptohio.api.routes.predictions import Season, Week
from scriptohio.errors import NotFoundError
from scriptohio.models.simulation import DEFAULT_SIMULATIONS, MAX_SIMULATIONS, MIN_SIMULATIONS

router = APIRouter(prefix="/v1", tags=["projections"], responses=ERRORS)

Simulations = Annotated[int, Query(ge=MIN_SIMULATIONS, le=MAX_SIMULATIONS,
                                   description="Simulated seasons")]


@router.get("/projections", summary="Season projections: the rest of the season simulated "
            "(expected wins, bowl eligibility, conference title, playoff and title odds)")
async def projections(request: Request, ctx: Context, answers: Answers, caller: Caller,
                      season: Season = None,
                      week: Annotated[int | None, Query(
                          ge=0, le=25, description="Simulate from before this week "
                          "(default: the next slate)")] = None,
                      conference: Annotated[str | None, Query(max_length=40)] = None,
                      simulations: Simulations = DEFAULT_SIMULATIONS) -> Response:
    ref = projection_ref(ctx, season, week)
    if conference is not None:
        conference = resolve_conference(ctx, ref.season, conference)
    return await answers.respond(request, projection_recipe(
        ctx, ref, caller.role, conference=conference, simulations=simulations))


@router.get("/teams/{team}/projection", summary="One team's projected season with its "
            "remaining games")
async def team_projection(request: Request, ctx: Context, answers: Answers, caller: Caller,
                          team: Annotated[str, Path(min_length=1, max_length=80)],
                          season: Season = None, week: Week = None,
                          simulations: Simulations = DEFAULT_SIMULATIONS) -> Response:
    (name,), corrections = require_teams(ctx, team)
    ref = projection_ref(ctx, season, week)
    if name not in ctx.dataset.fbs_teams_by_season.get(ref.season, frozenset()):
        raise NotFoundError(f"{name} has no FBS season in {ref.season}")
    return await answers.respond(request, team_projection_recipe(
        ctx, name, ref, caller.role, simulations=simulations), headers=corrections)
