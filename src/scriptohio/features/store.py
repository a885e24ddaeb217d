"""The feature store: weekly pregame snapshots of every season and the feature rows of games.

Built once from a :class:`~scriptohio.data.dataset.Dataset`; :meth:`FeatureStore.update`
rebuilds only from the earliest week an ingest touched (and later seasons only if the season's
final state moved). Readers never see a half-updated store: the new state is swapped in as
one reference.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from threadpoolctl import threadpool_limits

from scriptohio.data.dataset import Dataset
from scriptohio.errors import OutOfRangeError, UnknownTeamError
from scriptohio.events import DataChanged
from scriptohio.features.config import DEFAULT_FEATURE_CONFIG, FeatureConfig
from scriptohio.features.context import game_context, hypothetical_context
from scriptohio.features.matchup import FEATURE_NAMES, MatchupContext, matchup_matrix
from scriptohio.features.ratings import TeamRating, team_ratings
from scriptohio.features.season import SEASON_TYPE_ORDER, WeekKey, build_frame
from scriptohio.features.snapshot import FINAL, SeasonPrior, Snapshot, build_snapshots, next_prior


@dataclass(frozen=True, eq=False)
class _State:
    dataset: Dataset
    snapshots: dict[int, list[Snapshot]]  # per season, cutoff order, final last
    by_key: dict[WeekKey, Snapshot]
    game_matrix: np.ndarray  # aligned with dataset.games rows
    conferences: dict[tuple[int, str], str | None]
    schedule: dict[tuple[int, str, int, str, str], int]
    ratings_cache: dict[WeekKey, list[TeamRating]] = field(default_factory=dict)


def _snapshot_lists(dataset: Dataset, seasons: list[int], cfg: FeatureConfig,
                    old: dict[int, list[Snapshot]] | None = None,
                    restart: dict[int, int] | None = None) -> dict[int, list[Snapshot]]:
    out: dict[int, list[Snapshot]] = {}
    prior = SeasonPrior.empty()
    rebuild_rest = old is None
    for season in seasons:
        old_list = (old or {}).get(season)
        cut = (restart or {}).get(season)
        if not rebuild_rest and old_list is not None and cut is None:
            out[season] = old_list
        else:
            frame = build_frame(dataset, season, cfg)
            # Resume from the last old snapshot at or before the earliest change: its Elo
            # state holds exactly the games before its cutoff, none of which changed.
            earlier = [] if rebuild_rest or cut is None else [
                s for s in (old_list or []) if s.key[1] != FINAL and s.cutoff <= cut]
            resume = earlier[-1] if earlier else None
            keep = earlier[:-1]
            new = build_snapshots(frame, prior, cfg, restart=resume)
            out[season] = keep + new
            if old_list is None or not out[season][-1].same_values(old_list[-1]):
                rebuild_rest = True  # the next season's prior moved
        fbs_next = dataset.fbs_teams_by_season.get(season + 1, frozenset())
        prior = next_prior(out[season][-1], fbs_next, cfg)
    return out


def _conferences(dataset: Dataset) -> dict[tuple[int, str], str | None]:
    c = dataset.games.cols
    out: dict[tuple[int, str], str | None] = {}
    for side in ("home", "away"):
        for s, t, conf in zip(c["season"].tolist(), c[f"{side}_team"].tolist(),
                              c[f"{side}_conference"].tolist(), strict=True):
            out[(s, t)] = conf
    return out


def _game_matrix(dataset: Dataset, by_key: dict[WeekKey, Snapshot], cfg: FeatureConfig
                 ) -> np.ndarray:
    games = dataset.games
    c = games.cols
    ctx = game_context(games, cfg)
    out = np.full((games.n, len(FEATURE_NAMES)), np.nan)
    for key, snap in by_key.items():
        rows = games.rows_for_week(key[0], key[2], key[1])
        if not len(rows):
            continue
        home = np.array([snap.team_index(t) for t in c["home_team"][rows].tolist()])
        away = np.array([snap.team_index(t) for t in c["away_team"][rows].tolist()])
        sub = MatchupContext(ctx.home_field[rows], ctx.conference_game[rows],
                             ctx.rest_diff[rows], ctx.postseason[rows])
        out[rows] = matchup_matrix(snap, home, away, sub)
    return out


def _neutral_of(st: _State, row: int) -> bool | None:
    flag = float(st.dataset.games.cols["neutral_site"][row])
    return None if flag != flag else bool(flag)


class FeatureStore:
    """Pregame features of every game and of hypothetical match-ups."""

    feature_names: tuple[str, ...] = FEATURE_NAMES

    def __init__(self, state: _State, config: FeatureConfig) -> None:
        self._state = state
        self.config = config

    @classmethod
    def build(cls, dataset: Dataset, *, config: FeatureConfig = DEFAULT_FEATURE_CONFIG
              ) -> FeatureStore:
        """Compute every season's snapshots and every game's feature row."""
        # Hundreds of small solves: BLAS threads only add contention (10x slower on 2 cores).
        with threadpool_limits(1):
            snaps = _snapshot_lists(dataset, list(dataset.games.seasons), config)
        return cls(cls._state_of(dataset, snaps, config), config)

    @staticmethod
    def _state_of(dataset: Dataset, snaps: dict[int, list[Snapshot]], cfg: FeatureConfig
                  ) -> _State:
        by_key = {s.key: s for lst in snaps.values() for s in lst}
        c = dataset.games.cols
        schedule = {key: i for i, key in enumerate(zip(
            c["season"].tolist(), c["season_type"].tolist(), c["week"].tolist(),
            c["home_team"].tolist(), c["away_team"].tolist(), strict=True))}
        return _State(dataset, snaps, by_key, _game_matrix(dataset, by_key, cfg),
                      _conferences(dataset), schedule)

    @property
    def dataset(self) -> Dataset:
        return self._state.dataset

    def update(self, dataset: Dataset, event: DataChanged) -> set[WeekKey]:
        """Recompute from the earliest touched week on; return the week keys whose features
        changed (``(season, "final", 0)`` stands for the after-the-season ratings)."""
        old = self._state
        games = dataset.games
        restart: dict[int, int] = {}
        for season, stype, week in event.weeks:
            rows = games.rows_for_week(season, week, stype)
            if len(rows):
                start = int(games.cols["kickoff"][rows].min())
                restart[season] = min(restart.get(season, start), start)
        for gid in event.game_ids:
            row = games.row_of(gid)
            if row is not None:
                season, kick = int(games.cols["season"][row]), int(games.cols["kickoff"][row])
                restart[season] = min(restart.get(season, kick), kick)
        for season in event.seasons:
            restart.setdefault(season, np.iinfo(np.int64).min)
        with threadpool_limits(1):
            snaps = _snapshot_lists(dataset, list(games.seasons), self.config, old.snapshots,
                                    restart)
        new = self._state_of(dataset, snaps, self.config)
        changed = {k for k, s in new.by_key.items()
                   if k not in old.by_key or not s.same_values(old.by_key[k])}
        changed |= {k for k in event.weeks if k in new.by_key}
        self._state = new
        return changed

    def snapshot(self, season: int, week: int | None = None, season_type: str = "regular"
                 ) -> Snapshot:
        """The pregame snapshot before (season, season_type, week); ``week=None``: final."""
        return self._snapshot_in(self._state, season, week, season_type)

    @staticmethod
    def _snapshot_in(st: _State, season: int, week: int | None, season_type: str) -> Snapshot:
        lst = st.snapshots.get(season)
        if lst is None:
            seasons = sorted(st.snapshots)
            raise OutOfRangeError(f"season {season} is not in the data",
                                  valid_range=(seasons[0], seasons[-1]))
        if week is None:
            return lst[-1]
        exact = st.by_key.get((season, season_type, week))
        if exact is not None:
            return exact
        # No game that week (bye or future): the next scheduled week has the same inputs.
        order = SEASON_TYPE_ORDER.get(season_type, 2)
        later = [s for s in lst[:-1]
                 if (SEASON_TYPE_ORDER.get(s.key[1], 2), s.key[2]) >= (order, week)]
        return min(later, key=lambda s: s.cutoff) if later else lst[-1]

    def team_ratings(self, season: int, week: int | None = None, season_type: str = "regular"
                     ) -> list[TeamRating]:
        """FBS teams' pregame ratings before that week (``None``: after the last game)."""
        st = self._state
        snap = self._snapshot_in(st, season, week, season_type)
        cached = st.ratings_cache.get(snap.key)
        if cached is None:  # snapshots are immutable: computed once per state
            conf = {t: st.conferences.get((season, t)) for t in snap.teams}
            talent = {t: v for t in snap.teams
                      if (v := st.dataset.talent.get(season, t)) is not None}
            cached = st.ratings_cache[snap.key] = team_ratings(snap, season, conf, talent)
        return list(cached)

    def game_features(self, rows: np.ndarray) -> np.ndarray:
        """Feature rows of the given ``dataset.games`` rows."""
        return self._state.game_matrix[rows]

    def require_team(self, name: str) -> str:
        """``name`` if the data knows it, else :class:`UnknownTeamError` with suggestions."""
        ds = self._state.dataset
        if name in ds.games.teams:
            return name
        raise UnknownTeamError(name, [t for t, _ in ds.teams.search(name, limit=3)])

    def matchup_vector(self, home: str, away: str, season: int, week: int | None,
                       neutral: bool | None = None, season_type: str = "regular") -> np.ndarray:
        """Features of one real or hypothetical game (a scheduled game keeps its own facts)."""
        return self.matchup_rows([(home, away, season, week, neutral, season_type)])[0]

    def matchup_rows(self, requests: list[tuple[str, str, int, int | None, bool | None, str]]
                     ) -> np.ndarray:
        """Feature rows of many match-ups (home, away, season, week, neutral, season_type)."""
        st = self._state
        out = np.empty((len(requests), len(FEATURE_NAMES)))
        for i, (home, away, season, week, neutral, stype) in enumerate(requests):
            self.require_team(home)
            self.require_team(away)
            # One state for the whole batch: an update swapping it mid-way changes nothing here.
            row = None if week is None else st.schedule.get((season, stype, week, home, away))
            if row is not None and (neutral is None or _neutral_of(st, row) == neutral):
                out[i] = st.game_matrix[row]
                continue
            snap = self._snapshot_in(st, season, week, stype)
            same_conf = (st.conferences.get((season, home)) == st.conferences.get((season, away))
                         and st.conferences.get((season, home)) not in (None, "FBS Independents"))
            ctx = hypothetical_context(neutral, same_conf, stype == "postseason", self.config)
            if row is not None:
                ctx = MatchupContext(ctx.home_field, ctx.conference_game,
                                     st.game_matrix[row:row + 1, FEATURE_NAMES.index("rest_diff")],
                                     ctx.postseason)
            out[i] = matchup_matrix(snap, np.array([snap.team_index(home)]),
                                    np.array([snap.team_index(away)]), ctx)[0]
        return out

    def rows_as_of(self, rows: np.ndarray, season: int, week: int | None,
                   season_type: str = "regular") -> np.ndarray:
        """Feature rows of scheduled games (``dataset.games`` rows) as seen before ``week``:
        team strengths from that one snapshot, each game's own facts (site, conference, rest).

        A game's own row (:meth:`game_features`) uses the snapshot before *its* week, which
        for a past season knows results after ``week``; projections from a point in time
        must not."""
        st = self._state
        snap = self._snapshot_in(st, season, week, season_type)
        c = st.dataset.games.cols
        own = st.game_matrix[rows]
        ctx = MatchupContext(*(own[:, FEATURE_NAMES.index(name)] for name in
                               ("home_field", "conference_game", "rest_diff", "postseason")))
        home = np.array([snap.team_index(t) for t in c["home_team"][rows].tolist()], dtype=int)
        away = np.array([snap.team_index(t) for t in c["away_team"][rows].tolist()], dtype=int)
        return matchup_matrix(snap, home, away, ctx).reshape(len(rows), len(FEATURE_NAMES))

    def neutral_rows(self, season: int, week: int | None, season_type: str,
                     home: list[str], away: list[str], *, postseason: bool) -> np.ndarray:
        """Feature rows of hypothetical neutral-site games (rest taken as equal) between
        ``home[i]`` and ``away[i]``, team strengths as before ``week``."""
        st = self._state
        snap = self._snapshot_in(st, season, week, season_type)
        n = len(home)
        conf = np.array([float(not postseason and st.conferences.get((season, h))
                               == st.conferences.get((season, a))
                               and st.conferences.get((season, h))
                               not in (None, "FBS Independents"))
                         for h, a in zip(home, away, strict=True)])
        ctx = MatchupContext(np.zeros(n), conf, np.zeros(n), np.full(n, float(postseason)))
        h_idx = np.array([snap.team_index(t) for t in home], dtype=int)
        a_idx = np.array([snap.team_index(t) for t in away], dtype=int)
        return matchup_matrix(snap, h_idx, a_idx, ctx).reshape(n, len(FEATURE_NAMES))

    def scheduled_row(self, home: str, away: str, season: int, week: int | None,
                      stype: str = "regular") -> int | None:
        """Row in ``dataset.games`` of the scheduled game home v away that week, if any."""
        if week is None:
            return None
        return self._state.schedule.get((season, stype, week, home, away))
