"""Shared set-up of the model benchmarks: data, features and a trained model version."""

from __future__ import annotations

import atexit
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from scriptohio.data.dataset import Dataset, load_dataset
from scriptohio.data.paths import find_data_dir
from scriptohio.features import FeatureStore
from scriptohio.models.registry import ModelRegistry
from scriptohio.models.train import train

REPO = Path(__file__).resolve().parent.parent


def data() -> Dataset:
    return load_dataset(find_data_dir(os.environ.get("SCRIPTOHIO_DATA_DIR"), cwd=REPO))


def trained_registry(dataset: Dataset, features: FeatureStore) -> ModelRegistry:
    """A registry with a model trained through 2024 (reuses $SCRIPTOHIO_BENCH_STATE if set)."""
    given = os.environ.get("SCRIPTOHIO_BENCH_STATE")
    state = Path(given or tempfile.mkdtemp(prefix="so-bench-"))
    if not given:
        atexit.register(shutil.rmtree, state, ignore_errors=True)
    registry = ModelRegistry(state, features)
    if registry.latest_version() is None:
        train(dataset, state, through=2024, features=features)
    return registry


def timings(fn: Callable[[], object], repeat: int) -> list[float]:
    """Wall-clock seconds of ``repeat`` calls (after 3 warm-up calls)."""
    for _ in range(3):
        fn()
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def describe(name: str, samples: list[float]) -> float:
    """Print P50/P90 in milliseconds; returns the P50 in ms."""
    ordered = sorted(samples)
    p50 = statistics.median(ordered) * 1e3
    p90 = ordered[int(0.9 * (len(ordered) - 1))] * 1e3
    print(f"{name:<44} P50 {p50:8.3f} ms   P90 {p90:8.3f} ms   (n={len(samples)})")
    return p50
