"""The composition root: one :class:`Service` holds every component of a running process.

It loads the dataset in a worker thread at start-up (so ``/health`` answers at once), and
notices ingests made by other processes through the state store's data version.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

from scriptohio.config import Settings
from scriptohio.data.dataset import Dataset, load_dataset
from scriptohio.data.paths import find_data_dir, state_dir
from scriptohio.data.store import StateStore
from scriptohio.errors import NotReadyError
from scriptohio.events import EventBus

log = logging.getLogger(__name__)


class Service:
    """Everything one service process runs; the routes reach it through ``app.state``."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.bus = EventBus()
        self.started_at = time.time()
        self._dataset: Dataset | None = None
        self._load_error: str | None = None
        self._loader: asyncio.Task[None] | None = None
        self.data_dir: Path | None = None
        self.state_dir: Path | None = None
        self.store: StateStore | None = None

    @property
    def ready(self) -> bool:
        return self._dataset is not None

    @property
    def dataset(self) -> Dataset:
        if self._dataset is None:
            raise NotReadyError(self._load_error or "data is still loading", retry_after=1)
        return self._dataset

    def readiness(self) -> dict[str, object]:
        return {
            "data": self._dataset is not None,
            "data_version": None if self._dataset is None else self._dataset.version,
            "error": self._load_error,
        }

    async def start(self) -> None:
        self.state_dir = state_dir(self.settings.state_dir)
        self.data_dir = find_data_dir(self.settings.data_dir)
        self.store = StateStore(self.state_dir)
        self._loader = asyncio.create_task(self._load())

    async def _load(self) -> None:
        try:
            assert self.data_dir is not None
            self._dataset = await asyncio.to_thread(load_dataset, self.data_dir, self.store)
            log.info("data loaded in %.2f s", self._dataset.load_seconds)
        except Exception as exc:  # reported by /ready; the process keeps answering /health
            self._load_error = f"data failed to load: {exc}"
            log.exception("data failed to load")

    async def stop(self) -> None:
        if self._loader is not None and not self._loader.done():
            self._loader.cancel()
        if self.store is not None:
            self.store.close()
