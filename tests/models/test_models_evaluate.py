"""Evaluation: reproducible for a fixed seed, writes JSON, Markdown and a calibration plot."""

from __future__ import annotations

import json
from pathlib import Path

from scriptohio.data.dataset import Dataset
from scriptohio.features import FeatureStore
from scriptohio.models.evaluate import evaluate

from .conftest import SMALL


def test_evaluation_is_reproducible_and_complete(
    tmp_path: Path, dataset: Dataset, features: FeatureStore
) -> None:
    a = evaluate(dataset, tmp_path / "a", train_through=2022, test=[2023], config=SMALL,
                 features=features)
    b = evaluate(dataset, tmp_path / "b", train_through=2022, test=[2023], config=SMALL,
                 features=features)
    assert a["seasons"] == b["seasons"]
    season = a["seasons"]["2023"]  # type: ignore[index]
    models = season["models"]
    assert set(models) == {"ridge", "logistic", "xgboost", "mlp", "ensemble", "elo", "market"}
    assert models["ensemble"]["n"] == models["market"]["n"] == season["n"] > 700
    assert set(season["by_week"]) == {"1-4", "5-9", "10+", "postseason"}
    assert sum(season["by_week"][b]["ensemble"]["n"] for b in season["by_week"]) == season["n"]
    assert models["ensemble"]["mae"] < models["elo"]["mae"]
    assert 0.5 < models["ensemble"]["winner_acc"] < 1.0
    out = tmp_path / "a"
    saved = json.loads((out / "evaluation.json").read_text())
    assert saved["seasons"]["2023"]["models"]["ensemble"]["mae"] == models["ensemble"]["mae"]
    assert "files" not in saved and str(tmp_path) not in (out / "evaluation.json").read_text()
    assert a["files"] == {"json": str(out / "evaluation.json"),  # type: ignore[index]
                          "markdown": str(out / "evaluation.md"),
                          "calibration_png": str(out / "calibration.png")}
    assert "| ensemble |" in (out / "evaluation.md").read_text()
    assert (out / "calibration.png").read_bytes()[:4] == b"\x89PNG"
