"""The job store: reuse of an identical job, and the index that keeps the lookup off a scan."""

from __future__ import annotations

from pathlib import Path

from scriptohio.agents.workflow.jobs import JobStore


def test_the_newest_identical_job_that_did_not_fail_is_reused(tmp_path: Path) -> None:
    store = JobStore(tmp_path / JobStore.FILENAME)
    try:
        for season in range(2000):  # history the lookup must not scan
            store.create("backtest", "u", {"season": season})
        first = store.create("batch_predict", "u", {"csv": "a,b\n1,2\n"})
        store.finish(first.id, {"rows": 1})
        second = store.create("batch_predict", "u", {"csv": "a,b\n1,2\n"})
        store.fail(second.id, "boom")
        reused = store.find_reusable("batch_predict", {"csv": "a,b\n1,2\n"})
        assert reused is not None and reused.id == first.id and reused.status == "succeeded"
        assert store.find_reusable("batch_predict", {"csv": "other"}) is None
        assert store.find_reusable("weekly_report", {"season": 3}) is None
        plan = store._conn.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM jobs WHERE type = ? AND params = ?"
            " AND status != 'failed' ORDER BY created_at DESC LIMIT 1", ("backtest", "{}"),
        ).fetchall()
        assert any("USING INDEX jobs_reuse" in str(row) for row in plan), plan
    finally:
        store.close()
