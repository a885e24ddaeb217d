"""Predictions through the public Predictor API: single, batched, by game id, explained."""

from __future__ import annotations

import dataclasses

import pytest

from scriptohio.data.dataset import Dataset
from scriptohio.errors import OutOfRangeError, UnknownTeamError
from scriptohio.features import FeatureStore
from scriptohio.models import PredictionRequest, Predictor
from scriptohio.models.bundle import ModelBundle


@pytest.fixture(scope="module")
def predictor(bundle: ModelBundle, features: FeatureStore) -> Predictor:
    return Predictor(bundle, features, version="test")


def test_prediction_has_every_part(predictor: Predictor) -> None:
    p = predictor.predict("Ohio State", "Purdue", 2024, 8, explain=True)
    assert p.margin > 10  # a strong favourite at home
    assert 0.5 < p.home_win_prob < 1.0 and p.winner == "Ohio State"
    assert p.margin_interval.lo < p.margin < p.margin_interval.hi
    assert p.margin_interval.level == 0.8
    assert set(p.models) == {"ridge", "logistic", "xgboost", "mlp", "ensemble"}
    assert p.explanation is not None and len(p.explanation) == 8
    assert abs(p.explanation[0][1]) >= abs(p.explanation[-1][1])
    body = dataclasses.asdict(p)
    assert body["models"]["ridge"]["margin"] == p.models["ridge"].margin


def test_swapping_home_and_away_flips_the_favourite(predictor: Predictor) -> None:
    a = predictor.predict("Alabama", "Vanderbilt", 2024, 3, neutral=True)
    b = predictor.predict("Vanderbilt", "Alabama", 2024, 3, neutral=True)
    assert a.margin > 0 > b.margin
    assert a.home_win_prob > 0.5 > b.home_win_prob


def test_predict_many_equals_one_by_one(predictor: Predictor, dataset: Dataset) -> None:
    rows = dataset.games.rows_for_week(2024, 6, "regular")[:30]
    games = dataset.games.records(rows)
    reqs = [PredictionRequest(g.home_team, g.away_team, g.season, g.week) for g in games]
    many = predictor.predict_many(reqs)
    assert [p.game_id for p in many] == [g.game_id for g in games]
    for g, p in zip(games[:5], many[:5], strict=True):
        one = predictor.predict(g.home_team, g.away_team, g.season, g.week)
        assert one.margin == pytest.approx(p.margin)
        assert p.market_spread == g.spread


def test_unknown_team_and_season_out_of_range(predictor: Predictor) -> None:
    with pytest.raises(UnknownTeamError) as err:
        predictor.predict("Ohio Stat", "Michigan", 2024, 5)
    assert "Ohio State" in err.value.suggestions
    with pytest.raises(OutOfRangeError):
        predictor.predict("Ohio State", "Michigan", 1999, 5)


def test_neutral_site_removes_home_edge(predictor: Predictor) -> None:
    home = predictor.predict("Texas", "Oklahoma", 2024, 7, neutral=False)
    neutral = predictor.predict("Texas", "Oklahoma", 2024, 7, neutral=True)
    assert home.margin > neutral.margin
