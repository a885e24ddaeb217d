"""Elo and least-squares ratings on tiny schedules whose answers were worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from scriptohio.features import FeatureStore
from scriptohio.features.config import EloConfig, FeatureConfig, RatingConfig
from scriptohio.features.elo import expected_home, new_season, update
from scriptohio.features.massey import solve_ratings

from .conftest import MakeDataset

ELO = EloConfig(k=20.0, home_field=50.0, season_regression=0.25, new_team=1500.0)


def test_elo_neutral_win_moves_by_k_times_log_margin() -> None:
    state = {"A": 1500.0, "B": 1500.0}
    update(state, "A", "B", margin=10, home_field=0.0, cfg=ELO)
    # expected 0.5 at a neutral site; multiplier ln(11) * 2.2 / 2.2
    delta = 20 * math.log(11) * 0.5
    assert state["A"] == pytest.approx(1500 + delta)
    assert state["B"] == pytest.approx(1500 - delta)


def test_elo_home_field_lowers_the_reward_of_a_home_win() -> None:
    state = {"A": 1500.0, "B": 1500.0}
    update(state, "A", "B", margin=7, home_field=1.0, cfg=ELO)
    exp = 1 / (1 + 10 ** (-50 / 400))
    mult = math.log(8) * 2.2 / (50 * 0.001 + 2.2)
    assert expected_home(0.0, 1.0, ELO) == pytest.approx(exp)
    assert state["A"] == pytest.approx(1500 + 20 * mult * (1 - exp))


def test_elo_season_regression_pulls_toward_the_mean() -> None:
    out = new_season({"A": 1700.0, "B": 1300.0}, ["A", "B", "C"], ELO)
    assert out == {"A": 1650.0, "B": 1350.0, "C": 1500.0}


def test_massey_recovers_consistent_margins() -> None:
    cfg = RatingConfig(prior_weight=1e-6, margin_cap=100)
    h, a = np.array([0, 1, 0]), np.array([1, 2, 2])
    r, _ = solve_ratings(h, a, np.array([10.0, 10.0, 20.0]), np.zeros(3), np.zeros(3), cfg)
    assert r == pytest.approx([10.0, 0.0, -10.0], abs=1e-3)


def test_massey_prior_weight_of_one_game() -> None:
    # 2rA - rB = 10 and -rA + 2rB = -10  ->  rA = 10/3
    cfg = RatingConfig(prior_weight=1.0, margin_cap=100)
    r, _ = solve_ratings(np.array([0]), np.array([1]), np.array([10.0]), np.zeros(1),
                         np.zeros(2), cfg)
    assert r == pytest.approx([10 / 3, -10 / 3])


def test_massey_caps_blowouts() -> None:
    cfg = RatingConfig(prior_weight=1e-6, margin_cap=28)
    r, _ = solve_ratings(np.array([0]), np.array([1]), np.array([70.0]), np.zeros(1),
                         np.zeros(2), cfg)
    assert r[0] - r[1] == pytest.approx(28.0, abs=1e-3)


def test_store_elo_matches_hand_computation(make_dataset: MakeDataset) -> None:
    ds = make_dataset([(2020, 1, "A", "B", 24, 14, True), (2020, 2, "B", "C", 21, 20, False)])
    store = FeatureStore.build(ds, config=FeatureConfig(elo=ELO))
    before = {r.team: r.elo.value for r in store.team_ratings(2020, week=1)}
    assert before == {"A": 1500.0, "B": 1500.0, "C": 1500.0}
    week2 = {r.team: r.elo.value for r in store.team_ratings(2020, week=2)}
    assert week2["A"] == pytest.approx(1500 + 10 * math.log(11))
    assert week2["C"] == 1500.0  # C has not played yet
    final = {r.team: r for r in store.team_ratings(2020)}
    assert final["B"].games_played == 2
    assert final["A"].elo.percentile == 100.0


def test_fcs_opponents_share_one_pseudo_team(make_dataset: MakeDataset) -> None:
    ds = make_dataset([(2020, 1, "A", "Tiny", 56, 3, False), (2020, 1, "B", "Small", 49, 0, False)],
                      fcs={"Tiny", "Small"})
    store = FeatureStore.build(ds)
    teams = {r.team for r in store.team_ratings(2020)}
    assert teams == {"A", "B"}  # FCS teams are not listed among FBS ratings
    row = store.matchup_vector("A", "Tiny", 2020, 2)
    names = list(store.feature_names)
    assert row[names.index("away_fcs")] == 1.0
    assert row[names.index("srs_diff")] > 14  # the FCS pool starts far below FBS, then loses


def test_home_field_none_at_neutral_and_expected_share_when_unknown(
    make_dataset: MakeDataset,
) -> None:
    ds = make_dataset([(2020, 1, "A", "B", 24, 14, True), (2020, 1, "C", "D", 24, 14, None),
                       (2020, 1, "E", "F", 24, 14, False)])
    store = FeatureStore.build(ds)
    hf = list(store.feature_names).index("home_field")
    x = store.game_features(np.arange(3))
    by_home = dict(zip(ds.games.cols["home_team"].tolist(), x[:, hf].tolist(), strict=True))
    assert by_home["A"] == 0.0
    assert by_home["E"] == 1.0
    assert 0.9 < by_home["C"] < 1.0  # unknown regular-season site: probably a home game
    assert store.matchup_vector("A", "B", 2020, 1, neutral=False)[hf] == 1.0
