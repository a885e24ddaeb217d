"""Team profiles, power rankings, matchup analysis and team comparison."""

from __future__ import annotations

import asyncio
from typing import Annotated, Literal

import orjson
from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from scriptohio.agents.context import AnalyticsContext
from scriptohio.api.dependencies import Answers, Caller, Context, Refresher
from scriptohio.api.recipes import (
    Recipe,
    compare_recipe,
    matchup_recipe,
    rankings_recipe,
    team_recipe,
)
from scriptohio.api.responses import JSON
from scriptohio.api.routes.common import ERRORS, require_teams
from scriptohio.api.routes.predictions import Season, SeasonType, TeamName, Week
from scriptohio.errors import ValidationError

router = APIRouter(prefix="/v1", tags=["insight"], responses=ERRORS)

Method = Literal["ensemble", "elo", "srs", "efficiency"]


@router.get("/teams/{team}", summary="Team profile: record, adjusted ratings with percentiles, "
            "trend, schedule with results and predictions")
async def team(request: Request, ctx: Context, answers: Answers, caller: Caller,
               team: Annotated[str, Path(min_length=1, max_length=80)],
               season: Season = None, week: Week = None) -> Response:
    recipe, corrections = profile_recipe(ctx, team, season, week, caller.role)
    return await answers.respond(request, recipe, headers=corrections)


@router.get("/rankings", summary="Power rankings: ensemble rating, Elo, least-squares (SRS) or "
            "efficiency; overall or by conference")
async def rankings(request: Request, ctx: Context, answers: Answers, caller: Caller,
                   season: Season = None, week: Week = None,
                   season_type: SeasonType = "regular", method: Method = "ensemble",
                   conference: Annotated[str | None, Query(max_length=40)] = None,
                   limit: Annotated[int | None, Query(ge=1, le=200)] = None,
                   worst: Annotated[bool, Query(description="From the bottom up")] = False
                   ) -> Response:
    ref = ctx.week_ref(season, week, season_type)
    return await answers.respond(request, rankings_recipe(
        ctx, ref, caller.role, method=method, conference=conference, limit=limit,
        worst=worst))


@router.get("/matchup", summary="Matchup analysis: offence vs defence edges, unit by unit")
async def matchup(request: Request, ctx: Context, answers: Answers, caller: Caller,
                  home: TeamName, away: TeamName, season: Season = None,
                  week: Week = None, season_type: SeasonType = "regular") -> Response:
    recipe, corrections = units_recipe(ctx, home, away, season, week, season_type,
                                       caller.role)
    return await answers.respond(request, recipe, headers=corrections)


@router.get("/compare", summary="Compare two to six teams side by side")
async def compare(request: Request, ctx: Context, answers: Answers, caller: Caller,
                  teams: Annotated[list[str], Query(min_length=2, max_length=6)],
                  season: Season = None, week: Week = None) -> Response:
    names, corrections = require_teams(ctx, *teams)
    ref = ctx.week_ref(season, week)
    return await answers.respond(request, compare_recipe(ctx, tuple(names), ref, caller.role),
                                 headers=corrections)


# The requests' recipes, shared with the web pages (scriptohio.web) so a page and its JSON
# endpoint read one cache entry.

def profile_recipe(ctx: AnalyticsContext, team: str, season: int | None, week: int | None,
                   role: str) -> tuple[Recipe, dict[str, str]]:
    """``/v1/teams/{team}``'s recipe and its correction headers (404 / 409 for bad names)."""
    (name,), corrections = require_teams(ctx, team)
    ref = ctx.week_ref(season, week)
    if season is not None and week is None:
        ref = ctx.week_ref(season, None)
    return team_recipe(ctx, name, ref, role), corrections


def units_recipe(ctx: AnalyticsContext, home: str, away: str, season: int | None,
                 week: int | None, season_type: str, role: str
                 ) -> tuple[Recipe, dict[str, str]]:
    """``/v1/matchup``'s recipe and its correction headers."""
    (home, away), corrections = require_teams(ctx, home, away)
    if home == away:
        raise ValidationError(f"home and away must be different teams (both are {home})")
    ref = ctx.week_ref(season, week, season_type)
    return matchup_recipe(ctx, home, away, ref, role), corrections


@router.get("/changes", summary="What moved and why: after each ingest, the teams whose rating "
            "moved most (split by method), the upcoming games whose prediction moved most and "
            "the teams whose season projection moved most, each with the games that moved it")
async def changes(caller: Caller, refresher: Refresher,
                  since: Annotated[int, Query(ge=0, description="data version already seen; "
                                              "entries after it are answered")] = 0,
                  limit: Annotated[int, Query(ge=1, le=100)] = 20) -> Response:
    entries = await asyncio.to_thread(refresher.changes.since, since, limit + 1)
    more = len(entries) > limit
    entries = entries[:limit]
    if caller.role == "production":
        entries = [{k: v for k, v in e.items() if k != "summary"} for e in entries]
    latest = refresher.holder.current()
    return Response(orjson.dumps({
        "since": since, "data_version": latest.data_version if latest else None,
        # the next page: ask again with since=next_since (entries persist across restarts)
        "next_since": entries[-1]["data_version"] if entries else since, "more": more,
        "changes": entries}), media_type=JSON)
