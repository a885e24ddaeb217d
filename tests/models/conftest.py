"""A small but real model suite, trained once per session on a few seasons."""

from __future__ import annotations

import pytest

from scriptohio.data.dataset import Dataset
from scriptohio.features import FeatureStore
from scriptohio.models.bundle import ModelBundle
from scriptohio.models.config import ModelConfig
from scriptohio.models.train import fit_window

SMALL = ModelConfig(first_season=2017, xgb_trees=40, mlp_max_iter=40, mlp_hidden=(16,),
                    ensemble_folds=1)


@pytest.fixture(scope="session")
def features(dataset: Dataset) -> FeatureStore:
    return FeatureStore.build(dataset)


@pytest.fixture(scope="session")
def bundle(dataset: Dataset, features: FeatureStore) -> ModelBundle:
    return fit_window(dataset, features, through=2022, config=SMALL)
