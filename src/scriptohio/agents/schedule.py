"""Which real game a question or a call means (pure lookups over the data).

Before anything is predicted, the schedule is asked: two teams in a season are looked up among
the season's games, so a played game answers with its result and a scheduled one is predicted
as scheduled (its week, its home team or neutral site, its market line). Only when the two
teams do not meet is the answer a hypothetical game, and it says so.

Choosing among several meetings (a regular-season game, a title game, a bowl): a named week or
occasion picks that one; otherwise a question about the past takes the latest played meeting
and any other the next scheduled one, falling back to the other kind.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from scriptohio.agents.context import AnalyticsContext, WeekRef
from scriptohio.data.occasions import Occasion
from scriptohio.data.tables import Game

__all__ = [
    "OCCASION_KINDS",
    "GameChoice",
    "Tense",
    "choose_game",
    "hypothetical_note",
    "is_upcoming",
    "last_meeting",
    "meetings",
    "occasion_games",
    "occasion_of",
    "split_played",
    "team_games",
]

Tense = Literal["past", "future"]
#: what a caller may ask for by name: a title game, a bowl, a playoff game, the final
OCCASION_KINDS = ("conference_championship", "bowl", "playoff", "national_championship")


@dataclass(frozen=True)
class GameChoice:
    """The game an answer is about: a real one (``game``) or a hypothetical (``game`` None)."""

    home: str
    away: str
    ref: WeekRef
    neutral: bool | None
    game: Game | None
    meetings: tuple[Game, ...] = ()

    @property
    def hypothetical(self) -> bool:
        """True when the two teams do not meet as asked."""
        return self.game is None


def meetings(ctx: AnalyticsContext, team: str, opponent: str, season: int) -> list[Game]:
    """Every game of ``team`` against ``opponent`` in ``season``, in kickoff order."""
    games = ctx.dataset.games
    return games.records(games.rows_between(team, opponent, season))


def last_meeting(ctx: AnalyticsContext, team: str, opponent: str, before: int) -> Game | None:
    """The latest played meeting in a season before ``before``."""
    seasons = [s for s in ctx.dataset.games.seasons if s < before]
    for season in reversed(seasons):
        played = [g for g in meetings(ctx, team, opponent, season) if g.played]
        if played:
            return played[-1]
    return None


def occasion_of(ctx: AnalyticsContext, game: Game) -> Occasion | None:
    """The game's occasion (title game, bowl, playoff round), None for a regular game."""
    return ctx.dataset.occasions(game.season).get(game.game_id)


def _matches(ctx: AnalyticsContext, game: Game, kind: str | None,
             conference: str | None) -> bool:
    if kind is None:
        return True
    occasion = occasion_of(ctx, game)
    if occasion is None:
        return False
    if conference is not None and occasion.conference != conference:
        return False
    if kind == "bowl":
        return occasion.is_bowl
    if kind == "playoff":
        return occasion.kind in ("playoff", "national_championship")
    return occasion.kind == kind


def _pick(ctx: AnalyticsContext, games: list[Game], tense: Tense | None) -> Game | None:
    played, upcoming = split_played(ctx, games)
    if tense == "past":
        first = played[-1] if played else (upcoming[0] if upcoming else None)
    else:
        first = upcoming[0] if upcoming else (played[-1] if played else None)
    return first or (games[-1] if games else None)  # an unscored past game: still that game


def choose_game(
    ctx: AnalyticsContext,
    first: str,
    second: str,
    *,
    season: int | None = None,
    week: int | None = None,
    season_type: str | None = None,
    occasion: str | None = None,
    conference: str | None = None,
    tense: Tense | None = None,
    first_is_home: bool = True,
    neutral: bool | None = None,
) -> GameChoice:
    """The real game between ``first`` and ``second`` the caller means, else a hypothetical.

    ``season`` None is the current season; for a question about the past that names no season
    and finds no played meeting in it, the latest earlier meeting is taken. ``first_is_home``
    and ``neutral`` only shape a hypothetical game: a real game keeps its own venue.
    """
    asked_season = season
    season = ctx.current.season if season is None else season
    ctx.week_ref(season, None)  # the season must be in the data (422 otherwise)
    found = meetings(ctx, first, second, season)
    candidates = [
        g for g in found
        if (week is None or (g.week == week and g.season_type == (season_type or "regular")))
        and (week is not None or season_type is None or g.season_type == season_type)
        and _matches(ctx, g, occasion, conference)
    ]
    game = _pick(ctx, candidates, tense)
    if asked_season is None and tense == "past" and (game is None or not game.played):
        earlier = last_meeting(ctx, first, second, before=season)
        if earlier is not None and week is None and occasion is None:
            found = meetings(ctx, first, second, earlier.season)
            game = earlier
    if game is not None:
        return GameChoice(game.home_team, game.away_team,
                          WeekRef(game.season, game.week, game.season_type),
                          game.neutral_site, game, tuple(found))
    home, away = (first, second) if first_is_home else (second, first)
    return _hypothetical(ctx, home, away, season, week, season_type, neutral, tuple(found))


def _hypothetical(ctx: AnalyticsContext, home: str, away: str, season: int, week: int | None,
                  season_type: str | None, neutral: bool | None,
                  found: tuple[Game, ...]) -> GameChoice:
    ref = ctx.week_ref(season, week, season_type or "regular")
    if ref.week is None and season == ctx.current.season:
        ref = ctx.current
    return GameChoice(home, away, ref, neutral, None, found)


def hypothetical_note(home: str, away: str, ref: WeekRef, neutral: bool | None,
                      others: int) -> str:
    """What a hypothetical answer says first: there is no such game, and what is assumed."""
    where = "on a neutral field" if neutral else f"at {home}"
    when = (f"with the data before {ref.season} week {ref.week}" if ref.week is not None
            else f"with the data at the end of {ref.season}")
    lead = (f"No game between {home} and {away} in {ref.season} matches that"
            if others else f"No game is scheduled between {home} and {away} in {ref.season}")
    return f"{lead}; this is a hypothetical game {where}, {when}."


def occasion_games(ctx: AnalyticsContext, season: int, kind: str, *,
                   conference: str | None = None, team: str | None = None) -> list[Game]:
    """The season's games of one occasion kind (optionally one conference's, one team's)."""
    games = ctx.dataset.games
    picked = [g for gid in ctx.dataset.occasions(season)
              if (g := games.get(gid)) is not None and _matches(ctx, g, kind, conference)
              and (team is None or team in (g.home_team, g.away_team))]
    return sorted(picked, key=lambda g: (g.kickoff, g.game_id))


def team_games(ctx: AnalyticsContext, team: str, season: int) -> list[Game]:
    """The team's games in ``season``, in kickoff order."""
    games = ctx.dataset.games
    return games.records(games.rows_for_team(team, season))


def is_upcoming(ctx: AnalyticsContext, game: Game) -> bool:
    """Not played yet. An unscored game of an earlier season is a gap in the data, not a
    game to come (e.g. some 2004-2013 scores are unknown)."""
    return not game.played and game.season == ctx.current.season


def split_played(ctx: AnalyticsContext, games: Iterable[Game]
                 ) -> tuple[list[Game], list[Game]]:
    """(played, upcoming), each in the given order; unscored past games are in neither."""
    played: list[Game] = []
    upcoming: list[Game] = []
    for g in games:
        if g.played:
            played.append(g)
        elif is_upcoming(ctx, g):
            upcoming.append(g)
    return played, upcoming
