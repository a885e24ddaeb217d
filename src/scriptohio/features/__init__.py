"""Pregame features: Elo, least-squares ratings, opponent-adjusted efficiency, game context.

Public surface: :class:`FeatureStore`, :class:`TeamRating`, :data:`FEATURE_NAMES`.
"""

from __future__ import annotations

from scriptohio.features.config import DEFAULT_FEATURE_CONFIG, FeatureConfig
from scriptohio.features.matchup import FEATURE_NAMES
from scriptohio.features.ratings import Rated, TeamRating
from scriptohio.features.store import FeatureStore

__all__ = [
    "DEFAULT_FEATURE_CONFIG",
    "FEATURE_NAMES",
    "FeatureConfig",
    "FeatureStore",
    "Rated",
    "TeamRating",
]
