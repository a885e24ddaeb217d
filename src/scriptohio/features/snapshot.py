"""Team states at week boundaries: what was known before each week of a season kicked off.

A :class:`Snapshot` holds every team's Elo, least-squares rating and adjusted efficiency from
the games that kicked off before the week's first kickoff (``cutoff``). Elo is sequential, so
each snapshot also keeps the full Elo state to restart an incremental rebuild from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from scriptohio.features import elo
from scriptohio.features.adjusted import solve_adjusted
from scriptohio.features.config import ADJUSTED_STATS, FCS_TEAM, FeatureConfig
from scriptohio.features.massey import solve_ratings
from scriptohio.features.season import SeasonFrame, WeekKey

#: Key of the snapshot after every played game of a season.
FINAL = "final"
N_STATS = len(ADJUSTED_STATS)


@dataclass(frozen=True, eq=False)
class Snapshot:
    """Pregame team states of one season at one cutoff."""

    key: WeekKey
    cutoff: int
    teams: tuple[str, ...]
    index: dict[str, int]
    elo: np.ndarray
    srs: np.ndarray
    home_field_points: float
    eff_mean: np.ndarray
    eff_off: np.ndarray  # (T, S) deviation from eff_mean, higher = more of the stat
    eff_def: np.ndarray  # (T, S) what the defence allows, deviation from eff_mean
    games_played: np.ndarray
    srs_prior: np.ndarray  # the season's preseason rating (last season's, carried over)
    elo_state: dict[str, float] = field(repr=False)

    def team_index(self, team: str) -> int:
        return self.index.get(team, self.index[FCS_TEAM])

    def same_values(self, other: Snapshot) -> bool:
        """True when every published number is equal (used to report what changed)."""
        return (
            self.teams == other.teams
            and np.allclose(self.elo, other.elo, atol=1e-9)
            and np.allclose(self.srs, other.srs, atol=1e-9)
            and np.allclose(self.eff_off, other.eff_off, atol=1e-12)
            and np.allclose(self.eff_def, other.eff_def, atol=1e-12)
            and np.array_equal(self.games_played, other.games_played)
        )


@dataclass(frozen=True, eq=False)
class SeasonPrior:
    """What a season starts from: the previous season's final states, shrunk."""

    elo_state: dict[str, float]
    srs: dict[str, float]
    eff_mean: np.ndarray
    eff_off: dict[str, np.ndarray]
    eff_def: dict[str, np.ndarray]

    @staticmethod
    def empty() -> SeasonPrior:
        return SeasonPrior({}, {}, np.full(N_STATS, np.nan), {}, {})


def next_prior(final: Snapshot, next_fbs: frozenset[str], cfg: FeatureConfig) -> SeasonPrior:
    """The prior of the following season, from this season's final snapshot."""
    fbs_mask = np.array([t != FCS_TEAM for t in final.teams])
    srs = final.srs - (final.srs[fbs_mask].mean() if fbs_mask.any() else 0.0)
    shrink_r, shrink_e = cfg.ratings.prior_shrink, cfg.efficiency.prior_shrink
    return SeasonPrior(
        elo_state=elo.new_season(final.elo_state, next_fbs, cfg.elo),
        srs={t: float(v) * (1.0 if t == FCS_TEAM else shrink_r)
             for t, v in zip(final.teams, srs, strict=True)},
        eff_mean=final.eff_mean.copy(),
        eff_off={t: final.eff_off[i] * shrink_e for i, t in enumerate(final.teams)},
        eff_def={t: final.eff_def[i] * shrink_e for i, t in enumerate(final.teams)},
    )


def _prior_arrays(frame: SeasonFrame, prior: SeasonPrior, cfg: FeatureConfig
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rc = cfg.ratings
    srs = np.array([
        prior.srs.get(t, rc.fcs_prior if t == FCS_TEAM else rc.new_team_prior)
        for t in frame.teams
    ])
    zero = np.zeros(N_STATS)
    off = np.array([prior.eff_off.get(t, zero) for t in frame.teams]).reshape(-1, N_STATS)
    dfn = np.array([prior.eff_def.get(t, zero) for t in frame.teams]).reshape(-1, N_STATS)
    mean = prior.eff_mean
    if np.isnan(mean).any():
        mean = frame.tg_values.mean(axis=0) if len(frame.tg_values) else np.zeros(N_STATS)
    return srs, off, dfn, mean


def build_snapshots(
    frame: SeasonFrame,
    prior: SeasonPrior,
    cfg: FeatureConfig,
    *,
    restart: Snapshot | None = None,
) -> list[Snapshot]:
    """Snapshots of every week of ``frame`` (in cutoff order) and a final one, last.

    With ``restart`` (an old snapshot of this season), Elo resumes from its stored state and
    only weeks whose cutoff is at or after ``restart.cutoff`` are built.
    """
    srs_prior, off_prior, def_prior, mean_prior = _prior_arrays(frame, prior, cfg)
    played = ~np.isnan(frame.margin)
    if restart is None:
        state = dict(prior.elo_state)
        for team in frame.teams:
            state.setdefault(team, elo.rating_of(state, team, cfg.elo))
        first_cutoff = np.iinfo(np.int64).min
    else:
        state = dict(restart.elo_state)
        first_cutoff = restart.cutoff
    applied = int(np.searchsorted(frame.kickoff, first_cutoff, side="left"))
    cutoffs = [(k, int(s)) for k, s in zip(frame.week_keys, frame.week_starts.tolist(),
                                          strict=True) if s >= first_cutoff]
    cutoffs.append(((frame.season, FINAL, 0), int(np.iinfo(np.int64).max)))
    out: list[Snapshot] = []
    for key, cutoff in cutoffs:
        end = int(np.searchsorted(frame.kickoff, cutoff, side="left"))
        for g in range(applied, end):
            if played[g]:
                elo.update(state, frame.teams[frame.home_idx[g]], frame.teams[frame.away_idx[g]],
                           float(frame.margin[g]), float(frame.home_field[g]), cfg.elo)
        applied = end
        done = played[:end]
        h, a = frame.home_idx[:end][done], frame.away_idx[:end][done]
        srs, hfp = solve_ratings(h, a, frame.margin[:end][done], frame.home_field[:end][done],
                                 srs_prior, cfg.ratings)
        n_tg = int(np.searchsorted(frame.tg_kickoff, cutoff, side="left"))
        mean, off, dfn = solve_adjusted(
            frame.tg_off[:n_tg], frame.tg_def[:n_tg], frame.tg_values[:n_tg],
            off_prior, def_prior, mean_prior, cfg.efficiency.prior_weight,
        )
        gp = np.bincount(np.concatenate([h, a]), minlength=len(frame.teams))
        out.append(Snapshot(
            key=key, cutoff=cutoff, teams=frame.teams, index=frame.index,
            elo=np.array([elo.rating_of(state, t, cfg.elo) for t in frame.teams]),
            srs=srs, home_field_points=hfp, eff_mean=mean, eff_off=off, eff_def=dfn,
            games_played=gp, srs_prior=srs_prior, elo_state=dict(state),
        ))
    return out
