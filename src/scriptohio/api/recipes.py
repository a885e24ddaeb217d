"""How each cacheable answer is identified: its request type, canonical payload, tags, role
view and cache key. Shared by the routes and the cache warmer, so both produce the same keys.

Canonical payloads make equivalent requests share one entry: team names are resolved, default
season/week are filled in, and ``neutral`` equal to what the schedule already says is dropped.
Views that give several roles the same bytes share one entry too (``key_role``).
"""

from __future__ import annotations

from typing import Any

from scriptohio.agents.context import AnalyticsContext, WeekRef
from scriptohio.agents.views import generic_view, prediction_view, slate_view
from scriptohio.api.preload import Recipe


def week_tag(ref: WeekRef) -> str:
    if ref.week is None:
        return f"week:{ref.season}:final:0"
    return f"week:{ref.season}:{ref.season_type}:{ref.week}"


def team_tag(team: str, season: int) -> str:
    return f"team:{team}:{season}"


def generic_role(role: str) -> str:
    """:func:`generic_view` gives casual users and data scientists the same answer."""
    return "production" if role == "production" else "full"


def cache_key(recipe: Recipe) -> str:
    parts = ",".join(f"{k}={recipe.payload[k]}" for k in sorted(recipe.payload))
    return f"{recipe.kind}|{recipe.key_role}|{parts}"


def canonical_neutral(ctx: AnalyticsContext, home: str, away: str, ref: WeekRef,
                      neutral: bool | None) -> bool | None:
    """``None`` when ``neutral`` only repeats what the schedule knows about this game."""
    if neutral is None:
        return None
    row = ctx.features.scheduled_row(home, away, ref.season, ref.week, ref.season_type)
    if row is None:
        return neutral
    scheduled = ctx.dataset.games.cols["neutral_site"][row]
    return None if scheduled == scheduled and bool(scheduled) == neutral else neutral


def predict_recipe(ctx: AnalyticsContext, home: str, away: str, ref: WeekRef,
                   neutral: bool | None, role: str) -> Recipe:
    payload = {"home": home, "away": away, "season": ref.season, "week": ref.week,
               "neutral": canonical_neutral(ctx, home, away, ref, neutral),
               "season_type": ref.season_type, "explain": role == "data_scientist"}
    tags = (team_tag(home, ref.season), team_tag(away, ref.season), week_tag(ref))
    return Recipe("predict", payload, role, _with_model(ctx, tags), prediction_view, role)


def games_recipe(ctx: AnalyticsContext, ref: WeekRef, role: str) -> Recipe:
    games = ctx.dataset.games
    rows = games.rows_for_week(ref.season, ref.week or 0, ref.season_type)
    teams = set(games.cols["home_team"][rows].tolist()) | set(
        games.cols["away_team"][rows].tolist())
    payload = {"season": ref.season, "week": ref.week, "season_type": ref.season_type,
               "explain": role == "data_scientist"}
    tags = (week_tag(ref), *sorted(team_tag(t, ref.season) for t in teams))
    return Recipe("games", payload, role, _with_model(ctx, tags), slate_view, role)


def team_recipe(ctx: AnalyticsContext, team: str, ref: WeekRef, role: str) -> Recipe:
    payload = {"team": team, "season": ref.season, "week": ref.week}
    tags = (team_tag(team, ref.season), week_tag(ref))
    return Recipe("team", payload, role, _with_model(ctx, tags), generic_view,
                  generic_role(role))


def rankings_recipe(ctx: AnalyticsContext, ref: WeekRef, role: str, *, method: str,
                    conference: str | None, limit: int | None) -> Recipe:
    payload = {"season": ref.season, "week": ref.week, "season_type": ref.season_type,
               "method": method, "conference": conference, "limit": limit}
    return Recipe("rankings", payload, role, _with_model(ctx, (week_tag(ref),)), generic_view,
                  generic_role(role))


def matchup_recipe(ctx: AnalyticsContext, home: str, away: str, ref: WeekRef,
                   role: str) -> Recipe:
    payload: dict[str, Any] = {"home": home, "away": away, "season": ref.season,
                               "week": ref.week}
    if ref.season_type != "regular":  # regular keys stay as they were
        payload["season_type"] = ref.season_type
    tags = (team_tag(home, ref.season), team_tag(away, ref.season), week_tag(ref))
    return Recipe("matchup", payload, role, _with_model(ctx, tags), generic_view,
                  generic_role(role))


def compare_recipe(ctx: AnalyticsContext, teams: tuple[str, ...], ref: WeekRef,
                   role: str) -> Recipe:
    payload: dict[str, Any] = {"teams": teams, "season": ref.season, "week": ref.week}
    tags = (week_tag(ref), *(team_tag(t, ref.season) for t in teams))
    return Recipe("compare", payload, role, _with_model(ctx, tags), generic_view,
                  generic_role(role))


def _with_model(ctx: AnalyticsContext, tags: tuple[str, ...]) -> tuple[str, ...]:
    return (*tags, f"model:{ctx.predictor.model_version}")
