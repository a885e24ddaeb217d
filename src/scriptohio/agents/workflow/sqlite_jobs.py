"""The embedded job store: SQLite (WAL) in the state directory, for one host's processes.

Every worker process of a host (and a process-pool worker writing progress) opens the same
file. ``create`` and ``claim`` run in ``BEGIN IMMEDIATE`` transactions, so the per-user bound
and the one live lease hold across those processes. Report files stay where the job wrote
them (``<state_dir>/jobs/<id>/``, beside this file); :meth:`SqliteJobStore.artefact` reads
them there.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from scriptohio.agents.workflow.jobs import Job, JobStoreAddress, active_limit_error, report_dir
from scriptohio.data.store import ensure_schema, open_sqlite
from scriptohio.errors import NotFoundError, ServiceError

__all__ = ["SqliteJobStore"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY, type TEXT NOT NULL, user_id TEXT NOT NULL, params TEXT NOT NULL,
    status TEXT NOT NULL, progress REAL NOT NULL, step TEXT NOT NULL,
    result TEXT, error TEXT, created_at REAL NOT NULL, updated_at REAL NOT NULL
)
"""
#: columns added since the first schema (stores made before leases are migrated)
_ADDED = {"owner": "TEXT", "lease_until": "REAL", "attempts": "INTEGER NOT NULL DEFAULT 0"}
_COLUMNS = ("id, type, user_id, params, status, progress, step, result, error, created_at,"
            " updated_at, attempts")


def _unavailable(exc: sqlite3.OperationalError) -> ServiceError:
    return ServiceError(f"the job store cannot be written now ({exc}); nothing was stored",
                        retry_after=5.0)


class SqliteJobStore:
    """Jobs in ``<state_dir>/jobs.sqlite`` (see the module docstring)."""

    FILENAME = "jobs.sqlite"

    def __init__(self, path: Path, *, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self._clock = clock
        self._lock = threading.Lock()  # one connection; progress is written from threads too
        self._conn = open_sqlite(path)
        # the reuse lookup runs for every shared job submitted: without the index it scanned
        # every job ever stored (1.2 ms at 1,600 jobs, growing with the file)
        ensure_schema(self._conn, SCHEMA + ";CREATE INDEX IF NOT EXISTS jobs_reuse ON jobs"
                      " (type, params, created_at)", "jobs", _ADDED)

    @property
    def address(self) -> JobStoreAddress:
        return JobStoreAddress(sqlite_path=str(self.path))

    def close(self) -> None:
        self._conn.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction. A database that cannot be written (locked past the busy
        timeout, a full disk) is a 503 that says so, not a server error: nothing was stored."""
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise _unavailable(exc) from exc
            try:
                yield self._conn
            except BaseException as exc:
                self._conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.OperationalError):
                    raise _unavailable(exc) from exc
                raise
            try:
                self._conn.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                self._conn.execute("ROLLBACK")
                raise _unavailable(exc) from exc

    def create(self, job_type: str, user_id: str, params: dict[str, Any], *,
               max_active: int | None = None, reuse: bool = False) -> Job:
        now = self._clock()
        encoded = json.dumps(params)
        with self._write() as conn:
            found = conn.execute(
                "SELECT id FROM jobs WHERE type = ? AND params = ? AND status != 'failed'"
                " ORDER BY created_at DESC LIMIT 1", (job_type, encoded)).fetchone() \
                if reuse else None
            if found is not None:
                job_id = str(found[0])
            else:
                if max_active is not None:
                    (active,) = conn.execute(
                        "SELECT COUNT(*) FROM jobs WHERE user_id = ? AND status IN "
                        "('queued', 'running')", (user_id,)).fetchone()
                    if int(active) >= max_active:
                        raise active_limit_error(user_id, max_active)
                job_id = f"job_{secrets.token_hex(8)}"
                conn.execute(
                    f"INSERT INTO jobs ({_COLUMNS}) VALUES "
                    "(?, ?, ?, ?, 'queued', 0, 'queued', NULL, NULL, ?, ?, 0)",
                    (job_id, job_type, user_id, encoded, now, now))
        return self.get(job_id)

    def get(self, job_id: str) -> Job:
        with self._lock:
            row = self._conn.execute(f"SELECT {_COLUMNS} FROM jobs WHERE id = ?",
                                     (job_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no job with id {job_id!r}")
        return Job(row[0], row[1], row[2], json.loads(row[3]), row[4], row[5], row[6],
                   None if row[7] is None else json.loads(row[7]), row[8], row[9], row[10],
                   int(row[11]))

    def claim(self, job_id: str, owner: str, lease_s: float) -> Job | None:
        now = self._clock()
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE jobs SET owner = ?, lease_until = ?, attempts = attempts + 1,"
                " updated_at = ? WHERE id = ? AND status IN ('queued', 'running') AND"
                " (lease_until IS NULL OR lease_until < ?)",
                (owner, now + lease_s, now, job_id, now))
        return self.get(job_id) if cur.rowcount == 1 else None

    def renew(self, job_id: str, owner: str, lease_s: float) -> bool:
        with self._lock:
            cur = self._conn.execute(
                "UPDATE jobs SET lease_until = ? WHERE id = ? AND owner = ? AND status IN "
                "('queued', 'running')", (self._clock() + lease_s, job_id, owner))
        return cur.rowcount == 1

    def progress(self, job_id: str, fraction: float, step: str) -> None:
        with self._lock:
            self._conn.execute(
                # only a held job moves: a pool worker's late write after a requeue (owner
                # gone) must not mark the job running again
                "UPDATE jobs SET status='running', progress=?, step=?, updated_at=? WHERE id=?"
                " AND status IN ('queued', 'running') AND owner IS NOT NULL",
                (max(0.0, min(1.0, fraction)), step, self._clock(), job_id))

    def _end(self, job_id: str, owner: str | None, sets: str, values: tuple[Any, ...]) -> bool:
        mine = "" if owner is None else " AND owner = ?"
        with self._lock:
            cur = self._conn.execute(
                f"UPDATE jobs SET {sets}, owner = NULL, lease_until = NULL, updated_at = ?"
                f" WHERE id = ?{mine}",
                (*values, self._clock(), job_id, *(() if owner is None else (owner,))))
        return cur.rowcount == 1

    def finish(self, job_id: str, result: Any, *, owner: str | None = None) -> bool:
        return self._end(job_id, owner, "status='succeeded', progress=1, step='done', result=?",
                         (json.dumps(result),))

    def fail(self, job_id: str, error: str, *, owner: str | None = None) -> bool:
        return self._end(job_id, owner, "status='failed', error=?", (error,))

    def requeue(self, job_id: str, step: str, *, owner: str | None = None) -> None:
        mine = "" if owner is None else " AND owner = ?"
        with self._lock:
            self._conn.execute(
                "UPDATE jobs SET status='queued', step=?, owner=NULL, lease_until=NULL,"
                f" updated_at=? WHERE id=? AND status IN ('queued', 'running'){mine}",
                (step, self._clock(), job_id, *(() if owner is None else (owner,))))

    def claimable(self) -> list[Job]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT id FROM jobs WHERE status IN ('queued', 'running') AND"
                " (lease_until IS NULL OR lease_until < ?) ORDER BY created_at",
                (self._clock(),)).fetchall()
        return [self.get(r[0]) for r in rows]

    def keep_artefacts(self, job_id: str, directory: Path, names: list[str]) -> bool:
        return False  # they stay in the state directory, where artefact() reads them

    def artefact(self, job_id: str, name: str) -> bytes | None:
        path = report_dir(self.path.parent, job_id) / name
        try:
            return path.read_bytes() if path.is_file() else None
        except OSError:
            return None

    def prune(self, older_than: float) -> list[str]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT id FROM jobs WHERE status IN ('succeeded', 'failed') AND updated_at < ?",
                (older_than,)).fetchall()
            ids = [str(r[0]) for r in rows]
            self._conn.executemany("DELETE FROM jobs WHERE id = ?", [(i,) for i in ids])
        return ids
