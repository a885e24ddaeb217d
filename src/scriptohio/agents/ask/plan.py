"""From a routed question to the agent call that answers it, with the facts looked up first.

The router reads words; this module reads the data. A question about a game becomes the real
game before anything is predicted (:func:`~scriptohio.agents.schedule.choose_game`): "who won
Michigan at Ohio State in 2024" is the played week-14 game, "will Alabama beat Georgia" the
next scheduled meeting, "score of the 2024 SEC championship game" that title game, and "when
does Texas play next" Texas's next game. Teams are canonical by now (the route resolved them).

:func:`plan` returns the agent's request type and canonical payload; the API makes a recipe
of it, so an answer to a question is cached like the same answer to a GET.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from scriptohio.agents.context import AnalyticsContext, WeekRef
from scriptohio.agents.projections import projection_ref, resolve_conference
from scriptohio.agents.schedule import choose_game, occasion_games, pick_game, team_games
from scriptohio.data.tables import Game
from scriptohio.errors import NotFoundError
from scriptohio.models.simulation import DEFAULT_SIMULATIONS

__all__ = ["UNIT_METRICS", "Plan", "plan", "settle_ambiguous"]

#: metrics a profile or comparison question can narrow to a unit (offence, defence, ...)
UNIT_METRICS = frozenset({"offense", "defense", "rushing", "passing", "scoring"})
#: how a missing occasion is named ("Florida State have no bowl game in the 2025 data")
OCCASION_NAMES = {"bowl": "bowl game", "playoff": "CFP game",
                  "national_championship": "national championship game",
                  "conference_championship": "conference championship game"}
#: metrics that rank units by opponent-adjusted efficiency instead of per-game numbers
ADJUSTED = ("epa", "success_rate", "explosiveness")


@dataclass(frozen=True)
class Plan:
    """One agent call: the agent's request ``kind`` and its canonical ``payload``."""

    kind: str
    payload: dict[str, Any] = field(default_factory=dict)


def plan(ctx: AnalyticsContext, request: Mapping[str, Any]) -> Plan:
    """The agent call for a routed request (``request["agent"]`` is the intent)."""
    intent = request["agent"]
    season = request.get("season")
    if intent in ("predict", "result"):
        return _game_plan(ctx, request)
    if intent == "team_profile":
        metrics = [m for m in request.get("metrics", []) if m in UNIT_METRICS]
        if metrics:
            return Plan("unit", {"team": request["team"], "season": season,
                                 "unit": "defense" if "defense" in metrics else "offense",
                                 "facet": _facet(metrics)})
        return Plan("team", {"team": request["team"], "season": season,
                             "week": request.get("week")})
    if intent in ("record", "schedule"):
        payload = {"team": request["team"], "season": season, "focus": intent}
        for key in ("before_week", "last_games", "split", "month"):
            if request.get(key):
                payload[key] = request[key]
        if request.get("occasion") in ("bowl", "playoff", "conference_championship",
                                       "national_championship"):
            occasion_payload = {"team": request["team"], "kind": request["occasion"]}
            if request.get("since"):
                occasion_payload["since"] = request["since"]
            return Plan("occasion_record", occasion_payload)
        return Plan("record", payload)
    if intent == "streak":
        stated = season if request.get("season_stated") else None
        return Plan("streak", {"team": request["team"], "season": stated})
    if intent == "head_to_head":
        payload = {"team": request["teams"][0], "opponent": request["teams"][1]}
        if request.get("since"):
            payload["since"] = request["since"]
        return Plan("head_to_head", payload)
    if intent == "leaders":
        metrics = list(request.get("metrics", []))
        return Plan("leaders", {"unit": "defense" if "defense" in metrics else "offense",
                                "facet": _facet(metrics), "season": season,
                                "conference": request.get("conference"),
                                "worst": bool(request.get("worst")),
                                "limit": request.get("limit"),
                                "measure": next((m for m in metrics if m in ADJUSTED), None)})
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
                                 ("season", "week", "method", "conference", "limit", "worst")
                                 if request.get(k)})
    if intent == "projection":
        return _projection(ctx, request)
    if intent == "games":
        if request.get("occasion") or request.get("playoff_round"):  # "who plays in the SEC
            return _game_plan(ctx, request)                            # championship"
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


def _projection(ctx: AnalyticsContext, request: Mapping[str, Any]) -> Plan:
    """A team's projected season (a team that is not FBS that season: its record), else
    the season's, narrowed to the conference named when the season has it."""
    stated = request.get("season") if request.get("season_stated") else None
    ref = projection_ref(ctx, stated, None)
    team = request.get("team")
    if team:
        if team not in ctx.dataset.fbs_teams_by_season.get(ref.season, frozenset()):
            return Plan("record", {"team": team, "season": ref.season, "focus": "record"})
        return Plan("team_projection", {"team": team, "season": ref.season, "week": ref.week,
                                        "simulations": DEFAULT_SIMULATIONS})
    conference = request.get("conference")
    if conference:
        try:
            conference = resolve_conference(ctx, ref.season, str(conference))
        except NotFoundError:  # a conference of other seasons: the whole season's picture
            conference = None
    return Plan("projections", {"season": ref.season, "week": ref.week,
                                "conference": conference or None,
                                "simulations": DEFAULT_SIMULATIONS})


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
    payload = {"season": request.get("season"), "week": week, "season_type": season_type}
    for key in ("conference", "occasion", "named_bowl", "playoff_round"):
        if request.get(key):
            payload[key] = request[key]
    if payload.get("occasion") == "bowl":  # "bowl games": the whole postseason slate
        del payload["occasion"]
    return Plan("games", payload)


def _game_plan(ctx: AnalyticsContext, request: Mapping[str, Any]) -> Plan:
    teams = [t for t in request.get("teams") or [] if t]
    stated = request.get("season") if request.get("season_stated") else None
    tense = request.get("tense")
    week = request.get("week")
    occasion = request.get("occasion")
    playoff_round = request.get("playoff_round")
    if playoff_round is not None:
        occasion = "playoff"
    conference = request.get("conference") if occasion == "conference_championship" else None
    postseason = occasion in ("bowl", "playoff", "national_championship")
    season_type = "postseason" if postseason else request.get("season_type")
    if len(teams) >= 2:
        choice = choose_game(
            ctx, teams[0], teams[1], season=stated, week=week, season_type=season_type,
            occasion=occasion, conference=conference, tense=tense,
            first_is_home=request.get("home") == teams[0], neutral=request.get("neutral"))
        return _predict(choice.home, choice.away, choice.ref, choice.neutral)
    if len(teams) == 1 and occasion is not None and request.get("since"):
        # "how did Georgia do in bowl games since 2018": the record of those games
        return Plan("occasion_record", {"team": teams[0], "kind": occasion,
                                        "since": request["since"]})
    if teams and not (week or occasion) and stated is not None and tense == "past":
        # "how did Alabama do in 2015": the season, not one game of it
        return Plan("record", {"team": teams[0], "season": stated, "focus": "record"})
    search_back = week is None and (occasion is not None or tense == "past")
    if teams and request.get("after"):
        game = _after(ctx, teams[0], request["after"], stated)
        if game is not None:
            return _predict(game.home_team, game.away_team,
                            WeekRef(game.season, game.week, game.season_type), None)
    if teams:
        team = teams[0]

        def games_in(season: int) -> list[Game]:
            if occasion is not None:
                return occasion_games(ctx, season, occasion, conference=conference, team=team,
                                      playoff_round=playoff_round)
            found = team_games(ctx, team, season)
            if week is not None:
                found = [g for g in found if g.week == week and g.season_type == "regular"]
            return found

        game = pick_game(ctx, games_in, season=stated, tense=tense, postseason=postseason,
                         search_back=search_back)
    else:
        if occasion is None or occasion == "bowl" or (
                occasion == "conference_championship" and conference is None):
            return _slate(ctx, {**request, "season_type": season_type or "regular"})
        kind = ("national_championship"
                if occasion == "playoff" and tense == "past" and playoff_round is None
                else occasion)
        if kind == "playoff":  # "the 2024 playoff games": every round, or the round named
            return _slate(ctx, {**request, "season_type": "postseason", "occasion": "playoff"})
        game = pick_game(ctx, lambda s: occasion_games(ctx, s, kind, conference=conference),
                         season=stated, tense=tense, postseason=postseason,
                         search_back=True)
    if game is None:
        if teams:
            payload: dict[str, Any] = {"team": teams[0], "season": stated, "focus": "schedule"}
            if week is not None:
                payload["no_game_week"] = week
            if occasion is not None:
                payload["missing"] = OCCASION_NAMES.get(occasion, "such game")
            return Plan("record", payload)
        return _slate(ctx, {**request, "season_type": season_type or "regular"})
    return _predict(game.home_team, game.away_team,
                    WeekRef(game.season, game.week, game.season_type), None)


def _after(ctx: AnalyticsContext, team: str, opponent: str, season: int | None
           ) -> Game | None:
    """The team's game after its (first) game against ``opponent`` that season."""
    games = team_games(ctx, team, ctx.current.season if season is None else season)
    for i, g in enumerate(games):
        if opponent in (g.home_team, g.away_team):
            return games[i + 1] if i + 1 < len(games) else None
    return None


def _predict(home: str, away: str, ref: WeekRef, neutral: bool | None) -> Plan:
    return Plan("predict", {"home": home, "away": away, "season": ref.season, "week": ref.week,
                            "season_type": ref.season_type, "neutral": neutral})
