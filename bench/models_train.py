"""``train`` on 2004-2024 end to end (goal <= 90 s), next to the feature build (baseline).

Run: ``.venv/bin/python bench/models_train.py``
"""

from __future__ import annotations

import itertools
import tempfile
import time

from models_common import data
from scriptohio.features import FeatureStore
from scriptohio.models.train import train


def main() -> None:
    dataset = data()
    started = time.perf_counter()
    FeatureStore.build(dataset)
    build = time.perf_counter() - started
    print(f"baseline: feature build alone (22 seasons, every week)  {build:6.2f} s")
    stages: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="so-train-") as state:
        started = time.perf_counter()
        result = train(dataset, state, through=2024,
                       progress=lambda stage, _: stages.append((stage, time.perf_counter())))
        total = time.perf_counter() - started
    for (stage, t0), (_, t1) in itertools.pairwise(stages):
        print(f"  {stage:<40} {t1 - t0:6.2f} s")
    print(f"train 2004-2024 (features included): {total:6.2f} s; {result.rows} games, "
          f"seasons {result.first_season}-{result.last_season}; version {result.version}")
    print(f"training is {total / build:.0f}x the feature build")
    print(f"goal: train <= 90 s: {'met' if total <= 90 else 'MISSED'}")


if __name__ == "__main__":
    main()
