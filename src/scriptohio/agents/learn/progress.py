"""Per-user lesson progress: which lessons a user completed, and when first.

Two stores behind one protocol, :class:`ProgressStore`, chosen by :func:`open_progress_store`:

* :class:`SqliteProgressStore`: SQLite (WAL) in the state directory, shared safely by threads
  and the worker processes of one host: WAL lets readers run while another process writes,
  and the busy timeout makes concurrent writers wait instead of failing;
* :class:`RedisProgressStore`: one hash per user in the service's Redis
  (``{ns}:progress:{user}``: lesson → first completion time, ``HSETNX``), so a user's progress
  is the same whichever replica answers. No expiry: progress is the user's record.

Completing a lesson again changes nothing. The clock is passed in so tests control it. A store
that cannot be read or written is a ServiceError (503).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from scriptohio.breaker import CircuitBreaker
from scriptohio.data.redis_state import RedisState
from scriptohio.data.store import open_sqlite
from scriptohio.errors import ServiceError

__all__ = ["DEFAULT_BUSY_TIMEOUT_S", "ProgressStore", "RedisProgressStore",
           "SqliteProgressStore", "open_progress_store"]

DEFAULT_BUSY_TIMEOUT_S = 5.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS lesson_progress (
    user_id TEXT NOT NULL,
    lesson_id TEXT NOT NULL,
    completed_at REAL NOT NULL,
    PRIMARY KEY (user_id, lesson_id)
)
"""


class ProgressStore(Protocol):
    """Completed lessons per user, durable across instances and restarts."""

    def mark_complete(self, user_id: str, lesson_id: str) -> bool:
        """Record a completion; True if it is new, False if it was already recorded."""

    def completed(self, user_id: str) -> list[tuple[str, float]]:
        """``[(lesson_id, completed_at)]`` for a user, oldest first."""

    def close(self) -> None: ...


class SqliteProgressStore:
    """Completed lessons per user in a SQLite file (see the module docstring)."""

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


class RedisProgressStore:
    """Completed lessons per user in Redis (see the module docstring)."""

    def __init__(self, url: str, *, namespace: str, clock: Callable[[], float] = time.time,
                 breaker: CircuitBreaker | None = None) -> None:
        self._redis = RedisState(url, namespace=f"{namespace}:progress",
                                 what="learning progress store", breaker=breaker)
        self._clock = clock

    def mark_complete(self, user_id: str, lesson_id: str) -> bool:
        at = repr(self._clock())
        return bool(self._redis.call(lambda r: r.hsetnx(self._redis.key(user_id), lesson_id, at)))

    def completed(self, user_id: str) -> list[tuple[str, float]]:
        raw = self._redis.call(lambda r: r.hgetall(self._redis.key(user_id)))
        rows = [(k.decode() if isinstance(k, bytes) else str(k), float(v))
                for k, v in raw.items()]
        return sorted(rows, key=lambda row: (row[1], row[0]))

    def close(self) -> None:
        self._redis.close()


def open_progress_store(path: Path, redis_url: str | None = None, *, namespace: str,
                        clock: Callable[[], float] = time.time,
                        breaker: CircuitBreaker | None = None) -> ProgressStore:
    """The one place progress is chosen to live: the service's Redis when it has one (every
    replica shares it), else the SQLite file at ``path``."""
    if redis_url:
        return RedisProgressStore(redis_url, namespace=namespace, clock=clock, breaker=breaker)
    return SqliteProgressStore(path, clock=clock)
