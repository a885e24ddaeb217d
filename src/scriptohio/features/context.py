"""Per-game facts that are not team strength: rest days, conference game, home-field share."""

from __future__ import annotations

import numpy as np

from scriptohio.data.tables import Games
from scriptohio.features.config import FeatureConfig
from scriptohio.features.matchup import MatchupContext
from scriptohio.features.season import home_field_share

DAY = 86400.0


def rest_days(games: Games, cap: float) -> tuple[np.ndarray, np.ndarray]:
    """Days since each side's previous game of the season (``cap`` for a season opener)."""
    c = games.cols
    home = np.full(games.n, cap)
    away = np.full(games.n, cap)
    for team in games.teams:
        for season in games.seasons:
            rows = games.rows_for_team(team, season)
            if len(rows) < 2:
                continue
            kick = c["kickoff"][rows]
            gaps = np.minimum(np.diff(kick) / DAY, cap)
            for row, gap in zip(rows[1:].tolist(), gaps.tolist(), strict=True):
                if c["home_team"][row] == team:
                    home[row] = gap
                else:
                    away[row] = gap
    return home, away


def game_context(games: Games, cfg: FeatureConfig) -> MatchupContext:
    """Context of every game row of ``games``."""
    c = games.cols
    post = (c["season_type"] == "postseason").astype(float)
    home_rest, away_rest = rest_days(games, cfg.rest_cap_days)
    conf = np.nan_to_num(c["conference_game"].astype(float), nan=0.0)
    return MatchupContext(
        home_field=home_field_share(c["neutral_site"].astype(float), post > 0, cfg),
        conference_game=conf,
        rest_diff=home_rest - away_rest,
        postseason=post,
    )


def hypothetical_context(
    neutral: bool | None, same_conference: bool, postseason: bool, cfg: FeatureConfig
) -> MatchupContext:
    """Context of a game that is not in the schedule (rest unknown: taken as equal)."""
    n = np.array([np.nan if neutral is None else float(neutral)])
    return MatchupContext(
        home_field=home_field_share(n, np.array([postseason]), cfg),
        conference_game=np.array([float(same_conference and not postseason)]),
        rest_diff=np.zeros(1),
        postseason=np.array([float(postseason)]),
    )
