"""Season projections agent: the rest of a season simulated from a point in time.

Builds the simulation's inputs from the data as known before week W of season S (results of
games that kicked off before W's first kickoff; the game model's margins from the ratings of
that moment, never from later ones) and turns the counts of
:func:`~scriptohio.models.simulation.simulate_season` into the answer.

* Games simulated: every regular-season game of S without a result before the cutoff, but for
  the conference title games found in the schedule (``Dataset.occasions``), which are replaced
  by title games between the simulated standings' top two. In a past season, a game before the
  cutoff without a score (cancelled, score unknown) is left out; in the current season it is
  simulated (its result is not in yet).
* Divisions: where the season's division table (``data/divisions.toml``) covers every member
  of a conference, its title game pairs the two division winners (the Sun Belt in 2025).
* Playoff: the season's format (:func:`playoff_format`): 12 teams from 2024 (first round on
  campus), four 2014-2023, the BCS's top two before.
* Conferences that crown a champion: FBS conferences (not the independents) with conference
  games that season and at least three FBS members (the 2025 Pac-12 had two). Those with a
  title game in the schedule play one.
* ``expected_wins`` / ``wins_distribution`` count regular-season wins (games against FCS teams
  included, title games and bowls not); ``p_bowl_eligible`` is P(at least 6 of them).

The inputs of a (season, week) are kept with the context (they depend on its data and
model only), as are the last few simulations, so a team's projection after the full table
reuses that run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

import numpy as np

from scriptohio.agents.context import AnalyticsContext, WeekRef
from scriptohio.agents.insight.ratings import cutoff_of
from scriptohio.data.divisions import season_divisions
from scriptohio.data.occasions import FIRST_PLAYOFF_SEASON
from scriptohio.errors import NotFoundError, OutOfRangeError
from scriptohio.models.postseason import PostseasonInputs
from scriptohio.models.simulation import (
    DEFAULT_SIMULATIONS,
    MAX_SIMULATIONS,
    MIN_SIMULATIONS,
    SeasonInputs,
    SeasonSimulation,
    SimulationConfig,
    marginal_sd,
    simulate_season,
)

__all__ = ["BOWL_WINS", "ProjectionInputs", "playoff_format", "projection_inputs",
           "projection_ref", "resolve_conference", "season_projection",
           "season_projection_summary", "team_projection", "team_projection_summary"]

BOWL_WINS = 6
#: a "conference" of fewer FBS teams crowns no champion (the 2025 Pac-12 had two)
MIN_CONFERENCE_TEAMS = 3
_INDEPENDENTS = "FBS Independents"
_KEEP_RUNS = 8  # simulations kept per context (each is a few kB of counts)
_KEEP_INPUTS = 16  # points in time kept per context (each about 0.5 MB: the pair margins)


@dataclass(frozen=True, eq=False)
class ProjectionInputs:
    """The simulation's inputs plus what the answer shows next to the numbers."""

    ref: WeekRef
    sim: SeasonInputs
    conference_names: tuple[str | None, ...]  # per team, the season's conference
    rows: np.ndarray  # (G,) dataset rows of the simulated games


def _check_simulations(simulations: int) -> None:
    if not MIN_SIMULATIONS <= simulations <= MAX_SIMULATIONS:
        raise OutOfRangeError(
            f"simulations must be between {MIN_SIMULATIONS} and {MAX_SIMULATIONS}, "
            f"not {simulations}", valid_range=(MIN_SIMULATIONS, MAX_SIMULATIONS))


def projection_ref(ctx: AnalyticsContext, season: int | None, week: int | None) -> WeekRef:
    """The regular-season point in time asked for (validated; ``None`` = the current)."""
    return ctx.week_ref(season, week, "regular")


def resolve_conference(ctx: AnalyticsContext, season: int, name: str) -> str:
    """The season's conference called ``name`` (any case), else :class:`NotFoundError`."""
    c = ctx.dataset.games.cols
    rows = c["season"] == season
    known = sorted({str(x) for side in ("home", "away")
                    for x in c[f"{side}_conference"][rows & (c[f"{side}_division"] == "fbs")]
                    .tolist() if x})
    match = {k.casefold(): k for k in known}.get(name.casefold())
    if match is None:
        raise NotFoundError(f"no conference {name!r} in {season}; conferences: "
                            f"{', '.join(known)}")
    return match


def projection_inputs(ctx: AnalyticsContext, ref: WeekRef) -> ProjectionInputs:
    """The inputs of a projection from ``ref`` (memoised per context)."""
    memo: dict[WeekRef, ProjectionInputs] = ctx.memo("projection_inputs")
    found = memo.get(ref)
    if found is None:
        found = memo[ref] = _build_inputs(ctx, ref)
        _bound(memo, _KEEP_INPUTS)
    return found


def _bound(memo: dict[Any, Any], size: int) -> None:
    """Drop the oldest entries beyond ``size`` (dicts keep insertion order)."""
    while len(memo) > size:
        memo.pop(next(iter(memo)), None)


@dataclass(frozen=True, eq=False)
class _Season:
    """A season's regular-season games split at the cutoff, and its teams."""

    names: list[str]
    index: dict[str, int]
    conference_of: dict[str, str | None]
    eligible: np.ndarray  # (T,) FBS
    fixed: np.ndarray  # dataset rows: played before the cutoff
    pending: np.ndarray  # dataset rows to simulate, in kickoff order
    title_rows: np.ndarray  # the scheduled conference title games
    cutoff: float

    def sides(self, c: dict[str, np.ndarray], rows: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray]:
        return (np.array([self.index[t] for t in c["home_team"][rows].tolist()], dtype=int),
                np.array([self.index[t] for t in c["away_team"][rows].tolist()], dtype=int))

    def conference_games(self, c: dict[str, np.ndarray], rows: np.ndarray) -> np.ndarray:
        """Which of ``rows`` are conference games between two FBS members."""
        h, a = self.sides(c, rows)
        same = np.array([self.conference_of[self.names[i]] == self.conference_of[self.names[j]]
                         for i, j in zip(h.tolist(), a.tolist(), strict=True)], dtype=bool)
        flag = np.nan_to_num(c["conference_game"][rows].astype(float)) > 0
        return flag & same & self.eligible[h] & self.eligible[a] if len(rows) else flag


def _season(ctx: AnalyticsContext, ref: WeekRef) -> _Season:
    games = ctx.dataset.games
    c = games.cols
    season = ref.season
    rows = np.concatenate([games.rows_for_week(season, w) for w in games.weeks(season)]
                          or [np.empty(0, dtype=np.int64)]).astype(int)
    occasions = ctx.dataset.occasions(season)
    title = np.array([occasions.get(int(g)) is not None
                      and occasions[int(g)].kind == "conference_championship"
                      for g in c["game_id"][rows].tolist()], dtype=bool)
    title_rows, rows = rows[title], rows[~title]
    cutoff = cutoff_of(ctx, ref)
    done = ~np.isnan(c["home_points"][rows]) & (c["kickoff"][rows] < cutoff)
    # before the cutoff without a score: not in yet (current season) or never (past ones)
    current = season == games.seasons[-1]
    pending = rows[~done & (current | (c["kickoff"][rows] >= cutoff))]
    pending = pending[np.argsort(c["kickoff"][pending], kind="stable")]
    names = sorted(set(c["home_team"][rows].tolist()) | set(c["away_team"][rows].tolist()))
    conference_of: dict[str, str | None] = {}
    for side in ("home", "away"):
        for t, conf in zip(c[f"{side}_team"][rows].tolist(),
                           c[f"{side}_conference"][rows].tolist(), strict=True):
            conference_of.setdefault(t, conf or None)
    fbs = ctx.dataset.fbs_teams_by_season.get(season, frozenset())
    return _Season(names, {t: i for i, t in enumerate(names)}, conference_of,
                   np.array([t in fbs for t in names], dtype=bool), rows[done], pending,
                   title_rows, cutoff)


def _crowned(s: _Season, c: dict[str, np.ndarray]) -> list[str]:
    """Conferences that crown a champion (see the module docstring)."""
    members: dict[str, int] = {}
    for i, t in enumerate(s.names):
        if s.eligible[i] and s.conference_of[t]:
            members[str(s.conference_of[t])] = members.get(str(s.conference_of[t]), 0) + 1
    fixed_and_pending = np.concatenate([s.fixed, s.pending])
    games = fixed_and_pending[s.conference_games(c, fixed_and_pending)]
    found = {str(s.conference_of[str(t)]) for t in c["home_team"][games].tolist()}
    return sorted(cn for cn in found - {"None", _INDEPENDENTS}
                  if members.get(cn, 0) >= MIN_CONFERENCE_TEAMS)


def _title_games(s: _Season, c: dict[str, np.ndarray], conf_index: dict[str, int]
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Per crowned conference: plays a title game; (winner, loser) if already played."""
    title_game = np.zeros(len(conf_index), dtype=bool)
    title_pair = np.full((len(conf_index), 2), -1, dtype=int)
    for r in s.title_rows.tolist():
        ci = conf_index.get(str(c["home_conference"][r]))
        if ci is None:
            continue
        title_game[ci] = True
        hp, ap = c["home_points"][r], c["away_points"][r]
        if hp == hp and c["kickoff"][r] < s.cutoff and hp != ap:
            h, a = s.index[str(c["home_team"][r])], s.index[str(c["away_team"][r])]
            title_pair[ci] = (h, a) if hp > ap else (a, h)
    return title_game, title_pair


def _build_inputs(ctx: AnalyticsContext, ref: WeekRef) -> ProjectionInputs:
    c = ctx.dataset.games.cols
    s = _season(ctx, ref)
    n = len(s.names)
    fh, fa = s.sides(c, s.fixed)
    home_won = c["home_points"][s.fixed] > c["away_points"][s.fixed]
    decided = c["home_points"][s.fixed] != c["away_points"][s.fixed]
    wins = (np.bincount(fh[decided & home_won], minlength=n)
            + np.bincount(fa[decided & ~home_won], minlength=n))
    losses = (np.bincount(fh[decided & ~home_won], minlength=n)
              + np.bincount(fa[decided & home_won], minlength=n))
    played = np.bincount(np.concatenate([fh, fa]), minlength=n)

    crowned = _crowned(s, c)
    conf_index = {cn: i for i, cn in enumerate(crowned)}
    conference = np.array([conf_index.get(str(s.conference_of[t]), -1) if s.eligible[i]
                           else -1 for i, t in enumerate(s.names)], dtype=np.int64)
    title_game, title_pair = _title_games(s, c, conf_index)
    h2h = s.conference_games(c, s.fixed) & decided
    ph, pa = s.sides(c, s.pending)
    neutral, rating = _neutral_matrix(ctx, ref, s.names, s.eligible)
    snap = ctx.features.snapshot(ref.season, ref.week, "regular")
    teams, auto = playoff_format(ref.season)
    post = PostseasonInputs(
        conferences=tuple(crowned), conference=conference,
        division=_divisions(ref.season, s.names, conference, crowned), title_game=title_game,
        title_pair=title_pair, played_home=fh[h2h], played_away=fa[h2h],
        played_home_won=home_won[h2h], eligible=s.eligible, rating=rating,
        neutral_margin=neutral, home_field=float(snap.home_field_points) if teams == 12 else 0.0,
        playoff_teams=teams, auto_bids=auto)
    sim = SeasonInputs(
        teams=tuple(s.names), eligible=s.eligible, wins=wins, losses=losses,
        games_played=played, home=ph, away=pa,
        margin=ctx.predictor.margins_as_of(s.pending, ref.season, ref.week, "regular"),
        round_of=c["week"][s.pending].astype(int),
        game_conference=np.where(s.conference_games(c, s.pending), conference[ph], -1),
        margin_sd=float(ctx.predictor.margin_sd), postseason=post)
    return ProjectionInputs(ref, sim, tuple(s.conference_of[t] for t in s.names), s.pending)


def playoff_format(season: int) -> tuple[int, int]:
    """(teams, places for conference champions) of the season's playoff: 12 with five
    champions from 2024, four chosen freely 2014-2023, the BCS's top two before."""
    if season >= 2024:
        return 12, 5
    return (4, 0) if season >= FIRST_PLAYOFF_SEASON else (2, 0)


def _divisions(season: int, names: list[str], conference: np.ndarray, crowned: list[str]
               ) -> np.ndarray:
    """Division id per team (-1: none): only for conferences whose every member is in the
    season's division table (a member missing from it means the table does not apply)."""
    table = season_divisions(season)
    out = np.full(len(names), -1, dtype=np.int64)
    for ci, conf in enumerate(crowned):
        members = np.flatnonzero(conference == ci)
        found = [table.get((conf, names[t])) for t in members.tolist()]
        groups = sorted({d for d in found if d is not None})
        if len(groups) != 2 or None in found:
            continue
        for t, d in zip(members.tolist(), found, strict=True):
            out[t] = 2 * ci + groups.index(str(d))
    return out


def _neutral_matrix(ctx: AnalyticsContext, ref: WeekRef, names: list[str],
                    eligible: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Neutral-site mean margins between FBS teams (each pair predicted once, i v j with
    i < j, and negated for j v i) and each team's rating: its mean margin over the others."""
    n = len(names)
    fbs = np.flatnonzero(eligible)
    i, j = np.triu_indices(len(fbs), k=1)
    a, b = fbs[i], fbs[j]
    m = ctx.predictor.neutral_margins(ref.season, ref.week, "regular",
                                      [names[k] for k in a], [names[k] for k in b],
                                      postseason=True)
    out = np.zeros((n, n))
    out[a, b] = m
    out[b, a] = -m
    rating = np.zeros(n)
    if len(fbs) > 1:
        rating[fbs] = out[np.ix_(fbs, fbs)].sum(axis=1) / (len(fbs) - 1)
    return out, rating


def _simulation(ctx: AnalyticsContext, inputs: ProjectionInputs, simulations: int
                ) -> SeasonSimulation:
    memo: dict[tuple[WeekRef, int], SeasonSimulation] = ctx.memo("projection_runs")
    key = (inputs.ref, simulations)
    found = memo.get(key)
    if found is None:
        found = simulate_season(inputs.sim, SimulationConfig(simulations=simulations))
        memo[key] = found
        _bound(memo, _KEEP_RUNS)
    return found


def _team_rows(inputs: ProjectionInputs, run: SeasonSimulation) -> list[dict[str, Any]]:
    sim = inputs.sim
    expected = run.expected_wins()
    dist = run.wins_distribution()
    bowl = run.p_at_least(BOWL_WINS)
    remaining = np.bincount(np.concatenate([sim.home, sim.away]), minlength=sim.n_teams)
    out: list[dict[str, Any]] = []
    for t in np.flatnonzero(sim.eligible).tolist():
        scheduled = int(sim.wins[t] + sim.losses[t] + remaining[t])
        out.append({
            "team": sim.teams[t],
            "conference": inputs.conference_names[t],
            "record": f"{int(sim.wins[t])}-{int(sim.losses[t])}",
            "remaining_games": int(remaining[t]),
            "expected_wins": round(float(expected[t]), 3),
            "wins_distribution": [round(float(p), 4) for p in dist[t, :scheduled + 1]],
            "p_bowl_eligible": round(float(bowl[t]), 4),
            "p_conference_title": round(float(run.conference_titles[t] / run.simulations), 4),
            "p_title_game": round(float(run.title_game_appearances[t] / run.simulations), 4),
            "p_playoff": round(float(run.playoff[t] / run.simulations), 4),
            "p_national_title": round(float(run.national_titles[t] / run.simulations), 4),
        })
    out.sort(key=lambda r: (-float(r["p_national_title"]), -float(r["p_playoff"]),
                            -float(r["expected_wins"]), str(r["team"])))
    return out


def _header(ctx: AnalyticsContext, inputs: ProjectionInputs, simulations: int
            ) -> dict[str, Any]:
    ref = inputs.ref
    return {"season": ref.season, "week": ref.week, "as_of": ctx.as_of(ref),
            "simulations": simulations}


def _percent(p: float) -> str:
    """A probability as a fan reads it: whole percents, never a false 0 % or 100 %."""
    if 0 < p < 0.005:
        return "under 1 %"
    if 0.995 <= p < 1:
        return "over 99 %"
    return f"{round(p * 100):.0f} %"


def _wins_phrase(row: Mapping[str, Any]) -> str:
    dist = row["wins_distribution"]
    likeliest = max(range(len(dist)), key=lambda w: dist[w])
    games = len(dist) - 1
    return (f"{row['expected_wins']:.1f} wins expected, {likeliest}-{games - likeliest} the "
            f"likeliest final record ({_percent(dist[likeliest])})")


def team_projection_summary(row: Mapping[str, Any], as_of: str, simulations: int) -> str:
    """One team's projection in plain words, from its numbers."""
    conference = row["conference"]
    title = (f"{_percent(row['p_conference_title'])} to win the {conference}, "
             if conference and row["p_conference_title"] > 0 else "")
    wins = int(str(row["record"]).split("-")[0])
    bowl = ("bowl eligible already" if wins >= BOWL_WINS
            else f"{_percent(row['p_bowl_eligible'])} to reach six wins")
    return (f"{row['team']} ({row['record']}, {row['remaining_games']} games left): "
            f"{_wins_phrase(row)}; {bowl}, "
            f"{title}{_percent(row['p_playoff'])} to make the playoff and "
            f"{_percent(row['p_national_title'])} to win the national title, in "
            f"{simulations:,} simulated seasons from the {as_of}.")


def season_projection_summary(teams: Sequence[Mapping[str, Any]], conference: str | None,
                              as_of: str, simulations: int, top: int = 3) -> str:
    """The projection's headline in plain words: the likeliest champions (of the
    conference when one is asked for), from the numbers."""
    if not teams:
        return f"No FBS teams to project ({as_of})."
    if conference is not None:
        key, what = "p_conference_title", f"the {conference} title"
    else:
        key, what = "p_national_title", "the national title"
    leaders = sorted(teams, key=lambda t: -float(t[key]))[:top]
    named = ", ".join(f"{t['team']} {_percent(t[key])}" for t in leaders if t[key] > 0)
    playoff = sum(1 for t in teams if t["p_playoff"] >= 0.5)
    scope = f"{len(teams)} {conference} teams" if conference else f"{len(teams)} FBS teams"
    return (f"In {simulations:,} simulated seasons from the {as_of}, likeliest to win {what}: "
            f"{named or 'nobody yet'}; {playoff} of the {scope} make the playoff in at least "
            f"half of them.")


def season_projection(ctx: AnalyticsContext, *, season: int | None = None,
                      week: int | None = None, conference: str | None = None,
                      simulations: int = DEFAULT_SIMULATIONS) -> dict[str, Any]:
    """Every FBS team's (or one conference's) projected season from before ``week``."""
    _check_simulations(simulations)
    inputs = projection_inputs(ctx, projection_ref(ctx, season, week))
    run = _simulation(ctx, inputs, simulations)
    teams = _team_rows(inputs, run)
    post = inputs.sim.postseason
    if conference is not None:
        conference = resolve_conference(ctx, inputs.ref.season, conference)
        teams = [t for t in teams if t["conference"] == conference]
    header = _header(ctx, inputs, simulations)
    return {**header, "conference": conference,
            "summary": season_projection_summary(teams, conference, header["as_of"],
                                                 simulations),
            "conferences": [{"conference": name, "title_game": bool(post.title_game[i])}
                            for i, name in enumerate(post.conferences)],
            "teams": teams}


def team_projection(ctx: AnalyticsContext, *, team: str, season: int | None = None,
                    week: int | None = None, simulations: int = DEFAULT_SIMULATIONS
                    ) -> dict[str, Any]:
    """One team's projected season, with its remaining games and their win probabilities."""
    _check_simulations(simulations)
    inputs = projection_inputs(ctx, projection_ref(ctx, season, week))
    sim = inputs.sim
    if team not in sim.teams or not sim.eligible[sim.teams.index(team)]:
        raise NotFoundError(f"{team} has no FBS season in {inputs.ref.season}")
    run = _simulation(ctx, inputs, simulations)
    row = next(r for r in _team_rows(inputs, run) if r["team"] == team)
    t = sim.teams.index(team)
    sd = marginal_sd(sim, SimulationConfig(simulations=simulations))
    c = ctx.dataset.games.cols
    games = []
    for g in np.flatnonzero((sim.home == t) | (sim.away == t)).tolist():
        home = sim.home[g] == t
        mean = float(sim.margin[g]) if home else -float(sim.margin[g])
        games.append({
            "week": int(sim.round_of[g]),
            "game_date": str(c["game_date"][inputs.rows[g]]),
            "opponent": sim.teams[sim.away[g] if home else sim.home[g]],
            "home_away": "home" if home else "away",
            "margin": round(mean, 1),
            "win_prob": round(NormalDist().cdf(mean / float(sd[g])), 4),
        })
    header = _header(ctx, inputs, simulations)
    return {**header, "summary": team_projection_summary(row, header["as_of"], simulations),
            "team": row, "remaining": games}
