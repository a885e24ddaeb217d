"""What commands share: settings from the environment, the data directory, the loaded view."""

from __future__ import annotations

import os
from pathlib import Path

from scriptohio.agents.context import AnalyticsContext
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


def analytics() -> AnalyticsContext:
    """Data, features and the default model (trained first if the registry is empty)."""
    from scriptohio.features import FeatureStore
    from scriptohio.models.registry import ModelRegistry

    store = open_store()
    ds = dataset(store)
    features = FeatureStore.build(ds)
    sdir = state_dir(settings().state_dir)
    registry = ModelRegistry(sdir, features)
    if registry.latest_version() is None:
        from scriptohio.models.train import rich_progress, train

        with rich_progress("no model yet: training") as progress:
            train(ds, sdir, None, progress, features=features)
    return AnalyticsContext(ds, features, registry.load())
