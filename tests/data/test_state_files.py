"""State databases opened by several processes at the same instant (pre-forked workers do)."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from scriptohio.data.store import open_sqlite

PROCESSES = 8


def _open(path: str, barrier: multiprocessing.synchronize.Barrier,
          errors: multiprocessing.queues.Queue[str]) -> None:
    barrier.wait(30)
    try:
        conn = open_sqlite(Path(path))
        conn.execute("CREATE TABLE IF NOT EXISTS t (k TEXT PRIMARY KEY)")
        conn.execute("INSERT OR IGNORE INTO t VALUES ('x')")
        conn.close()
    except Exception as exc:  # reported to the test, which fails on any
        errors.put(f"{type(exc).__name__}: {exc}")


def test_processes_opening_one_new_file_at_once_all_get_it_in_wal_mode(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("fork")
    for attempt in range(5):  # each round a new file: the race is at its creation
        path = tmp_path / f"state-{attempt}.sqlite"
        barrier, errors = ctx.Barrier(PROCESSES), ctx.Queue()
        procs = [ctx.Process(target=_open, args=(str(path), barrier, errors))
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
        conn = open_sqlite(path)
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT count(*) FROM t").fetchone()[0] == 1
        assert oct(path.stat().st_mode & 0o777) == "0o600"
