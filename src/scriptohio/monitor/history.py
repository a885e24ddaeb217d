"""Metric history in SQLite (WAL): downsampled tiers with bounded retention.

Every recorded snapshot (a flat ``{metric: value}`` mapping) is folded into each resolution tier
at once: a row per (resolution, bucket start, metric) keeps sum, count, min and max, so the
coarse tiers are exact averages of what was recorded, not averages of averages. Old rows are
deleted per tier. Defaults: 10 s buckets for a day, 1 min for a week, 1 h for 90 days.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from scriptohio.data.store import open_sqlite

DB_NAME = "monitor.sqlite"
DAY_S = 86_400


@dataclass(frozen=True, slots=True)
class Tier:
    resolution_s: int
    retention_s: int


DEFAULT_TIERS = (Tier(10, DAY_S), Tier(60, 7 * DAY_S), Tier(3600, 90 * DAY_S))
DEFAULT_PRUNE_EVERY_S = 60.0


@dataclass(frozen=True, slots=True)
class Point:
    ts: float
    avg: float
    lo: float
    hi: float


_SCHEMA = """
CREATE TABLE IF NOT EXISTS samples (
    resolution INTEGER NOT NULL,
    ts INTEGER NOT NULL,
    metric TEXT NOT NULL,
    total REAL NOT NULL,
    n INTEGER NOT NULL,
    lo REAL NOT NULL,
    hi REAL NOT NULL,
    PRIMARY KEY (resolution, ts, metric)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS samples_by_metric ON samples (metric, resolution, ts);
"""

_UPSERT = """
INSERT INTO samples (resolution, ts, metric, total, n, lo, hi) VALUES (?, ?, ?, ?, 1, ?, ?)
ON CONFLICT (resolution, ts, metric) DO UPDATE SET
    total = total + excluded.total, n = n + 1,
    lo = min(lo, excluded.lo), hi = max(hi, excluded.hi)
"""


class HistoryStore:
    """Snapshots under ``state_dir / "monitor.sqlite"``; the clock is passed in."""

    def __init__(
        self,
        state_dir: str | Path,
        *,
        tiers: tuple[Tier, ...] = DEFAULT_TIERS,
        clock: Callable[[], float] = time.time,
        prune_every_s: float = DEFAULT_PRUNE_EVERY_S,
    ) -> None:
        self.path = Path(state_dir) / DB_NAME
        self.tiers = tuple(sorted(tiers, key=lambda t: t.resolution_s))
        self._clock = clock
        self._prune_every_s = prune_every_s
        self._last_prune = -math.inf
        self._lock = threading.Lock()
        # WAL + NORMAL (durable enough, fast), the owner's only like every state file
        self._db = open_sqlite(self.path)
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def record(self, values: Mapping[str, float | None], at: float | None = None) -> None:
        """Fold one snapshot into every tier; ``None`` and non-finite values are skipped."""
        at = self._clock() if at is None else at
        rows = []
        for metric, value in values.items():
            if value is None or not math.isfinite(value):
                continue
            for tier in self.tiers:
                bucket = int(at // tier.resolution_s) * tier.resolution_s
                rows.append((tier.resolution_s, bucket, metric, value, value, value))
        with self._lock:
            self._db.execute("BEGIN")
            self._db.executemany(_UPSERT, rows)
            self._db.execute("COMMIT")
        if at - self._last_prune >= self._prune_every_s:
            self.prune(at)

    def prune(self, now: float | None = None) -> int:
        """Delete rows older than their tier's retention; returns the number deleted."""
        now = self._clock() if now is None else now
        self._last_prune = now
        deleted = 0
        with self._lock:
            for tier in self.tiers:
                cur = self._db.execute(
                    "DELETE FROM samples WHERE resolution = ? AND ts < ?",
                    (tier.resolution_s, int(now - tier.retention_s)),
                )
                deleted += cur.rowcount
        return deleted

    def tier_for(self, start: float, now: float | None = None) -> Tier:
        """The finest tier whose retention still covers ``start``."""
        now = self._clock() if now is None else now
        for tier in self.tiers:
            if now - tier.retention_s <= start:
                return tier
        return self.tiers[-1]

    def series(
        self, metric: str, start: float, end: float, *, resolution_s: int | None = None
    ) -> list[Point]:
        """Points of ``metric`` with bucket start in [start, end)."""
        res = resolution_s if resolution_s is not None else self.tier_for(start).resolution_s
        with self._lock:
            rows = self._db.execute(
                "SELECT ts, total / n, lo, hi FROM samples "
                "WHERE metric = ? AND resolution = ? AND ts >= ? AND ts < ? ORDER BY ts",
                (metric, res, int(start), int(end)),
            ).fetchall()
        return [Point(float(ts), avg, lo, hi) for ts, avg, lo, hi in rows]

    def metrics(self) -> list[str]:
        with self._lock:
            rows = self._db.execute("SELECT DISTINCT metric FROM samples ORDER BY metric")
            return [r[0] for r in rows.fetchall()]

    def count(self, resolution_s: int) -> int:
        """Rows held at one resolution (for retention checks)."""
        with self._lock:
            row = self._db.execute(
                "SELECT count(*) FROM samples WHERE resolution = ?", (resolution_s,)
            ).fetchone()
        return int(row[0])
