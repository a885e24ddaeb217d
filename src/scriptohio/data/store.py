"""The service's own mutable state: an embedded SQLite database in WAL mode.

Holds what ingestion adds on top of the shipped files, and the "data changed" event log that
lets every process sharing the state directory notice an ingest (``data_version``). WAL gives
readers that never block the writer, and a transaction that is killed half-way leaves the
previous state intact: SQLite rolls the incomplete transaction back at the next open.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS ingested_games (
    game_id INTEGER PRIMARY KEY,
    row TEXT NOT NULL,
    digest TEXT NOT NULL,
    ingested_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS ingested_team_games (
    game_id INTEGER NOT NULL,
    team TEXT NOT NULL,
    row TEXT NOT NULL,
    digest TEXT NOT NULL,
    ingested_at REAL NOT NULL,
    PRIMARY KEY (game_id, team)
);
CREATE TABLE IF NOT EXISTS ingested_lines (
    game_id INTEGER NOT NULL,
    provider TEXT NOT NULL,
    row TEXT NOT NULL,
    digest TEXT NOT NULL,
    ingested_at REAL NOT NULL,
    PRIMARY KEY (game_id, provider)
);
CREATE TABLE IF NOT EXISTS data_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    source TEXT NOT NULL,
    payload TEXT NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class StoredEvent:
    seq: int
    at: float
    source: str
    payload: dict[str, object]


def _enable_wal(conn: sqlite3.Connection, bound_s: float = 30.0) -> None:
    """``PRAGMA journal_mode=WAL``, retried while another process holds the file: switching
    the journal mode can answer "database is locked" at once, without waiting on the busy
    timeout (SQLite does not wait there, to avoid deadlock), and pre-forked workers open the
    same files at the same instant."""
    deadline = time.monotonic() + bound_s
    delay = 0.005
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.2)


def open_sqlite(path: Path) -> sqlite3.Connection:
    """A connection with the settings every state database here uses.

    The files are the owner's only (0600, the folder 0700 when this creates it): they hold
    key hashes, users' progress and jobs.
    """
    if not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    old_mask = os.umask(0o077)
    try:
        conn = sqlite3.connect(path, timeout=30.0, isolation_level=None,
                               check_same_thread=False)
        _enable_wal(conn)
    finally:
        os.umask(old_mask)
    for suffix in ("", "-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.chmod(0o600)
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


def ensure_schema(conn: sqlite3.Connection, create: str, table: str = "",
                  added: dict[str, str] | None = None) -> None:
    """Create a state database's tables and add the columns ``added`` that an older file lacks.

    Every worker of a host opens the same file at once when it starts, so this runs in one
    ``BEGIN IMMEDIATE`` transaction: the column check and the ``ALTER TABLE`` cannot interleave
    with another process's (two workers both adding ``owner`` failed one with "duplicate column").
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        for statement in filter(str.strip, create.split(";")):
            conn.execute(statement)
        if added:
            columns = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
            for name, kind in added.items():
                if name not in columns:
                    conn.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


class StateStore:
    """Ingested rows and the data-change log, in ``<state_dir>/state.sqlite``."""

    FILENAME = "state.sqlite"

    def __init__(self, state_dir: Path) -> None:
        self.path = Path(state_dir) / self.FILENAME
        self._conn = open_sqlite(self.path)
        ensure_schema(self._conn, SCHEMA)
        self._lock = threading.Lock()

    def close(self) -> None:
        self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic write transaction (``BEGIN IMMEDIATE`` ... ``COMMIT``)."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def ingested_games(self) -> list[dict[str, object]]:
        with self._lock:
            rows = self._conn.execute("SELECT row FROM ingested_games ORDER BY game_id").fetchall()
        return [json.loads(r[0]) for r in rows]

    def ingested_team_games(self) -> list[dict[str, object]]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT row FROM ingested_team_games ORDER BY game_id, team"
            ).fetchall()
        return [json.loads(r[0]) for r in rows]

    def ingested_lines(self, game_ids: list[int] | None = None) -> list[dict[str, object]]:
        """Betting lines per (game, provider), as pulled; all games, or only ``game_ids``."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT game_id, row FROM ingested_lines ORDER BY game_id, provider").fetchall()
        wanted = None if game_ids is None else set(game_ids)
        return [json.loads(r) for gid, r in rows if wanted is None or gid in wanted]

    def data_version(self) -> int:
        """Sequence number of the newest data-change event (0 = shipped data only)."""
        with self._lock:
            (seq,) = self._conn.execute("SELECT COALESCE(MAX(seq), 0) FROM data_events").fetchone()
        return int(seq)

    def events_since(self, seq: int) -> list[StoredEvent]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT seq, at, source, payload FROM data_events WHERE seq > ? ORDER BY seq",
                (seq,),
            ).fetchall()
        return [StoredEvent(s, a, src, json.loads(p)) for s, a, src, p in rows]

    @staticmethod
    def append_event(conn: sqlite3.Connection, source: str, payload: dict[str, object]) -> int:
        cur = conn.execute(
            "INSERT INTO data_events (at, source, payload) VALUES (?, ?, ?)",
            (time.time(), source, json.dumps(payload, sort_keys=True)),
        )
        return int(cur.lastrowid or 0)
