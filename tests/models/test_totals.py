"""Totals: pregame-only scoring features and the walk-forward comparison with the market."""

from __future__ import annotations

import numpy as np

from scriptohio.data.dataset import Dataset
from scriptohio.data.tables import Games
from scriptohio.models.totals import TOTAL_FEATURES, scoring_features, walk_forward


def test_a_games_own_result_never_reaches_its_features(dataset: Dataset) -> None:
    base = scoring_features(dataset)
    c = dict(dataset.games.cols)
    row = int(np.flatnonzero((c["season"] == 2024) & (c["week"] == 8))[0])
    changed = {k: v.copy() for k, v in c.items()}
    changed["home_points"][row] += 40
    other = Dataset(dataset.data_dir, Games(changed), dataset.team_games,
                    dataset.team_seasons, dataset.talent)
    after = scoring_features(other)
    gid = int(c["game_id"][row])
    i, j = dataset.games.row_of(gid), other.games.row_of(gid)
    assert i is not None and j is not None
    assert np.array_equal(base[i], after[j])  # the game itself: unchanged
    later = (other.games.cols["season"] == 2024) & (other.games.cols["week"] == 10)
    earlier = (dataset.games.cols["season"] == 2024) & (dataset.games.cols["week"] == 10)
    assert not np.allclose(after[later], base[earlier])  # later games see it
    assert base.shape[1] == len(TOTAL_FEATURES)


def test_walk_forward_scores_ours_and_the_markets_on_the_same_games(dataset: Dataset) -> None:
    result = walk_forward(dataset, (2024,))
    season = result["2024"]
    assert isinstance(season, dict)
    assert season["n"] > 700 and season["right_side_n"] <= season["n"]
    assert 8.0 < season["mae_ours"] < 16.0 and 8.0 < season["mae_market"] < 16.0
