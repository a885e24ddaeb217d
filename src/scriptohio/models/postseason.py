"""The simulated postseason: conference standings and title games, then the 12-team playoff.

Pure numpy over simulations × teams, called by :mod:`scriptohio.models.simulation` with each
simulation's end-of-regular-season state (records, strength offsets).

**Standings and tiebreakers** (per conference, per simulation), in this order:

1. conference winning percentage (regular-season conference games, title game excluded);
2. head-to-head: net wins in the games among all teams tied at that percentage (the combined
   head-to-head record most conferences apply first, for two-way and multi-way ties);
3. overall winning percentage (regular season);
4. the simulated end-of-season rating (the team's rating plus its simulated offset), the
   stand-in for the computer-ranking tiebreakers the ACC, Big 12, SEC and others end with.

Record against common opponents and the conferences' finer steps are not modelled. A
conference with divisions (``division``) sends each division's best; otherwise the top two
meet in its title game (neutral site), if the conference plays one (``title_game``); without
one the top team is champion. A title game already played (``title_pair``) is fixed.

**Playoff** (the 12-team format, a proxy for the selection committee): every FBS team is
ranked by ``rating + offset + win_weight × (wins − losses)`` (title game included); the five
highest-ranked conference champions get in, then the seven highest-ranked others; the twelve
are seeded straight by that ranking (the 2025 rule: the top four get byes). First-round games
are on the higher seed's campus (``home_field`` points), the rest neutral. A league with fewer
eligible teams plays a bracket of all of them with byes (the test leagues). Past formats are
the same bracket with other sizes (``playoff_teams``, ``auto_bids``): four teams and no
automatic places for 2014-2023.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["PLAYOFF_AUTO_BIDS", "PLAYOFF_TEAMS", "PostseasonCounts", "PostseasonInputs",
           "bracket_order", "simulate_postseason"]

PLAYOFF_TEAMS = 12
PLAYOFF_AUTO_BIDS = 5


@dataclass(frozen=True, eq=False)
class PostseasonInputs:
    """What the postseason reads besides each simulation's state (arrays over teams T)."""

    conferences: tuple[str, ...]  # conferences that crown a champion
    conference: np.ndarray  # (T,) index into ``conferences``, -1 = none
    division: np.ndarray  # (T,) division id, -1 = the conference has no divisions
    title_game: np.ndarray  # (C,) bool: the conference plays a title game
    title_pair: np.ndarray  # (C, 2) winner, loser of a title game already played; -1 if not
    played_home: np.ndarray  # (P,) played regular-season conference games
    played_away: np.ndarray
    played_home_won: np.ndarray  # (P,) bool
    eligible: np.ndarray  # (T,) bool: FBS teams
    rating: np.ndarray  # (T,) points over an average FBS team, neutral site
    neutral_margin: np.ndarray  # (T, T) mean margin of i v j at a neutral site
    home_field: float  # points, playoff first round
    playoff_teams: int = PLAYOFF_TEAMS
    auto_bids: int = PLAYOFF_AUTO_BIDS  # places for the highest-ranked champions


@dataclass(frozen=True, eq=False)
class PostseasonCounts:
    conference_titles: np.ndarray
    title_game_appearances: np.ndarray
    playoff: np.ndarray
    national_titles: np.ndarray


@dataclass(eq=False)
class _Games:
    """Plays neutral-site (or first-round) games between team arrays, updating offsets."""

    rng: np.random.Generator
    offset: np.ndarray  # (T, n), updated in place
    tau: np.ndarray
    neutral_margin: np.ndarray
    margin_sd: float
    min_game_sd: float
    update_per_point: float

    def play(self, a: np.ndarray, b: np.ndarray, home_field: float = 0.0) -> np.ndarray:
        """The winners of ``a[i]`` v ``b[i]`` (``a`` at home when ``home_field``)."""
        sims = np.arange(len(a))
        sd = np.sqrt(np.maximum(self.margin_sd ** 2 - self.tau[a] ** 2 - self.tau[b] ** 2,
                                self.min_game_sd ** 2))
        noise = self.rng.standard_normal(len(a)) * sd
        mean = self.neutral_margin[a, b] + self.offset[a, sims] - self.offset[b, sims]
        won = mean + home_field + noise > 0
        self.offset[a, sims] += self.update_per_point * noise
        self.offset[b, sims] -= self.update_per_point * noise
        return np.where(won, a, b)


def bracket_order(size: int) -> list[int]:
    """Seeds (1-based) in bracket order for a power-of-two ``size``: 1 v size, ..."""
    order = [1]
    while len(order) < size:
        total = 2 * len(order) + 1
        order = [x for seed in order for x in (seed, total - seed)]
    return order


def simulate_postseason(inputs: PostseasonInputs, *, rng: np.random.Generator,
                        offset: np.ndarray, tau: np.ndarray, wins: np.ndarray,
                        losses: np.ndarray, remaining_home: np.ndarray,
                        remaining_away: np.ndarray, remaining_conference: np.ndarray,
                        remaining_home_won: np.ndarray, margin_sd: float, min_game_sd: float,
                        update_per_point: float, win_weight: float) -> PostseasonCounts:
    """Title games and the playoff for ``n`` simulations (see the module docstring).

    Arrays are team-major: ``wins``/``losses``/``offset`` (T, n) are each simulation's
    regular-season records and strength offsets (``offset`` is updated in place);
    ``remaining_*`` are the simulated regular-season games, ``remaining_home_won`` (G, n).
    """
    n_teams, n = offset.shape
    games = _Games(rng, offset, tau, inputs.neutral_margin, margin_sd, min_game_sd,
                   update_per_point)
    net_wins = wins.astype(np.int32) - losses.astype(np.int32)
    n_conf = len(inputs.conferences)
    champions = np.full((n_conf, n), -1, dtype=np.int64)
    appearances = np.zeros(n_teams, dtype=np.int64)
    sims = np.arange(n)
    for c in range(n_conf):
        members = np.flatnonzero(inputs.conference == c)
        if not len(members):
            continue
        pair = inputs.title_pair[c]
        if pair[0] >= 0:
            champions[c] = pair[0]
            appearances[pair] += n
            continue
        key = _standings_key(inputs, c, members, offset, wins, losses, remaining_home,
                             remaining_away, remaining_conference, remaining_home_won)
        if not inputs.title_game[c] or len(members) < 2:
            champions[c] = members[np.argmax(key, axis=0)]
            continue
        first, second = _title_game_pair(inputs.division[members], key)
        a, b = members[first], members[second]
        winner = games.play(a, b)
        loser = np.where(winner == a, b, a)
        champions[c] = winner
        appearances += np.bincount(a, minlength=n_teams) + np.bincount(b, minlength=n_teams)
        net_wins[winner, sims] += 1
        net_wins[loser, sims] -= 1
    titles = np.bincount(champions[champions >= 0], minlength=n_teams).astype(np.int64)
    playoff, national = _playoff(inputs, games, champions, net_wins, win_weight)
    return PostseasonCounts(titles, appearances, playoff, national)


def _standings_key(inputs: PostseasonInputs, c: int, members: np.ndarray, offset: np.ndarray,
                   wins: np.ndarray, losses: np.ndarray, r_home: np.ndarray,
                   r_away: np.ndarray, r_conf: np.ndarray, r_won: np.ndarray) -> np.ndarray:
    """(members, n): larger = higher in the standings (tiebreakers in the docstring)."""
    n = offset.shape[1]
    local = np.full(len(inputs.conference), -1, dtype=np.int64)
    local[members] = np.arange(len(members))
    played = np.flatnonzero((inputs.conference[inputs.played_home] == c)
                            & (inputs.conference[inputs.played_away] == c))
    pending = np.flatnonzero(r_conf == c)
    home = local[np.concatenate([inputs.played_home[played], r_home[pending]])]
    away = local[np.concatenate([inputs.played_away[played], r_away[pending]])]
    won = np.concatenate([np.broadcast_to(inputs.played_home_won[played, None],
                                          (len(played), n)), r_won[pending]]
                         ).astype(np.float32)  # (games, n)
    at_home = np.zeros((len(members), len(home)), dtype=np.float32)  # (members, games)
    at_home[home, np.arange(len(home))] = 1.0
    away_side = np.zeros_like(at_home)
    away_side[away, np.arange(len(away))] = 1.0
    conf_wins = at_home @ won + away_side @ (1.0 - won)
    conf_games = (at_home.sum(axis=1) + away_side.sum(axis=1))[:, None]
    pct = np.rint(1000.0 * conf_wins / np.maximum(conf_games, 1.0)).astype(np.int64)
    tied = pct[home] == pct[away]
    net = (at_home - away_side) @ np.where(tied, 2.0 * won - 1.0, 0.0).astype(np.float32)
    h2h = np.clip(np.rint(net).astype(np.int64), -31, 31) + 32
    w, lo = wins[members].astype(np.float64), losses[members].astype(np.float64)
    overall = np.rint(1000.0 * w / np.maximum(w + lo, 1.0)).astype(np.int64)
    # the rating breaks what is left: below one unit of the integer steps above it
    strength = np.clip(inputs.rating[members, None] + offset[members] + 500.0, 0.0, 999.0)
    return (((pct * 64 + h2h) * 1024 + overall) * 1000).astype(np.float64) + strength


def _title_game_pair(division: np.ndarray, key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Local indices of the two title-game teams per simulation, the better-placed first."""
    groups = np.unique(division)
    sims = np.arange(key.shape[1])
    if len(groups) == 2 and groups[0] >= 0:  # two divisions: each division's best
        best = [np.flatnonzero(division == g)[np.argmax(key[division == g], axis=0)]
                for g in groups]
        first_better = key[best[0], sims] >= key[best[1], sims]
        return (np.where(first_better, best[0], best[1]),
                np.where(first_better, best[1], best[0]))
    first = np.argmax(key, axis=0)
    rest = key.copy()
    rest[first, sims] = -np.inf
    return first, np.argmax(rest, axis=0)


def _top(score: np.ndarray, k: int) -> np.ndarray:
    """(n, k) column indices of each row's ``k`` largest scores, largest first."""
    if k <= 0:
        return np.empty((score.shape[0], 0), dtype=np.int64)
    if k < score.shape[1]:
        part = np.argpartition(-score, k - 1, axis=1)[:, :k]
    else:
        part = np.broadcast_to(np.arange(score.shape[1]), score.shape).copy()
    order = np.argsort(-np.take_along_axis(score, part, axis=1), axis=1)
    return np.take_along_axis(part, order, axis=1)


def _playoff(inputs: PostseasonInputs, games: _Games, champions: np.ndarray,
             net_wins: np.ndarray, win_weight: float) -> tuple[np.ndarray, np.ndarray]:
    n_teams, n = games.offset.shape
    fbs = np.flatnonzero(inputs.eligible)
    field_size = min(inputs.playoff_teams, len(fbs))
    playoff = np.zeros(n_teams, dtype=np.int64)
    national = np.zeros(n_teams, dtype=np.int64)
    if field_size == 0:
        return playoff, national
    # Simulation-major over the FBS teams only: per-simulation top-k along contiguous rows.
    score = np.ascontiguousarray((inputs.rating[fbs, None] + games.offset[fbs]
                                  + win_weight * net_wins[fbs]).T)  # (n, E)
    local = np.full(n_teams, -1, dtype=np.int64)
    local[fbs] = np.arange(len(fbs))
    sims = np.arange(n)
    crowned = champions[(champions >= 0).all(axis=1)]  # conferences crowning in every sim
    n_auto = min(inputs.auto_bids, field_size, len(crowned))
    picks = [np.empty((n, 0), dtype=np.int64)]
    rest = score.copy()
    if n_auto:
        champ_local = local[crowned].T  # (n, C)
        champ_score = np.take_along_axis(score, champ_local, axis=1)
        picks.append(np.take_along_axis(champ_local, _top(champ_score, n_auto), axis=1))
        rest[sims[:, None], picks[-1]] = -np.inf
    picks.append(_top(rest, field_size - n_auto))
    chosen = np.concatenate(picks, axis=1)  # (n, F): the field, seeded next
    order = _top(np.take_along_axis(score, chosen, axis=1), field_size)
    seeds = fbs[np.take_along_axis(chosen, order, axis=1)]  # (n, F) teams in seed order
    playoff += np.bincount(seeds.ravel(), minlength=n_teams)
    national += np.bincount(_bracket(games, seeds, inputs.home_field), minlength=n_teams)
    return playoff, national


def _bracket(games: _Games, seeds: np.ndarray, home_field: float) -> np.ndarray:
    """Single elimination of ``seeds`` (n, F) in seed order; the champion per simulation."""
    field_size = seeds.shape[1]
    size = 1 << max(field_size - 1, 0).bit_length()
    slots: list[np.ndarray | None] = [seeds[:, s - 1] if s <= field_size else None
                                      for s in bracket_order(size)]
    first = True
    while len(slots) > 1:
        nxt: list[np.ndarray | None] = []
        for a, b in zip(slots[::2], slots[1::2], strict=True):
            if a is None or b is None:
                nxt.append(a if b is None else b)
            else:  # the first-listed is the better seed: at home in the first round only
                nxt.append(games.play(a, b, home_field if first else 0.0))
        slots, first = nxt, False
    winner = slots[0]
    assert winner is not None
    return winner
