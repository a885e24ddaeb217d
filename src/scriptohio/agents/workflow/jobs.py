"""Job records in SQLite: every accepted job is stored before it runs, so none is lost.

States: ``queued`` → ``running`` → ``succeeded`` | ``failed``. Progress (0..1) and the current
step are written as the job advances, from any process (a process-pool worker writes to the
same WAL database). A job a shutdown interrupts goes back to ``queued`` with a step that says
so (:meth:`JobStore.requeue`); at start-up, jobs left ``queued`` or ``running`` (a process
that was killed) are handed back for another run (:meth:`JobStore.unfinished`). Finished jobs
older than a bound are deleted (:meth:`JobStore.prune`).
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scriptohio.data.store import open_sqlite
from scriptohio.errors import NotFoundError

JOB_TYPES = ("weekly_report", "backtest", "batch_predict", "grade_picks")
SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY, type TEXT NOT NULL, user_id TEXT NOT NULL, params TEXT NOT NULL,
    status TEXT NOT NULL, progress REAL NOT NULL, step TEXT NOT NULL,
    result TEXT, error TEXT, created_at REAL NOT NULL, updated_at REAL NOT NULL
)
"""


@dataclass(frozen=True, slots=True)
class Job:
    id: str
    type: str
    user_id: str
    params: dict[str, Any]
    status: str
    progress: float
    step: str
    result: Any
    error: str | None
    created_at: float
    updated_at: float

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "status": self.status,
                "progress": round(self.progress, 3), "step": self.step, "result": self.result,
                "error": self.error, "created_at": self.created_at,
                "updated_at": self.updated_at}


class JobStore:
    FILENAME = "jobs.sqlite"

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn = open_sqlite(path)
        self._conn.execute(SCHEMA)
        # find_reusable runs on the event loop for every job submitted: without this index
        # it scanned every job ever stored (1.2 ms at 1,600 jobs, growing with the file).
        self._conn.execute(
            "CREATE INDEX IF NOT EXISTS jobs_reuse ON jobs (type, params, created_at)")

    def close(self) -> None:
        self._conn.close()

    def create(self, job_type: str, user_id: str, params: dict[str, Any]) -> Job:
        now = time.time()
        job_id = f"job_{secrets.token_hex(8)}"
        self._conn.execute(
            "INSERT INTO jobs VALUES (?, ?, ?, ?, 'queued', 0, 'queued', NULL, NULL, ?, ?)",
            (job_id, job_type, user_id, json.dumps(params), now, now))
        return self.get(job_id)

    def get(self, job_id: str) -> Job:
        row = self._conn.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no job with id {job_id!r}")
        return Job(row[0], row[1], row[2], json.loads(row[3]), row[4], row[5], row[6],
                   None if row[7] is None else json.loads(row[7]), row[8], row[9], row[10])

    def progress(self, job_id: str, fraction: float, step: str) -> None:
        self._conn.execute(
            "UPDATE jobs SET status='running', progress=?, step=?, updated_at=? WHERE id=?",
            (max(0.0, min(1.0, fraction)), step, time.time(), job_id))

    def finish(self, job_id: str, result: Any) -> None:
        self._conn.execute(
            "UPDATE jobs SET status='succeeded', progress=1, step='done', result=?, updated_at=?"
            " WHERE id=?", (json.dumps(result), time.time(), job_id))

    def fail(self, job_id: str, error: str) -> None:
        self._conn.execute("UPDATE jobs SET status='failed', error=?, updated_at=? WHERE id=?",
                           (error, time.time(), job_id))

    def requeue(self, job_id: str, step: str) -> None:
        """Back to ``queued`` (progress kept for the reader) with ``step`` saying why."""
        self._conn.execute(
            "UPDATE jobs SET status='queued', step=?, updated_at=? WHERE id=? AND status IN "
            "('queued', 'running')", (step, time.time(), job_id))

    def active_count(self, user_id: str) -> int:
        """The user's jobs waiting or running."""
        row = self._conn.execute(
            "SELECT COUNT(*) FROM jobs WHERE user_id = ? AND status IN ('queued', 'running')",
            (user_id,)).fetchone()
        return int(row[0])

    def prune(self, older_than: float) -> list[str]:
        """Delete finished jobs last updated before ``older_than`` (epoch s); their ids."""
        rows = self._conn.execute(
            "SELECT id FROM jobs WHERE status IN ('succeeded', 'failed') AND updated_at < ?",
            (older_than,)).fetchall()
        ids = [str(r[0]) for r in rows]
        self._conn.executemany("DELETE FROM jobs WHERE id = ?", [(i,) for i in ids])
        return ids

    def find_reusable(self, job_type: str, params: dict[str, Any]) -> Job | None:
        """The newest job of the same type and parameters that is running or succeeded."""
        row = self._conn.execute(
            "SELECT id FROM jobs WHERE type = ? AND params = ? AND status != 'failed'"
            " ORDER BY created_at DESC LIMIT 1", (job_type, json.dumps(params))).fetchone()
        return None if row is None else self.get(row[0])

    def unfinished(self) -> list[Job]:
        rows = self._conn.execute(
            "SELECT id FROM jobs WHERE status IN ('queued', 'running') ORDER BY created_at"
        ).fetchall()
        return [self.get(r[0]) for r in rows]
