"""``data pull --seasons A-B``: a first full download into an empty data directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from scriptohio.data.cfbd import CfbdClient
from scriptohio.data.cfbd.bootstrap import download_seasons
from scriptohio.data.dataset import Dataset, load_dataset
from scriptohio.errors import UpstreamError, ValidationError
from scriptohio.testing.cfbd_server import FakeCfbd


def test_a_full_season_lands_as_a_loadable_data_directory(
        client: CfbdClient, dataset: Dataset, tmp_path: Path) -> None:
    target = tmp_path / "data"
    summary = download_seasons(client, target, [2024])
    loaded = load_dataset(target)
    assert summary["games"] == len(loaded.games.cols["game_id"])
    shipped = int((dataset.games.cols["season"] == 2024).sum())
    assert len(loaded.games.cols["game_id"]) == shipped
    assert loaded.team_games.n == int((dataset.team_games.cols["season"] == 2024).sum())
    assert (target / "lines.csv").is_file() and summary["lines"] > 0
    g = loaded.games.get(int(dataset.games.cols["game_id"][
        dataset.games.cols["season"] == 2024][0]))
    assert g is not None and g.season == 2024


def test_a_failed_download_leaves_no_directory(client: CfbdClient, cfbd_server: FakeCfbd,
                                               tmp_path: Path) -> None:
    cfbd_server.fail("/talent", 500, times=4)
    with pytest.raises(UpstreamError):
        download_seasons(client, tmp_path / "data", [2024], advanced=False)
    assert list(tmp_path.iterdir()) == []


def test_it_never_writes_over_existing_data(client: CfbdClient, tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "games.csv").write_text("x")
    with pytest.raises(ValidationError, match="not empty"):
        download_seasons(client, tmp_path / "data", [2024])
