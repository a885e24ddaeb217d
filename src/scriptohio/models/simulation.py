"""Monte-Carlo simulation of the rest of a season: pure numpy, no I/O.

From a point in time (before week W) the remaining regular-season games are played N times,
week by week, every simulation at once (arrays are simulations × teams or × games):

* **Game model.** A game's home margin is the game model's mean margin (``margin``) plus the
  two teams' simulated strength offsets plus game noise. Its marginal spread is the model's
  held-out residual sd (``margin_sd``): ``margin_sd² = τ_home² + τ_away² + game_sd²``, so a
  game seen alone is exactly as uncertain as the game model says, and a simulated season's
  expected wins are the sum of the model's win probabilities (the later games are a little
  wider, see the next point).
* **Rating uncertainty that carries.** Each simulation draws each team's offset once,
  ``N(0, τ²)`` with ``τ = rating_sd · sqrt(rating_sd_games / (rating_sd_games + games
  played))``: the rating's error at the point in time, smaller once a team has played more.
  The same offset plays in every game of that simulation, so a strong draw wins several games.
* **In-season updating.** After every simulated game each side's offset moves by
  ``update_per_point`` points per point of surprise (the game noise): a team that
  over-performs in week 10 of a simulation is stronger in week 11 of that simulation. Later
  games are therefore slightly more uncertain than one week ahead (the forecast horizon).
  :func:`marginal_sd` gives each game's exact marginal sd under this model.
* **Postseason.** Conference title games and the playoff are in
  :mod:`scriptohio.models.postseason`; they use the same offsets and updating.

A team plays at most once per round: a week in which a team plays twice is split into rounds.
Simulations run in chunks (``chunk``) so 100,000 of them fit in memory; every chunk has its own
child of ``SeedSequence(seed)``, so a run is deterministic given the inputs and the config.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scriptohio.models.postseason import PostseasonInputs, simulate_postseason

__all__ = [
    "DEFAULT_SIMULATIONS",
    "MAX_SIMULATIONS",
    "MIN_SIMULATIONS",
    "SeasonInputs",
    "SeasonSimulation",
    "SimulationConfig",
    "marginal_sd",
    "rating_sds",
    "rounds",
    "simulate_season",
]

DEFAULT_SIMULATIONS = 10_000
MIN_SIMULATIONS = 100
MAX_SIMULATIONS = 100_000


@dataclass(frozen=True, slots=True)
class SimulationConfig:
    """The simulation's knobs (not fitted: stated assumptions, see the module docstring)."""

    simulations: int = DEFAULT_SIMULATIONS
    seed: int = 0
    rating_sd: float = 6.0  # points: a team's strength around its preseason rating
    rating_sd_games: float = 8.0  # the preseason rating counts like this many games
    update_per_point: float = 0.1  # offset change per point of simulated surprise
    min_game_sd: float = 6.0  # floor of the game noise (points)
    win_weight: float = 3.0  # playoff ranking proxy: points of rating per net win
    chunk: int = 10_000


@dataclass(frozen=True, eq=False)
class SeasonInputs:
    """Everything the simulation reads, as arrays over teams ``T`` and remaining games ``G``.

    Played results are fixed (records and the conference games' winners for head-to-head);
    ``games_*`` are the games still to play, ``round_of`` their order (the week).
    """

    teams: tuple[str, ...]
    eligible: np.ndarray  # (T,) bool: FBS teams (projected, playoff-eligible)
    wins: np.ndarray  # (T,) regular-season wins already played
    losses: np.ndarray  # (T,)
    games_played: np.ndarray  # (T,) games already played (sets τ)
    home: np.ndarray  # (G,) team index
    away: np.ndarray  # (G,)
    margin: np.ndarray  # (G,) model's mean home margin
    round_of: np.ndarray  # (G,) week of the game
    game_conference: np.ndarray  # (G,) conference index of a conference game, -1 otherwise
    margin_sd: float
    postseason: PostseasonInputs

    @property
    def n_teams(self) -> int:
        return len(self.teams)


@dataclass(frozen=True, eq=False)
class SeasonSimulation:
    """Counts over the simulations, per team (``teams`` order)."""

    simulations: int
    wins_counts: np.ndarray  # (T, max_wins + 1): simulations ending with k regular-season wins
    conference_titles: np.ndarray  # (T,)
    title_game_appearances: np.ndarray  # (T,)
    playoff: np.ndarray  # (T,)
    national_titles: np.ndarray  # (T,)

    def expected_wins(self) -> np.ndarray:
        k = np.arange(self.wins_counts.shape[1])
        return (self.wins_counts @ k) / self.simulations

    def wins_distribution(self) -> np.ndarray:
        return self.wins_counts / self.simulations

    def p_at_least(self, wins: int) -> np.ndarray:
        return self.wins_counts[:, wins:].sum(axis=1) / self.simulations


def rating_sds(games_played: np.ndarray, config: SimulationConfig) -> np.ndarray:
    """τ per team: the rating's sd at the point in time (see the module docstring)."""
    w0 = config.rating_sd_games
    return config.rating_sd * np.sqrt(w0 / (w0 + np.asarray(games_played, dtype=float)))


def _game_sd(margin_sd: float, tau_a: np.ndarray, tau_b: np.ndarray, floor: float
             ) -> np.ndarray:
    return np.sqrt(np.maximum(margin_sd ** 2 - tau_a ** 2 - tau_b ** 2, floor ** 2))


def rounds(home: np.ndarray, away: np.ndarray, round_of: np.ndarray) -> list[np.ndarray]:
    """Game indices per round, in week order, each team at most once per round."""
    out: list[np.ndarray] = []
    for week in np.unique(round_of):
        pending = np.flatnonzero(round_of == week).tolist()
        while pending:
            used: set[int] = set()
            now, later = [], []
            for g in pending:
                pair = (int(home[g]), int(away[g]))
                if pair[0] in used or pair[1] in used:
                    later.append(g)
                else:
                    used.update(pair)
                    now.append(g)
            out.append(np.array(now, dtype=int))
            pending = later
    return out


def marginal_sd(inputs: SeasonInputs, config: SimulationConfig) -> np.ndarray:
    """Exact marginal sd of each remaining game's simulated margin (no rematches within the
    remaining regular season assumed: a rematch's two offsets are correlated)."""
    tau = rating_sds(inputs.games_played, config)
    var = tau ** 2
    out = np.empty(len(inputs.home))
    k2 = config.update_per_point ** 2
    for idx in rounds(inputs.home, inputs.away, inputs.round_of):
        h, a = inputs.home[idx], inputs.away[idx]
        sd = _game_sd(inputs.margin_sd, tau[h], tau[a], config.min_game_sd)
        out[idx] = np.sqrt(var[h] + var[a] + sd ** 2)
        var[h] += k2 * sd ** 2
        var[a] += k2 * sd ** 2
    return out


def simulate_season(inputs: SeasonInputs, config: SimulationConfig = SimulationConfig()
                    ) -> SeasonSimulation:
    """Simulate the rest of the season ``config.simulations`` times (see the module)."""
    if config.simulations < 1:
        raise ValueError("simulations must be at least 1")
    order = rounds(inputs.home, inputs.away, inputs.round_of)
    total_games = inputs.wins + inputs.losses + np.bincount(
        np.concatenate([inputs.home, inputs.away]), minlength=inputs.n_teams)
    width = int(total_games.max(initial=0)) + 1
    n_chunks = -(-config.simulations // config.chunk)
    children = np.random.SeedSequence(config.seed).spawn(n_chunks)
    totals = [np.zeros((inputs.n_teams, width), dtype=np.int64)] + [
        np.zeros(inputs.n_teams, dtype=np.int64) for _ in range(4)]
    left = config.simulations
    for child in children:
        n = min(config.chunk, left)
        left -= n
        parts = _simulate_chunk(inputs, config, order, np.random.default_rng(child), n, width)
        for total, part in zip(totals, parts, strict=True):
            total += part
    return SeasonSimulation(config.simulations, *totals)


def _simulate_chunk(inputs: SeasonInputs, config: SimulationConfig, order: list[np.ndarray],
                    rng: np.random.Generator, n: int, width: int
                    ) -> tuple[np.ndarray, ...]:
    # Team-major arrays (teams × simulations): a game's two rows are contiguous gathers.
    n_teams = inputs.n_teams
    tau = rating_sds(inputs.games_played, config)
    offset = rng.standard_normal((n_teams, n)) * tau[:, None]
    wins = np.repeat(inputs.wins.astype(np.int16)[:, None], n, axis=1)
    losses = np.repeat(inputs.losses.astype(np.int16)[:, None], n, axis=1)
    game_sd = _game_sd(inputs.margin_sd, tau[inputs.home], tau[inputs.away],
                       config.min_game_sd)
    home_won = np.zeros((len(inputs.home), n), dtype=bool)
    k = config.update_per_point
    for idx in order:
        h, a = inputs.home[idx], inputs.away[idx]
        noise = rng.standard_normal((len(idx), n)) * game_sd[idx, None]
        won = inputs.margin[idx, None] + offset[h] - offset[a] + noise > 0
        offset[h] += k * noise  # a team plays once per round: no index repeats
        offset[a] -= k * noise
        wins[h] += won
        losses[h] += ~won
        wins[a] += ~won
        losses[a] += won
        home_won[idx] = won
    flat = (np.arange(n_teams)[:, None] * width + wins).ravel()
    counts = np.bincount(flat, minlength=n_teams * width).reshape(n_teams, width)
    post = simulate_postseason(
        inputs.postseason, rng=rng, offset=offset, tau=tau, wins=wins, losses=losses,
        remaining_home=inputs.home, remaining_away=inputs.away,
        remaining_conference=inputs.game_conference, remaining_home_won=home_won,
        margin_sd=inputs.margin_sd, min_game_sd=config.min_game_sd,
        update_per_point=k, win_weight=config.win_weight)
    return (counts, post.conference_titles, post.title_game_appearances, post.playoff,
            post.national_titles)
