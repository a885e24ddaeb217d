"""What kind of game each game is: conference championship, bowl, playoff round, title game.

games.csv has no game names, so the kinds are read off the schedule's shape (pure, no I/O):

* **National championship**: the season's last postseason game (by kickoff; the BCS title game
  before 2014, the CFP final since).
* **Playoff** (CFP, 2014 on): a postseason game is a playoff game when it is the final, or when
  one of its teams plays a later playoff game (only playoff teams play twice in a postseason).
  Its round counts the playoff games its busier team still has to play: 1 = semifinal,
  2 = quarterfinal, 3 = first round (the 12-team bracket from 2024).
* **Bowl**: every other postseason game, and the playoff quarterfinals and semifinals (which are
  bowls: the Rose, the Sugar, ...); first-round games are on campus and the final is no bowl.
* **Conference championship** (``regular`` in CFBD's convention): a conference game after every
  other conference game of its conference that season, between two teams that each played more
  conference games than the conference's median team (the title game is one game more). In
  2020, the shortened season with uneven schedules, the median test fails; there the title game
  is the conference's last-week game between the two teams with the best conference records.
  2020's ACC title game (Notre Dame, an independent in the data) is not found, and the Sun Belt's
  cancelled one reads as its last regular game (Troy - Coastal Carolina).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np

from scriptohio.data.tables import Games

__all__ = ["FIRST_PLAYOFF_SEASON", "Occasion", "OccasionKind", "season_occasions"]

OccasionKind = Literal["conference_championship", "bowl", "playoff", "national_championship"]
FIRST_PLAYOFF_SEASON = 2014
_ROUNDS = {1: "semifinal", 2: "quarterfinal", 3: "first round"}
_UNEVEN_SEASONS = frozenset({2020})


@dataclass(frozen=True, slots=True)
class Occasion:
    """Why a game is more than a regular-season game."""

    kind: OccasionKind
    season: int
    conference: str | None = None  # conference championships
    playoff_round: str | None = None  # "first round", "quarterfinal", "semifinal", "final"

    @property
    def is_bowl(self) -> bool:
        """Bowl games, including the playoff quarterfinals and semifinals."""
        return self.kind == "bowl" or self.playoff_round in ("quarterfinal", "semifinal")

    def label(self) -> str:
        """How a fan names it: "the 2024 SEC Championship", "a 2024 CFP semifinal"."""
        if self.kind == "conference_championship":
            return f"the {self.season} {self.conference} Championship"
        if self.kind == "national_championship":
            return f"the {self.season} national championship"
        if self.kind == "playoff":
            return f"a {self.season} CFP {self.playoff_round}"
        return f"a {self.season} bowl game"


def season_occasions(games: Games, season: int) -> dict[int, Occasion]:
    """``{game_id: Occasion}`` for the season's title games, bowls and playoff games."""
    c = games.cols
    rows = np.concatenate([games.rows_for_week(season, w, t)
                           for t in ("regular", "postseason") for w in games.weeks(season, t)]
                          or [np.empty(0, dtype=np.int64)])
    out: dict[int, Occasion] = {}
    post = [int(r) for r in rows if c["season_type"][r] == "postseason"]
    out.update(_postseason(games, sorted(post, key=lambda r: int(c["kickoff"][r])), season))
    regular = [int(r) for r in rows if c["season_type"][r] == "regular"]
    for row in _title_games(games, regular, season):
        out[int(c["game_id"][row])] = Occasion("conference_championship", season,
                                               conference=str(c["home_conference"][row]))
    return out


def _postseason(games: Games, rows: list[int], season: int) -> dict[int, Occasion]:
    if not rows:
        return {}
    c = games.cols
    final = rows[-1]
    playoff = {final}
    if season >= FIRST_PLAYOFF_SEASON:
        later_teams = set(_teams(games, final))
        for row in reversed(rows[:-1]):
            teams = set(_teams(games, row))
            if teams & later_teams:
                playoff.add(row)
                later_teams |= teams
    next_depth: dict[str, int] = {}  # rounds from the final of each team's next playoff game
    out: dict[int, Occasion] = {}
    for row in reversed(rows):
        gid = int(c["game_id"][row])
        if row not in playoff:
            out[gid] = Occasion("bowl", season)
            continue
        pair = _teams(games, row)
        # Only the winner plays on: one round further from the final than its next game.
        depth = min((next_depth[t] + 1 for t in pair if t in next_depth), default=0)
        if row == final:
            out[gid] = Occasion("national_championship", season, playoff_round="final")
        else:
            out[gid] = Occasion("playoff", season, playoff_round=_ROUNDS.get(depth, "first round"))
        for t in pair:
            next_depth[t] = depth
    return out


def _teams(games: Games, row: int) -> tuple[str, str]:
    return str(games.cols["home_team"][row]), str(games.cols["away_team"][row])


def _title_games(games: Games, rows: Iterable[int], season: int) -> list[int]:
    c = games.cols
    by_conference: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        conference = c["home_conference"][row]
        if (c["conference_game"][row] == 1 and conference
                and conference == c["away_conference"][row]
                and conference != "FBS Independents" and c["home_division"][row] == "fbs"):
            by_conference[str(conference)].append(row)
    found = []
    for conference_rows in by_conference.values():
        title = _title_game(games, sorted(conference_rows, key=lambda r: int(c["kickoff"][r])),
                            uneven=season in _UNEVEN_SEASONS)
        if title is not None:
            found.append(title)
    return found


def _title_game(games: Games, rows: list[int], *, uneven: bool) -> int | None:
    c = games.cols
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        for team in _teams(games, row):
            counts[team] += 1
    median = statistics.median(counts.values())
    last = rows[-1]
    last_day = c["game_date"][last]
    alone = all(c["game_date"][r] < last_day for r in rows[:-1])
    if alone and all(counts[t] > median for t in _teams(games, last)):
        return last
    if not uneven:
        return None
    final_week = int(c["week"][last])
    in_week = [r for r in rows if int(c["week"][r]) == final_week]
    earlier = [r for r in rows if int(c["week"][r]) < final_week]
    share = _win_shares(games, earlier)
    return max(in_week, key=lambda r: sum(share.get(t, 0.0) for t in _teams(games, r)))


def _win_shares(games: Games, rows: Iterable[int]) -> Mapping[str, float]:
    c = games.cols
    won: dict[str, int] = defaultdict(int)
    played: dict[str, int] = defaultdict(int)
    for row in rows:
        margin = c["home_points"][row] - c["away_points"][row]
        if margin != margin:
            continue
        home, away = _teams(games, row)
        played[home] += 1
        played[away] += 1
        won[home] += int(margin > 0)
        won[away] += int(margin < 0)
    return {team: won[team] / n for team, n in played.items() if n}
