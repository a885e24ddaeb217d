"""What an ingest did to the forecasts: the upcoming games whose prediction moved most, and
the teams whose season projection moved most, each with the games and the inputs that
moved it.

**Predictions.** Every game of the current season still to play, before the ingest and after
it, predicted as scheduled (the same ensemble margin and calibrated home win probability
``/v1/predict`` serves). Games are ranked by how far the home win probability moved (a
five-point move in a 40-point mismatch matters less than one in a toss-up), then by the
margin. The move is attributed to the model's inputs by exact Shapley values over input
groups (``by_input``, summing to the margin's move): ``elo``, ``srs``, ``efficiency`` (the
opponent-adjusted net stats), ``games_played`` (how far the preseason prior has faded) and
``other`` (rest days and the like). Each group's share is its average effect of switching
from the inputs before to the inputs after, over every order of switching, so the shares add
up exactly whatever the model (the ensemble holds trees and a network). ``inputs`` lists the
features that changed with their values before and after.

**Projections.** The current season simulated from the current point in time
(:func:`~scriptohio.agents.projections.season_projection`, :data:`FEED_SIMULATIONS` seasons,
the default seed 0: the "after" numbers are exactly what ``/v1/projections`` answers). Teams
are ranked by the largest of their moves in P(playoff), P(conference title) and a tenth of
their move in expected wins (one expected win weighs like ten points of a probability). The
move in expected wins splits into ``results`` (each ingested game's result minus the
simulation's win probability for it before), ``remaining_games`` (the move in the win
probability of the games still to play) and ``simulation`` (what is left: Monte-Carlo noise
and the simulation's in-season updating).

Like :mod:`scriptohio.agents.changes` (whose feed entry these join), the "before" is read off
the old context before its feature store is updated in place: :func:`forecasts_before`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations
from statistics import NormalDist
from typing import Any

import numpy as np

from scriptohio.agents.context import AnalyticsContext
from scriptohio.agents.projections import projection_inputs, projection_ref, season_projection
from scriptohio.data.tables import Game
from scriptohio.errors import ScriptOhioError
from scriptohio.features.matchup import FEATURE_NAMES
from scriptohio.models.bundle import ModelBundle
from scriptohio.models.simulation import DEFAULT_SIMULATIONS, SimulationConfig, marginal_sd

__all__ = ["FEED_SIMULATIONS", "FORECAST_MOVERS", "INPUT_GROUPS", "Forecasts",
           "forecasts_before", "moved_predictions", "moved_projections"]

FORECAST_MOVERS = 10  # games and teams per ingest, largest move first
FEED_SIMULATIONS = DEFAULT_SIMULATIONS  # the default run, so "after" is what is served
_MIN_PROB_MOVE = 0.005  # a prediction whose win probability moved less is not news
_MIN_MARGIN_MOVE = 0.05
_MIN_P_MOVE = 0.01  # projections: about twice the Monte-Carlo sd at 10,000 seasons
_MIN_WINS_MOVE = 0.05
_WINS_WEIGHT = 0.1  # one expected win ranks like ten points of a probability
_SHOWN_REMAINING = 3

#: feature groups the prediction's move is split into (every other feature is ``other``)
INPUT_GROUPS: Mapping[str, tuple[str, ...]] = {
    "elo": ("elo_diff",),
    "srs": ("srs_diff",),
    "efficiency": tuple(f for f in FEATURE_NAMES if f.startswith("net_")),
    "games_played": ("prior_srs_diff_early", "min_games_played"),
}


@dataclass(frozen=True, slots=True)
class _Projected:
    teams: dict[str, dict[str, Any]]  # the served rows by team
    win_prob: dict[int, tuple[str, str, float]]  # game id -> (home, away, P(home wins))
    as_of: str


@dataclass(frozen=True, slots=True)
class Forecasts:
    """The forecasts before an ingest: the upcoming games' feature rows and margins, and
    the current season's projection."""

    season: int
    rows: dict[int, np.ndarray]  # game id -> feature row
    margins: dict[int, float]
    bundle: ModelBundle
    projection: _Projected | None


def _upcoming(ctx: AnalyticsContext, season: int) -> list[Game]:
    games = ctx.dataset.games
    out = []
    for w in games.weeks(season):
        for r in games.rows_for_week(season, w).tolist():
            g = games.get(int(games.cols["game_id"][r]))
            if g is not None and not g.played:
                out.append(g)
    for r in games.rows_for_week(season, 1, "postseason").tolist():
        g = games.get(int(games.cols["game_id"][r]))
        if g is not None and not g.played:
            out.append(g)
    return out


def _feature_rows(ctx: AnalyticsContext, games: list[Game]) -> dict[int, np.ndarray]:
    out: dict[int, np.ndarray] = {}
    known = []
    for g in games:
        try:
            ctx.features.require_team(g.home_team)
            ctx.features.require_team(g.away_team)
        except ScriptOhioError:  # a team the features do not know: no prediction of it
            continue
        known.append(g)
    if not known:
        return out
    x = ctx.features.matchup_rows([(g.home_team, g.away_team, g.season, g.week, None,
                                    g.season_type) for g in known])
    return {g.game_id: x[i] for i, g in enumerate(known)}


def _projected(ctx: AnalyticsContext) -> _Projected:
    answer = season_projection(ctx, simulations=FEED_SIMULATIONS)
    inputs = projection_inputs(ctx, projection_ref(ctx, None, None))
    sim = inputs.sim
    sd = marginal_sd(sim, SimulationConfig(simulations=FEED_SIMULATIONS))
    ids = ctx.dataset.games.cols["game_id"][inputs.rows].tolist()
    win_prob = {int(gid): (sim.teams[sim.home[g]], sim.teams[sim.away[g]],
                           NormalDist().cdf(float(sim.margin[g]) / float(sd[g])))
                for g, gid in enumerate(ids)}
    return _Projected({t["team"]: t for t in answer["teams"]}, win_prob, answer["as_of"])


def forecasts_before(old: AnalyticsContext) -> Forecasts:
    """Read the current season's forecasts off ``old`` before its feature store is updated."""
    season = old.current.season
    rows = _feature_rows(old, _upcoming(old, season))
    bundle = old.predictor.bundle
    ids = list(rows)
    margins = ({} if not ids else dict(zip(
        ids, np.asarray(bundle.predict(np.vstack([rows[i] for i in ids])).margin).tolist(),
        strict=True)))
    projection = _projected(old) if old.current.week is not None else None
    return Forecasts(season, rows, margins, bundle, projection)


def _shapley(bundle: ModelBundle, x0: np.ndarray, x1: np.ndarray
             ) -> tuple[list[str], np.ndarray]:
    """Exact Shapley values of the input groups for moving rows ``x0`` to ``x1`` (n, F):
    (groups, (n, groups) contributions summing to the margin's move per row)."""
    named = {f for cols in INPUT_GROUPS.values() for f in cols}
    groups = {**{g: [FEATURE_NAMES.index(f) for f in fs] for g, fs in INPUT_GROUPS.items()},
              "other": [i for i, f in enumerate(FEATURE_NAMES) if f not in named]}
    changed = ~np.isclose(x0, x1, rtol=0, atol=1e-12)
    names = [g for g, cols in groups.items() if changed[:, cols].any()]
    k, n = len(names), len(x0)
    if k == 0:
        return [], np.zeros((n, 0))
    subsets = [s for size in range(k + 1) for s in combinations(range(k), size)]
    blocks = []
    for s in subsets:
        x = x0.copy()
        for g in s:
            cols = groups[names[g]]
            x[:, cols] = x1[:, cols]
        blocks.append(x)
    margin = np.asarray(bundle.predict(np.vstack(blocks)).margin).reshape(len(subsets), n)
    value = {s: margin[i] for i, s in enumerate(subsets)}
    phi = np.zeros((n, k))
    for s in subsets:
        for g in range(k):
            if g in s:
                continue
            weight = math.factorial(len(s)) * math.factorial(k - len(s) - 1) / math.factorial(k)
            with_g = tuple(sorted((*s, g)))
            phi[:, g] += weight * (value[with_g] - value[s])
    return names, phi


def _team_games(team: str, ingested: list[Game], line: Any) -> list[dict[str, Any]]:
    return [{"team": team, **line(g, team)} for g in ingested
            if team in (g.home_team, g.away_team)]


def moved_predictions(before: Forecasts, new: AnalyticsContext, ingested: list[Game],
                      line: Any, *, limit: int = FORECAST_MOVERS) -> dict[str, Any]:
    """The upcoming games whose prediction the ingest moved most (see the module).

    ``line(game, team)`` describes an ingested game from a team's side (the ratings feed's
    game lines, with the score and the surprise)."""
    still = [g for g in _upcoming(new, before.season) if g.game_id in before.rows]
    after_rows = _feature_rows(new, still)
    ids = [g.game_id for g in still if g.game_id in after_rows]
    if not ids:
        return {"games_compared": 0, "movers": []}
    bundle = new.predictor.bundle
    x0 = np.vstack([before.rows[i] for i in ids])
    x1 = np.vstack([after_rows[i] for i in ids])
    m0 = np.array([before.margins[i] for i in ids])
    m1 = np.asarray(bundle.predict(x1).margin, dtype=float)
    p0, p1 = before.bundle.scaler.prob(m0), bundle.scaler.prob(m1)
    moved = [j for j in range(len(ids)) if abs(p1[j] - p0[j]) >= _MIN_PROB_MOVE
             or abs(m1[j] - m0[j]) >= _MIN_MARGIN_MOVE]
    moved.sort(key=lambda j: (-abs(p1[j] - p0[j]), -abs(m1[j] - m0[j]), ids[j]))
    moved = moved[:limit]
    names, phi = _shapley(bundle, x0[moved], x1[moved]) if moved else ([], np.zeros((0, 0)))
    games = {g.game_id: g for g in still}
    movers = []
    for k, j in enumerate(moved):
        g = games[ids[j]]
        by_input = {name: round(float(phi[k, i]), 2) for i, name in enumerate(names)}
        # a model swapped with the ingest (not the usual case) moves the margin too
        model_move = float(m1[j] - m0[j] - phi[k].sum())
        if abs(model_move) >= 0.005:
            by_input["model"] = round(model_move, 2)
        inputs = [{"feature": f, "before": round(float(x0[j, i]), 3),
                   "after": round(float(x1[j, i]), 3)}
                  for i, f in enumerate(FEATURE_NAMES)
                  if not math.isclose(x0[j, i], x1[j, i], rel_tol=0, abs_tol=1e-12)]
        movers.append({
            "game_id": g.game_id, "season": g.season, "week": g.week,
            "season_type": g.season_type, "date": g.game_date,
            "home": g.home_team, "away": g.away_team,
            "margin_before": round(float(m0[j]), 2), "margin_after": round(float(m1[j]), 2),
            "margin_change": round(float(m1[j] - m0[j]), 2),
            "home_win_prob_before": round(float(p0[j]), 4),
            "home_win_prob_after": round(float(p1[j]), 4),
            "home_win_prob_change": round(float(p1[j] - p0[j]), 4),
            "by_input": by_input, "inputs": inputs,
            "games": [*_team_games(g.home_team, ingested, line),
                      *_team_games(g.away_team, ingested, line)],
        })
    return {"games_compared": len(ids), "movers": movers}


def _move(before: Mapping[str, Any], after: Mapping[str, Any], key: str, digits: int
          ) -> dict[str, float]:
    b, a = float(before[key]), float(after[key])
    return {"before": round(b, digits), "after": round(a, digits),
            "change": round(a - b, digits)}


def _score(m: Mapping[str, Any]) -> float:
    return max(abs(m["p_playoff"]["change"]), abs(m["p_conference_title"]["change"]),
               _WINS_WEIGHT * abs(m["expected_wins"]["change"]))


def moved_projections(before: Forecasts, new: AnalyticsContext, ingested: Iterable[Game],
                      line: Any, *, limit: int = FORECAST_MOVERS) -> dict[str, Any] | None:
    """The teams whose season projection the ingest moved most (see the module); None when
    there was no projection before (a finished season) or the ingest is of another season."""
    played = [g for g in ingested if g.season == before.season and g.played]
    if before.projection is None or not played or new.current.season != before.season:
        return None
    if new.current.week is None:  # the ingest finished the regular season
        return None
    old, now = before.projection, _projected(new)
    movers = []
    for team in sorted(old.teams.keys() & now.teams.keys()):
        b, a = old.teams[team], now.teams[team]
        m: dict[str, Any] = {
            "team": team, "conference": a["conference"],
            "record_before": b["record"], "record_after": a["record"],
            "expected_wins": _move(b, a, "expected_wins", 2),
            "p_playoff": _move(b, a, "p_playoff", 4),
            "p_conference_title": _move(b, a, "p_conference_title", 4),
            "p_national_title": _move(b, a, "p_national_title", 4),
        }
        if _score(m) < _MIN_P_MOVE and abs(m["expected_wins"]["change"]) < _MIN_WINS_MOVE:
            continue
        own = [g for g in played if team in (g.home_team, g.away_team)]
        results = 0.0
        for g in own:
            if g.game_id not in old.win_prob:  # not simulated before (already counted)
                continue
            home_prob = old.win_prob[g.game_id][2]
            p_win = home_prob if g.home_team == team else 1 - home_prob
            margin = g.home_margin or 0
            won = 0.5 if margin == 0 else float((margin > 0) == (g.home_team == team))
            results += won - p_win
        remaining: list[dict[str, Any]] = []
        for gid, (home, away, p_after) in now.win_prob.items():
            if team not in (home, away) or gid not in old.win_prob:
                continue
            p_before = old.win_prob[gid][2]
            if team == away:
                p_before, p_after = 1 - p_before, 1 - p_after
            remaining.append({"game_id": gid, "opponent": away if team == home else home,
                              "win_prob_before": round(p_before, 4),
                              "win_prob_after": round(p_after, 4),
                              "change": p_after - p_before})
        schedule = sum(r["change"] for r in remaining)
        m["expected_wins_by_source"] = {
            "results": round(results, 2), "remaining_games": round(schedule, 2),
            "simulation": round(m["expected_wins"]["change"] - results - schedule, 2)}
        m["games"] = [line(g, team) for g in own]
        remaining.sort(key=lambda r: -abs(r["change"]))
        m["remaining_moved"] = [{**r, "change": round(r["change"], 4)}
                                for r in remaining[:_SHOWN_REMAINING]]
        movers.append(m)
    movers.sort(key=lambda m: (-_score(m), m["team"]))
    return {"season": before.season, "simulations": FEED_SIMULATIONS,
            "seed": SimulationConfig().seed, "as_of_before": old.as_of,
            "as_of_after": now.as_of, "movers": movers[:limit]}
