"""What simulated users ask about, drawn from the real games file with realistic popularity.

Popularity is Zipf-like over teams: teams are ranked (famous programs first, in the order of
:data:`DEFAULT_FAMOUS_PROGRAMS`, then every other FBS team by how many games it has in the
data) and team of rank *r* is drawn with weight ``1 / r ** zipf_exponent``. The *current week*
-- the earliest week of the latest season that still has unplayed games -- is asked about far
more often than history (``current_share`` of the draws). Reads the CSV with the ``csv``
module only, so the load generator does not load the service's data layer.
"""

from __future__ import annotations

import csv
import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

from scriptohio.errors import DataFormatError

DEFAULT_FAMOUS_PROGRAMS: tuple[str, ...] = (
    "Ohio State", "Michigan", "Alabama", "Georgia", "Texas", "Notre Dame", "USC", "LSU",
    "Oklahoma", "Penn State", "Clemson", "Florida State", "Oregon", "Tennessee", "Florida",
    "Auburn", "Miami", "Texas A&M", "Wisconsin", "Nebraska",
)
DEFAULT_ZIPF_EXPONENT = 1.0
DEFAULT_CURRENT_SHARE = 0.7
#: History users browse: seasons with spreads and kickoff times (see the data README).
DEFAULT_FIRST_HISTORY_SEASON = 2014


@dataclass(frozen=True, slots=True)
class Game:
    game_id: int
    start_date: str
    season: int
    week: int
    season_type: str
    home: str
    away: str
    neutral: bool
    both_fbs: bool = True


@dataclass(frozen=True, slots=True)
class TargetCatalog:
    """Teams in popularity order with their weights, the current week and the history."""

    teams: tuple[str, ...]
    cum_weights: tuple[float, ...]
    current_season: int
    current_week: int
    current_games: tuple[Game, ...]
    history: tuple[Game, ...]
    games_by_team: dict[str, tuple[Game, ...]]
    history_weeks: tuple[tuple[int, int], ...]  # regular-season (season, week) of the history
    fbs_seasons: dict[str, frozenset[int]]  # seasons each team played in FBS

    @classmethod
    def from_games_csv(
        cls,
        path: str | Path,
        *,
        famous: tuple[str, ...] = DEFAULT_FAMOUS_PROGRAMS,
        zipf_exponent: float = DEFAULT_ZIPF_EXPONENT,
        first_history_season: int = DEFAULT_FIRST_HISTORY_SEASON,
    ) -> TargetCatalog:
        games, unplayed, fbs = _read_games(Path(path))
        if not games:
            raise DataFormatError("no games", file=str(path))
        latest = max(g.season for g in games)
        pending = sorted((g.season_type != "regular", g.week) for g in unplayed
                         if g.season == latest)
        week = pending[0][1] if pending else max(g.week for g in games if g.season == latest)
        current = tuple(g for g in games if g.season == latest and g.week == week
                        and g.season_type == "regular")
        fbs_now = fbs.get(latest, set())
        appearances = Counter(t for g in games for t in (g.home, g.away))
        ranked = [t for t in famous if t in fbs_now]
        ranked += sorted(fbs_now - set(ranked), key=lambda t: (-appearances[t], t))
        weights = [1.0 / (rank**zipf_exponent) for rank in range(1, len(ranked) + 1)]
        history = tuple(g for g in games if first_history_season <= g.season < latest
                        or (g.season == latest and g.week < week))
        by_team: dict[str, list[Game]] = defaultdict(list)
        for g in history:
            by_team[g.home].append(g)
            by_team[g.away].append(g)
        weeks = tuple(sorted({(g.season, g.week) for g in history if g.season_type == "regular"}))
        seasons: dict[str, set[int]] = defaultdict(set)
        for season, teams in fbs.items():
            for t in teams:
                seasons[t].add(season)
        return cls(tuple(ranked), tuple(accumulate(weights)), latest, week, current,
                   history, {t: tuple(v) for t, v in by_team.items()}, weeks,
                   {t: frozenset(v) for t, v in seasons.items()})


def _read_games(path: Path) -> tuple[list[Game], list[Game], dict[int, set[str]]]:
    games: list[Game] = []
    unplayed: list[Game] = []
    fbs: dict[int, set[str]] = defaultdict(set)
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            for row_no, row in enumerate(csv.DictReader(fh), start=2):
                try:
                    game = Game(int(row.get("game_id") or 0), row.get("start_date", ""),
                                int(row["season"]), int(row["week"]), row["season_type"],
                                row["home_team"], row["away_team"],
                                row.get("neutral_site") == "True",
                                row.get("home_division") == row.get("away_division") == "fbs")
                except (KeyError, ValueError) as exc:
                    raise DataFormatError(str(exc), file=str(path), line=row_no) from exc
                if "fbs" not in (row.get("home_division"), row.get("away_division")):
                    continue
                games.append(game)
                for side in ("home", "away"):
                    if row.get(f"{side}_division") == "fbs":
                        fbs[game.season].add(row[f"{side}_team"])
                if not row.get("home_points"):
                    unplayed.append(game)
    except OSError as exc:
        raise DataFormatError(f"cannot read: {exc}", file=str(path)) from exc
    return games, unplayed, fbs


class TargetPicker:
    """Draws teams, weeks and games from a catalog with an injected ``random.Random``."""

    def __init__(self, catalog: TargetCatalog, rng: random.Random, *,
                 current_share: float = DEFAULT_CURRENT_SHARE) -> None:
        self.catalog = catalog
        self._rng = rng
        self._current_share = current_share
        self._history_weeks = catalog.history_weeks  # precomputed: pickers are made per session

    def _current(self) -> bool:
        return self._rng.random() < self._current_share

    def team(self) -> str:
        return self._rng.choices(self.catalog.teams, cum_weights=self.catalog.cum_weights)[0]

    def two_teams(self) -> tuple[str, str]:
        home = self.team()
        for _ in range(8):  # popular teams repeat; a few redraws find a distinct opponent
            away = self.team()
            if away != home:
                return home, away
        return home, next(t for t in self.catalog.teams if t != home)

    def season(self) -> int:
        if self._current() or not self._history_weeks:
            return self.catalog.current_season
        return self._rng.choice(self._history_weeks)[0]

    def team_season(self) -> tuple[str, int]:
        """A team and a season it played in FBS (its page exists): usually the current one."""
        team, season = self.team(), self.season()
        if season not in self.catalog.fbs_seasons.get(team, ()):
            season = self.catalog.current_season  # every ranked team is FBS now
        return team, season

    def week(self) -> tuple[int, int]:
        """A (season, week) to browse: usually the current week."""
        if self._current() or not self._history_weeks:
            return self.catalog.current_season, self.catalog.current_week
        return self._rng.choice(self._history_weeks)

    def fbs_game(self) -> Game:
        """Like :meth:`game`, but both teams FBS (matchup analysis covers FBS teams only)."""
        for _ in range(8):
            game = self.game()
            if game.both_fbs:
                return game
        home, away = self.two_teams()
        return Game(0, "", self.catalog.current_season, self.catalog.current_week, "regular",
                    home, away, False)

    def game(self) -> Game:
        """A game to predict: usually this week's, otherwise a popular team's past game."""
        if self.catalog.current_games and (self._current() or not self.catalog.history):
            return self._rng.choice(self.catalog.current_games)
        for _ in range(8):
            games = self.catalog.games_by_team.get(self.team())
            if games:
                return self._rng.choice(games)
        return self._rng.choice(self.catalog.history or self.catalog.current_games)
