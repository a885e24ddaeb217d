"""The SQLite job store: the index that keeps the reuse lookup off a scan (the rest of its
behaviour is the store contract, tests/agents/test_job_store_contract.py)."""

from __future__ import annotations

from pathlib import Path

from scriptohio.agents.workflow.sqlite_jobs import SqliteJobStore


def test_the_reuse_lookup_uses_its_index(tmp_path: Path) -> None:
    store = SqliteJobStore(tmp_path / SqliteJobStore.FILENAME)
    try:
        for season in range(2000):  # history the lookup must not scan
            store.create("backtest", "u", {"season": season})
        first = store.create("batch_predict", "u", {"csv": "a,b\n1,2\n"})
        store.finish(first.id, {"rows": 1})
        reused = store.create("batch_predict", "v", {"csv": "a,b\n1,2\n"}, reuse=True)
        assert reused.id == first.id and reused.status == "succeeded"
        plan = store._conn.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM jobs WHERE type = ? AND params = ?"
            " AND status != 'failed' ORDER BY created_at DESC LIMIT 1", ("backtest", "{}"),
        ).fetchall()
        assert any("USING INDEX jobs_reuse" in str(row) for row in plan), plan
    finally:
        store.close()
