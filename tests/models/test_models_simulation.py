"""The season simulation on synthetic leagues: properties any correct simulation keeps."""

from __future__ import annotations

import dataclasses
from statistics import NormalDist

import numpy as np
import pytest

from scriptohio.models.postseason import PostseasonInputs, bracket_order
from scriptohio.models.simulation import (
    SeasonInputs,
    SeasonSimulation,
    SimulationConfig,
    marginal_sd,
    simulate_season,
)

N_CONF, PER_CONF, N_INDEPENDENT = 3, 6, 2
SD = 15.0


def league(*, seed: int = 1, title_games: bool = True, played_weeks: int = 3,
           divisions: bool = False, bye_team: bool = False) -> SeasonInputs:
    """Three conferences of six (a round robin of 5 conference games each), two independents
    and one FCS team; two non-conference weeks; the first ``played_weeks`` weeks played.
    ``bye_team``: the last independent's games are all played (it has none to come)."""
    rng = np.random.default_rng(seed)
    n_fbs = N_CONF * PER_CONF + N_INDEPENDENT
    n = n_fbs + 1  # the last team is FCS
    rating = np.concatenate([rng.normal(0, 8, n_fbs), [-25.0]])
    conference = np.array([i // PER_CONF if i < N_CONF * PER_CONF else -1 for i in range(n)])
    games: list[tuple[int, int, int]] = []  # (week, home, away)
    for c in range(N_CONF):
        teams = list(range(c * PER_CONF, (c + 1) * PER_CONF))
        for week in range(PER_CONF - 1):  # circle method
            order = teams[:1] + teams[1:][week:] + teams[1:][:week]
            for i in range(PER_CONF // 2):
                games.append((week + 3, order[i], order[-1 - i]))
    fbs = list(range(n_fbs))
    for week in (1, 2):
        perm = rng.permutation(fbs)
        for i in range(0, n_fbs - 1, 2):
            games.append((week, int(perm[i]), int(perm[i + 1])))
    games.append((1, n_fbs - 1, n - 1))  # an independent hosts the FCS team, week 1
    week, home, away = (np.array(x) for x in zip(*sorted(games), strict=True))
    margin = rating[home] - rating[away] + 2.5
    played = week <= played_weeks
    if bye_team:
        played |= (home == n_fbs - 1) | (away == n_fbs - 1)
    noise = rng.normal(0, SD, len(week))
    home_won = margin + noise > 0
    wins = np.bincount(home[played & home_won], minlength=n) + np.bincount(
        away[played & ~home_won], minlength=n)
    losses = np.bincount(home[played & ~home_won], minlength=n) + np.bincount(
        away[played & home_won], minlength=n)
    games_played = np.bincount(np.concatenate([home[played], away[played]]), minlength=n)
    conf_game = (conference[home] == conference[away]) & (conference[home] >= 0)
    neutral = rating[:, None] - rating[None, :]
    eligible = np.arange(n) < n_fbs
    post = PostseasonInputs(
        conferences=tuple(f"C{c}" for c in range(N_CONF)), conference=conference,
        division=(np.where(conference >= 0, conference * 2 + (np.arange(n) % PER_CONF) % 2,
                           -1) if divisions else np.full(n, -1)),
        title_game=np.full(N_CONF, title_games), title_pair=np.full((N_CONF, 2), -1),
        played_home=home[played & conf_game], played_away=away[played & conf_game],
        played_home_won=home_won[played & conf_game], eligible=eligible, rating=rating,
        neutral_margin=neutral, home_field=2.5)
    pending = ~played
    return SeasonInputs(
        teams=tuple(f"T{i}" for i in range(n)), eligible=eligible, wins=wins, losses=losses,
        games_played=games_played, home=home[pending], away=away[pending],
        margin=margin[pending], round_of=week[pending],
        game_conference=np.where(conf_game[pending], conference[home[pending]], -1),
        margin_sd=SD, postseason=post)


def run(inputs: SeasonInputs, **config: object) -> SeasonSimulation:
    return simulate_season(inputs, SimulationConfig(**{"simulations": 20_000, **config}))


@pytest.fixture(scope="module")
def base() -> tuple[SeasonInputs, SeasonSimulation]:
    inputs = league()
    return inputs, run(inputs)


def test_probabilities_are_probabilities(base: tuple[SeasonInputs, SeasonSimulation]) -> None:
    _, sim = base
    for p in (sim.conference_titles / sim.simulations, sim.playoff / sim.simulations,
              sim.national_titles / sim.simulations, sim.p_at_least(6)):
        assert np.all((p >= 0) & (p <= 1))
    assert np.allclose(sim.wins_distribution().sum(axis=1), 1.0)


def test_one_champion_twelve_playoff_teams_one_title_per_conference(
        base: tuple[SeasonInputs, SeasonSimulation]) -> None:
    inputs, sim = base
    assert sim.national_titles.sum() == sim.simulations
    assert sim.playoff.sum() == 12 * sim.simulations
    conference = inputs.postseason.conference
    for c in range(N_CONF):
        assert sim.conference_titles[conference == c].sum() == sim.simulations
        assert sim.title_game_appearances[conference == c].sum() == 2 * sim.simulations
    assert sim.conference_titles[conference < 0].sum() == 0  # independents, FCS
    fcs = ~inputs.eligible
    assert sim.playoff[fcs].sum() == 0 and sim.national_titles[fcs].sum() == 0
    assert np.all(sim.national_titles <= sim.playoff)


def test_expected_wins_are_current_wins_plus_the_game_probabilities() -> None:
    inputs = league()
    for k in (0.0, 0.1):
        config = SimulationConfig(simulations=40_000, update_per_point=k)
        sim = simulate_season(inputs, config)
        sd = marginal_sd(inputs, config)
        if k == 0.0:  # no updating: every game is exactly as wide as the game model says
            assert np.allclose(sd, SD)
        else:
            assert np.all(sd >= SD - 1e-9) and sd.max() > SD
        p = np.array([NormalDist().cdf(m / s) for m, s in zip(inputs.margin, sd, strict=True)])
        expected = inputs.wins.astype(float)
        np.add.at(expected, inputs.home, p)
        np.add.at(expected, inputs.away, 1 - p)
        # each team's wins have sd < 2.5 over its few games: 5 standard errors
        assert np.abs(sim.expected_wins() - expected).max() < 5 * 2.5 / np.sqrt(40_000)


def test_a_team_with_no_games_left_has_a_degenerate_distribution() -> None:
    inputs = league(bye_team=True)
    sim = run(inputs, simulations=2_000)
    team = N_CONF * PER_CONF + N_INDEPENDENT - 1
    assert team not in inputs.home and team not in inputs.away
    dist = sim.wins_distribution()[team]
    assert dist[inputs.wins[team]] == 1.0 and dist.sum() == 1.0
    assert sim.expected_wins()[team] == inputs.wins[team]


def test_rating_uncertainty_carries_through_a_season() -> None:
    """Strength drawn once per simulation (and updated in it) makes a team's wins more
    spread out than independent games with the same probabilities would be."""
    inputs = league(played_weeks=0)
    wins = np.arange(8)

    def spread(sim: SeasonSimulation) -> float:
        dist = sim.wins_distribution()[:, :8]
        mean = dist @ wins
        return float(np.mean(dist @ wins ** 2 - mean ** 2))

    carried = spread(run(inputs))
    independent = spread(run(inputs, rating_sd=0.0, update_per_point=0.0))
    assert carried > 1.1 * independent


def test_deterministic_given_the_seed_and_chunking_adds_up() -> None:
    inputs = league()
    a, b = run(inputs, simulations=3_000), run(inputs, simulations=3_000)
    assert all(np.array_equal(getattr(a, f.name), getattr(b, f.name))
               for f in dataclasses.fields(SeasonSimulation))
    other = run(inputs, simulations=3_000, seed=7)
    assert not np.array_equal(a.wins_counts, other.wins_counts)
    chunked = run(inputs, simulations=2_500, chunk=1_000)
    assert chunked.national_titles.sum() == 2_500 and chunked.playoff.sum() == 12 * 2_500


def test_head_to_head_breaks_a_two_way_tie() -> None:
    """No games left and no title game: where two teams share the best conference winning
    percentage, the one that won their meeting is champion in every simulation, whatever
    the ratings say; a lone leader is champion outright."""
    inputs = league(seed=19, played_weeks=99, title_games=False)
    post = inputs.postseason
    assert len(inputs.home) == 0
    sim = run(inputs, simulations=500)
    two_way = 0
    for c in range(N_CONF):
        members = np.flatnonzero(post.conference == c)
        won = dict.fromkeys(members.tolist(), 0)
        played = dict.fromkeys(members.tolist(), 0)
        for h, a, home_won in zip(post.played_home, post.played_away, post.played_home_won,
                                  strict=True):
            if post.conference[h] == c:
                won[int(h if home_won else a)] += 1
                played[int(h)] += 1
                played[int(a)] += 1
        pct = {t: won[t] / played[t] for t in won}
        top = [t for t in pct if pct[t] == max(pct.values())]
        champions = np.flatnonzero(sim.conference_titles * (post.conference == c))
        assert len(champions) == 1 and sim.conference_titles[champions[0]] == 500
        if len(top) == 1:
            assert champions[0] == top[0]
        elif len(top) == 2:
            two_way += 1
            beat = next(int(h if home_won else a) for h, a, home_won in zip(
                post.played_home, post.played_away, post.played_home_won, strict=True)
                if {int(h), int(a)} == set(top))
            assert champions[0] == beat
    assert two_way == 3  # the league of seed 19 has three


def test_a_played_title_game_is_fixed_and_divisions_each_send_one() -> None:
    inputs = league(divisions=True)
    post = inputs.postseason
    pair = np.full((N_CONF, 2), -1)
    pair[0] = (3, 0)  # conference 0's title game is over: team 3 beat team 0
    fixed = dataclasses.replace(inputs, postseason=dataclasses.replace(post, title_pair=pair))
    sim = run(fixed, simulations=4_000)
    assert sim.conference_titles[3] == 4_000
    assert sim.title_game_appearances[0] == sim.title_game_appearances[3] == 4_000
    for c in (1, 2):
        for d in (2 * c, 2 * c + 1):
            assert sim.title_game_appearances[post.division == d].sum() == 4_000


def test_the_bracket_is_the_cfp_bracket() -> None:
    order = bracket_order(16)
    assert order == [1, 16, 8, 9, 4, 13, 5, 12, 2, 15, 7, 10, 3, 14, 6, 11]
    games = [tuple(order[i:i + 2]) for i in range(0, 16, 2)]
    # seeds 13-16 do not exist in a 12-team field: 1-4 have byes, 5-12 play the first round
    assert [g for g in games if max(g) <= 12] == [(8, 9), (5, 12), (7, 10), (6, 11)]
    quarters = [order[i:i + 4] for i in range(0, 16, 4)]  # each quarterfinal's four seeds
    assert all(len(set(q) & set(range(1, 5))) == 1 for q in quarters)


def test_a_much_stronger_team_wins_more_titles() -> None:
    inputs = league(played_weeks=0)
    sim = run(inputs, simulations=5_000)
    rating = inputs.postseason.rating
    top, bottom = int(np.argmax(rating[:18])), int(np.argmin(rating[:18]))
    assert sim.national_titles[top] > sim.national_titles[bottom]
    assert sim.expected_wins()[top] > sim.expected_wins()[bottom]


def test_the_four_team_format() -> None:
    inputs = league()
    four = dataclasses.replace(inputs, postseason=dataclasses.replace(
        inputs.postseason, playoff_teams=4, auto_bids=0, home_field=0.0))
    sim = run(four, simulations=3_000)
    assert sim.playoff.sum() == 4 * 3_000 and sim.national_titles.sum() == 3_000
    # no automatic places: fewer champions get in than with five of them reserved
    champions_in = run(dataclasses.replace(four, postseason=dataclasses.replace(
        four.postseason, auto_bids=3)), simulations=3_000)
    assert champions_in.playoff.sum() == 4 * 3_000
    assert not np.array_equal(champions_in.playoff, sim.playoff)
