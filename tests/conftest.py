"""Fixtures shared by every test folder: the real data and a fresh state directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scriptohio.data.dataset import Dataset, load_dataset
from scriptohio.data.paths import find_data_dir

REPO = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return find_data_dir(os.environ.get("SCRIPTOHIO_DATA_DIR"), cwd=REPO)


@pytest.fixture(scope="session")
def dataset(data_dir: Path) -> Dataset:
    """The shipped data, loaded once per test session (read-only: never mutate it)."""
    return load_dataset(data_dir)


@pytest.fixture()
def state_dir(tmp_path: Path) -> Path:
    path = tmp_path / "state"
    path.mkdir()
    return path


@pytest.fixture(scope="session")
def trained_state(tmp_path_factory: pytest.TempPathFactory, dataset: Dataset) -> Path:
    """A state directory with the default models trained once for the whole test session."""
    from scriptohio.models.train import train

    path = tmp_path_factory.mktemp("trained")
    train(dataset, path)
    return path


@pytest.fixture()
def service_state(trained_state: Path, tmp_path: Path) -> Path:
    """A fresh state directory (own SQLite files) sharing the session's trained models."""
    path = tmp_path / "service"
    path.mkdir()
    (path / "models").symlink_to(trained_state / "models", target_is_directory=True)
    return path
