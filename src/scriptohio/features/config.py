"""Tunable constants of the pregame features, as one frozen configuration object.

Values were chosen on the 2022-2023 seasons only (never on the 2024-2025 test seasons).
"""

from __future__ import annotations

from dataclasses import dataclass

#: Name of the pseudo team standing in for every non-FBS (FCS, Division II/III) opponent.
FCS_TEAM = "(FCS)"

#: The opponent-adjusted statistics: (short name, team_games offence column, higher_is_better).
ADJUSTED_STATS: tuple[tuple[str, str, bool], ...] = (
    ("ppa", "offense_ppa", True),
    ("success_rate", "offense_success_rate", True),
    ("explosiveness", "offense_explosiveness", True),
    ("rush_ppa", "offense_rushing_plays_ppa", True),
    ("pass_ppa", "offense_passing_plays_ppa", True),
    ("line_yards", "offense_line_yards", True),
    ("stuff_rate", "offense_stuff_rate", False),
)


@dataclass(frozen=True, slots=True)
class EloConfig:
    """Elo with a margin-of-victory multiplier (FiveThirtyEight style)."""

    mean: float = 1500.0
    k: float = 28.0
    home_field: float = 60.0  # Elo points at a true home game, none at a neutral site
    season_regression: float = 0.3  # share pulled back to the mean between seasons
    new_team: float = 1300.0  # a team new to FBS starts below the FBS mean
    fcs_start: float = 1150.0
    points_per_elo: float = 1.0 / 25.0  # only for the display margin of the Elo baseline


@dataclass(frozen=True, slots=True)
class RatingConfig:
    """Least-squares (SRS/Massey) margin ratings with a prior from last season."""

    margin_cap: float = 35.0
    prior_weight: float = 8.0  # the prior counts like this many games
    # Last season's (centred) rating times this is the prior. Above 1 was best on 2022-2023:
    # the final ratings are themselves ridge-shrunk and margin-capped, so they understate
    # the spread of true strengths, and program strength persists across seasons.
    prior_shrink: float = 1.3
    home_field_prior: float = 2.5
    home_field_weight: float = 40.0
    fcs_prior: float = -22.0
    new_team_prior: float = -8.0


@dataclass(frozen=True, slots=True)
class EfficiencyConfig:
    """Ridge opponent adjustment of per-game efficiency statistics."""

    prior_weight: float = 3.0
    prior_shrink: float = 0.9


@dataclass(frozen=True, slots=True)
class FeatureConfig:
    """Every knob of the feature pipeline."""

    elo: EloConfig = EloConfig()
    ratings: RatingConfig = RatingConfig()
    efficiency: EfficiencyConfig = EfficiencyConfig()
    rest_cap_days: float = 14.0
    #: Probability that a game with unknown ``neutral_site`` is neutral, by season type.
    unknown_neutral_regular: float = 0.03
    unknown_neutral_postseason: float = 0.9


DEFAULT_FEATURE_CONFIG = FeatureConfig()
