"""What every analytics agent reads: the data, the features and the predictor, plus the
rules for turning a caller's season/week into a valid point in time.

"Now" for the service is the data: the current season is the latest season in the data and the
current week is the first week of that season with an unplayed game (the next slate).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from scriptohio.data.dataset import Dataset
from scriptohio.errors import OutOfRangeError
from scriptohio.features import FeatureStore

if TYPE_CHECKING:
    from scriptohio.models import Predictor


@dataclass(frozen=True, slots=True)
class WeekRef:
    season: int
    week: int | None  # None = after the season's last game
    season_type: str = "regular"

    def label(self) -> str:
        if self.week is None:
            return f"{self.season} final"
        return f"{self.season} {self.season_type} week {self.week}"


@dataclass(frozen=True, eq=False)
class AnalyticsContext:
    """An immutable view for one data version; the service swaps it after an ingest."""

    dataset: Dataset
    features: FeatureStore
    predictor: Predictor

    @property
    def data_version(self) -> int:
        return self.dataset.version

    @cached_property
    def current(self) -> WeekRef:
        games = self.dataset.games
        season = games.seasons[-1]
        rows = np.concatenate([games.rows_for_week(season, w) for w in games.weeks(season)])
        unplayed = rows[np.isnan(games.cols["home_points"][rows])]
        if len(unplayed):
            return WeekRef(season, int(games.cols["week"][unplayed].min()))
        return WeekRef(season, None)

    def require_team(self, name: str) -> str:
        """The canonical name, or :class:`UnknownTeamError` / :class:`AmbiguousError`."""
        if name in self.dataset.games.teams:
            return name
        return self.dataset.teams.require(name)

    def season_range(self) -> tuple[int, int]:
        seasons = self.dataset.games.seasons
        return seasons[0], seasons[-1]

    def week_ref(self, season: int | None, week: int | None, season_type: str = "regular"
                 ) -> WeekRef:
        """Validate ``season``/``week`` against the data; ``None`` means the current one."""
        lo, hi = self.season_range()
        if season is None:
            season = self.current.season
            if week is None:
                return self.current if season_type == "regular" else WeekRef(season, 1,
                                                                               season_type)
        if not lo <= season <= hi:
            raise OutOfRangeError(f"season must be between {lo} and {hi}, not {season}",
                                  valid_range=(lo, hi))
        if week is None:
            return WeekRef(season, None, season_type)
        weeks = self.dataset.games.weeks(season, season_type)
        if not weeks:
            raise OutOfRangeError(f"season {season} has no {season_type} games")
        if not weeks[0] <= week <= weeks[-1] + (1 if season_type == "regular" else 0):
            raise OutOfRangeError(
                f"{season_type} week must be between {weeks[0]} and {weeks[-1]} in {season}, "
                f"not {week}", valid_range=(weeks[0], weeks[-1]))
        return WeekRef(season, week, season_type)
