"""Power rankings: every FBS team ordered by a rating method, overall or by conference."""

from __future__ import annotations

from typing import Any

from scriptohio.agents.context import AnalyticsContext, WeekRef
from scriptohio.agents.insight.ratings import METHODS, Record, point_ratings, record_before
from scriptohio.agents.prose import join, signed
from scriptohio.errors import NotFoundError, ValidationError

METHOD_NAMES = {"ensemble": "ensemble power rating", "elo": "Elo rating",
                "srs": "least-squares (SRS) rating", "efficiency": "efficiency rating"}


def rankings(
    ctx: AnalyticsContext,
    *,
    season: int | None = None,
    week: int | None = None,
    season_type: str = "regular",
    method: str = "ensemble",
    conference: str | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    """Ranked teams with their rating (pregame, before ``week``; ``None`` = season's end)."""
    if method not in METHODS:
        raise ValidationError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    ref = ctx.week_ref(season, week, season_type)
    ratings = ctx.features.team_ratings(ref.season, ref.week, ref.season_type)
    points = point_ratings(ratings)
    conferences = sorted({r.conference for r in ratings if r.conference})
    match = None
    if conference is not None:
        match = {c.casefold(): c for c in conferences}.get(conference.casefold())
        if match is None:
            raise NotFoundError(f"no conference {conference!r} in {ref.season}; "
                                f"conferences: {', '.join(conferences)}")
        ratings = [r for r in ratings if r.conference == match]
    ranked = sorted(ratings, key=lambda r: -points[r.team][method])
    records = {r.team: record_before(ctx, r.team, ref) for r in ranked}
    teams = []
    for rank, r in enumerate(ranked[: limit or None], start=1):
        rec = records[r.team]
        p = points[r.team]
        teams.append({
            "rank": rank,
            "team": r.team,
            "conference": r.conference,
            "record": rec.as_text(),
            "rating": round(p[method], 2),
            "ensemble": round(p["ensemble"], 2),
            "elo": round(r.elo.value, 1),
            "srs": round(r.srs.value, 2),
            "efficiency": round(p["efficiency"], 2),
        })
    return {
        "season": ref.season,
        "week": ref.week,
        "season_type": ref.season_type,
        "as_of": ctx.as_of(ref),
        "method": method,
        "conference": conference,
        "teams": teams,
        "summary": _summary(ctx, ref, method, match if conference else None, teams, records),
    }


def _summary(ctx: AnalyticsContext, ref: WeekRef, method: str, conference: str | None,
             teams: list[dict[str, Any]], records: dict[str, Record]) -> str:
    """The top of the list with records; the best records and the unbeaten among all the
    ranked teams (the whole conference or FBS, not only the teams listed)."""
    if not teams:
        return "No teams to rank."
    where = f" in the {conference}" if conference else ""
    top = "; ".join(f"{t['rank']}. {t['team']} ({t['record']}, {signed(t['rating'])})"
                    for t in teams[:5])
    parts = [f"Power rankings{where} by the {METHOD_NAMES[method]}, {ctx.as_of(ref)}: {top}."]
    played = {team: rec for team, rec in records.items() if rec.games}
    if played:
        best = max(rec.wins / rec.games for rec in played.values())
        leaders = [f"{team} {rec.as_text()}" for team, rec in played.items()
                   if rec.wins / rec.games == best]
        pool = f"the {conference}" if conference else "FBS"
        parts.append(f"Best record in {pool}: {join(leaders)}.")
        unbeaten = [team for team, rec in played.items() if rec.losses == 0]
        if unbeaten and len(unbeaten) <= 12:
            parts.append(f"Unbeaten ({len(unbeaten)}): {join(unbeaten)}.")
    return " ".join(parts)
