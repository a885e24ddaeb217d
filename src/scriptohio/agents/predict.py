"""Prediction agent: one game (teams + season/week, or a game id) and a week's slate.

Answers are plain dicts ready for the role views (:mod:`scriptohio.agents.views`). The market
spread is reported beside the model, never fed to it: ``edge = model margin - market margin``
where the market's expected home margin is ``-spread`` (CFBD convention, negative = home
favoured), so a positive edge means the model likes the home team more than the market does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from scriptohio.agents.context import AnalyticsContext
from scriptohio.errors import NotFoundError
from scriptohio.models import Prediction, PredictionRequest


def prediction_body(p: Prediction, *, explain: bool) -> dict[str, Any]:
    """The full (data-scientist) body of one prediction; views trim it per role."""
    market = None
    if p.market_spread is not None:
        market = {"spread": p.market_spread, "edge": round(p.margin + p.market_spread, 2)}
    body: dict[str, Any] = {
        "home": p.home, "away": p.away, "season": p.season, "week": p.week,
        "season_type": p.season_type, "neutral": p.neutral, "game_id": p.game_id,
        "prediction": {
            "margin": round(p.margin, 2),
            "home_win_prob": round(p.home_win_prob, 4),
            "winner": p.winner,
            "margin_interval": {"lo": round(p.margin_interval.lo, 1),
                                "hi": round(p.margin_interval.hi, 1),
                                "level": p.margin_interval.level},
        },
        "models": {name: {"margin": round(m.margin, 2), "home_win_prob": round(m.home_win_prob, 4)}
                   for name, m in p.models.items()},
        "market": market,
        "model_version": p.model_version,
    }
    if explain and p.explanation is not None:
        body["explanation"] = [{"feature": f, "contribution": c} for f, c in p.explanation]
    return body


def _with_result(ctx: AnalyticsContext, body: dict[str, Any]) -> dict[str, Any]:
    gid = body.get("game_id")
    game = None if gid is None else ctx.dataset.games.get(int(gid))
    if game is not None and game.played:
        body["result"] = {"home_points": game.home_points, "away_points": game.away_points,
                          "margin": game.home_margin,
                          "correct_winner": (game.home_margin or 0) * body["prediction"]["margin"]
                          > 0}
    return body


def predict_one(ctx: AnalyticsContext, home: str, away: str, *, season: int | None = None,
                week: int | None = None, neutral: bool | None = None,
                season_type: str = "regular", explain: bool = False) -> dict[str, Any]:
    home, away = ctx.require_team(home), ctx.require_team(away)
    ref = ctx.week_ref(season, week, season_type)
    p = ctx.predictor.predict(home, away, ref.season, ref.week, neutral, ref.season_type,
                              explain=explain)
    return _with_result(ctx, prediction_body(p, explain=explain))


def predict_many(ctx: AnalyticsContext, requests: Sequence[PredictionRequest],
                 *, explain: bool = False) -> list[dict[str, Any]]:
    """Many validated requests in one vectorised model call (the micro-batcher's target)."""
    return [_with_result(ctx, prediction_body(p, explain=explain))
            for p in ctx.predictor.predict_many(list(requests))]


def predict_game(ctx: AnalyticsContext, game_id: int, *, explain: bool = False
                 ) -> dict[str, Any]:
    game = ctx.dataset.games.get(game_id)
    if game is None:
        raise NotFoundError(f"no game with id {game_id}")
    p = ctx.predictor.predict_game(game_id, explain=explain)
    return _with_result(ctx, prediction_body(p, explain=explain))


def predict_rows(ctx: AnalyticsContext, rows: np.ndarray) -> list[dict[str, float] | None]:
    """Margin and home win probability of scheduled games (rows of ``dataset.games``)."""
    games = ctx.dataset.games
    c = games.cols
    reqs = [PredictionRequest(str(c["home_team"][r]), str(c["away_team"][r]),
                              int(c["season"][r]), int(c["week"][r]), None,
                              str(c["season_type"][r]))
            for r in rows.tolist()]
    out: list[dict[str, float] | None] = []
    for p in ctx.predictor.predict_many(reqs):
        out.append({"margin": p.margin, "home_win_prob": p.home_win_prob})
    return out


def week_games(ctx: AnalyticsContext, *, season: int | None = None, week: int | None = None,
               season_type: str = "regular", explain: bool = False) -> dict[str, Any]:
    """The games of one week with results (if played) and predictions, one model call."""
    ref = ctx.week_ref(season, week, season_type)
    if ref.week is None:
        raise NotFoundError(f"season {ref.season} has no unplayed week; pass week=")
    games = ctx.dataset.games
    rows = games.rows_for_week(ref.season, ref.week, ref.season_type)
    records = games.records(rows)
    preds = ctx.predictor.predict_many([
        PredictionRequest(g.home_team, g.away_team, g.season, g.week, None, g.season_type,
                          explain) for g in records])
    out = []
    for g, p in zip(records, preds, strict=True):
        body = prediction_body(p, explain=explain)
        body.update({"game_id": g.game_id, "kickoff": g.kickoff.isoformat(),
                     "neutral": g.neutral_site,
                     "result": None if not g.played else {
                         "home_points": g.home_points, "away_points": g.away_points}})
        out.append(body)
    return {"season": ref.season, "week": ref.week, "season_type": ref.season_type,
            "count": len(out), "games": out}
