"""A clone without data: ``serve`` says exactly how to get some, and a pull with a key gets it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from scriptohio.data.dataset import Dataset, load_dataset
from scriptohio.testing.cfbd_server import FakeCfbd


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CFBD_", "SCRIPTOHIO_"))}
    return env | extra


def test_serve_without_data_says_how_to_get_it(tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    clone.mkdir()
    r = subprocess.run([sys.executable, "-m", "scriptohio.cli.main", "serve"], cwd=clone,
                       env=_env(SCRIPTOHIO_STATE_DIR=str(tmp_path / "var")),
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2
    assert "no data directory found" in r.stderr
    assert "export CFBD_API_KEY=" in r.stderr
    assert "scriptohio data pull --seasons 2014-2025" in r.stderr
    assert "point SCRIPTOHIO_DATA_DIR at a copy" in r.stderr


def test_with_a_key_the_first_pull_makes_the_data_directory(dataset: Dataset,
                                                            tmp_path: Path) -> None:
    target = tmp_path / "clone" / "data"
    with FakeCfbd(dataset, api_key="k") as cfbd:
        env = _env(CFBD_API_KEY="k", SCRIPTOHIO_CFBD_URL=cfbd.url,
                   SCRIPTOHIO_DATA_DIR=str(target), SCRIPTOHIO_STATE_DIR=str(tmp_path / "var"))
        r = subprocess.run([sys.executable, "-m", "scriptohio.cli.main", "data", "pull",
                            "--seasons", "2024", "--no-advanced"], env=env,
                           capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["games"] == int((dataset.games.cols["season"] == 2024).sum())
        where = subprocess.run([sys.executable, "-m", "scriptohio.cli.main", "data", "where"],
                               env=env, capture_output=True, text=True, timeout=120)
        assert json.loads(where.stdout) == {"data_dir": str(target.resolve())}
    assert len(load_dataset(target).games.cols["game_id"]) > 0
