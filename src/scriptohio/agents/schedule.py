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

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from scriptohio.agents.context import AnalyticsContext, WeekRef
from scriptohio.data.occasions import FIRST_PLAYOFF_SEASON, Occasion
from scriptohio.data.tables import Game

__all__ = [
    "OCCASION_KINDS",
    "GameChoice",
    "Tense",
    "choose_game",
    "hypothetical_note",
    "is_upcoming",
    "meetings",
    "occasion_games",
    "occasion_of",
    "often_neutral",
    "pick_game",
    "split_played",
    "team_games",
]

Tense = Literal["past", "future"]
#: what a caller may ask for by name: a title game, a bowl, a playoff game, the final
OCCASION_KINDS = ("conference_championship", "bowl", "playoff", "national_championship")


@dataclass(frozen=True)
class GameChoice:
    """The game an answer is about: a real one (``game``) or a hypothetical (``game`` None).

    ``neutral`` is what to predict with: None for a real game as scheduled, else the site
    the caller asked for.
    """

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


def often_neutral(ctx: AnalyticsContext, game: Game) -> bool:
    """Postseason games and conference championships: where an empty neutral flag says
    nothing about the site (most of them are neutral)."""
    if game.season_type == "postseason":
        return True
    occasion = occasion_of(ctx, game)
    return occasion is not None and occasion.kind == "conference_championship"


def occasion_of(ctx: AnalyticsContext, game: Game) -> Occasion | None:
    """The game's occasion (title game, bowl, playoff round), None for a regular game."""
    return ctx.dataset.occasions(game.season).get(game.game_id)


def _matches(ctx: AnalyticsContext, game: Game, kind: str | None,
             conference: str | None, playoff_round: str | None = None) -> bool:
    if kind is None:
        return True
    occasion = occasion_of(ctx, game)
    if occasion is None:
        return False
    if conference is not None and occasion.conference != conference:
        return False
    if playoff_round is not None and occasion.playoff_round != playoff_round:
        return False
    if kind == "bowl":  # before the CFP the title game was a bowl (the BCS's top bowl)
        return occasion.is_bowl or (occasion.kind == "national_championship"
                                    and game.season < FIRST_PLAYOFF_SEASON)
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


def pick_game(ctx: AnalyticsContext, games_in: Callable[[int], list[Game]], *,
              season: int | None, tense: Tense | None, postseason: bool = False,
              search_back: bool = False) -> Game | None:
    """The game a question means among ``games_in(season)``'s games.

    A stated season is searched first; for a postseason game, the season before too when its
    game was played in January of the stated year ("the 2007 Fiesta Bowl" is the 2006 season's).
    With no season stated, the current one; with ``search_back`` (a named occasion, or a
    question about the past) earlier seasons too, newest first, until a played game matches.
    """
    if season is not None:
        game = _pick(ctx, games_in(season), tense)
        first = ctx.dataset.games.seasons[0]
        if game is None and postseason and season - 1 >= first:
            january = [g for g in games_in(season - 1) if g.game_date.startswith(f"{season}-")]
            game = _pick(ctx, january, tense)
        return game
    current = ctx.current.season
    game = _pick(ctx, games_in(current), tense)
    if not search_back or (game is not None and (game.played or tense != "past")):
        return game
    for earlier in reversed([s for s in ctx.dataset.games.seasons if s < current]):
        found = _pick(ctx, games_in(earlier), "past")
        if found is not None:
            return found
    return game


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

    ``season`` None is the current season; a question about the past or about a named
    occasion that finds nothing there looks back through earlier seasons (:func:`pick_game`).
    ``first_is_home`` shapes a hypothetical game only: a real game keeps its own venue. Asking
    for a neutral site where the real game is not gives that game moved to a neutral field
    (``neutral=True`` in the choice; the answer says it is hypothetical).
    """
    if season is not None:
        ctx.week_ref(season, None)  # the season must be in the data (422 otherwise)

    def candidates(s: int) -> list[Game]:
        return [g for g in meetings(ctx, first, second, s)
                if (week is None or (g.week == week
                                     and g.season_type == (season_type or "regular")))
                and (week is not None or season_type is None or g.season_type == season_type)
                and _matches(ctx, g, occasion, conference)]

    postseason = season_type == "postseason" or occasion in (
        "bowl", "playoff", "national_championship")
    game = pick_game(ctx, candidates, season=season, tense=tense, postseason=postseason,
                     search_back=week is None and (occasion is not None or tense == "past"))
    asked = ctx.current.season if season is None else season
    if game is not None:
        found = tuple(meetings(ctx, first, second, game.season))
        moved = bool(neutral) and not game.neutral_site
        return GameChoice(game.home_team, game.away_team,
                          WeekRef(game.season, game.week, game.season_type),
                          True if moved else None, game, found)
    home, away = (first, second) if first_is_home else (second, first)
    found = tuple(meetings(ctx, first, second, asked))
    return _hypothetical(ctx, home, away, asked, week, season_type, neutral, found)


def _hypothetical(ctx: AnalyticsContext, home: str, away: str, season: int, week: int | None,
                  season_type: str | None, neutral: bool | None,
                  found: tuple[Game, ...]) -> GameChoice:
    ref = ctx.week_ref(season, week, season_type or "regular")
    if ref.week is None and season == ctx.current.season:
        ref = ctx.current
    return GameChoice(home, away, ref, neutral, None, found)


def hypothetical_note(home: str, away: str, as_of: str, season: int, neutral: bool | None,
                      others: int) -> str:
    """What a hypothetical answer says first: there is no such game, and what is assumed."""
    where = "on a neutral field" if neutral else f"at {home}"
    lead = (f"No game between {home} and {away} in {season} matches that"
            if others else f"No game is scheduled between {home} and {away} in {season}")
    return f"{lead}; this is a hypothetical game {where}, with the data of the {as_of}."


def occasion_games(ctx: AnalyticsContext, season: int, kind: str, *,
                   conference: str | None = None, team: str | None = None,
                   playoff_round: str | None = None) -> list[Game]:
    """The season's games of one occasion kind (optionally one conference's, one team's, one
    CFP round's)."""
    games = ctx.dataset.games
    picked = [g for gid in ctx.dataset.occasions(season)
              if (g := games.get(gid)) is not None
              and _matches(ctx, g, kind, conference, playoff_round)
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
