"""One contract for every canary store backend (the state directory's file, Redis): what one
worker writes the others read, and updates from many threads at once lose nothing."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest

from scriptohio.models.canary import CanaryState, new_canary
from scriptohio.models.canary_stats import ArmStats
from scriptohio.models.canary_store import (
    CanaryStore,
    FileCanaryStore,
    RedisCanaryStore,
    open_canary_store,
)


@pytest.fixture(params=["file", "redis"])
def stores(request: pytest.FixtureRequest, tmp_path: Path
           ) -> Iterator[tuple[CanaryStore, CanaryStore]]:
    """Two handles on one store, as two workers have."""
    if request.param == "file":
        yield FileCanaryStore(tmp_path), FileCanaryStore(tmp_path)
        return
    url = request.getfixturevalue("redis_url")
    namespace = f"test-canary-{uuid.uuid4().hex[:8]}"
    one, two = (RedisCanaryStore(url, namespace=namespace) for _ in range(2))
    try:
        yield one, two
    finally:
        import redis

        redis.Redis.from_url(url).delete(one.key)  # only this test's key
        one.close()
        two.close()


def test_what_one_writes_the_other_reads(stores: tuple[CanaryStore, CanaryStore]) -> None:
    one, two = stores
    assert one.read() is None and two.read() is None
    started = one.update(lambda _: new_canary("v0002", "v0001", 100.0))
    assert started is not None
    seen = two.read()
    assert seen is not None and seen.as_json() == started.as_json()
    unchanged = two.update(lambda state: state)
    assert unchanged is not None and unchanged.id == started.id


def test_concurrent_updates_lose_no_reading(stores: tuple[CanaryStore, CanaryStore]) -> None:
    one, two = stores
    one.update(lambda _: new_canary("v0002", "v0001", 100.0))

    def add_one(state: CanaryState | None) -> CanaryState:
        assert state is not None
        reading = ArmStats()
        reading.record(0.01, ok=True)
        return replace(state, canary=state.canary + reading)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: (one if i % 2 else two).update(add_one), range(40)))
    final = one.read()
    assert final is not None and final.canary.requests == 40


def test_the_service_picks_redis_when_it_has_one(tmp_path: Path) -> None:
    assert isinstance(open_canary_store(tmp_path), FileCanaryStore)
    store = open_canary_store(tmp_path, "redis://127.0.0.1:1/0", namespace="x")
    assert isinstance(store, RedisCanaryStore) and store.key == "x:canary"
