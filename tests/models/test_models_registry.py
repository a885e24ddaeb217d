"""Model registry: versions on disk, lazy load, LRU eviction, hot reload under load."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from scriptohio.errors import NotFoundError, NotReadyError
from scriptohio.features import FeatureStore
from scriptohio.models.bundle import ModelBundle
from scriptohio.models.registry import ModelRegistry


def test_empty_registry_is_not_ready(state_dir: Path, features: FeatureStore) -> None:
    reg = ModelRegistry(state_dir, features)
    assert reg.latest_version() is None and not reg.ready
    with pytest.raises(NotReadyError):
        reg.load()
    with pytest.raises(NotFoundError):
        reg.load("v0042")


def test_versions_are_compressed_with_metadata_and_loaded_lazily(
    state_dir: Path, bundle: ModelBundle, features: FeatureStore
) -> None:
    reg = ModelRegistry(state_dir, features)
    assert reg.save(bundle) == "v0001"
    assert reg.save(bundle) == "v0002"
    files = {p.name for p in (state_dir / "models" / "v0002").iterdir()}
    assert files == {"suite.joblib.zst", "xgboost.json.zst", "meta.json"}
    meta = reg.metadata()
    assert meta["version"] == "v0002" and meta["last_season"] == 2022
    assert meta["feature_names"] == list(features.feature_names)
    assert len(str(meta["feature_hash"])) == 16 and "created_at" in meta
    assert reg.loads == 0  # nothing loaded before first use
    first = reg.load()
    again = reg.load()
    assert first is again and reg.loads == 1 and reg.ready
    fresh = ModelRegistry(state_dir, features).load()
    a = first.predict("Georgia", "Florida", 2024, 9, neutral=True)
    b = fresh.predict("Georgia", "Florida", 2024, 9, neutral=True)
    assert a.margin == pytest.approx(b.margin) and a.model_version == "v0002"


def test_pool_evicts_least_recently_used_beyond_its_memory_bound(
    state_dir: Path, bundle: ModelBundle, features: FeatureStore
) -> None:
    for _ in range(3):
        ModelRegistry(state_dir).save(bundle)
    # A bound smaller than one bundle keeps only the newest load in memory.
    reg = ModelRegistry(state_dir, features, max_bytes=1)
    reg.load("v0001")
    reg.load("v0002")
    assert reg.loaded_versions() == ["v0002"]
    big = ModelRegistry(state_dir, features, max_bytes=10**9)
    big.load("v0001")
    big.load("v0002")
    big.load("v0001")  # touch: v0002 is now least recently used
    big.load("v0003")
    assert big.loaded_versions() == ["v0002", "v0001", "v0003"]


def test_hot_reload_never_fails_an_in_flight_prediction(
    state_dir: Path, bundle: ModelBundle, features: FeatureStore
) -> None:
    reg = ModelRegistry(state_dir, features, max_bytes=1)
    reg.save(bundle)
    reg.preload_in_background().join(timeout=60)
    assert reg.ready
    errors: list[BaseException] = []
    seen: set[str] = set()
    stop = threading.Event()

    def client() -> None:
        count = 0
        while not stop.is_set() or count < 5:
            try:
                p = reg.load().predict("Michigan", "Ohio State", 2024, 14)
                seen.add(p.model_version)
            except BaseException as exc:  # any failure fails the test
                errors.append(exc)
                return
            count += 1
            if count > 2000:
                return

    threads = [threading.Thread(target=client) for _ in range(4)]
    for t in threads:
        t.start()
    for _ in range(3):
        reg.save(bundle)
        reg.reload()
    stop.set()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert reg.load().model_version == "v0004"
    assert seen and seen <= {"v0001", "v0002", "v0003", "v0004"}
    assert reg.load().predict("Michigan", "Ohio State", 2024, 14).model_version == "v0004"


def test_a_version_trained_on_other_features_is_skipped(
    state_dir: Path, bundle: ModelBundle, features: FeatureStore
) -> None:
    reg = ModelRegistry(state_dir, features)
    assert reg.save(bundle) == "v0001"
    stale = reg.save(bundle)
    meta = state_dir / "models" / stale / "meta.json"
    meta.write_text(meta.read_text().replace(str(bundle.meta["feature_hash"]), "0" * 16))
    assert reg.latest_version() == "v0001"
    assert reg.load().model_version == "v0001"
