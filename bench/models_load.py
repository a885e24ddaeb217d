"""Model load time from the registry (goal <= 200 ms), vs reading the raw files (baseline).

Run: ``.venv/bin/python bench/models_load.py``
"""

from __future__ import annotations

from models_common import data, describe, timings, trained_registry
from scriptohio.features import FeatureStore
from scriptohio.models.registry import ModelRegistry


def main() -> None:
    dataset = data()
    features = FeatureStore.build(dataset)
    registry = trained_registry(dataset, features)
    version = registry.latest_version()
    assert version is not None
    directory = registry.root / version
    size = sum(p.stat().st_size for p in directory.iterdir())
    print(f"version {version}: {size / 1024:.0f} KiB on disk (zstd)")
    raw = describe("baseline: read the files' bytes",
                   timings(lambda: [p.read_bytes() for p in directory.iterdir()], 30))
    load = describe("ModelRegistry(...).load(): cold, lazy",
                    timings(lambda: ModelRegistry(registry.root.parent, features).load(), 30))
    warm = describe("registry.load(): warm (pooled)", timings(registry.load, 300))
    print(f"cold load is {load / raw:.0f}x the raw read; "
          f"warm is {load / max(warm, 1e-6):.0f}x faster than cold")
    print(f"goal: load P50 {load:.1f} ms (<= 200 ms: {'met' if load <= 200 else 'MISSED'})")


if __name__ == "__main__":
    main()
