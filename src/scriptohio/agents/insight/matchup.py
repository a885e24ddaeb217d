"""Matchup analysis (offence against defence, unit by unit) and side-by-side comparison."""

from __future__ import annotations

from typing import Any

from scriptohio.agents import prose
from scriptohio.agents.context import AnalyticsContext, WeekRef
from scriptohio.agents.insight.ratings import point_ratings, record_before
from scriptohio.errors import NotFoundError
from scriptohio.features import TeamRating

#: (unit, offence field, defence field, label)
UNITS = (
    ("overall", "off_eff", "def_eff", "overall efficiency (PPA per play)"),
    ("rushing", "off_rush_ppa", "def_rush_ppa", "rushing efficiency"),
    ("passing", "off_pass_ppa", "def_pass_ppa", "passing efficiency"),
    ("success_rate", "off_success_rate", "def_success_rate", "success rate"),
    ("explosiveness", "off_explosiveness", "def_explosiveness", "explosiveness"),
    ("line_play", "off_line_yards", "def_line_yards", "line yards"),
)


def _rating(ratings: list[TeamRating], team: str, season: int) -> TeamRating:
    for r in ratings:
        if r.team == team:
            return r
    raise NotFoundError(f"{team} is not an FBS team in {season}")


def _edges(att: TeamRating, dfn: TeamRating) -> list[dict[str, Any]]:
    out = []
    for unit, off, de, label in UNITS:
        o, d = getattr(att, off), getattr(dfn, de)
        edge = o.percentile - d.percentile  # + = the offence is better than the defence
        out.append({"unit": unit, "label": label,
                    "offense": {"value": round(o.value, 4), "percentile": o.percentile},
                    "defense": {"value": round(d.value, 4), "percentile": d.percentile},
                    "edge": round(edge, 1)})
    return out


def _sentence(att: str, dfn: str, edges: list[dict[str, Any]]) -> str:
    best = max(edges[1:], key=lambda e: e["edge"])
    worst = min(edges[1:], key=lambda e: e["edge"])
    parts = []
    if best["edge"] > 15:
        parts.append(f"{att}'s offence should find room in {best['label']} (the offence "
                     f"ranks in the {prose.ordinal(round(best['offense']['percentile']))} "
                     f"percentile, {dfn}'s defence in the "
                     f"{prose.ordinal(round(best['defense']['percentile']))})")
    if worst["edge"] < -15:
        parts.append(f"{dfn}'s defence has the upper hand against {att}'s {worst['label']} "
                     f"({prose.ordinal(round(worst['defense']['percentile']))} against "
                     f"{prose.ordinal(round(worst['offense']['percentile']))} percentile)")
    if not parts:
        parts.append(f"{att}'s offence and {dfn}'s defence are evenly matched")
    return "; ".join(parts) + "."


def matchup(ctx: AnalyticsContext, home: str, away: str, *, season: int | None = None,
            week: int | None = None, season_type: str = "regular") -> dict[str, Any]:
    home, away = ctx.require_team(home), ctx.require_team(away)
    ref = ctx.week_ref(season, week, season_type)
    ratings = ctx.features.team_ratings(ref.season, ref.week, ref.season_type)
    h, a = _rating(ratings, home, ref.season), _rating(ratings, away, ref.season)
    home_off, away_off = _edges(h, a), _edges(a, h)
    points = point_ratings(ratings)
    gap = points[home]["ensemble"] - points[away]["ensemble"]
    stronger = home if gap >= 0 else away
    summary = (f"{stronger} rates {abs(gap):.1f} points better on a neutral field. "
               f"{_sentence(home, away, home_off)} {_sentence(away, home, away_off)}"
               + _scoring_sentence(ctx, home, away, ref))
    return {
        "home": home, "away": away, "season": ref.season, "week": ref.week,
        "season_type": ref.season_type,
        "as_of": ctx.as_of(ref),
        "home_offense_vs_away_defense": home_off,
        "away_offense_vs_home_defense": away_off,
        "rating_gap": round(gap, 2),
        "summary": summary,
    }


def _scoring_sentence(ctx: AnalyticsContext, home: str, away: str, ref: WeekRef) -> str:
    """Points per game of both teams in the games before ``ref``: what a fan checks first."""
    parts = []
    for team in (home, away):
        rec = record_before(ctx, team, ref)
        if rec.games:
            parts.append(f"{team} score {rec.points_for / rec.games:.1f} and allow "
                         f"{rec.points_against / rec.games:.1f}")
    so_far = "" if ctx.as_of(ref).startswith("end") else " so far"
    return (f" Per game{so_far}: " + "; ".join(parts) + ".") if parts else ""


def compare(ctx: AnalyticsContext, teams: list[str], *, season: int | None = None,
            week: int | None = None) -> dict[str, Any]:
    names = [ctx.require_team(t) for t in teams]
    ref = ctx.week_ref(season, week)
    ratings = ctx.features.team_ratings(ref.season, ref.week, ref.season_type)
    points = point_ratings(ratings)
    rows: list[dict[str, Any]] = []
    for name in names:
        r = _rating(ratings, name, ref.season)
        rows.append({
            "team": name, "conference": r.conference,
            "record": record_before(ctx, name, ref).as_text(),
            "ensemble": round(points[name]["ensemble"], 2),
            "elo": round(r.elo.value, 1), "srs": round(r.srs.value, 2),
            "off_eff_percentile": r.off_eff.percentile,
            "def_eff_percentile": r.def_eff.percentile,
        })
    ranked = sorted(rows, key=lambda x: -x["ensemble"])
    listed = prose.join([f"{r['team']} ({r['record']}) {prose.signed(r['ensemble'])}"
                         for r in ranked])
    gap = ranked[0]["ensemble"] - ranked[1]["ensemble"]
    summary = (f"Power ratings against an average FBS team, {ctx.as_of(ref)}: {listed}. "
               f"{ranked[0]['team']} rates highest, {prose.points(gap)} points better than "
               f"{ranked[1]['team']} on a neutral field.")
    return {"season": ref.season, "week": ref.week, "as_of": ctx.as_of(ref), "teams": rows,
            "summary": summary}
