"""The feature vector of one game, home team's point of view, from a pregame snapshot.

Differences (home − away) keep the models symmetric and small. Talent is *not* a model
feature: before 2025 the sources only hold talent for teams that went on to play a bowl
game, so its mere presence would leak the season's outcome; it is shown in ratings only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scriptohio.features.config import ADJUSTED_STATS, FCS_TEAM
from scriptohio.features.snapshot import Snapshot

#: The preseason rating's extra weight fades out over this many games.
EARLY_GAMES = 6.0

FEATURE_NAMES: tuple[str, ...] = (
    "elo_diff",
    "home_field",
    "srs_diff",
    "prior_srs_diff",
    "prior_srs_diff_early",
    *(f"net_{name}" for name, _, _ in ADJUSTED_STATS),
    "conference_game",
    "rest_diff",
    "postseason",
    "min_games_played",
    "home_fcs",
    "away_fcs",
)


@dataclass(frozen=True, slots=True)
class MatchupContext:
    """Game facts that are not team strength (arrays, one entry per game)."""

    home_field: np.ndarray
    conference_game: np.ndarray
    rest_diff: np.ndarray
    postseason: np.ndarray


def matchup_matrix(snap: Snapshot, home: np.ndarray, away: np.ndarray, ctx: MatchupContext
                   ) -> np.ndarray:
    """Feature rows (n, len(FEATURE_NAMES)) for games between team indices ``home``/``away``."""
    fcs = snap.index[FCS_TEAM]
    games = np.minimum(snap.games_played[home], snap.games_played[away]).astype(float)
    prior = snap.srs_prior[home] - snap.srs_prior[away]
    net = (snap.eff_off[home] + snap.eff_def[away]) - (snap.eff_off[away] + snap.eff_def[home])
    cols = [
        snap.elo[home] - snap.elo[away],
        ctx.home_field,
        snap.srs[home] - snap.srs[away],
        prior,
        prior * np.clip(1.0 - games / EARLY_GAMES, 0.0, 1.0),
        *net.T,
        ctx.conference_game,
        ctx.rest_diff,
        ctx.postseason,
        games,
        (home == fcs).astype(float),
        (away == fcs).astype(float),
    ]
    return np.column_stack(cols).astype(float)
