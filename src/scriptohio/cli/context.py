"""What commands share: settings from the environment, the data directory, the loaded view."""

from __future__ import annotations

import os
from pathlib import Path

from scriptohio.config import Settings
from scriptohio.data.dataset import Dataset, load_dataset
from scriptohio.data.paths import find_data_dir, state_dir
from scriptohio.data.store import StateStore


def settings() -> Settings:
    try:
        return Settings.from_env(os.environ)
    except ValueError as exc:
        from scriptohio.errors import ValidationError

        raise ValidationError(str(exc)) from exc


def open_store() -> StateStore:
    return StateStore(state_dir(settings().state_dir))


def data_dir() -> Path:
    return find_data_dir(settings().data_dir)


def dataset(store: StateStore | None = None) -> Dataset:
    return load_dataset(data_dir(), store if store is not None else open_store())
