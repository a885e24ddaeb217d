"""Point-scale ratings and records, shared by rankings, profiles and comparisons.

Three views of team strength are put on one scale (points better than an average FBS team on a
neutral field) and averaged into the **ensemble rating**:

* least-squares (SRS-style) rating: already in points;
* Elo: ``(elo - FBS mean) / 25`` (25 Elo points ≈ one point of margin);
* efficiency: ``(adjusted offensive PPA/play - adjusted PPA/play allowed) × 65 plays``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scriptohio.agents.context import AnalyticsContext, WeekRef
from scriptohio.features import TeamRating

ELO_PER_POINT = 25.0
PLAYS_PER_GAME = 65.0
METHODS = ("ensemble", "elo", "srs", "efficiency")


@dataclass(frozen=True, slots=True)
class Record:
    wins: int
    losses: int
    points_for: int
    points_against: int

    @property
    def games(self) -> int:
        return self.wins + self.losses

    def as_text(self) -> str:
        return f"{self.wins}-{self.losses}"


def point_ratings(ratings: list[TeamRating]) -> dict[str, dict[str, float]]:
    """Per team: ``srs``, ``elo``, ``efficiency`` and ``ensemble`` ratings in points."""
    if not ratings:
        return {}
    elo_mean = float(np.mean([r.elo.value for r in ratings]))
    out: dict[str, dict[str, float]] = {}
    for r in ratings:
        views = {
            "srs": r.srs.value,
            "elo": (r.elo.value - elo_mean) / ELO_PER_POINT,
            "efficiency": (r.off_eff.value - r.def_eff.value) * PLAYS_PER_GAME,
        }
        finite = [v for v in views.values() if np.isfinite(v)]
        views["ensemble"] = float(np.mean(finite)) if finite else float("nan")
        out[r.team] = views
    return out


def record_before(ctx: AnalyticsContext, team: str, ref: WeekRef) -> Record:
    """The team's record in ``ref.season`` from games played before ``ref``."""
    games = ctx.dataset.games
    c = games.cols
    rows = games.rows_for_team(team, ref.season)
    cutoff = cutoff_of(ctx, ref)
    wins = losses = pf = pa = 0
    for row in rows.tolist():
        if c["kickoff"][row] >= cutoff or np.isnan(c["home_points"][row]):
            continue
        home = c["home_team"][row] == team
        mine = c["home_points"][row] if home else c["away_points"][row]
        theirs = c["away_points"][row] if home else c["home_points"][row]
        pf += int(mine)
        pa += int(theirs)
        wins += int(mine > theirs)
        losses += int(mine < theirs)
    return Record(wins, losses, pf, pa)


def cutoff_of(ctx: AnalyticsContext, ref: WeekRef) -> float:
    """Kickoff (epoch s) before which games count for ``ref`` (inf: the whole season)."""
    if ref.week is None:
        return float("inf")
    games = ctx.dataset.games
    rows = games.rows_for_week(ref.season, ref.week, ref.season_type)
    if len(rows):
        return float(games.cols["kickoff"][rows].min())
    return float(ctx.features.snapshot(ref.season, ref.week, ref.season_type).cutoff)
