"""Feature store: full build vs incremental update after a one-week ingest (the baseline is
the full rebuild the update avoids), and team ratings (first call vs cached).

Run: ``.venv/bin/python bench/models_features.py``
"""

from __future__ import annotations

import statistics
import time

from models_common import data, describe, timings
from scriptohio.events import DataChanged
from scriptohio.features import FeatureStore


def main() -> None:
    dataset = data()
    build = describe("baseline: FeatureStore.build (2004-2025)",
                     timings(lambda: FeatureStore.build(dataset), 5))
    store = FeatureStore.build(dataset)
    event = DataChanged(seasons=frozenset({2025}), weeks=frozenset({(2025, "regular", 9)}),
                        teams=frozenset())
    update = describe("update after an ingest of 2025 week 9",
                      timings(lambda: store.update(dataset, event), 5))
    print(f"incremental update is {build / update:.1f}x faster than a rebuild")
    firsts = []
    for week in range(1, 10):
        started = time.perf_counter()
        store.team_ratings(2024, week)
        firsts.append(time.perf_counter() - started)
    print(f"team_ratings first call per week: median {statistics.median(firsts) * 1e3:.2f} ms")
    describe("team_ratings cached", timings(lambda: store.team_ratings(2024, 5), 1000))


if __name__ == "__main__":
    main()
