"""A team's results as a fan counts them: season record and schedule, streaks, head-to-head.

Everything is read from the played games in the data (2004 on), so every number can be
checked against games.csv: records count regular-season and postseason games, streaks run
across seasons back to the latest game, head-to-head counts every played meeting.
"""

from __future__ import annotations

from typing import Any

from scriptohio.agents.context import AnalyticsContext, WeekRef
from scriptohio.agents.predict import game_brief
from scriptohio.agents.prose import join, ordinal, score, venue, when
from scriptohio.agents.schedule import (
    meetings,
    occasion_of,
    often_neutral,
    split_played,
    team_games,
)
from scriptohio.data.tables import Game
from scriptohio.errors import OutOfRangeError

__all__ = ["head_to_head", "occasion_record", "season_record", "streak"]


def _points(team: str, g: Game) -> tuple[int, int]:
    """(points for, points against) of a played game."""
    assert g.home_points is not None and g.away_points is not None
    if g.home_team == team:
        return g.home_points, g.away_points
    return g.away_points, g.home_points


def _opponent(team: str, g: Game) -> str:
    return g.away_team if g.home_team == team else g.home_team


def _outcome(team: str, g: Game) -> str:
    pf, pa = _points(team, g)
    return "W" if pf > pa else ("L" if pf < pa else "T")


def _venue(ctx: AnalyticsContext, team: str, g: Game) -> str:
    """``"at"`` for a road game; ``"vs"`` at home, on a neutral field or where unknown
    (an empty neutral flag on a postseason game or a title game says nothing)."""
    if g.neutral_site or (g.neutral_site is None and often_neutral(ctx, g)):
        return "vs"
    return "vs" if g.home_team == team else "at"


def _record_text(wins: int, losses: int, ties: int = 0) -> str:
    return f"{wins}-{losses}" + (f"-{ties}" if ties else "")


def _tally(team: str, games: list[Game]) -> tuple[int, int, int]:
    outcomes = [_outcome(team, g) for g in games]
    return outcomes.count("W"), outcomes.count("L"), outcomes.count("T")


def _game_line(ctx: AnalyticsContext, team: str, g: Game) -> dict[str, Any]:
    line = {**game_brief(ctx, g), "opponent": _opponent(team, g), "venue": _venue(ctx, team, g)}
    if g.played:
        pf, pa = _points(team, g)
        line.update(outcome=_outcome(team, g), points_for=pf, points_against=pa)
    return line


def season_record(ctx: AnalyticsContext, team: str, *, season: int | None = None,
                  focus: str = "record", before_week: int | None = None,
                  no_game_week: int | None = None,
                  last_games: int | None = None, split: str | None = None,
                  month: int | None = None, missing: str | None = None) -> dict[str, Any]:
    """The team's season: record (overall, conference), points per game, games played and
    left. ``focus`` (``record`` or ``schedule``) only changes what the summary leads with;
    ``before_week`` counts only the games before that regular-season week; ``no_game_week``
    is a week the caller asked about in which the team has no game (a bye); ``split``
    (``home``, ``road``, ``neutral``, ``close``: decided by 8 points or fewer) and ``month``
    (1-12) add the record of those games; ``missing`` names an occasion the team has no game
    of that season ("bowl game")."""
    team = ctx.require_team(team)
    season = ctx.current.season if season is None else season
    ref = ctx.week_ref(season, before_week)
    games = team_games(ctx, team, season)
    if before_week is not None:
        games = [g for g in games if g.season_type == "regular" and g.week < before_week]
    played, upcoming = split_played(ctx, games)
    unscored = [g for g in games if not g.played and g not in upcoming]
    wins, losses, ties = _tally(team, played)
    conf = [g for g in played if g.conference_game and occasion_of(ctx, g) is None]
    conference = next((g.home_conference if g.home_team == team else g.away_conference
                       for g in team_games(ctx, team, season)), None)
    pf = sum(_points(team, g)[0] for g in played)
    pa = sum(_points(team, g)[1] for g in played)
    n = len(played)
    body: dict[str, Any] = {
        "team": team, "season": season, "conference": conference,
        "as_of": ctx.as_of(ref), "before_week": before_week,
        "record": _record_text(wins, losses, ties), "wins": wins, "losses": losses,
        "ties": ties, "conference_record": _record_text(*_tally(team, conf)) if conf else None,
        "points_for_per_game": round(pf / n, 1) if n else None,
        "points_against_per_game": round(pa / n, 1) if n else None,
        "games_without_score": len(unscored),
        "games": [_game_line(ctx, team, g) for g in games],
    }
    parts = [_season_summary(ctx, team, season, body, played, upcoming, focus)]
    if unscored:
        parts.append(f"The data has no score for {len(unscored)} more game"
                     f"{'s' if len(unscored) > 1 else ''} ("
                     + join([f"{_venue(ctx, team, g)} {_opponent(team, g)}" for g in unscored])
                     + "), not counted.")
    if no_game_week is not None:
        parts.insert(0, f"{team} have no game in week {no_game_week} of {season}.")
    if missing is not None:
        parts.insert(0, f"{team} have no {missing} in the {season} data.")
    if split is not None or month is not None:
        chosen = [g for g in played if _in_split(ctx, team, g, split, month)]
        label = _split_label(split, month)
        body["split"] = {"label": label, "record": _record_text(*_tally(team, chosen)),
                         "games": len(chosen)}
        verb = "are" if season == ctx.current.season else "went"
        parts.insert(0, f"{team} {verb} {body['split']['record']} {label} in {season} "
                        f"({len(chosen)} game{'s' if len(chosen) != 1 else ''}"
                        + ("" if not chosen else ": " + "; ".join(
                            f"{_outcome(team, g)} {score(*_points(team, g))} "
                            f"{_venue(ctx, team, g)} {_opponent(team, g)}" for g in chosen))
                        + ").")
    if last_games:
        recent = _recent(ctx, team, season, last_games)
        body["last_games"] = [_game_line(ctx, team, g) for g in recent]
        parts.insert(0, f"{team}'s last {len(recent)} games: " + "; ".join(
            f"{_outcome(team, g)} {score(*_points(team, g))} {_venue(ctx, team, g)} "
            f"{_opponent(team, g)} ({g.season}"
            + (f" week {g.week})" if g.season_type == "regular" else " postseason)")
            for g in recent) + ".")
    body["summary"] = " ".join(parts)
    return body


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
#: a one-score game: decided by eight points or fewer (a touchdown and a two-point try)
CLOSE_MARGIN = 8


def _in_split(ctx: AnalyticsContext, team: str, g: Game, split: str | None,
              month: int | None) -> bool:
    if month is not None and int(g.game_date[5:7]) != month:
        return False
    if split is None:
        return True
    if split == "close":
        pf, pa = _points(team, g)
        return abs(pf - pa) <= CLOSE_MARGIN
    if g.neutral_site or (g.neutral_site is None and often_neutral(ctx, g)):
        return split == "neutral" and bool(g.neutral_site)  # unknown sites are neither
    if split == "neutral":
        return False
    return (g.home_team == team) == (split == "home")


def _split_label(split: str | None, month: int | None) -> str:
    words = {"home": "at home", "road": "on the road", "neutral": "on neutral fields",
             "close": f"in games decided by {CLOSE_MARGIN} points or fewer"}
    parts = [words[split]] if split else []
    if month is not None:
        parts.append(f"in {_MONTHS[month - 1]}")
    return " ".join(parts)


def _recent(ctx: AnalyticsContext, team: str, season: int, n: int) -> list[Game]:
    """The team's last ``n`` played games up to ``season``, reaching into earlier seasons."""
    found: list[Game] = []
    for s in sorted((x for x in ctx.dataset.games.seasons if x <= season), reverse=True):
        found = split_played(ctx, team_games(ctx, team, s))[0] + found
        if len(found) >= n:
            break
    return found[-n:]


def _season_summary(ctx: AnalyticsContext, team: str, season: int, body: dict[str, Any],
                    played: list[Game], upcoming: list[Game], focus: str) -> str:
    before = f" before week {body['before_week']}" if body["before_week"] else ""
    if not played:
        lead = f"{team} have not played a game yet in {season}{before}."
    else:
        verb = "are" if upcoming and not before else "went"
        so_far = " so far" if upcoming and not before else ""
        conf = (f" ({body['conference_record']} in the {body['conference']} regular season)"
                if body["conference_record"] and body["conference"] else "")
        lead = (f"{team} {verb} {body['record']} in {season}{before}{so_far}{conf}, scoring "
                f"{body['points_for_per_game']:.1f} and allowing "
                f"{body['points_against_per_game']:.1f} points per game.")
    losses = [g for g in played if _outcome(team, g) == "L"]
    parts = [lead]
    if losses and focus == "record":
        parts.append("Losses: " + join([
            f"{_opponent(team, g)} ({score(*_points(team, g))}, week {g.week})"
            if g.season_type == "regular" else f"{_opponent(team, g)} "
            f"({score(*_points(team, g))}, postseason)" for g in losses]) + ".")
    if upcoming and not before:
        shown = upcoming if focus == "schedule" else upcoming[:1]
        items = [_upcoming_text(ctx, team, g) for g in shown]
        label = "Still to play" if focus == "schedule" else "Next"
        parts.append(f"{label}: " + "; ".join(items) + ".")
    if focus == "schedule" and played:
        parts.append("Results: " + "; ".join(
            f"{_outcome(team, g)} {score(*_points(team, g))} {_venue(ctx, team, g)} "
            f"{_opponent(team, g)}" for g in played) + ".")
    return " ".join(parts)


def _when_text(ctx: AnalyticsContext, g: Game) -> str:
    """``"week 14 of 2025 (2025-11-29)"``, with the occasion when there is one."""
    occasion = occasion_of(ctx, g)
    text = when(g.season, g.week, g.season_type, g.game_date)
    return f"{text}, {occasion.label()}" if occasion is not None else text


def _upcoming_text(ctx: AnalyticsContext, team: str, g: Game) -> str:
    occasion = occasion_of(ctx, g)
    week = f"week {g.week}" if g.season_type == "regular" else "postseason"
    text = f"{week} ({g.game_date}) {_venue(ctx, team, g)} {_opponent(team, g)}"
    if occasion is not None:
        text += f", {occasion.label()}"
    return text


def _where_played(ctx: AnalyticsContext, g: Game) -> str:
    where = venue(g.home_team, g.neutral_site, often_neutral(ctx, g), g.away_team)
    return f" {where}" if where else ""


def streak(ctx: AnalyticsContext, team: str, *, season: int | None = None) -> dict[str, Any]:
    """The run of wins or losses ending at the team's latest game (or at the end of
    ``season``), across seasons, and the season's longest winning streak."""
    team = ctx.require_team(team)
    last_season = ctx.current.season if season is None else season
    ctx.week_ref(last_season, None)
    history: list[Game] = []
    for s in ctx.dataset.games.seasons:
        if s <= last_season:
            history += split_played(ctx, team_games(ctx, team, s))[0]
    if not history:
        return {"team": team, "season": last_season, "streak": None,
                "summary": f"{team} have no played games in the data up to {last_season}."}
    kind = _outcome(team, history[-1])
    run: list[Game] = []
    for g in reversed(history):
        if _outcome(team, g) != kind:
            break
        run.append(g)
    run.reverse()
    in_season = [g for g in history if g.season == last_season]
    longest = _longest_wins(team, in_season)
    word = {"W": "won", "L": "lost", "T": "tied"}[kind]
    start = run[0]
    since = (f"since {_opponent(team, start)} in week {start.week} of {start.season}"
             if start.season_type == "regular" else
             f"since {_opponent(team, start)} in the {start.season} postseason")
    if season is None:
        lead = f"{team} have {word} {len(run)} straight ({since})."
    else:
        lead = f"{team} ended {season} having {word} {len(run)} straight ({since})."
    latest = history[-1]
    parts = [lead, f"Latest: {_outcome(team, latest)} {score(*_points(team, latest))} "
                   f"{_venue(ctx, team, latest)} {_opponent(team, latest)}."]
    if longest:
        parts.append(f"Their longest winning streak in {last_season} was {longest}.")
    return {"team": team, "season": last_season, "streak": f"{kind}{len(run)}",
            "as_of": ctx.as_of(WeekRef(last_season, None)),
            "kind": {"W": "wins", "L": "losses", "T": "ties"}[kind], "length": len(run),
            "longest_winning_streak_in_season": longest,
            "games": [_game_line(ctx, team, g) for g in run[-10:]],
            "summary": " ".join(parts)}


def _longest_wins(team: str, games: list[Game]) -> int:
    best = current = 0
    for g in games:
        current = current + 1 if _outcome(team, g) == "W" else 0
        best = max(best, current)
    return best


def head_to_head(ctx: AnalyticsContext, team: str, opponent: str, *,
                 since: int | None = None) -> dict[str, Any]:
    """Every played meeting in the data (2004 on, or ``since`` a season): the series, the
    last meetings, the next."""
    team, opponent = ctx.require_team(team), ctx.require_team(opponent)
    seasons = tuple(s for s in ctx.dataset.games.seasons if since is None or s >= since)
    if not seasons:
        raise OutOfRangeError(f"no seasons in the data since {since}",
                              valid_range=ctx.season_range())
    all_games = [g for s in seasons for g in meetings(ctx, team, opponent, s)]
    played, upcoming = split_played(ctx, all_games)
    wins, losses, ties = _tally(team, played)
    first = seasons[0]
    body: dict[str, Any] = {
        "teams": [team, opponent], "since": first, "meetings": len(played),
        "as_of": ctx.as_of(ctx.current),
        "wins": {team: wins, opponent: losses}, "ties": ties,
        "games": [_game_line(ctx, team, g) for g in played[-10:]],
        "next": _game_line(ctx, team, upcoming[0]) if upcoming else None,
    }
    if not played:
        body["summary"] = (f"{team} and {opponent} have not met in the data since {first}."
                           + (f" They meet in {_upcoming_text(ctx, team, upcoming[0])}."
                              if upcoming else ""))
        return body
    if wins == losses:
        lead = f"{team} and {opponent} are level at {_record_text(wins, losses)}"
    else:
        leader, trailer = (team, opponent) if wins > losses else (opponent, team)
        lead = f"{leader} lead {trailer} {_record_text(max(wins, losses), min(wins, losses))}"
    starts = "" if since is not None else f" (the data starts in {first})"
    lead += (f" in {len(played)} meetings since {first}" + (f" ({ties} tied)" if ties else "")
             + f"{starts}.")
    last = played[-1]
    winner = team if _outcome(team, last) == "W" else opponent
    run = 0
    for g in reversed(played):
        if (team if _outcome(team, g) == "W" else opponent) != winner:
            break
        run += 1
    where = _where_played(ctx, last)
    parts = [lead, f"Last meeting: {winner} won {score(*_points(team, last))}{where} in "
                   f"{last.season}" + (f", their {ordinal(run)} straight win in the series"
                                       if run >= 2 else "") + "."]
    loser = opponent if winner == team else team
    last_win = next((g for g in reversed(played) if _outcome(loser, g) == "W"), None)
    if last_win is not None:
        parts.append(f"{loser} last won in {last_win.season}, "
                     f"{score(*_points(loser, last_win))}{_where_played(ctx, last_win)}.")
    elif wins + losses:
        parts.append(f"{loser} have not beaten {winner} since {first} in the data.")
    unscored = [g for g in all_games if not g.played and g not in upcoming]
    if unscored:
        parts.append(f"The data has no score for {len(unscored)} more meeting"
                     f"{'s' if len(unscored) > 1 else ''} ("
                     + join([str(g.season) for g in unscored]) + "), not counted.")
    if upcoming:
        g = upcoming[0]
        sep = "vs" if g.neutral_site else "at"
        parts.append(f"Next meeting: {_when_text(ctx, g)}, {g.away_team} {sep} {g.home_team}.")
    body["summary"] = " ".join(parts)
    return body


_KIND_WORDS = {"bowl": ("bowl", "bowl games"), "playoff": ("CFP", "CFP games"),
               "national_championship": ("national championship", "national championship games"),
               "conference_championship": ("conference championship",
                                           "conference championship games")}


def occasion_record(ctx: AnalyticsContext, team: str, kind: str, *,
                    since: int | None = None) -> dict[str, Any]:
    """The team's record in one kind of game (bowls, CFP games, title games) over every
    season in the data, or ``since`` a season."""
    from scriptohio.agents.schedule import occasion_games

    team = ctx.require_team(team)
    if kind not in _KIND_WORDS:
        raise OutOfRangeError(f"kind must be one of {', '.join(_KIND_WORDS)}, not {kind!r}")
    first = ctx.dataset.games.seasons[0] if since is None else since
    games = [g for s in ctx.dataset.games.seasons if s >= first
             for g in occasion_games(ctx, s, kind, team=team)]
    played, upcoming = split_played(ctx, games)
    wins, losses, ties = _tally(team, played)
    one, many = _KIND_WORDS[kind]
    body: dict[str, Any] = {"team": team, "kind": kind, "since": first,
                            "as_of": ctx.as_of(ctx.current),
                            "record": _record_text(wins, losses, ties), "wins": wins,
                            "losses": losses, "games": [_game_line(ctx, team, g) for g in games]}
    if not played:
        lead = f"{team} have played no {many} in the data since {first}."
    else:
        lead = (f"{team} are {body['record']} in {many} since {first}"
                + (" (the data starts in 2004)" if since is None else "") + ": "
                + "; ".join(f"{g.season} {_outcome(team, g)} {score(*_points(team, g))} "
                            f"vs {_opponent(team, g)}" for g in played[-8:]) + ".")
    parts = [lead]
    if upcoming:
        parts.append(f"Next {one}: {_upcoming_text(ctx, team, upcoming[0])}.")
    body["summary"] = " ".join(parts)
    return body
