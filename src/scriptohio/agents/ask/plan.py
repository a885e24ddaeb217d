"""From a routed question to the agent call that answers it, with the facts looked up first.

The router reads words; this module reads the data. A question about a game becomes the real
game before anything is predicted (:func:`~scriptohio.agents.schedule.choose_game`): "who won
Michigan at Ohio State in 2024" is the played week-14 game, "will Alabama beat Georgia" the
next scheduled meeting, "score of the 2024 SEC championship game" that title game, and "when
does Texas play next" Texas's next game. Teams are canonical by now (the route resolved them).

:func:`plan` returns the orchestrator request type, its payload and the role view to apply.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from scriptohio.agents.context import AnalyticsContext, WeekRef
from scriptohio.agents.schedule import (
    choose_game,
    occasion_games,
    split_played,
    team_games,
)
from scriptohio.data.tables import Game

__all__ = ["UNIT_METRICS", "Plan", "plan", "settle_ambiguous"]

View = Literal["prediction", "generic", "slate"]
#: metrics a profile or comparison question can narrow to a unit (offence, defence, ...)
UNIT_METRICS = frozenset({"offense", "defense", "rushing", "passing", "scoring"})


@dataclass(frozen=True)
class Plan:
    """One agent call: orchestrator request ``kind``, its ``payload`` and the role ``view``."""

    kind: str
    payload: dict[str, Any] = field(default_factory=dict)
    view: View = "generic"


def plan(ctx: AnalyticsContext, request: Mapping[str, Any], *, explain: bool) -> Plan:
    """The agent call for a routed request (``request["agent"]`` is the intent)."""
    intent = request["agent"]
    season = request.get("season")
    if intent in ("predict", "result"):
        return _game_plan(ctx, request, explain=explain)
    if intent == "team_profile":
        metrics = [m for m in request.get("metrics", []) if m in UNIT_METRICS]
        if metrics:
            return Plan("unit", {"team": request["team"], "season": season,
                                 "unit": "defense" if "defense" in metrics else "offense",
                                 "facet": _facet(metrics)})
        return Plan("team", {"team": request["team"], "season": season,
                             "week": request.get("week")})
    if intent in ("record", "schedule"):
        return Plan("record", {"team": request["team"], "season": season, "focus": intent})
    if intent == "streak":
        stated = season if request.get("season_stated") else None
        return Plan("streak", {"team": request["team"], "season": stated})
    if intent == "head_to_head":
        return Plan("head_to_head", {"team": request["teams"][0],
                                     "opponent": request["teams"][1]})
    if intent == "leaders":
        metrics = list(request.get("metrics", []))
        return Plan("leaders", {"unit": "defense" if "defense" in metrics else "offense",
                                "facet": _facet(metrics), "season": season,
                                "conference": request.get("conference"),
                                "worst": bool(request.get("worst")),
                                "limit": request.get("limit")})
    if intent == "compare":
        metrics = [m for m in request.get("metrics", []) if m in UNIT_METRICS]
        if metrics:
            return Plan("compare_units", {"teams": tuple(request["teams"]), "season": season,
                                          "unit": "defense" if "defense" in metrics
                                          else "offense", "facet": _facet(metrics)})
        return Plan("compare", {"teams": tuple(request["teams"]), "season": season,
                                "week": request.get("week")})
    if intent == "matchup":
        payload = {k: request.get(k) for k in ("home", "away", "season", "week")}
        return Plan("matchup", payload)
    if intent == "rankings":
        return Plan("rankings", {k: request[k] for k in
                                 ("season", "week", "method", "conference", "limit")
                                 if request.get(k) is not None})
    if intent == "games":
        return _slate(ctx, request)
    raise ValueError(f"no agent for intent {intent!r}")


def settle_ambiguous(ctx: AnalyticsContext, query: str, entities: Mapping[str, Any]
                     ) -> str | None:
    """The question with an ambiguous nickname replaced, when the schedule settles it.

    "Aggies vs Irish this year": of the Aggies only Texas A&M plays Notre Dame that season
    (or, for a question with no season, the season before). Otherwise None: ask the user.
    """
    mentions = list(entities.get("teams", []))
    known = {m["team"] for m in mentions if m.get("team")}
    if len(known) != 1:
        return None
    other = next(iter(known))
    season = entities.get("season") or ctx.current.season
    seasons = [season] if entities.get("season") else [season, season - 1]
    replaced = query
    for mention in mentions:
        candidates = tuple(mention.get("candidates") or ())
        if mention.get("team") or not candidates:
            continue
        meets = [c for c in candidates
                 if any(len(ctx.dataset.games.rows_between(c, other, s)) for s in seasons)]
        if len(meets) != 1:
            return None
        replaced = replaced.replace(mention["text"], meets[0], 1)
    return None if replaced == query else replaced


def _facet(metrics: list[str]) -> str:
    return next((m for m in metrics if m in ("rushing", "passing")), "scoring")


def _slate(ctx: AnalyticsContext, request: Mapping[str, Any]) -> Plan:
    season_type = request.get("season_type", "regular")
    week = request.get("week")
    if week is None and season_type == "postseason":
        week = 1
    if week is None:
        ref = ctx.week_ref(request.get("season"), None, season_type)
        if ref.season == ctx.current.season and ctx.current.week is not None:
            week = ctx.current.week
        else:
            week = ctx.dataset.games.weeks(ref.season, season_type)[-1]
    payload = {"season": request.get("season"), "week": week, "season_type": season_type,
               "explain": False}
    if request.get("conference"):
        payload["conference"] = request["conference"]
    return Plan("games", payload, "slate")


def _game_plan(ctx: AnalyticsContext, request: Mapping[str, Any], *, explain: bool) -> Plan:
    teams = [t for t in request.get("teams") or [] if t]
    stated = request.get("season") if request.get("season_stated") else None
    tense = request.get("tense")
    week = request.get("week")
    occasion = request.get("occasion")
    conference = request.get("conference") if occasion == "conference_championship" else None
    season_type = "postseason" if occasion in ("bowl", "playoff", "national_championship") \
        else request.get("season_type")
    if len(teams) >= 2:
        choice = choose_game(
            ctx, teams[0], teams[1], season=stated, week=week,
            season_type=season_type if week is not None else None, occasion=occasion,
            conference=conference, tense=tense,
            first_is_home=request.get("home") == teams[0], neutral=request.get("neutral"))
        return _predict(choice.home, choice.away, choice.ref,
                        choice.neutral if choice.hypothetical else None, explain)
    if teams:
        game = _team_game(ctx, teams[0], stated, week, occasion, conference, tense)
    else:
        game = _occasion_game(ctx, stated, occasion, conference, tense)
    if game is None:
        if teams:
            return Plan("record", {"team": teams[0], "season": stated, "focus": "schedule"})
        return _slate(ctx, {**request, "season_type": season_type or "regular"})
    return _predict(game.home_team, game.away_team,
                    WeekRef(game.season, game.week, game.season_type), None, explain)


def _predict(home: str, away: str, ref: WeekRef, neutral: bool | None, explain: bool) -> Plan:
    return Plan("predict", {"home": home, "away": away, "season": ref.season, "week": ref.week,
                            "season_type": ref.season_type, "neutral": neutral,
                            "explain": explain}, "prediction")


def _choose(ctx: AnalyticsContext, games: list[Game], tense: str | None) -> Game | None:
    played, upcoming = split_played(ctx, games)
    if tense == "past":
        return played[-1] if played else (upcoming[0] if upcoming else None)
    return upcoming[0] if upcoming else (played[-1] if played else None)


def _seasons(ctx: AnalyticsContext, stated: int | None, tense: str | None) -> list[int]:
    """The season asked, or the current one and (for the past) the one before."""
    if stated is not None:
        return [stated]
    current = ctx.current.season
    return [current, current - 1] if tense == "past" else [current]


def _team_game(ctx: AnalyticsContext, team: str, stated: int | None, week: int | None,
               occasion: str | None, conference: str | None, tense: str | None) -> Game | None:
    for season in _seasons(ctx, stated, tense):
        if occasion is not None:
            games = occasion_games(ctx, season, occasion, conference=conference, team=team)
        else:
            games = team_games(ctx, team, season)
            if week is not None:
                games = [g for g in games if g.week == week and g.season_type == "regular"]
        game = _choose(ctx, games, tense)
        if game is not None and (game.played or tense != "past" or stated is not None):
            return game
    return None


def _occasion_game(ctx: AnalyticsContext, stated: int | None, occasion: str | None,
                   conference: str | None, tense: str | None) -> Game | None:
    if occasion is None:
        return None
    if occasion == "playoff":  # "who won the playoff": its final
        occasion = "national_championship"
    for season in _seasons(ctx, stated, tense):
        games = occasion_games(ctx, season, occasion, conference=conference)
        if occasion == "bowl" or (occasion == "conference_championship" and conference is None):
            return None  # many games: the slate answers
        game = _choose(ctx, games, tense)
        if game is not None and (game.played or tense != "past" or stated is not None):
            return game
    return None
