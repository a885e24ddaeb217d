"""Typed, indexed in-memory tables over the loaded columns.

Each table keeps its columns as numpy arrays (vectorised work: features, models) and builds
dictionaries for the lookups the service makes on every request, all O(1):

* :class:`Games`: by game id, by (season, season_type, week), by (team, season)
* :class:`TeamGames`: by (game id, team), by (team, season)
* :class:`TeamSeasons`: by (season, team)
* :class:`Talent`: by (season, team)

Rows of :class:`Games` are sorted by kickoff (then game id), so "games before X" is a prefix.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from scriptohio.data.csvfile import Columns

WeekKey = tuple[int, str, int]  # (season, season_type, week)

#: A game with only a calendar date is taken to kick off at noon US Eastern (17:00 UTC).
DATE_ONLY_KICKOFF_UTC = np.timedelta64(17, "h")


def _opt_int(x: float) -> int | None:
    return None if x != x else int(x)


def _opt_float(x: float) -> float | None:
    return None if x != x else float(x)


def _opt_bool(x: float) -> bool | None:
    return None if x != x else bool(x)


@dataclass(frozen=True, slots=True)
class Game:
    """One game, as a typed record (``None`` = unknown)."""

    game_id: int
    season: int
    week: int
    season_type: str
    kickoff: datetime
    start_date: str | None
    game_date: str
    neutral_site: bool | None
    conference_game: bool | None
    home_team: str
    away_team: str
    home_conference: str | None
    away_conference: str | None
    home_division: str | None
    away_division: str | None
    home_points: int | None
    away_points: int | None
    spread: float | None
    over_under: float | None

    @property
    def played(self) -> bool:
        return self.home_points is not None and self.away_points is not None

    @property
    def home_margin(self) -> int | None:
        if self.home_points is None or self.away_points is None:
            return None
        return self.home_points - self.away_points

    @property
    def fbs_vs_fbs(self) -> bool:
        return self.home_division == "fbs" and self.away_division == "fbs"


def kickoff_seconds(start_date: np.ndarray, game_date: np.ndarray) -> np.ndarray:
    """Kickoff as int64 seconds since the epoch: ``start_date``, else ``game_date`` at 17:00 UTC.

    Raises ``ValueError`` naming the index of the first unparseable value.
    """
    out = np.empty(len(game_date), dtype="datetime64[s]")
    for i, (start, day) in enumerate(zip(start_date.tolist(), game_date.tolist(), strict=True)):
        try:
            if start:
                out[i] = np.datetime64(start.rstrip("Z"), "s")
            else:
                out[i] = np.datetime64(day, "D") + DATE_ONLY_KICKOFF_UTC
        except ValueError as exc:
            raise ValueError(f"{i}:{'start_date' if start else 'game_date'}") from exc
    return out.astype(np.int64)


def _group(keys: Iterator[object] | list[object]) -> dict[object, np.ndarray]:
    groups: dict[object, list[int]] = defaultdict(list)
    for i, key in enumerate(keys):
        groups[key].append(i)
    return {k: np.asarray(v, dtype=np.int64) for k, v in groups.items()}


class Games:
    """All games, chronological. ``cols`` holds the typed columns plus ``kickoff`` (epoch s)."""

    def __init__(self, cols: Columns) -> None:
        order = np.lexsort((cols["game_id"], cols["kickoff"]))
        self.cols: Columns = {name: values[order] for name, values in cols.items()}
        c = self.cols
        self.n = len(order)
        self.home_margin = c["home_points"] - c["away_points"]
        self._by_id: dict[int, int] = {gid: i for i, gid in enumerate(c["game_id"].tolist())}
        self._by_week = _group(
            list(zip(c["season"].tolist(), c["season_type"].tolist(), c["week"].tolist(),
                     strict=True))
        )
        weeks: dict[tuple[int, str], list[int]] = defaultdict(list)
        for season, season_type, week in self.week_keys():
            weeks[(season, season_type)].append(week)
        self._weeks: dict[tuple[int, str], tuple[int, ...]] = {
            k: tuple(v) for k, v in weeks.items()}  # asked on every request: precomputed
        team_rows: dict[object, list[int]] = defaultdict(list)
        seasons = c["season"].tolist()
        for i, (home, away) in enumerate(zip(c["home_team"].tolist(), c["away_team"].tolist(),
                                              strict=True)):
            team_rows[(home, seasons[i])].append(i)
            team_rows[(away, seasons[i])].append(i)
        self._by_team_season = {k: np.asarray(v, dtype=np.int64) for k, v in team_rows.items()}
        self.teams: frozenset[str] = frozenset(c["home_team"].tolist()) | frozenset(
            c["away_team"].tolist()
        )
        self.seasons: tuple[int, ...] = tuple(sorted(set(seasons)))

    def __len__(self) -> int:
        return self.n

    def row_of(self, game_id: int) -> int | None:
        return self._by_id.get(game_id)

    def get(self, game_id: int) -> Game | None:
        row = self._by_id.get(game_id)
        return None if row is None else self.record(row)

    def rows_for_week(self, season: int, week: int, season_type: str = "regular") -> np.ndarray:
        return self._by_week.get((season, season_type, week), np.empty(0, dtype=np.int64))

    def rows_for_team(self, team: str, season: int) -> np.ndarray:
        return self._by_team_season.get((team, season), np.empty(0, dtype=np.int64))

    def rows_between(self, team: str, opponent: str, season: int) -> np.ndarray:
        """Rows of the games ``team`` and ``opponent`` play against each other in ``season``."""
        rows = self.rows_for_team(team, season)
        c = self.cols
        return rows[(c["home_team"][rows] == opponent) | (c["away_team"][rows] == opponent)]

    def weeks(self, season: int, season_type: str = "regular") -> list[int]:
        return list(self._weeks.get((season, season_type), ()))

    def week_keys(self) -> list[WeekKey]:
        return sorted(self._by_week)  # type: ignore[arg-type]

    def record(self, row: int) -> Game:
        c = self.cols
        return Game(
            game_id=int(c["game_id"][row]),
            season=int(c["season"][row]),
            week=int(c["week"][row]),
            season_type=str(c["season_type"][row]),
            kickoff=datetime.fromtimestamp(int(c["kickoff"][row]), tz=UTC),
            start_date=c["start_date"][row],
            game_date=str(c["game_date"][row]),
            neutral_site=_opt_bool(c["neutral_site"][row]),
            conference_game=_opt_bool(c["conference_game"][row]),
            home_team=str(c["home_team"][row]),
            away_team=str(c["away_team"][row]),
            home_conference=c["home_conference"][row],
            away_conference=c["away_conference"][row],
            home_division=c["home_division"][row],
            away_division=c["away_division"][row],
            home_points=_opt_int(c["home_points"][row]),
            away_points=_opt_int(c["away_points"][row]),
            spread=_opt_float(c["spread"][row]),
            over_under=_opt_float(c["over_under"][row]),
        )

    def records(self, rows: np.ndarray | list[int]) -> list[Game]:
        return [self.record(int(r)) for r in rows]


class TeamGames:
    """One row per team per game: box score and advanced stats (floats, NaN = missing)."""

    def __init__(self, cols: Columns) -> None:
        self.cols = cols
        self.n = len(cols["game_id"])
        gids = cols["game_id"].tolist()
        teams = cols["team"].tolist()
        self._by_key: dict[tuple[int, str], int] = {
            (g, t): i for i, (g, t) in enumerate(zip(gids, teams, strict=True))
        }
        self._by_team_season = _group(list(zip(teams, cols["season"].tolist(), strict=True)))
        self.stat_columns: tuple[str, ...] = tuple(
            name for name, v in cols.items() if v.dtype.kind == "f"
        )

    def __len__(self) -> int:
        return self.n

    def row_of(self, game_id: int, team: str) -> int | None:
        return self._by_key.get((game_id, team))

    def rows_for_team(self, team: str, season: int) -> np.ndarray:
        return self._by_team_season.get((team, season), np.empty(0, dtype=np.int64))

    def stats(self, game_id: int, team: str) -> dict[str, float | None] | None:
        row = self._by_key.get((game_id, team))
        if row is None:
            return None
        return {name: _opt_float(self.cols[name][row]) for name in self.stat_columns}


class TeamSeasons:
    """Season totals and advanced season stats per (season, team), 2004-2024."""

    def __init__(self, cols: Columns) -> None:
        self.cols = cols
        self.n = len(cols["season"])
        self._by_key: dict[tuple[int, str], int] = {
            (s, t): i
            for i, (s, t) in enumerate(zip(cols["season"].tolist(), cols["team"].tolist(),
                                           strict=True))
        }

    def __len__(self) -> int:
        return self.n

    def row_of(self, season: int, team: str) -> int | None:
        return self._by_key.get((season, team))

    def get(self, season: int, team: str) -> dict[str, object] | None:
        row = self._by_key.get((season, team))
        if row is None:
            return None
        out: dict[str, object] = {}
        for name, values in self.cols.items():
            v = values[row]
            out[name] = _opt_float(v) if values.dtype.kind == "f" else v
        return out


class Talent:
    """247Sports team talent composite per (season, team), where the sources have it."""

    def __init__(self, cols: Columns) -> None:
        self.cols = cols
        self._by_key: dict[tuple[int, str], float] = {
            (s, t): v
            for s, t, v in zip(cols["season"].tolist(), cols["team"].tolist(),
                               cols["talent"].tolist(), strict=True)
        }

    def __len__(self) -> int:
        return len(self._by_key)

    def get(self, season: int, team: str) -> float | None:
        return self._by_key.get((season, team))
