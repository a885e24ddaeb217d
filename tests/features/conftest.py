"""A tiny hand-made schedule turned into a real :class:`Dataset` (no files needed)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from scriptohio.data.dataset import Dataset
from scriptohio.data.tables import Games, Talent, TeamGames, TeamSeasons
from scriptohio.features.config import ADJUSTED_STATS

Game = tuple[int, int, str, str, float | None, float | None, bool | None]
# (season, week, home, away, home_points, away_points, neutral)


def _games_cols(games: list[Game], fcs: set[str]) -> dict[str, np.ndarray]:
    n = len(games)
    kick = [int(datetime(s, 9, 1, 17, tzinfo=UTC).timestamp()) + w * 7 * 86400 + i
            for i, (s, w, *_rest) in enumerate(games)]
    obj = lambda vals: np.array(vals, dtype=object)  # noqa: E731
    flt = lambda vals: np.array([np.nan if v is None else float(v) for v in vals])  # noqa: E731
    return {
        "game_id": np.arange(1, n + 1, dtype=np.int64),
        "season": np.array([g[0] for g in games], dtype=np.int64),
        "week": np.array([g[1] for g in games], dtype=np.int64),
        "season_type": obj(["regular"] * n),
        "start_date": obj([None] * n),
        "game_date": obj([datetime.fromtimestamp(k, UTC).date().isoformat() for k in kick]),
        "neutral_site": flt([g[6] for g in games]),
        "conference_game": flt([0.0] * n),
        "home_team": obj([g[2] for g in games]),
        "away_team": obj([g[3] for g in games]),
        "home_conference": obj(["X"] * n),
        "away_conference": obj(["X"] * n),
        "home_division": obj(["fcs" if g[2] in fcs else "fbs" for g in games]),
        "away_division": obj(["fcs" if g[3] in fcs else "fbs" for g in games]),
        "home_points": flt([g[4] for g in games]),
        "away_points": flt([g[5] for g in games]),
        "spread": flt([None] * n),
        "over_under": flt([None] * n),
        "kickoff": np.array(kick, dtype=np.int64),
    }


def _team_games_cols(games: dict[str, np.ndarray], ppa: dict[tuple[int, str], float]
                     ) -> dict[str, np.ndarray]:
    rows: list[tuple[int, int, str, str, float]] = []
    for gid, season, home, away in zip(games["game_id"].tolist(), games["season"].tolist(),
                                       games["home_team"].tolist(), games["away_team"].tolist(),
                                       strict=True):
        for team, opp in ((home, away), (away, home)):
            if (gid, team) in ppa:
                rows.append((gid, season, team, opp, ppa[(gid, team)]))
    cols: dict[str, np.ndarray] = {
        "game_id": np.array([r[0] for r in rows], dtype=np.int64),
        "season": np.array([r[1] for r in rows], dtype=np.int64),
        "team": np.array([r[2] for r in rows], dtype=object),
        "opponent": np.array([r[3] for r in rows], dtype=object),
    }
    for _, col, _ in ADJUSTED_STATS:
        cols[col] = np.array([r[4] for r in rows], dtype=float)
    return cols


MakeDataset = Callable[..., Dataset]


@pytest.fixture()
def make_dataset() -> MakeDataset:
    """Build a Dataset from (season, week, home, away, home_pts, away_pts, neutral) tuples."""

    def build(games: list[Game], *, fcs: set[str] | None = None,
              ppa: dict[tuple[int, str], float] | None = None) -> Dataset:
        gcols = _games_cols(games, fcs or set())
        empty_ts = {"season": np.array([], dtype=np.int64), "team": np.array([], dtype=object)}
        talent = {"season": np.array([], dtype=np.int64), "team": np.array([], dtype=object),
                  "talent": np.array([], dtype=float)}
        return Dataset(data_dir=Path("."), games=Games(gcols),
                       team_games=TeamGames(_team_games_cols(gcols, ppa or {})),
                       team_seasons=TeamSeasons(empty_ts), talent=Talent(talent))

    return build


def with_games(dataset: Dataset, change: Callable[[dict[str, np.ndarray]], None]) -> Dataset:
    """A copy of ``dataset`` whose games columns were edited by ``change``."""
    cols = {k: v.copy() for k, v in dataset.games.cols.items()}
    change(cols)
    return replace(dataset, games=Games(cols))
