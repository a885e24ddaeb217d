"""Team ratings as published: values with national percentiles among FBS teams."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import rankdata

from scriptohio.features.config import ADJUSTED_STATS, FCS_TEAM
from scriptohio.features.snapshot import Snapshot


@dataclass(frozen=True, slots=True)
class Rated:
    """A value and its national percentile (0-100, 100 = best among FBS teams)."""

    value: float
    percentile: float


@dataclass(frozen=True, slots=True)
class TeamRating:
    """One team's pregame ratings at a snapshot.

    ``off_*`` are the opponent-adjusted values the offence produces per play; ``def_*`` what
    the defence allows per play (lower is better, the percentile accounts for it).
    """

    team: str
    conference: str | None
    season: int
    games_played: int
    elo: Rated
    srs: Rated
    off_eff: Rated
    def_eff: Rated
    off_success_rate: Rated
    def_success_rate: Rated
    off_explosiveness: Rated
    def_explosiveness: Rated
    off_rush_ppa: Rated
    def_rush_ppa: Rated
    off_pass_ppa: Rated
    def_pass_ppa: Rated
    off_line_yards: Rated
    def_line_yards: Rated
    off_stuff_rate: Rated
    def_stuff_rate: Rated
    talent: float | None


def percentiles(values: np.ndarray, higher_is_better: bool = True) -> np.ndarray:
    """Share of the other teams a value beats, 0-100 (ties count half)."""
    v = values if higher_is_better else -values
    n = len(v)
    if n < 2:
        return np.full(n, 50.0)
    # average rank - 1 == (teams below) + (ties other than itself) / 2
    return 100.0 * (rankdata(v, method="average") - 1.0) / (n - 1)


_STAT_FIELDS = {"ppa": "eff", "success_rate": "success_rate", "explosiveness": "explosiveness",
                "rush_ppa": "rush_ppa", "pass_ppa": "pass_ppa", "line_yards": "line_yards",
                "stuff_rate": "stuff_rate"}


def team_ratings(snap: Snapshot, season: int, conferences: dict[str, str | None],
                 talent: dict[str, float]) -> list[TeamRating]:
    """Ratings of every FBS team in ``snap``, best SRS first."""
    fbs = np.array([i for i, t in enumerate(snap.teams) if t != FCS_TEAM], dtype=np.int64)
    cols: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def add(name: str, values: np.ndarray, higher: bool) -> None:
        cols[name] = (values, percentiles(values, higher))

    add("elo", snap.elo[fbs], True)
    add("srs", snap.srs[fbs], True)
    for s, (short, _, higher) in enumerate(ADJUSTED_STATS):
        field_name = _STAT_FIELDS[short]
        add(f"off_{field_name}", snap.eff_mean[s] + snap.eff_off[fbs, s], higher)
        add(f"def_{field_name}", snap.eff_mean[s] + snap.eff_def[fbs, s], not higher)
    out = []
    for j, i in enumerate(fbs.tolist()):
        team = snap.teams[i]
        rated = {k: Rated(float(v[j]), round(float(p[j]), 1)) for k, (v, p) in cols.items()}
        out.append(TeamRating(
            team=team, conference=conferences.get(team), season=season,
            games_played=int(snap.games_played[i]), talent=talent.get(team), **rated,
        ))
    out.sort(key=lambda r: -r.srs.value)
    return out
