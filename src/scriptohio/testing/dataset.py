"""A small league in the data files' schema: ``DatasetBuilder().season(...).write(dir)``.

The four files are written with every column their schema names (``data.schema``), plus the
advanced statistics the feature store reads, so :func:`scriptohio.data.dataset.load_dataset`
and ``FeatureStore.build`` run on them as on the real data.
"""

from __future__ import annotations

import csv
import gzip
import itertools
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from scriptohio.data.schema import GAMES, TALENT, TEAM_GAMES, TEAM_SEASONS

__all__ = ["ADVANCED_STATS", "DatasetBuilder", "GameRow"]

#: team-game statistics the feature store adjusts for opponents (offense_* per team)
ADVANCED_STATS = ("ppa", "success_rate", "explosiveness", "rushing_plays_ppa",
                  "passing_plays_ppa", "line_yards", "stuff_rate")


@dataclass(frozen=True)
class GameRow:
    """One game; ``home_points``/``away_points`` None = not played yet."""

    game_id: int
    season: int
    week: int
    home: str
    away: str
    home_points: int | None = None
    away_points: int | None = None
    spread: float | None = None
    over_under: float | None = None
    neutral: bool = False
    season_type: str = "regular"
    day: date | None = None


@dataclass
class DatasetBuilder:
    """Builds a league: teams with a conference each, games week by week."""

    conferences: dict[str, str] = field(default_factory=dict)
    games: list[GameRow] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def team(self, name: str, conference: str = "Test Conference") -> DatasetBuilder:
        self.conferences[name] = conference
        return self

    def game(self, season: int, week: int, home: str, away: str, *,
             score: tuple[int, int] | None = None, spread: float | None = None,
             over_under: float | None = None, neutral: bool = False,
             season_type: str = "regular") -> DatasetBuilder:
        """Add a game; ``score`` is (home points, away points), None for one to come."""
        for team in (home, away):
            self.conferences.setdefault(team, "Test Conference")
        day = date(season, 9, 1) + timedelta(weeks=week - 1)
        if season_type == "postseason":
            day = date(season, 12, 28)
        self.games.append(GameRow(next(self._ids), season, week, home, away,
                                  None if score is None else score[0],
                                  None if score is None else score[1], spread, over_under,
                                  neutral, season_type, day))
        return self

    def round_robin(self, season: int, teams: list[str], *, weeks_played: int,
                    weeks: int) -> DatasetBuilder:
        """Every team against another each week; the first ``weeks_played`` weeks have
        scores (the earlier-listed team at home wins by a margin that grows with the gap
        between their places in ``teams``), the rest are to come, with a line."""
        n = len(teams)
        for week in range(1, weeks + 1):
            order = teams[:1] + teams[1:][week % (n - 1):] + teams[1:][:week % (n - 1)]
            for i in range(n // 2):
                home, away = order[i], order[n - 1 - i]
                gap = teams.index(away) - teams.index(home)
                played = week <= weeks_played
                self.game(season, week, home, away,
                          score=(24 + 3 * gap, 20) if played and gap > 0 else
                          (20, 24 - 3 * gap) if played else None,
                          spread=-2.5 - 3 * gap, over_under=48.5)
        return self

    def write(self, folder: Path) -> Path:
        """Write games.csv, team_games.csv.gz, team_seasons.csv and talent.csv; returns
        ``folder``."""
        folder.mkdir(parents=True, exist_ok=True)
        self._write_games(folder / "games.csv")
        self._write_team_games(folder / "team_games.csv.gz")
        seasons = sorted({g.season for g in self.games})
        with (folder / "team_seasons.csv").open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow([c.name for c in TEAM_SEASONS.columns])
            for season in seasons:
                for team, conference in sorted(self.conferences.items()):
                    writer.writerow([season, team, conference, "True", "False"])
        with (folder / "talent.csv").open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow([c.name for c in TALENT.columns])
            for team in sorted(self.conferences):
                writer.writerow([seasons[-1], team, 700.0, "test"])
        return folder

    def _write_games(self, path: Path) -> None:
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, [c.name for c in GAMES.columns])
            writer.writeheader()
            for i, g in enumerate(self.games):
                day = g.day or date(g.season, 9, 1)
                conf_home, conf_away = self.conferences[g.home], self.conferences[g.away]
                writer.writerow({
                    "game_id": g.game_id, "season": g.season, "week": g.week,
                    "season_type": g.season_type,
                    "start_date": f"{day.isoformat()}T{17 + i % 5:02d}:00:00Z",
                    "game_date": day.isoformat(), "neutral_site": str(g.neutral),
                    "conference_game": str(conf_home == conf_away and g.season_type == "regular"),
                    "home_team": g.home, "home_id": 1000 + sorted(self.conferences).index(g.home),
                    "home_conference": conf_home, "home_division": "fbs",
                    "away_team": g.away, "away_id": 1000 + sorted(self.conferences).index(g.away),
                    "away_conference": conf_away, "away_division": "fbs",
                    "home_points": "" if g.home_points is None else g.home_points,
                    "away_points": "" if g.away_points is None else g.away_points,
                    "spread": "" if g.spread is None else g.spread,
                    "over_under": "" if g.over_under is None else g.over_under,
                    "spread_source": "" if g.spread is None else "test",
                    "points_source": "" if g.home_points is None else "test",
                })

    def _write_team_games(self, path: Path) -> None:
        stats = [f"{side}_{stat}" for side in ("offense", "defense") for stat in ADVANCED_STATS]
        box = ["total_yards", "rushing_yards", "net_passing_yards"]
        header = [c.name for c in TEAM_GAMES.columns] + box + stats
        with gzip.open(path, "wt", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(header)
            for g in self.games:
                if g.home_points is None or g.away_points is None:
                    continue
                for team, opp, pf, pa, where in ((g.home, g.away, g.home_points, g.away_points,
                                                  "home"),
                                                 (g.away, g.home, g.away_points, g.home_points,
                                                  "away")):
                    edge = (pf - pa) / 100
                    row = [g.game_id, g.season, g.week, g.season_type, team, "",
                           self.conferences[team], "fbs", opp, "", self.conferences[opp],
                           where, str(g.neutral), pf, pa, "True", "True",
                           300 + 5 * pf, 120 + 2 * pf, 180 + 3 * pf]
                    row += [round(0.1 + edge, 3) if side == "offense" else round(0.1 - edge, 3)
                            for side in ("offense", "defense") for _ in ADVANCED_STATS]
                    writer.writerow(row)
