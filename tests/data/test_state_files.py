"""State databases opened by several processes at the same instant (pre-forked workers do)."""

from __future__ import annotations

import multiprocessing
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from scriptohio.agents.workflow.sqlite_jobs import SqliteJobStore
from scriptohio.api.identity import SqliteKeyRecords
from scriptohio.data.store import StateStore, open_sqlite

PROCESSES = 8


def _open_plain(path: Path) -> None:
    conn = open_sqlite(path)
    conn.execute("CREATE TABLE IF NOT EXISTS t (k TEXT PRIMARY KEY)")
    conn.execute("INSERT OR IGNORE INTO t VALUES ('x')")
    conn.close()


def _open_jobs(path: Path) -> None:
    SqliteJobStore(path).close()


def _open_keys(path: Path) -> None:
    SqliteKeyRecords(path.parent).close()


def _open_state(path: Path) -> None:
    StateStore(path.parent).close()


OPENERS: dict[str, tuple[Callable[[Path], None], str]] = {
    # name: (what each process does, the file it makes in the folder)
    "plain": (_open_plain, "state.sqlite"),
    "jobs": (_open_jobs, SqliteJobStore.FILENAME),
    "keys": (_open_keys, SqliteKeyRecords.FILENAME),
    "state": (_open_state, StateStore.FILENAME),
}


def _run(opener: str, path: str, barrier: multiprocessing.synchronize.Barrier,
         errors: multiprocessing.queues.Queue[str]) -> None:
    barrier.wait(30)
    try:
        OPENERS[opener][0](Path(path))
    except Exception as exc:  # reported to the test, which fails on any
        errors.put(f"{type(exc).__name__}: {exc}")


def _open_at_once(opener: str, path: Path) -> None:
    ctx = multiprocessing.get_context("fork")
    barrier, errors = ctx.Barrier(PROCESSES), ctx.Queue()
    procs = [ctx.Process(target=_run, args=(opener, str(path), barrier, errors))
             for _ in range(PROCESSES)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(60)
    failures = []
    while not errors.empty():
        failures.append(errors.get())
    assert failures == [], failures
    assert [proc.exitcode for proc in procs] == [0] * PROCESSES


@pytest.mark.parametrize("opener", list(OPENERS))
def test_processes_opening_one_new_file_at_once_all_get_it_in_wal_mode(
        tmp_path: Path, opener: str) -> None:
    for attempt in range(5):  # each round a new file: the race is at its creation
        path = tmp_path / str(attempt) / OPENERS[opener][1]
        path.parent.mkdir()
        _open_at_once(opener, path)
        conn = open_sqlite(path)
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        if opener == "plain":
            assert conn.execute("SELECT count(*) FROM t").fetchone()[0] == 1
        assert oct(path.stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize(("opener", "table", "old_schema", "added"), [
    ("jobs", "jobs", "CREATE TABLE jobs (id TEXT PRIMARY KEY, type TEXT NOT NULL,"
     " user_id TEXT NOT NULL, params TEXT NOT NULL, status TEXT NOT NULL, progress REAL NOT NULL,"
     " step TEXT NOT NULL, result TEXT, error TEXT, created_at REAL NOT NULL,"
     " updated_at REAL NOT NULL)", {"owner", "lease_until", "attempts"}),
    ("keys", "api_keys", "CREATE TABLE api_keys (key_hash TEXT PRIMARY KEY,"
     " user_id TEXT NOT NULL, role TEXT NOT NULL, created_at REAL NOT NULL)", {"revoked_at"}),
])
def test_processes_migrating_one_old_file_at_once_add_each_column_once(
        tmp_path: Path, opener: str, table: str, old_schema: str, added: set[str]) -> None:
    """A file from before a column existed, opened by every worker at once after an upgrade:
    each column is added by one of them, and none fails with "duplicate column name"."""
    for attempt in range(5):
        path = tmp_path / str(attempt) / OPENERS[opener][1]
        path.parent.mkdir()
        old = sqlite3.connect(path)
        old.execute(old_schema)
        old.commit()
        old.close()
        _open_at_once(opener, path)
        conn = open_sqlite(path)
        columns = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
        assert added <= set(columns)
        assert len(columns) == len(set(columns))
