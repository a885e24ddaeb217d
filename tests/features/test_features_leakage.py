"""No leakage: changing a result never changes the features of a game that kicked off earlier.

Also: incremental recompute after an ingest gives the same features as a full rebuild and
reports exactly the weeks whose features changed.
"""

from __future__ import annotations

import numpy as np
import pytest

from scriptohio.data.dataset import Dataset
from scriptohio.events import DataChanged
from scriptohio.features import FeatureStore

from .conftest import MakeDataset, with_games


@pytest.fixture(scope="module")
def store(dataset: Dataset) -> FeatureStore:
    return FeatureStore.build(dataset)


def _pick(dataset: Dataset, season: int, week: int) -> int:
    c = dataset.games.cols
    rows = dataset.games.rows_for_week(season, week, "regular")
    fbs = [r for r in rows.tolist() if c["home_division"][r] == c["away_division"][r] == "fbs"
           and not np.isnan(c["home_points"][r])]
    return int(fbs[len(fbs) // 2])


def _perturbed(dataset: Dataset, row: int) -> Dataset:
    gid = int(dataset.games.cols["game_id"][row])

    def change(cols: dict[str, np.ndarray]) -> None:
        i = int(np.flatnonzero(cols["game_id"] == gid)[0])
        cols["home_points"][i] += 35  # a blowout instead of the real result

    return with_games(dataset, change)


def test_perturbing_a_result_changes_no_earlier_feature(dataset: Dataset,
                                                        store: FeatureStore) -> None:
    row = _pick(dataset, 2023, 8)
    kick = dataset.games.cols["kickoff"][row]
    changed = _perturbed(dataset, row)
    after = FeatureStore.build(changed)
    assert np.array_equal(changed.games.cols["game_id"], dataset.games.cols["game_id"])
    before_x = store.game_features(np.arange(dataset.games.n))
    after_x = after.game_features(np.arange(dataset.games.n))
    earlier = dataset.games.cols["kickoff"] <= kick
    assert np.array_equal(before_x[earlier], after_x[earlier], equal_nan=True)
    # ... while later games do see it (the check above could fail)
    differs = ~np.all(np.isclose(before_x, after_x, equal_nan=True), axis=1)
    assert differs[~earlier].sum() > 100
    home = str(dataset.games.cols["home_team"][row])
    assert (store.team_ratings(2023, 8)[0].srs == after.team_ratings(2023, 8)[0].srs)
    old = {r.team: r.srs.value for r in store.team_ratings(2023, 10)}
    new = {r.team: r.srs.value for r in after.team_ratings(2023, 10)}
    assert new[home] > old[home]


def test_incremental_update_matches_full_rebuild(dataset: Dataset) -> None:
    store = FeatureStore.build(dataset)
    row = _pick(dataset, 2024, 9)
    changed = _perturbed(dataset, row)
    gid = int(dataset.games.cols["game_id"][row])
    event = DataChanged(seasons=frozenset({2024}), weeks=frozenset({(2024, "regular", 9)}),
                        teams=frozenset(), game_ids=frozenset({gid}))
    keys = store.update(changed, event)
    full = FeatureStore.build(changed)
    n = changed.games.n
    assert np.allclose(store.game_features(np.arange(n)), full.game_features(np.arange(n)),
                       equal_nan=True)
    assert (2024, "regular", 10) in keys
    assert (2024, "final", 0) in keys
    assert (2025, "regular", 1) in keys  # next season's prior moved
    assert not any(k[0] < 2024 for k in keys)
    assert (2024, "regular", 5) not in keys
    assert store.dataset is changed


def test_update_without_change_reports_only_the_touched_week(dataset: Dataset) -> None:
    store = FeatureStore.build(dataset)
    event = DataChanged(seasons=frozenset({2025}), weeks=frozenset({(2025, "regular", 3)}),
                        teams=frozenset())
    assert store.update(dataset, event) == {(2025, "regular", 3)}


def test_update_with_a_game_in_a_new_week_matches_full_rebuild(make_dataset: MakeDataset) -> None:
    base = [(2020, 1, "A", "B", 21, 7, False), (2020, 3, "B", "C", 14, 10, False),
            (2020, 4, "C", "A", 3, 30, False), (2021, 1, "A", "C", 28, 27, False)]
    added = (2020, 2, "C", "A", 35, 0, False)
    old = make_dataset(base)
    new = make_dataset([*base[:1], added, *base[1:]])
    store = FeatureStore.build(old)
    event = DataChanged(seasons=frozenset({2020}), weeks=frozenset({(2020, "regular", 2)}),
                        teams=frozenset({"A", "C"}))
    keys = store.update(new, event)
    full = FeatureStore.build(new)
    rows = np.arange(new.games.n)
    assert np.allclose(store.game_features(rows), full.game_features(rows))
    assert {(2020, "regular", 3), (2020, "regular", 4), (2020, "final", 0),
            (2021, "regular", 1)} <= keys
    assert (2020, "regular", 1) not in keys
    assert [r.elo.value for r in store.team_ratings(2021)] == [
        r.elo.value for r in full.team_ratings(2021)]
