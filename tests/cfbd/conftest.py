"""A local CFBD (``FakeCfbd``, a real HTTP server on loopback) and the real ``cfbd`` client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from scriptohio.data.cfbd import CfbdClient, RetryPolicy
from scriptohio.data.dataset import Dataset, load_dataset
from scriptohio.data.store import StateStore
from scriptohio.testing.cfbd_server import FakeCfbd

API_KEY = "cfbd-secret-key-7d3f9a"


class Sleeps(list[float]):
    """An injected ``sleep`` that records the waits instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture()
def cfbd_server(dataset: Dataset) -> Iterator[FakeCfbd]:
    with FakeCfbd(dataset, api_key=API_KEY) as server:
        yield server


@pytest.fixture()
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture()
def client(cfbd_server: FakeCfbd, sleeps: Sleeps) -> Iterator[CfbdClient]:
    c = CfbdClient(api_key=API_KEY, base_url=cfbd_server.url, timeout_s=5.0,
                   policy=RetryPolicy(attempts=4), sleep=sleeps)
    yield c
    c.close()


@pytest.fixture()
def store(state_dir: Path) -> Iterator[StateStore]:
    s = StateStore(state_dir)
    yield s
    s.close()


def view(dataset: Dataset, store: StateStore) -> Dataset:
    return load_dataset(dataset.data_dir, store)
