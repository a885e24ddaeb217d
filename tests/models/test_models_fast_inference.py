"""The serving shortcuts give the same numbers as the libraries they replace."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from scriptohio.data.dataset import Dataset
from scriptohio.features import FeatureStore
from scriptohio.models.artifacts import read_bundle, write_bundle
from scriptohio.models.bundle import ModelBundle
from scriptohio.models.estimators import LogisticModel, MLPModel, RidgeModel, XGBoostModel
from scriptohio.models.forest import Forest


@pytest.fixture(scope="module")
def x(dataset: Dataset, features: FeatureStore) -> np.ndarray:
    rows = np.flatnonzero(dataset.games.cols["season"] == 2023)
    out = features.game_features(rows)
    out[0, 3] = np.nan  # missing values follow XGBoost's default direction
    return out


def test_numpy_forest_matches_xgboost(bundle: ModelBundle, x: np.ndarray) -> None:
    model = next(m for m in bundle.models if isinstance(m, XGBoostModel))
    assert model.booster is not None
    forest = Forest.from_booster(model.booster)
    expected = model.booster.inplace_predict(x)
    assert np.allclose(forest.predict(x), expected, atol=1e-3)
    assert np.allclose(model.margin(x[:3]), expected[:3], atol=1e-3)


def test_linear_and_mlp_algebra_match_sklearn(bundle: ModelBundle, x: np.ndarray) -> None:
    clean = x[1:]
    for model in bundle.models:
        if isinstance(model, RidgeModel | MLPModel):
            scale = getattr(model, "y_scale", 1.0)
            ref = model.model.predict(model._scale(clean)) * scale
            assert np.allclose(model.margin(clean), ref, atol=1e-6)
        if isinstance(model, LogisticModel):
            p = model.model.predict_proba(model._scale(clean))[:, 1]
            assert np.allclose(1 / (1 + np.exp(-model.margin(clean) / model.points_per_logit)),
                               p, atol=1e-6)


def test_contributions_add_up_for_trees(bundle: ModelBundle, x: np.ndarray) -> None:
    model = next(m for m in bundle.models if isinstance(m, XGBoostModel))
    contrib = model.contributions(x[:5])
    bias = model.margin(x[:5]) - contrib.sum(axis=1)
    assert np.allclose(bias, bias[0], atol=1e-3)  # same bias for every row


def test_loaded_bundle_predicts_and_explains_like_the_fitted_one(
    tmp_path: Path, bundle: ModelBundle, x: np.ndarray
) -> None:
    write_bundle(bundle, tmp_path / "v")
    loaded, size = read_bundle(tmp_path / "v")
    assert size > 0
    rows = x[1:40]
    a, b = bundle.predict(rows, explain=True), loaded.predict(rows, explain=True)
    assert np.allclose(a.margins, b.margins, atol=1e-6)
    assert a.contributions is not None and b.contributions is not None
    assert np.allclose(a.contributions, b.contributions, atol=1e-4)
    write_bundle(loaded, tmp_path / "again")  # a loaded bundle can be stored again
    again, _ = read_bundle(tmp_path / "again")
    assert np.allclose(again.predict(rows).margin, a.margin, atol=1e-6)
