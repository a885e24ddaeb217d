"""One season's inputs, indexed for the weekly rebuild: teams, games and team-game stats.

A :class:`SeasonFrame` is built from the dataset once per (re)build. Teams are the season's
FBS teams plus one pseudo team (:data:`FCS_TEAM`) standing in for every lower-division
opponent: they play too few FBS games to be rated one by one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scriptohio.data.dataset import Dataset
from scriptohio.features.config import ADJUSTED_STATS, FCS_TEAM, FeatureConfig

WeekKey = tuple[int, str, int]
SEASON_TYPE_ORDER = {"regular": 0, "postseason": 1}


def home_field_share(neutral: np.ndarray, postseason: np.ndarray, cfg: FeatureConfig) -> np.ndarray:
    """1 at a true home game, 0 at a neutral site, the expected share when unknown (NaN)."""
    unknown = np.where(postseason, cfg.unknown_neutral_postseason, cfg.unknown_neutral_regular)
    p_neutral = np.where(np.isnan(neutral), unknown, neutral)
    return 1.0 - p_neutral


@dataclass(frozen=True, eq=False)
class SeasonFrame:
    """Indexed inputs of one season (arrays are in kickoff order)."""

    season: int
    teams: tuple[str, ...]
    index: dict[str, int]
    week_keys: tuple[WeekKey, ...]  # sorted by start
    week_starts: np.ndarray  # int64 epoch seconds, aligned with week_keys
    game_rows: np.ndarray  # rows of dataset.games
    home_idx: np.ndarray
    away_idx: np.ndarray
    kickoff: np.ndarray
    margin: np.ndarray  # NaN = unplayed
    home_field: np.ndarray
    tg_kickoff: np.ndarray
    tg_off: np.ndarray
    tg_def: np.ndarray
    tg_values: np.ndarray  # (rows, S), complete rows only

    def team_index(self, team: str) -> int:
        """Index of ``team``; every non-FBS team maps to the pseudo team."""
        return self.index.get(team, self.index[FCS_TEAM])


def build_frame(dataset: Dataset, season: int, cfg: FeatureConfig) -> SeasonFrame:
    """Index one season of ``dataset``."""
    games = dataset.games
    c = games.cols
    fbs = sorted(dataset.fbs_teams_by_season.get(season, frozenset()))
    teams = (*fbs, FCS_TEAM)
    index = {t: i for i, t in enumerate(teams)}
    fcs = index[FCS_TEAM]
    rows = np.flatnonzero(c["season"] == season)
    home = np.array([index.get(t, fcs) for t in c["home_team"][rows].tolist()], dtype=np.int64)
    away = np.array([index.get(t, fcs) for t in c["away_team"][rows].tolist()], dtype=np.int64)
    post = c["season_type"][rows] == "postseason"
    keys = list(zip(c["season_type"][rows].tolist(), c["week"][rows].tolist(), strict=True))
    starts: dict[WeekKey, int] = {}
    for (stype, week), kick in zip(keys, c["kickoff"][rows].tolist(), strict=True):
        key = (season, stype, week)
        starts[key] = min(starts.get(key, kick), kick)
    ordered = sorted(starts, key=lambda k: (starts[k], SEASON_TYPE_ORDER.get(k[1], 2), k[2]))

    tg = dataset.team_games.cols
    tg_rows = np.flatnonzero(tg["season"] == season)
    values = np.column_stack([tg[col][tg_rows] for _, col, _ in ADJUSTED_STATS]).astype(float)
    complete = ~np.isnan(values).any(axis=1)
    tg_rows, values = tg_rows[complete], values[complete]
    kick_by_game = dict(zip(c["game_id"][rows].tolist(), c["kickoff"][rows].tolist(), strict=True))
    tg_kick = np.array([kick_by_game.get(g, 2**62) for g in tg["game_id"][tg_rows].tolist()],
                       dtype=np.int64)
    tg_off = np.array([index.get(t, fcs) for t in tg["team"][tg_rows].tolist()], dtype=np.int64)
    tg_def = np.array([index.get(t, fcs) for t in tg["opponent"][tg_rows].tolist()],
                      dtype=np.int64)
    order = np.argsort(tg_kick, kind="stable")
    return SeasonFrame(
        season=season,
        teams=teams,
        index=index,
        week_keys=tuple(ordered),
        week_starts=np.array([starts[k] for k in ordered], dtype=np.int64),
        game_rows=rows,
        home_idx=home,
        away_idx=away,
        kickoff=c["kickoff"][rows],
        margin=games.home_margin[rows].astype(float),
        home_field=home_field_share(c["neutral_site"][rows].astype(float), post, cfg),
        tg_kickoff=tg_kick[order],
        tg_off=tg_off[order],
        tg_def=tg_def[order],
        tg_values=values[order],
    )
