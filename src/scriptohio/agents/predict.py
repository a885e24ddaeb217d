"""Prediction agent: one game (teams + season/week, or a game id) and a week's slate.

Answers are plain dicts ready for the role views (:mod:`scriptohio.agents.views`). The market
spread is reported beside the model, never fed to it: ``edge = model margin - market margin``
where the market's expected home margin is ``-spread`` (CFBD convention, negative = home
favoured), so a positive edge means the model likes the home team more than the market does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from scriptohio.agents.context import AnalyticsContext, WeekRef
from scriptohio.agents.prose import line, score, when
from scriptohio.agents.schedule import (
    choose_game,
    hypothetical_note,
    is_upcoming,
    meetings,
    occasion_games,
    occasion_of,
)
from scriptohio.data.tables import Game
from scriptohio.errors import NotFoundError, ValidationError
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


def game_brief(ctx: AnalyticsContext, g: Game) -> dict[str, Any]:
    """One game in a list of meetings: when, where, what occasion, the score or the line."""
    occasion = occasion_of(ctx, g)
    return {"game_id": g.game_id, "season": g.season, "week": g.week,
            "season_type": g.season_type, "date": g.game_date, "home": g.home_team,
            "away": g.away_team, "neutral": g.neutral_site,
            "occasion": None if occasion is None else occasion.label(),
            "occasion_kind": None if occasion is None else occasion.kind,
            "status": ("final" if g.played else "scheduled" if is_upcoming(ctx, g)
                       else "no score"),
            "home_points": g.home_points, "away_points": g.away_points, "spread": g.spread}


def implied_probability(moneyline: float) -> float:
    """The win probability an American moneyline prices in (with the book's margin)."""
    return -moneyline / (100.0 - moneyline) if moneyline < 0 else 100.0 / (moneyline + 100.0)


def moneyline_facts(lines: Sequence[Mapping[str, object]]) -> dict[str, Any] | None:
    """The providers' moneylines: each book's home win probability with its margin taken out
    (both sides' implied probabilities scaled to add up to 1), and their median; prices that
    cannot be American odds (|ml| < 100, both sides favoured or both underdogs) are left out."""
    books: list[tuple[float, float, float, float]] = []  # home, away, no-vig p, overround
    for r in lines:
        if r.get("home_moneyline") is None or r.get("away_moneyline") is None:
            continue
        home, away = float(str(r["home_moneyline"])), float(str(r["away_moneyline"]))
        one_side_favoured = (home > 0) != (away > 0) or home == away  # -110/-110: a pick'em
        if abs(home) < 100 or abs(away) < 100 or not one_side_favoured:
            continue
        p_home, p_away = implied_probability(home), implied_probability(away)
        books.append((home, away, p_home / (p_home + p_away), p_home + p_away - 1.0))
    if not books:
        return None
    return {"home": float(np.median([b[0] for b in books])),
            "away": float(np.median([b[1] for b in books])), "providers": len(books),
            "home_win_prob": round(float(np.median([b[2] for b in books])), 4),
            "overround": round(float(np.median([b[3] for b in books])), 4)}


def _market_facts(game: Game) -> dict[str, Any]:
    spread = game.spread
    facts: dict[str, Any] = {"total": game.over_under}
    if spread is not None:
        facts["favourite"] = None if spread == 0 else (game.home_team if spread < 0
                                                       else game.away_team)
        facts["line"] = abs(spread)
    margin = game.home_margin
    if margin is not None and spread is not None:
        cover = margin + spread
        facts["covered"] = "push" if cover == 0 else (game.home_team if cover > 0
                                                      else game.away_team)
    if margin is not None and game.over_under is not None:
        total = (game.home_points or 0) + (game.away_points or 0)
        facts["total_result"] = ("push" if total == game.over_under
                                 else "over" if total > game.over_under else "under")
    return facts


def total_facts(ctx: AnalyticsContext, game: Game) -> dict[str, Any] | None:
    """Our total points beside the market's: ``edge`` = ours - market, ``lean`` over/under;
    for a played game the actual total and which side it fell on."""
    row = ctx.dataset.games.row_of(game.game_id)
    predicted = None if row is None else ctx.totals.predict(row)
    if row is None or predicted is None:
        return None
    facts: dict[str, Any] = {"predicted": round(predicted, 1), "market": game.over_under,
                             "edge": None, "lean": None,
                             "model_trained_on_it": ctx.totals.trained_on(row)}
    if game.over_under is not None:
        edge = predicted - game.over_under
        facts["edge"] = round(edge, 1)
        facts["lean"] = None if round(edge, 1) == 0 else "over" if edge > 0 else "under"
    if game.played:
        actual = (game.home_points or 0) + (game.away_points or 0)
        facts["actual"] = actual
        if facts["lean"] is not None and actual != game.over_under:
            facts["lean_right"] = (actual > (game.over_under or 0)) == (facts["lean"] == "over")
    return facts


def with_game_facts(ctx: AnalyticsContext, body: dict[str, Any]) -> dict[str, Any]:
    """Add what the data knows about the real game: status, occasion, result, line, meetings.

    ``status`` is ``final`` (played: ``result`` has the score and the winner, and the
    prediction is what the model says from the data before kickoff), ``scheduled`` or
    ``hypothetical`` (no such game: ``note`` says so and what is assumed), or ``no score``
    (a past game whose score the data does not have).
    """
    gid = body.get("game_id")
    game = None if gid is None else ctx.dataset.games.get(int(gid))
    found = meetings(ctx, body["home"], body["away"], body["season"])
    body["meetings"] = [game_brief(ctx, g) for g in found
                        if game is None or g.game_id != game.game_id]
    ref = WeekRef(body["season"], body["week"], body["season_type"])
    body["as_of"] = ctx.as_of(ref)
    if game is None:
        body["status"], body["game"] = "hypothetical", None
        body["note"] = hypothetical_note(body["home"], body["away"], body["as_of"],
                                         body["season"], body["neutral"], len(found))
        return body
    occasion = occasion_of(ctx, game)
    body["status"] = ("final" if game.played else "scheduled" if is_upcoming(ctx, game)
                      else "no score")
    if body["neutral"] and not game.neutral_site:
        # the real game, moved to a neutral field as asked: a hypothetical of it
        body["status"] = "hypothetical"
        where = f"at {game.home_team}" if game.neutral_site is False else "where scheduled"
        date = when(game.season, game.week, game.season_type, game.game_date)
        body["note"] = (f"The real game is {where} in {date}; this is the same game on a "
                        f"neutral field, with the data of the {body['as_of']}.")
    body["neutral"] = game.neutral_site if body["neutral"] is None else body["neutral"]
    body["game"] = {"date": game.game_date,
                    "kickoff": game.start_date,
                    "occasion": None if occasion is None else occasion.label(),
                    "occasion_kind": None if occasion is None else occasion.kind,
                    "conference_game": game.conference_game,
                    "current_season": game.season == ctx.current.season}
    if body.get("market") is not None:
        body["market"].update(_market_facts(game))
        money = moneyline_facts(ctx.dataset.lines.get(game.game_id, ()))
        if money is not None:  # our chance against the one the price implies
            money["edge"] = round(body["prediction"]["home_win_prob"] - money["home_win_prob"],
                                  4)
            body["market"]["moneyline"] = money
    body["total"] = total_facts(ctx, game)
    if game.played:
        margin = game.home_margin or 0
        winner = None if margin == 0 else (game.home_team if margin > 0 else game.away_team)
        body["result"] = {
            "home_points": game.home_points, "away_points": game.away_points,
            "margin": game.home_margin, "winner": winner,
            "correct_winner": margin * body["prediction"]["margin"] > 0,
            "model_trained_on_it": ctx.predictor.trained_on(game.season, game.week,
                                                            game.season_type),
        }
    return body


def predict_one(ctx: AnalyticsContext, home: str, away: str, *, season: int | None = None,
                week: int | None = None, neutral: bool | None = None,
                season_type: str = "regular", explain: bool = False) -> dict[str, Any]:
    """One game; without ``week`` the real meeting of the two teams in the season is used."""
    home, away = ctx.require_team(home), ctx.require_team(away)
    ref, home, away, neutral = resolve_game(ctx, home, away, season, week, season_type, neutral)
    p = ctx.predictor.predict(home, away, ref.season, ref.week, neutral, ref.season_type,
                              explain=explain)
    return with_game_facts(ctx, prediction_body(p, explain=explain))


def resolve_game(ctx: AnalyticsContext, home: str, away: str, season: int | None,
                 week: int | None, season_type: str, neutral: bool | None
                 ) -> tuple[WeekRef, str, str, bool | None]:
    """The week and sides to predict: a named week as asked, else the teams' real game.

    Without a week, the next scheduled meeting in the season (else the latest played one) is
    predicted as scheduled, home and away as the schedule has them; with no meeting, the
    asked sides in the current week (or at the season's end) make a hypothetical game.
    """
    if home == away:
        raise ValidationError(f"home and away must be different teams (both are {home})")
    if week is not None:
        ref = ctx.week_ref(season, week, season_type)
        store = ctx.features
        if (store.scheduled_row(home, away, ref.season, ref.week, ref.season_type) is None
                and (row := store.scheduled_row(away, home, ref.season, ref.week,
                                                ref.season_type)) is not None
                and ctx.dataset.games.cols["neutral_site"][row] == 1):
            home, away = away, home  # a neutral-site game: its sides are only nominal
        return ref, home, away, neutral
    choice = choose_game(ctx, home, away, season=season,
                         season_type=None if season_type == "regular" else season_type,
                         neutral=neutral)
    if choice.game is None:
        return choice.ref, home, away, neutral
    return choice.ref, choice.home, choice.away, neutral


def predict_many(ctx: AnalyticsContext, requests: Sequence[PredictionRequest],
                 *, explain: bool = False) -> list[dict[str, Any]]:
    """Many validated requests in one vectorised model call (the micro-batcher's target)."""
    return [with_game_facts(ctx, prediction_body(p, explain=explain))
            for p in ctx.predictor.predict_many(list(requests))]


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
               season_type: str = "regular", explain: bool = False,
               conference: str | None = None, occasion: str | None = None,
               named_bowl: str | None = None, playoff_round: str | None = None
               ) -> dict[str, Any]:
    """The games of one week with results (if played) and predictions, one model call.

    ``conference`` keeps the games with a team of that conference; ``occasion`` takes the
    season's games of that kind instead of one week's (every title game, every CFP game);
    ``named_bowl`` is a bowl the caller named, which the data cannot single out.
    """
    ref = ctx.week_ref(season, week, season_type)
    if ref.week is None:
        raise NotFoundError(f"season {ref.season} has no unplayed week; pass week=")
    games = ctx.dataset.games
    if occasion is not None:
        records = occasion_games(ctx, ref.season, occasion, playoff_round=playoff_round)
    else:
        records = games.records(games.rows_for_week(ref.season, ref.week, ref.season_type))
    if conference is not None:
        wanted = conference.casefold()
        records = [g for g in records if wanted in ((g.home_conference or "").casefold(),
                                                    (g.away_conference or "").casefold())]
    preds = ctx.predictor.predict_many([
        PredictionRequest(g.home_team, g.away_team, g.season, g.week, None, g.season_type,
                          explain) for g in records])
    out = []
    for g, p in zip(records, preds, strict=True):
        body = prediction_body(p, explain=explain)
        body.update({"game_id": g.game_id, "kickoff": g.kickoff.isoformat(),
                     "neutral": g.neutral_site, "result": None})
        out.append(with_game_facts(ctx, body))
    slate = {"season": ref.season, "week": ref.week, "season_type": ref.season_type,
             "as_of": ctx.as_of(ref), "count": len(out), "games": out}
    for key, value in (("conference", conference), ("occasion", occasion),
                       ("named_bowl", named_bowl), ("playoff_round", playoff_round)):
        if value is not None:
            slate[key] = value
    slate["summary"] = slate_summary(slate, records)
    return slate


def slate_summary(slate: dict[str, Any], records: Sequence[Game]) -> str:
    """How many games, how many played, and the games a fan looks for first: the closest
    lines of a week to come, the upsets (the underdog won) and the closest games of one
    played, every game of a conference or an occasion."""
    bodies = slate["games"]
    when_text = when(slate["season"], slate["week"], slate["season_type"])
    if slate.get("occasion"):
        words = OCCASION_WORDS[slate["occasion"]]
        if slate.get("playoff_round"):
            words = f"CFP {slate['playoff_round']} games"
        when_text = f"the {slate['season']} season's {words}"
    where = f" with a {slate['conference']} team" if slate.get("conference") else ""
    lead = ""
    if slate.get("named_bowl"):
        lead = (f"The data does not name bowl games, so the {slate['named_bowl']} cannot be "
                "picked out; name its two teams to get that game. ")
    if not bodies:
        return f"{lead}No games{where} in {when_text}."
    dates = sorted({g.game_date for g in records})
    span = dates[0] if len(dates) == 1 else f"{dates[0]} to {dates[-1]}"
    played = [b for b in bodies if b.get("status") == "final"]
    head = (f"{lead}{when_text[0].upper()}{when_text[1:]} ({span}): {len(bodies)} games{where}, "
            + ("none played yet." if not played else f"{len(played)} played."))
    every = bool(slate.get("conference") or slate.get("occasion"))
    pool = bodies if every else [b for b, g in zip(bodies, records, strict=True)
                                 if g.fbs_vs_fbs]
    parts = [head]
    if played:
        upsets = [b for b in played if (b.get("market") or {}).get("favourite")
                  and b["result"]["winner"] not in (None, b["market"]["favourite"])]
        upsets.sort(key=lambda b: -b["market"]["line"])
        if upsets and not every:
            parts.append("Upsets: " + "; ".join(_result_text(b) + f" as a "
                                                 f"{line(b['market']['line'])}-point underdog"
                                                 for b in upsets[:5]) + ".")
        shown = pool if every else sorted(
            [b for b in pool if b in played], key=lambda b: abs(b["result"]["margin"] or 0))[:6]
        label = "Results" if every else "Closest finishes"
        parts.append(f"{label}: " + "; ".join(_result_text(b) for b in shown) + ".")
    upcoming = [b for b in pool if b.get("status") != "final"]
    if upcoming:
        lined = [b for b in upcoming if (b.get("market") or {}).get("line") is not None]
        shown = upcoming if every else sorted(lined, key=lambda b: b["market"]["line"])[:8]
        label = "Games" if every else f"Closest lines ({len(shown)} of {len(upcoming)})"
        if shown:
            parts.append(f"{label}: " + "; ".join(_fixture_text(b) for b in shown) + ".")
    return " ".join(parts)


OCCASION_WORDS = {"conference_championship": "conference championship games",
                  "playoff": "CFP games", "bowl": "bowl games",
                  "national_championship": "national championship"}


def _result_text(b: dict[str, Any]) -> str:
    r = b["result"]
    if r["winner"] is None:
        return f"{b['home']} and {b['away']} tied {r['home_points']}-{r['away_points']}"
    loser = b["away"] if r["winner"] == b["home"] else b["home"]
    return f"{r['winner']} beat {loser} {score(r['home_points'], r['away_points'])}"


def _fixture_text(b: dict[str, Any]) -> str:
    kind = (b.get("game") or {}).get("occasion_kind")
    road = b["neutral"] is False or (b["neutral"] is None and b["season_type"] == "regular"
                                     and kind != "conference_championship")
    sep = "at" if road else "vs"
    market = b.get("market") or {}
    odds = ""
    if market.get("favourite"):
        odds = f" ({market['favourite']} by {line(market['line'])})"
    elif market.get("spread") == 0:
        odds = " (pick'em)"
    return f"{b['away']} {sep} {b['home']}{odds}"
