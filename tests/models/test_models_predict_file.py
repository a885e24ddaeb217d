"""predict-file: unknown teams get an error value, a malformed file writes nothing."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from scriptohio.data.dataset import Dataset
from scriptohio.errors import DataFormatError
from scriptohio.features import FeatureStore
from scriptohio.models import Predictor
from scriptohio.models.bundle import ModelBundle
from scriptohio.models.predict_file import predict_file

HEADER = "game_id,season,week,season_type,start_date,neutral_site,home_team,away_team,home_points"


@pytest.fixture(scope="module")
def predictor(bundle: ModelBundle, features: FeatureStore) -> Predictor:
    return Predictor(bundle, features, version="test")


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path


def test_rows_with_unknown_teams_get_an_error_and_others_are_predicted(
    tmp_path: Path, dataset: Dataset, predictor: Predictor
) -> None:
    src = _write(tmp_path / "games.csv", [
        HEADER,
        "1,2025,12,regular,2025-11-15T17:00:00Z,false,Ohio State,UCLA,",
        "2,2025,12,regular,,,Springfield Atoms,UCLA,",
        "3,2025,1,postseason,,true,Georgia,Texas,99",
        "4,1990,3,regular,,,Georgia,Texas,",
    ])
    out = tmp_path / "out.csv"
    summary = predict_file(dataset, predictor, src, out)
    assert summary["rows"] == 4 and summary["predicted"] == 2 and summary["errors"] == 2
    rows = list(csv.DictReader(out.open()))
    assert list(rows[0])[:5] == ["game_id", "home_team", "away_team", "pred_margin",
                                 "home_win_prob"]
    assert {"margin_ridge", "margin_xgboost", "margin_mlp", "margin_ensemble"} <= set(rows[0])
    assert float(rows[0]["pred_margin"]) > 10 and rows[0]["error"] == ""
    assert "Springfield Atoms" in rows[1]["error"] and rows[1]["pred_margin"] == ""
    assert rows[2]["error"] == "" and 0 < float(rows[2]["home_win_prob"]) < 1
    assert "1990" in rows[3]["error"]


@pytest.mark.parametrize(("lines", "column"), [
    (["game_id,season,week,home_team,away_team", "1,2024,3,Georgia,Texas"], "season_type"),
    ([HEADER, "1,2024,three,regular,,,Georgia,Texas,"], "week"),
    ([HEADER, "1,2024,3,preseason,,,Georgia,Texas,"], "season_type"),
    ([HEADER, "1,2024,3,regular,,maybe,Georgia,Texas,"], "neutral_site"),
])
def test_malformed_file_raises_and_writes_nothing(
    tmp_path: Path, dataset: Dataset, predictor: Predictor, lines: list[str], column: str
) -> None:
    src = _write(tmp_path / "bad.csv", lines)
    out = tmp_path / "out.csv"
    with pytest.raises(DataFormatError) as err:
        predict_file(dataset, predictor, src, out)
    assert err.value.column == column and "bad.csv" in str(err.value)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [src]
