"""What moved and why: after an ingest, the teams whose rating moved most, the upcoming
games whose prediction moved most and the teams whose season projection moved most, each
with the games that moved it (predictions and projections:
:mod:`scriptohio.agents.forecast_moves`).

The rating compared is the one the rankings show (the ensemble of SRS, Elo and opponent-
adjusted efficiency, in points; :func:`~scriptohio.agents.insight.ratings.point_ratings`),
with every game of the season played so far, before the ingest and after it. The ensemble
is the mean of the three, so a move splits exactly into their thirds: that split is the
attribution (``by_method``, summing to the move). Each mover lists the ingested games it
played, with the score and what the model said before them (the context before the ingest,
which had not seen the result): the surprise is how far the result was from that.

The plain-words ``summary`` is written from the entry's numbers (:func:`changes_summary`):
the three largest rating moves, the prediction that moved most and the projection that moved
most.

The context before an ingest shares its feature store with the one after (the update is
incremental, in place), so what it said is read *before* the update: :func:`before_ingest`,
then :func:`what_moved` with the new context. Pure otherwise; the API keeps the feed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from scriptohio.agents.context import AnalyticsContext
from scriptohio.agents.forecast_moves import (
    Forecasts,
    forecasts_before,
    moved_predictions,
    moved_projections,
)
from scriptohio.agents.insight.ratings import point_ratings
from scriptohio.agents.predict import predict_many
from scriptohio.data.tables import Game
from scriptohio.errors import ScriptOhioError
from scriptohio.models.prediction import PredictionRequest

__all__ = ["MOVERS", "Before", "before_ingest", "changes_summary", "what_moved"]

MOVERS = 10  # teams per ingest, largest move first
_METHODS = ("srs", "elo", "efficiency")
_MIN_MOVE = 0.05  # points: smaller moves are rounding, not news
log = logging.getLogger(__name__)


def _ratings(ctx: AnalyticsContext, season: int) -> dict[str, dict[str, float]]:
    """Season-to-date point ratings of the season's FBS teams."""
    return point_ratings(ctx.features.team_ratings(season, None, "regular"))


def _ranks(points: Mapping[str, Mapping[str, float]]) -> dict[str, int]:
    order = sorted((t for t in points if np.isfinite(points[t]["ensemble"])),
                   key=lambda t: -points[t]["ensemble"])
    return {t: i for i, t in enumerate(order, start=1)}


def _pregame(old: AnalyticsContext, games: list[Game]) -> dict[int, float]:
    """The model's home margin for each game, from the context that had not seen it."""
    if not games:
        return {}
    bodies = predict_many(old, [PredictionRequest(g.home_team, g.away_team, g.season, g.week,
                                                  g.neutral_site, g.season_type)
                                for g in games])
    return {g.game_id: float(b["prediction"]["margin"])
            for g, b in zip(games, bodies, strict=True)}


def _game_line(game: Game, team: str, predicted_home: float | None) -> dict[str, Any]:
    home = game.home_team == team
    scored, allowed = ((game.home_points, game.away_points) if home
                       else (game.away_points, game.home_points))
    assert scored is not None and allowed is not None
    out: dict[str, Any] = {
        "game_id": game.game_id, "week": game.week, "season_type": game.season_type,
        "opponent": game.away_team if home else game.home_team,
        "venue": "neutral" if game.neutral_site else ("home" if home else "away"),
        "result": "W" if scored > allowed else "L" if scored < allowed else "T",
        "score": f"{scored}-{allowed}",
    }
    if predicted_home is not None:
        expected = predicted_home if home else -predicted_home
        out["expected_margin"] = round(expected, 1)
        out["surprise"] = round((scored - allowed) - expected, 1)
    return out


@dataclass(frozen=True, slots=True)
class Before:
    """What the service said before an ingest: ratings of the seasons it touches, the
    model's home margin for each of its games that was already scheduled, and the current
    season's forecasts (None when they could not be read)."""

    ratings: dict[int, dict[str, dict[str, float]]]
    pregame: dict[int, float]
    forecasts: Forecasts | None = None


def before_ingest(old: AnalyticsContext, game_ids: Iterable[int], seasons: Iterable[int]
                  ) -> Before:
    """Read off ``old`` before its feature store is updated."""
    known = [g for g in (old.dataset.games.get(int(i)) for i in sorted(set(game_ids)))
             if g is not None]
    touched = set(seasons) | {g.season for g in known}
    ratings = {s: _ratings(old, s) for s in sorted(touched) if s in old.dataset.games.seasons}
    try:
        pregame = _pregame(old, known)
    except ScriptOhioError:  # a game the old model cannot price: no surprise figures
        pregame = {}
    forecasts = None
    if old.current.season in touched:
        try:
            forecasts = forecasts_before(old)
        except Exception:  # the ratings feed stands without the forecasts
            log.exception("forecasts before the ingest could not be read")
    return Before(ratings, pregame, forecasts)


def what_moved(before_state: Before, new: AnalyticsContext, game_ids: Iterable[int], *,
               limit: int = MOVERS) -> dict[str, Any]:
    """The teams whose rating the ingested games moved most, with those games."""
    games = [g for g in (new.dataset.games.get(int(i)) for i in sorted(set(game_ids)))
             if g is not None and g.played]
    pregame = before_state.pregame
    movers: list[dict[str, Any]] = []
    for season in sorted({g.season for g in games} & before_state.ratings.keys()):
        before, after = before_state.ratings[season], _ratings(new, season)
        rank_before, rank_after = _ranks(before), _ranks(after)
        played = [g for g in games if g.season == season]
        for team in sorted(before.keys() & after.keys()):
            move = after[team]["ensemble"] - before[team]["ensemble"]
            if not np.isfinite(move) or abs(move) < _MIN_MOVE:
                continue
            movers.append({
                "team": team, "season": season,
                "rating_before": round(before[team]["ensemble"], 2),
                "rating_after": round(after[team]["ensemble"], 2),
                "rating_change": round(move, 2),
                "rank_before": rank_before.get(team), "rank_after": rank_after.get(team),
                "by_method": {m: round((after[team][m] - before[team][m]) / len(_METHODS), 2)
                              for m in _METHODS
                              if np.isfinite(after[team][m] - before[team][m])},
                "games": [_game_line(g, team, pregame.get(g.game_id)) for g in played
                          if team in (g.home_team, g.away_team)],
            })
    movers.sort(key=lambda m: (-abs(m["rating_change"]), m["team"]))
    movers = movers[:limit]
    out: dict[str, Any] = {"data_version": new.data_version, "games": len(games),
                           "as_of": new.as_of(new.current), "movers": movers,
                           "predictions": None, "projections": None}
    forecasts = before_state.forecasts
    if forecasts is not None:
        def line(g: Game, team: str) -> dict[str, Any]:
            return _game_line(g, team, pregame.get(g.game_id))

        try:
            out["predictions"] = moved_predictions(forecasts, new, games, line, limit=limit)
            out["projections"] = moved_projections(forecasts, new, games, line, limit=limit)
        except Exception:  # the ratings feed stands without the forecasts
            log.exception("forecasts after the ingest could not be compared")
    out["summary"] = changes_summary(len(games), movers, out["predictions"],
                                     out["projections"])
    return out


def _mover_words(m: Mapping[str, Any]) -> str:
    up = m["rating_change"] > 0
    rank = ""
    if m["rank_before"] and m["rank_after"] and m["rank_before"] != m["rank_after"]:
        rank = f" from {_ordinal(m['rank_before'])} to {_ordinal(m['rank_after'])}"
    elif m["rank_after"]:
        rank = f" (still {_ordinal(m['rank_after'])})"
    why = ""
    if m["games"]:
        g = m["games"][0]
        verb = {"W": "beating", "L": "losing to", "T": "tying"}[g["result"]]
        why = f" after {verb} {g['opponent']} {g['score']}"
        if "surprise" in g and abs(g["surprise"]) >= 1:
            better = "better" if g["surprise"] > 0 else "worse"
            why += f", {abs(g['surprise']):.0f} points {better} than the model expected"
    return (f"{m['team']} {'rose' if up else 'fell'} {abs(m['rating_change']):.1f} points"
            f"{rank}{why}")


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _percent(p: float) -> str:
    return f"{round(p * 100):.0f} %"


_INPUT_WORDS = {"elo": "Elo", "srs": "SRS", "efficiency": "efficiency",
                "games_played": "the fading preseason rating", "other": "other inputs",
                "model": "the model"}


def prediction_words(m: Mapping[str, Any]) -> str:
    """The prediction that moved, in plain words: the favourite's chance before and after,
    and the input that moved it most."""
    home_after = m["home_win_prob_after"]
    side = m["home"] if home_after >= 0.5 else m["away"]
    other = m["away"] if side == m["home"] else m["home"]
    before = m["home_win_prob_before"] if side == m["home"] else 1 - m["home_win_prob_before"]
    after = home_after if side == m["home"] else 1 - home_after
    where = "at" if side == m["away"] else "against"
    said = (f"{side}'s chance {where} {other} in week {m['week']} went from "
            f"{_percent(before)} to {_percent(after)}")
    if m["by_input"]:
        name = max(m["by_input"].items(), key=lambda kv: abs(kv[1]))[0]
        said += f", mostly through {_INPUT_WORDS.get(name, name)}"
    return said



def projection_words(m: Mapping[str, Any]) -> str:
    """The projection that moved, in plain words: playoff odds and expected wins."""
    p, wins = m["p_playoff"], m["expected_wins"]
    return (f"{m['team']}'s playoff chances went from {_percent(p['before'])} to "
            f"{_percent(p['after'])} and expected wins from {wins['before']:.1f} to "
            f"{wins['after']:.1f}")


def changes_summary(games: int, movers: list[dict[str, Any]],
                    predictions: Mapping[str, Any] | None = None,
                    projections: Mapping[str, Any] | None = None, top: int = 3) -> str:
    """The feed entry in plain words, from its numbers."""
    if not movers:
        said = f"{games} new results; no team's rating moved by a tenth of a point."
    else:
        ratings = "; ".join(_mover_words(m) for m in movers[:top])
        said = f"{games} new result{'s' if games != 1 else ''}: {ratings}."
    if predictions and predictions["movers"]:
        said += f" The prediction that moved most: {prediction_words(predictions['movers'][0])}."
    if projections and projections["movers"]:
        said += (f" The projection that moved most: "
                 f"{projection_words(projections['movers'][0])}"
                 f" ({projections['simulations']:,} simulated seasons).")
    return said
