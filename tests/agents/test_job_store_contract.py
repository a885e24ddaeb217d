"""The job store's contract, run against both stores: SQLite (the embedded default) and Redis
(a private redis-server of the test's own).

Leases expire on the store's own clock (Redis: the server's), so the tests that need one to
run out use a short lease and a bounded wait, never a sleep of a set length.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from scriptohio.agents.workflow.job_stores import open_job_store
from scriptohio.agents.workflow.jobs import JobStore, JobStoreAddress, report_dir
from scriptohio.errors import NotFoundError, RateLimitedError
from tests.conftest import PrivateRedis

KEEP_S = 2.0


@pytest.fixture(params=["sqlite", "redis"])
def address(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[JobStoreAddress]:
    if request.param == "sqlite":
        yield JobStoreAddress(sqlite_path=str(tmp_path / "jobs.sqlite"), keep_s=KEEP_S)
        return
    server: PrivateRedis = request.getfixturevalue("private_redis")
    yield JobStoreAddress(redis_url=server.url, namespace="contract", keep_s=KEEP_S)


@pytest.fixture()
def store(address: JobStoreAddress) -> Iterator[JobStore]:
    opened = open_job_store(address)
    yield opened
    opened.close()


def _until(check: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_a_job_is_stored_queued_and_read_back(store: JobStore) -> None:
    job = store.create("batch_predict", "ann", {"csv": "a\n"})
    again = store.get(job.id)
    assert again == job and job.status == "queued" and job.params == {"csv": "a\n"}
    assert job.as_json()["attempts"] == 0 and job.progress == 0
    with pytest.raises(NotFoundError):
        store.get("job_nope")


def test_the_per_user_bound_counts_queued_and_running_jobs(store: JobStore) -> None:
    first = store.create("batch_predict", "bea", {}, max_active=2)
    second = store.create("batch_predict", "bea", {}, max_active=2)
    store.progress(second.id, 0.5, "half")
    with pytest.raises(RateLimitedError, match="2 jobs"):
        store.create("batch_predict", "bea", {}, max_active=2)
    store.create("batch_predict", "cal", {}, max_active=2)  # another user's budget
    assert store.finish(first.id, {"rows": 1})
    store.create("batch_predict", "bea", {}, max_active=2)  # a finished one makes room


def test_an_identical_shared_job_that_did_not_fail_is_reused(store: JobStore) -> None:
    params = {"season": 2020, "data_version": 0}
    first = store.create("backtest", "dan", params, reuse=True)
    assert store.create("backtest", "eve", params, reuse=True).id == first.id
    assert store.create("backtest", "eve", {**params, "season": 2021}, reuse=True).id != first.id
    assert store.create("backtest", "eve", params).id != first.id  # reuse asked for only
    store.fail(first.id, "boom")
    newest = store.create("backtest", "eve", params, reuse=True)
    assert newest.id != first.id
    store.finish(newest.id, {"ok": True})
    assert store.create("backtest", "fay", params, reuse=True).id == newest.id


def test_one_owner_holds_a_job_until_its_lease_runs_out(store: JobStore) -> None:
    job = store.create("batch_predict", "gus", {})
    claimed = store.claim(job.id, "A", 0.5)
    assert claimed is not None and claimed.attempts == 1
    assert store.claim(job.id, "B", 0.5) is None
    assert store.claimable() == []
    assert store.renew(job.id, "A", 0.5) and not store.renew(job.id, "B", 0.5)
    # A stops renewing (killed): the lease runs out and B takes the job
    assert _until(lambda: store.claim(job.id, "B", 30.0) is not None)
    assert not store.renew(job.id, "A", 30.0)
    assert not store.finish(job.id, {"by": "A"}, owner="A")  # A lost it: cannot end it
    assert store.finish(job.id, {"by": "B"}, owner="B")
    done = store.get(job.id)
    assert done.status == "succeeded" and done.result == {"by": "B"} and done.attempts == 2
    assert store.claim(job.id, "C", 30.0) is None  # finished: nobody runs it again


def test_a_requeued_job_is_claimable_at_once_with_its_reason(store: JobStore) -> None:
    job = store.create("batch_predict", "hal", {})
    assert store.claim(job.id, "A", 30.0) is not None
    store.progress(job.id, 0.4, "predict")
    store.requeue(job.id, "interrupted by a shutdown", owner="B")  # not B's to give back
    assert store.claimable() == []
    store.requeue(job.id, "interrupted by a shutdown", owner="A")
    (back,) = store.claimable()
    assert back.id == job.id and back.status == "queued" and back.progress == 0.4
    assert "interrupted" in back.step
    assert store.claim(job.id, "B", 30.0) is not None


def test_progress_written_after_a_requeue_leaves_the_job_queued(store: JobStore) -> None:
    # a process-pool worker still running at a shutdown writes progress after the runner has
    # given the job back: the job stays queued (it was left 'running' until the next start)
    job = store.create("backtest", "kit", {})
    assert store.claim(job.id, "A", 30.0) is not None
    store.progress(job.id, 0.3, "fit")
    assert store.get(job.id).status == "running"
    store.requeue(job.id, "interrupted by a shutdown", owner="A")
    store.progress(job.id, 0.6, "fit mlp (late)")
    back = store.get(job.id)
    assert back.status == "queued" and "interrupted" in back.step and back.progress == 0.3


def test_a_failed_job_keeps_its_error(store: JobStore) -> None:
    job = store.create("batch_predict", "ivy", {})
    store.claim(job.id, "A", 30.0)
    assert store.fail(job.id, "ValidationError: no rows", owner="A")
    failed = store.get(job.id)
    assert failed.status == "failed" and failed.error == "ValidationError: no rows"
    store.progress(job.id, 0.9, "late")  # a late progress write does not revive it
    assert store.get(job.id).status == "failed"


def _write_progress(address: JobStoreAddress, job_id: str) -> None:
    store = open_job_store(address)
    store.progress(job_id, 0.25, "from a worker process")
    store.close()


def test_a_worker_process_writes_progress_through_the_address(store: JobStore) -> None:
    job = store.create("backtest", "jo", {})
    assert store.claim(job.id, "A", 30.0) is not None  # the runner holds what a worker runs
    proc = multiprocessing.get_context("spawn").Process(
        target=_write_progress, args=(store.address, job.id))
    proc.start()
    proc.join(60)
    assert proc.exitcode == 0
    seen = store.get(job.id)
    assert seen.status == "running" and seen.progress == 0.25
    assert seen.step == "from a worker process"


def test_report_files_are_read_back_by_name(store: JobStore, address: JobStoreAddress,
                                            tmp_path: Path) -> None:
    job = store.create("backtest", "kim", {})
    state = Path(address.sqlite_path).parent if address.sqlite_path else tmp_path / "w"
    files = report_dir(state, job.id)
    files.mkdir(parents=True)
    (files / "evaluation.md").write_text("# report\n")
    store.keep_artefacts(job.id, files, ["evaluation.md"])
    assert store.artefact(job.id, "evaluation.md") == b"# report\n"
    assert store.artefact(job.id, "other.md") is None


def test_finished_jobs_are_dropped_after_keep_s(store: JobStore, address: JobStoreAddress) -> None:
    job = store.create("batch_predict", "lou", {})
    waiting = store.create("batch_predict", "lou", {})
    store.finish(job.id, {"rows": 1})
    if address.redis_url:  # Redis expires it on its own, KEEP_S after it ended
        assert _until(lambda: _gone(store, job.id))
    else:
        assert store.prune(time.time() + 1) == [job.id]
    with pytest.raises(NotFoundError):
        store.get(job.id)
    assert store.get(waiting.id).status == "queued"  # nothing unfinished expires


def _gone(store: JobStore, job_id: str) -> bool:
    try:
        store.get(job_id)
    except NotFoundError:
        return True
    return False


def test_a_sqlite_store_that_cannot_be_written_refuses_with_a_503(tmp_path: Path) -> None:
    # another process holds the file (or the disk is full): the submitter hears "not now",
    # not a server error, and nothing half-written is left behind
    import sqlite3

    from scriptohio.agents.workflow.sqlite_jobs import SqliteJobStore
    from scriptohio.errors import ServiceError

    jobs = SqliteJobStore(tmp_path / "jobs.sqlite")
    jobs._conn.execute("PRAGMA busy_timeout=50")  # do not wait 30 s for the holder
    holder = sqlite3.connect(tmp_path / "jobs.sqlite", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    with pytest.raises(ServiceError, match="cannot be written now") as refused:
        jobs.create("batch_predict", "gil", {})
    assert refused.value.status == 503
    holder.execute("ROLLBACK")
    holder.close()
    assert jobs.claimable() == []
    assert jobs.create("batch_predict", "gil", {}).status == "queued"
    jobs.close()
