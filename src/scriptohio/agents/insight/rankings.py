"""Power rankings: every FBS team ordered by a rating method, overall or by conference."""

from __future__ import annotations

from typing import Any

from scriptohio.agents.context import AnalyticsContext, WeekRef
from scriptohio.agents.insight.ratings import (
    METHODS,
    Record,
    cutoff_of,
    point_ratings,
    record_before,
)
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
    worst: bool = False,
) -> dict[str, Any]:
    """Ranked teams with their rating (pregame, before ``week``; ``None`` = season's end);
    ``worst`` lists them from the bottom (ranks stay the teams' own)."""
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
    order = list(enumerate(ranked, start=1))
    if worst:
        order.reverse()
    teams = []
    for rank, r in order[: limit or None]:
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
        "worst": worst,
        "summary": _summary(ctx, ref, method, match if conference else None, teams, records,
                            worst, limit),
    }


def _summary(ctx: AnalyticsContext, ref: WeekRef, method: str, conference: str | None,
             teams: list[dict[str, Any]], records: dict[str, Record], worst: bool,
             limit: int | None) -> str:
    """The top of the list with records; the best records and the unbeaten among all the
    ranked teams (the whole conference or FBS, not only the teams listed)."""
    if not teams:
        return "No teams to rank."
    where = f" in the {conference}" if conference else ""
    shown = min(len(teams), max(5, min(limit or 10, 25)))
    top = "; ".join(f"{t['rank']}. {t['team']} ({t['record']}, {signed(t['rating'])})"
                    for t in teams[:shown])
    what = "Bottom of the power rankings" if worst else "Power rankings"
    parts = [f"{what}{where} by the {METHOD_NAMES[method]}, {ctx.as_of(ref)}: {top}."]
    if conference:
        parts.append(_standings(ctx, ref, conference, list(records)))
    played = {team: rec for team, rec in records.items() if rec.games}
    if played:
        best = max(rec.wins / rec.games for rec in played.values())
        tops = sorted((rec for rec in played.items() if rec[1].wins / rec[1].games == best),
                      key=lambda item: (-item[1].wins, item[0]))
        leaders = [f"{team} {rec.as_text()}" for team, rec in tops]
        pool = f"the {conference}" if conference else "FBS"
        if len(leaders) <= 12:
            parts.append(f"Best record in {pool}: {join(leaders)}.")
        unbeaten = [team for team, rec in played.items() if rec.losses == 0]
        if unbeaten and len(unbeaten) <= 12 and set(unbeaten) != {t for t, _ in tops}:
            parts.append(f"Unbeaten ({len(unbeaten)}): {join(unbeaten)}.")
    return " ".join(parts)


def _standings(ctx: AnalyticsContext, ref: WeekRef, conference: str, teams: list[str]) -> str:
    """The conference's standings by conference record (regular-season conference games)."""
    from scriptohio.agents.schedule import occasion_of

    games = ctx.dataset.games
    cutoff = cutoff_of(ctx, ref)
    table = []
    for team in teams:
        wins = losses = 0
        for g in games.records(games.rows_for_team(team, ref.season)):
            if (not g.played or not g.conference_game or g.kickoff.timestamp() >= cutoff
                    or occasion_of(ctx, g) is not None):
                continue
            mine = g.home_points if g.home_team == team else g.away_points
            theirs = g.away_points if g.home_team == team else g.home_points
            wins += int((mine or 0) > (theirs or 0))
            losses += int((mine or 0) < (theirs or 0))
        table.append((team, wins, losses))
    table.sort(key=lambda t: (-(t[1] / (t[1] + t[2]) if t[1] + t[2] else 0), -t[1], t[2], t[0]))
    return (f"{conference} standings by conference record: "
            + ", ".join(f"{team} {w}-{lo}" for team, w, lo in table) + ".")
