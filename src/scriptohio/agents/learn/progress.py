"""Per-user lesson progress in SQLite (WAL), shared safely by threads and worker processes.

One row per (user, lesson) completed, with the time it was first completed; completing a lesson
again changes nothing. WAL lets readers run while another process writes, and the busy timeout
makes concurrent writers wait instead of failing. The clock is passed in so tests control it.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

from scriptohio.data.store import open_sqlite
from scriptohio.errors import ServiceError

__all__ = ["DEFAULT_BUSY_TIMEOUT_S", "ProgressStore"]

DEFAULT_BUSY_TIMEOUT_S = 5.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS lesson_progress (
    user_id TEXT NOT NULL,
    lesson_id TEXT NOT NULL,
    completed_at REAL NOT NULL,
    PRIMARY KEY (user_id, lesson_id)
)
"""


class ProgressStore:
    """Completed lessons per user, durable across instances and restarts."""

    def __init__(
        self,
        path: str | Path,
        *,
        clock: Callable[[], float] = time.time,
        busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S,
    ) -> None:
        self._path = Path(path)
        self._clock = clock
        self._lock = threading.Lock()
        try:
            # One connection guarded by a lock: calls are tiny, and sharing it across the
            # service's threads avoids reopening the file per request. The owner's only
            # (0600): it holds users' progress.
            self._db = open_sqlite(self._path)
            self._db.execute(f"PRAGMA busy_timeout={int(busy_timeout_s * 1000)}")
            self._db.execute(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise ServiceError(f"learning progress store {self._path} unavailable: {exc}") from exc

    @property
    def path(self) -> Path:
        """The SQLite file."""
        return self._path

    def mark_complete(self, user_id: str, lesson_id: str) -> bool:
        """Record a completion; True if it is new, False if it was already recorded."""
        with self._lock:
            try:
                cursor = self._db.execute(
                    "INSERT OR IGNORE INTO lesson_progress VALUES (?, ?, ?)",
                    (user_id, lesson_id, self._clock()),
                )
            except sqlite3.Error as exc:
                raise ServiceError(f"could not record progress: {exc}") from exc
            return cursor.rowcount == 1

    def completed(self, user_id: str) -> list[tuple[str, float]]:
        """``[(lesson_id, completed_at)]`` for a user, oldest first."""
        with self._lock:
            try:
                rows = self._db.execute(
                    "SELECT lesson_id, completed_at FROM lesson_progress WHERE user_id = ? "
                    "ORDER BY completed_at, lesson_id",
                    (user_id,),
                ).fetchall()
            except sqlite3.Error as exc:
                raise ServiceError(f"could not read progress: {exc}") from exc
        return [(str(lesson_id), float(at)) for lesson_id, at in rows]

    def close(self) -> None:
        """Close the connection (the data stays on disk)."""
        with self._lock:
            self._db.close()
