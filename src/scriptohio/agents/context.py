"""What every analytics agent reads: the data, the features and the predictor, plus the
rules for turning a caller's season/week into a valid point in time.

"Now" for the service is the data: the current season is the latest season in the data and the
current week is the first week of that season with an unplayed game (the next slate).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from scriptohio.data.dataset import Dataset
from scriptohio.errors import NoSuchWeekError, OutOfRangeError
from scriptohio.features import FeatureStore

if TYPE_CHECKING:
    from scriptohio.models import Predictor
    from scriptohio.models.totals import TotalsModel


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
    def totals(self) -> TotalsModel:
        """Total points per game of this data version (fitted on first use, < 1 s)."""
        from scriptohio.models.totals import TotalsModel

        return TotalsModel.fit(self.dataset)

    @cached_property
    def current(self) -> WeekRef:
        games = self.dataset.games
        season = games.seasons[-1]
        rows = np.concatenate([games.rows_for_week(season, w) for w in games.weeks(season)])
        unplayed = rows[np.isnan(games.cols["home_points"][rows])]
        if len(unplayed):
            return WeekRef(season, int(games.cols["week"][unplayed].min()))
        return WeekRef(season, None)

    def as_of(self, ref: WeekRef) -> str:
        """The point in time an answer's data comes from, said the same way everywhere.

        "2025 season through week 9 (games to 2025-11-01)" for a season in progress at
        ``ref`` (whether asked as "before week 10" or as the season so far), "end of the
        2024 season" once every game of it is played, "start of the 2025 season" before any.
        """
        memo: dict[WeekRef, str] = self.memo("as_of")
        said = memo.get(ref)
        if said is None:
            said = memo[ref] = self._point_in_time(ref)
        return said

    def memo(self, name: str) -> dict[Any, Any]:
        """A dict for values derived from this data version (it goes with the context)."""
        return self._memos.setdefault(name, {})

    @cached_property
    def _memos(self) -> dict[str, dict[Any, Any]]:
        return {}

    def _point_in_time(self, ref: WeekRef) -> str:
        games = self.dataset.games
        c = games.cols
        rows = np.concatenate([games.rows_for_week(ref.season, w, t)
                               for t in ("regular", "postseason")
                               for w in games.weeks(ref.season, t)]
                              or [np.empty(0, dtype=np.int64)])
        cutoff = np.inf
        if ref.week is not None:
            week_rows = games.rows_for_week(ref.season, ref.week, ref.season_type)
            if len(week_rows):
                cutoff = float(c["kickoff"][week_rows].min())
        before = rows[c["kickoff"][rows] < cutoff]
        played = before[~np.isnan(c["home_points"][before])]
        if not len(played):
            return f"start of the {ref.season} season"
        # A past season is over even where the data lacks some scores (2004-2013 gaps).
        over = ref.season < games.seasons[-1] and len(before) == len(rows)
        if over or len(played) == len(rows):
            return f"end of the {ref.season} season"
        last = played[np.argmax(c["kickoff"][played])]
        date = c["game_date"][last]
        if c["season_type"][last] == "postseason":
            return f"{ref.season} season through the postseason games to {date}"
        if ref.season_type == "postseason" and len(played) == len(before):
            return f"{ref.season} regular season, before the postseason (games to {date})"
        return f"{ref.season} season through week {int(c['week'][last])} (games to {date})"

    def require_team(self, name: str) -> str:
        """The canonical name, or :class:`UnknownTeamError` / :class:`AmbiguousError`."""
        if name in self.dataset.games.teams:
            return name
        return self.dataset.teams.require(name)

    def season_range(self) -> tuple[int, int]:
        seasons = self.dataset.games.seasons
        return seasons[0], seasons[-1]

    def week_range(self) -> tuple[int, int]:
        """The weeks any season may have: the OpenAPI document's bounds (one past the last
        regular week, a season's "before the postseason")."""
        memo: dict[str, tuple[int, int]] = self.memo("week_range")
        found = memo.get("all")
        if found is None:
            games = self.dataset.games
            weeks = [w for s in games.seasons for w in games.weeks(s)]
            found = memo["all"] = (min(weeks), max(weeks) + 1)
        return found

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
            lo_week, hi_week = self.week_range()
            if not lo_week <= week <= hi_week:  # no season has it: the schema refuses it too
                raise OutOfRangeError(f"week must be between {lo_week} and {hi_week}, "
                                      f"not {week}", valid_range=(lo_week, hi_week))
            raise NoSuchWeekError(
                f"{season} has no {season_type} week {week}: its {season_type} weeks are "
                f"{weeks[0]} to {weeks[-1]}", valid_range=(weeks[0], weeks[-1]))
        return WeekRef(season, week, season_type)
