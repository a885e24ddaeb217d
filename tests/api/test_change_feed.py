"""The change feed's storage: kept by data version, bounded in size and age, on disk (0600)."""

from __future__ import annotations

import stat
from pathlib import Path

from scriptohio.api.change_feed import ChangeFeed


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def _entry(version: int, note: str = "") -> dict[str, object]:
    return {"data_version": version, "summary": f"version {version}{note}"}


def test_entries_page_by_data_version_and_survive_reopening(tmp_path: Path) -> None:
    path = tmp_path / "state" / "changes.sqlite"
    feed = ChangeFeed(path)
    for v in (1, 2, 3):
        assert feed.record(_entry(v))
    assert not feed.record(_entry(2, " again"))  # a second process recording the same ingest
    assert [e["data_version"] for e in feed.since(0, 2)] == [1, 2]
    assert [e["data_version"] for e in feed.since(2, 10)] == [3]
    feed.close()

    reopened = ChangeFeed(path)
    assert [e["summary"] for e in reopened.since(0, 10)] == ["version 1", "version 2",
                                                             "version 3"]
    assert reopened.newest() == _entry(3)
    reopened.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_feed_keeps_the_newest_entries_and_forgets_old_ones(tmp_path: Path) -> None:
    clock = Clock()
    feed = ChangeFeed(tmp_path / "changes.sqlite", kept=3, max_age_s=100.0, clock=clock)
    for v in range(1, 6):
        feed.record(_entry(v))
        clock.now += 10
    assert [e["data_version"] for e in feed.since(0, 10)] == [3, 4, 5]
    clock.now += 75  # version 3 was recorded 105 s ago, version 5 85 s ago
    assert [e["data_version"] for e in feed.since(0, 10)] == [4, 5]
    clock.now += 1000
    assert feed.since(0, 10) == [] and feed.newest() is None
    feed.close()
