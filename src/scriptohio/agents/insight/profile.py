"""Team profile: record, scoring, opponent-adjusted ratings with national percentiles and
ranks, recent trend, and the schedule with results and predictions."""

from __future__ import annotations

from typing import Any

import numpy as np

from scriptohio.agents.context import AnalyticsContext, WeekRef
from scriptohio.agents.insight.ratings import cutoff_of, point_ratings, record_before
from scriptohio.agents.predict import predict_rows
from scriptohio.agents.prose import ordinal, score, signed
from scriptohio.agents.schedule import often_neutral
from scriptohio.errors import NotFoundError

RATED_FIELDS = ("elo", "srs", "off_eff", "def_eff", "off_success_rate", "def_success_rate",
                "off_explosiveness", "def_explosiveness", "off_rush_ppa", "def_rush_ppa",
                "off_pass_ppa", "def_pass_ppa", "off_line_yards", "def_line_yards",
                "off_stuff_rate", "def_stuff_rate")


def team_profile(ctx: AnalyticsContext, team: str, *, season: int | None = None,
                 week: int | None = None) -> dict[str, Any]:
    team = ctx.require_team(team)
    ref = ctx.week_ref(season, week)
    ratings = ctx.features.team_ratings(ref.season, ref.week, ref.season_type)
    mine = next((r for r in ratings if r.team == team), None)
    if mine is None:
        raise NotFoundError(f"{team} is not an FBS team in {ref.season}")
    points = point_ratings(ratings)
    by_ensemble = sorted(points, key=lambda t: -points[t]["ensemble"])
    rec = record_before(ctx, team, ref)
    rated: dict[str, Any] = {
        "ensemble": {"value": round(points[team]["ensemble"], 2),
                     "rank": by_ensemble.index(team) + 1, "of": len(by_ensemble)},
    }
    for name in RATED_FIELDS:
        value = getattr(mine, name)
        higher_better = value.percentile  # percentiles already account for direction
        rank = 1 + sum(getattr(r, name).percentile > higher_better for r in ratings)
        rated[name] = {"value": round(value.value, 4), "percentile": value.percentile,
                       "rank": rank}
    schedule = _schedule(ctx, team, ref.season)
    # the season so far is the point in time "now": the current week's games are to come
    now = ref.week is None and ref.season == ctx.current.season
    cutoff = cutoff_of(ctx, ctx.current if now else ref)
    played = [g for g in schedule if g["result"] is not None and g["kickoff_s"] < cutoff]
    upcoming = [g for g in schedule if g["kickoff_s"] >= cutoff]  # after the point in time
    body = {
        "team": team,
        "season": ref.season,
        "as_of": ctx.as_of(ref),
        "conference": mine.conference,
        "talent": mine.talent,
        "record": rec.as_text(),
        "points_for_per_game": round(rec.points_for / rec.games, 1) if rec.games else None,
        "points_against_per_game": round(rec.points_against / rec.games, 1) if rec.games else None,
        "ratings": rated,
        "trend": _trend(played),
        "schedule": [{k: v for k, v in g.items() if k != "kickoff_s"} for g in schedule],
    }
    body["summary"] = _summary(ctx, body, ref, upcoming[0] if upcoming else None)
    return body


def _summary(ctx: AnalyticsContext, body: dict[str, Any], ref: WeekRef,
             following: dict[str, Any] | None) -> str:
    """Record, scoring, where the power rating puts them, form and the next game."""
    team, season = body["team"], body["season"]
    in_progress = not ctx.as_of(ref).startswith("end")
    if body["points_for_per_game"] is None:
        lead = f"{team} have not played yet in {season}."
    else:
        verb, so_far = ("are", " so far") if in_progress else ("went", "")
        lead = (f"{team} {verb} {body['record']} in {season}{so_far}, scoring "
                f"{body['points_for_per_game']:.1f} and allowing "
                f"{body['points_against_per_game']:.1f} points per game.")
    rating = body["ratings"]["ensemble"]
    parts = [lead, f"The power rating puts them {signed(rating['value'])} points against an "
                   f"average FBS team, {ordinal(rating['rank'])} of {rating['of']}."]
    trend = body["trend"]
    if trend is not None and trend["last_results"]:
        parts.append("Last games: " + "; ".join(trend["last_results"][-3:])
                     + f" (form: {trend['direction']}).")
    if following is not None:
        g = following
        where = "at" if g["site"] == "away" else "vs"
        when = f"week {g['week']}" if g["season_type"] == "regular" else "postseason"
        parts.append(f"Next: {when} ({g['date']}) {where} {g['opponent']}.")
    return " ".join(parts)


def _schedule(ctx: AnalyticsContext, team: str, season: int) -> list[dict[str, Any]]:
    games = ctx.dataset.games
    rows = games.rows_for_team(team, season)
    preds = predict_rows(ctx, rows)
    out = []
    for row, pred in zip(rows.tolist(), preds, strict=True):
        g = games.record(row)
        home = g.home_team == team
        sign = 1.0 if home else -1.0
        where = ("neutral" if g.neutral_site else "unknown"
                 if g.neutral_site is None and often_neutral(ctx, g)
                 else "home" if home else "away")
        result = None
        if g.played:
            pf, pa = (g.home_points, g.away_points) if home else (g.away_points, g.home_points)
            assert pf is not None and pa is not None
            result = {"points_for": pf, "points_against": pa,
                      "outcome": "W" if pf > pa else ("L" if pf < pa else "T")}
        out.append({
            "game_id": g.game_id, "week": g.week, "season_type": g.season_type,
            "kickoff_s": g.kickoff.timestamp(),
            "date": g.game_date, "opponent": g.away_team if home else g.home_team,
            "site": where, "result": result,
            "prediction": None if pred is None else {
                "margin": round(sign * pred["margin"], 1),
                "win_prob": round(pred["home_win_prob"] if home else 1 - pred["home_win_prob"], 3),
            },
        })
    return out


def _trend(played: list[dict[str, Any]]) -> dict[str, Any] | None:
    if not played:
        return None
    margins = [g["result"]["points_for"] - g["result"]["points_against"] for g in played]
    vs_expected = [m - g["prediction"]["margin"] for m, g in zip(margins, played, strict=True)
                   if g["prediction"] is not None]
    recent = vs_expected[-3:]
    avg = float(np.mean(recent)) if recent else 0.0
    direction = "rising" if avg > 3 else ("falling" if avg < -3 else "steady")
    return {
        "last_results": [f"{g['result']['outcome']} "
                         f"{score(g['result']['points_for'], g['result']['points_against'])} "
                         f"{'at' if g['site'] == 'away' else 'vs'} {g['opponent']}"
                         for g in played[-5:]],
        "avg_margin_last3": round(float(np.mean(margins[-3:])), 1),
        "vs_expectation_last3": round(avg, 1),
        "direction": direction,
    }
