"""Elo ratings with a margin-of-victory multiplier, home field and season regression.

Pure functions over a plain ``dict[str, float]`` state so the season builder can copy the
state at each week boundary (what incremental recompute restarts from).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from scriptohio.features.config import FCS_TEAM, EloConfig

EloState = dict[str, float]


def expected_home(diff: float, home_field: float, cfg: EloConfig) -> float:
    """Home win expectancy given ``diff`` = home − away Elo and the home-field share (0..1)."""
    return 1.0 / (1.0 + 10.0 ** (-(diff + cfg.home_field * home_field) / 400.0))


def mov_multiplier(margin: float, winner_diff: float) -> float:
    """Damp blowouts (log) and autocorrelation (big favourites win big): FiveThirtyEight's form."""
    return math.log(abs(margin) + 1.0) * 2.2 / (winner_diff * 0.001 + 2.2)


def rating_of(state: Mapping[str, float], team: str, cfg: EloConfig) -> float:
    """Current rating; a team never seen starts as a new FBS team (or as the FCS pool)."""
    if team in state:
        return state[team]
    return cfg.fcs_start if team == FCS_TEAM else cfg.new_team


def update(
    state: EloState, home: str, away: str, margin: float, home_field: float, cfg: EloConfig
) -> None:
    """Apply one result (``margin`` = home − away points) to ``state`` in place."""
    rh, ra = rating_of(state, home, cfg), rating_of(state, away, cfg)
    diff = rh - ra + cfg.home_field * home_field
    exp = expected_home(rh - ra, home_field, cfg)
    actual = 1.0 if margin > 0 else 0.0 if margin < 0 else 0.5
    winner_diff = diff if margin > 0 else -diff if margin < 0 else 0.0
    mult = mov_multiplier(margin, winner_diff) if margin != 0 else 1.0
    delta = cfg.k * mult * (actual - exp)
    state[home] = rh + delta
    state[away] = ra - delta


def new_season(state: Mapping[str, float], fbs_teams: Iterable[str], cfg: EloConfig) -> EloState:
    """Regress every known team toward the mean; the FCS pool keeps its own level."""
    out: EloState = {}
    for team, rating in state.items():
        target = cfg.fcs_start if team == FCS_TEAM else cfg.mean
        out[team] = target + (rating - target) * (1.0 - cfg.season_regression)
    for team in fbs_teams:
        out.setdefault(team, cfg.new_team)
    return out
