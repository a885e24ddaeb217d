"""What CFBD last sent for each request, with its ``ETag``: the memory behind conditional GETs.

A pull asks CFBD for the same week again and again (hourly on game days). When CFBD's answer
carried an ``ETag``, the client keeps it here with the records it came with and sends it back
as ``If-None-Match``; an unchanged answer is then a ``304 Not Modified`` with no body, and the
body is read from here (the raw JSON CFBD sent, read into the client's models as if it had just
arrived). The pull after it is unchanged: it sees the same records either way,
so ingest stays the one place that decides what changed (and a 304 after a pull that failed
half-way still hands over the whole answer).

One SQLite file in the state folder (0600 like the other state files), bodies compressed with
zstandard; one row per request (path and sorted query), replaced when CFBD sends a new ETag.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import zstandard

from scriptohio.data.store import open_sqlite

__all__ = ["VALIDATORS_FILE", "ValidatorStore", "request_key"]

VALIDATORS_FILE = "cfbd-validators.sqlite"


def request_key(path: str, query: dict[str, object]) -> str:
    """``/games?seasonType=regular&week=10&year=2025``: one key per distinct request."""
    return path + "?" + "&".join(f"{k}={query[k]}" for k in sorted(query))


class ValidatorStore:
    """``ETag`` and raw body per request key; safe to share between threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._conn = open_sqlite(path)
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS validators (key TEXT PRIMARY KEY, etag TEXT NOT NULL,"
            " body BLOB NOT NULL, stored_at REAL NOT NULL)")
        self._compress = zstandard.ZstdCompressor(level=3)
        self._decompress = zstandard.ZstdDecompressor()

    @classmethod
    def in_state_dir(cls, state_dir: Path) -> ValidatorStore:
        return cls(state_dir / VALIDATORS_FILE)

    def get(self, key: str) -> tuple[str, bytes] | None:
        """The ETag and body last stored for ``key``, or None."""
        with self._lock:
            row = self._conn.execute("SELECT etag, body FROM validators WHERE key = ?",
                                     (key,)).fetchone()
        if row is None:
            return None
        try:
            body = self._decompress.decompress(row[1])
        except zstandard.ZstdError:
            self.forget(key)  # unreadable: ask without a validator next time
            return None
        return str(row[0]), body

    def put(self, key: str, etag: str, body: bytes) -> None:
        packed = self._compress.compress(body)
        with self._lock:
            self._conn.execute(
                "INSERT INTO validators (key, etag, body, stored_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(key) DO UPDATE SET etag = excluded.etag, body = excluded.body,"
                " stored_at = excluded.stored_at", (key, etag, packed, time.time()))

    def forget(self, key: str) -> None:
        with self._lock:
            self._conn.execute("DELETE FROM validators WHERE key = ?", (key,))

    def close(self) -> None:
        with self._lock:
            self._conn.close()
