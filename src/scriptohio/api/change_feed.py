"""The feed behind ``GET /v1/changes``: one entry per data version that an ingest produced,
oldest first, kept in ``<state_dir>/changes.sqlite`` so it survives a restart.

Entries are keyed by data version, which the state store never reuses, so ``since=`` paging
carries over a restart, and two processes sharing the state directory that both record the
same ingest keep one entry (the first). The feed is bounded: the newest :data:`KEPT` entries,
none older than :data:`MAX_AGE_S` (pruned on every record; the clock is a constructor
argument). Without a path the feed lives in an in-memory database (tests, the first moments
before start-up opens the state directory).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from scriptohio.data.store import open_sqlite

__all__ = ["FILENAME", "KEPT", "MAX_AGE_S", "ChangeFeed"]

FILENAME = "changes.sqlite"
KEPT = 200
MAX_AGE_S = 180 * 86_400.0  # a season and its off-season

_SCHEMA = """
CREATE TABLE IF NOT EXISTS changes (
    data_version INTEGER PRIMARY KEY,
    recorded_at REAL NOT NULL,
    body BLOB NOT NULL
);
"""


class ChangeFeed:
    """What each ingest moved, by data version (see the module docstring)."""

    def __init__(self, path: Path | None = None, *, kept: int = KEPT,
                 max_age_s: float = MAX_AGE_S, clock: Callable[[], float] = time.time
                 ) -> None:
        self.path = path
        self._conn = (open_sqlite(path) if path is not None
                      else sqlite3.connect(":memory:", isolation_level=None,
                                           check_same_thread=False))
        self._conn.executescript(_SCHEMA)
        self._kept, self._max_age_s, self._clock = kept, max_age_s, clock
        self._lock = threading.Lock()

    def close(self) -> None:
        self._conn.close()

    def record(self, entry: dict[str, Any]) -> bool:
        """Keep ``entry`` (it has a ``data_version``); False when that version is kept already."""
        now = self._clock()
        body = orjson.dumps(entry, option=orjson.OPT_SERIALIZE_NUMPY)
        with self._lock:
            added = self._conn.execute(
                "INSERT OR IGNORE INTO changes (data_version, recorded_at, body) VALUES (?, ?, ?)",
                (int(entry["data_version"]), now, body)).rowcount == 1
            self._conn.execute("DELETE FROM changes WHERE recorded_at < ?",
                               (now - self._max_age_s,))
            self._conn.execute(
                "DELETE FROM changes WHERE data_version NOT IN "
                "(SELECT data_version FROM changes ORDER BY data_version DESC LIMIT ?)",
                (self._kept,))
        return added

    def since(self, data_version: int, limit: int) -> list[dict[str, Any]]:
        """Entries of data versions after ``data_version``, oldest first, at most ``limit``."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT body FROM changes WHERE data_version > ? AND recorded_at >= ? "
                "ORDER BY data_version LIMIT ?",
                (data_version, self._clock() - self._max_age_s, limit)).fetchall()
        return [orjson.loads(body) for (body,) in rows]

    def newest(self) -> dict[str, Any] | None:
        """The latest entry kept (``/v1/ask``: "what changed this week"), if any."""
        with self._lock:
            row = self._conn.execute(
                "SELECT body FROM changes WHERE recorded_at >= ? "
                "ORDER BY data_version DESC LIMIT 1",
                (self._clock() - self._max_age_s,)).fetchone()
        return None if row is None else dict(orjson.loads(row[0]))
