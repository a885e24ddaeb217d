"""The public names the service and the CLI rely on are pinned."""

from __future__ import annotations

import inspect

import scriptohio.features as features
import scriptohio.models as models
from scriptohio.models.evaluate import evaluate
from scriptohio.models.predict_file import predict_file
from scriptohio.models.registry import ModelRegistry
from scriptohio.models.train import train


def test_public_names() -> None:
    assert set(features.__all__) == {"DEFAULT_FEATURE_CONFIG", "FEATURE_NAMES", "FeatureConfig",
                                     "FeatureStore", "Rated", "TeamRating"}
    assert set(models.__all__) == {"MarginInterval", "ModelOutput", "Prediction",
                                   "PredictionRequest", "Predictor"}
    for name in ("latest_version", "load", "reload", "preload_in_background", "ready"):
        assert hasattr(ModelRegistry, name)


def test_entry_point_signatures() -> None:
    assert list(inspect.signature(train).parameters)[:4] == ["dataset", "state_dir", "through",
                                                             "progress"]
    assert list(inspect.signature(predict_file).parameters) == ["dataset", "predictor",
                                                                "in_path", "out_path"]
    params = inspect.signature(evaluate).parameters
    assert params["train_through"].default == 2023 and tuple(params["test"].default) == (2024,
                                                                                         2025)
