"""Job records: every accepted job is stored before it is answered, so none is lost.

States: ``queued`` → ``running`` → ``succeeded`` | ``failed``. Two stores behind one
protocol, :class:`JobStore`, chosen in one place,
:func:`~scriptohio.agents.workflow.job_stores.open_job_store`:

* :class:`~scriptohio.agents.workflow.sqlite_jobs.SqliteJobStore`: ``<state_dir>/jobs.sqlite``
  (WAL), the embedded default; every worker process of one host shares it;
* :class:`~scriptohio.agents.workflow.redis_jobs.RedisJobStore`: the service's Redis, when it
  has one, so replicas on several hosts share their jobs.

A job runs where it is **claimed**: a claim is a lease (an owner and an expiry) that the
runner renews while the job runs. Only one owner holds a live lease, so a job runs once; a
process killed mid-job stops renewing, its lease runs out and another process claims the job
again (:meth:`JobStore.claimable`). A shutdown gives its jobs back at once
(:meth:`JobStore.requeue`). Only the lease holder may end a job (``owner``), so a process that
lost its lease cannot overwrite the run that replaced it.

``create`` checks the per-user bound (jobs queued or running) and, for shared job types,
returns the identical job already running or done, in one atomic step, so the bound holds
across every process sharing the store. Progress (0..1 and the current step) is written as the
job advances, from any process (a process-pool worker opens the store from its
:class:`JobStoreAddress`); it is advisory, so a failed progress write never fails the job.
Finished jobs and their report files are kept ``keep_s`` (7 days by default) and then dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from scriptohio.errors import RateLimitedError

__all__ = ["ACTIVE", "JOB_TYPES", "Job", "JobStore", "JobStoreAddress", "active_limit_error",
           "report_dir"]

JOB_TYPES = ("weekly_report", "backtest", "batch_predict", "grade_picks")
ACTIVE = ("queued", "running")
#: a finished job (its result and report files) is kept this long
DEFAULT_KEEP_S = 7 * 24 * 3600.0


def active_limit_error(user_id: str, limit: int) -> RateLimitedError:
    """What a user over the bound on waiting and running jobs is told (429)."""
    return RateLimitedError(f"user {user_id} has {limit} jobs waiting or running; wait for one "
                            "to finish", retry_after=5.0)


def report_dir(state_dir: str | Path, job_id: str) -> Path:
    """Where a job's report files are written (and, without Redis, read back from by name)."""
    return Path(state_dir) / "jobs" / job_id


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
    #: how many times the job was claimed to run (2+: a run was cut and taken up again)
    attempts: int = 0

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "status": self.status,
                "progress": round(self.progress, 3), "step": self.step, "result": self.result,
                "error": self.error, "created_at": self.created_at,
                "updated_at": self.updated_at, "attempts": self.attempts}


@dataclass(frozen=True, slots=True)
class JobStoreAddress:
    """Where a job store is, in a form a process-pool worker can be handed (picklable)."""

    sqlite_path: str | None = None
    redis_url: str | None = None
    namespace: str = "scriptohio"
    keep_s: float = DEFAULT_KEEP_S


class JobStore(Protocol):
    """The job records (see the module docstring)."""

    @property
    def address(self) -> JobStoreAddress:
        """How another process opens this store."""

    def create(self, job_type: str, user_id: str, params: dict[str, Any], *,
               max_active: int | None = None, reuse: bool = False) -> Job:
        """Store a new ``queued`` job. ``reuse``: the newest identical job (type and params)
        that did not fail is returned instead. RateLimitedError if ``user_id`` already has
        ``max_active`` jobs queued or running."""

    def get(self, job_id: str) -> Job:
        """The job; NotFoundError if there is none (never was, or pruned)."""

    def claim(self, job_id: str, owner: str, lease_s: float) -> Job | None:
        """Take the job to run it, for ``lease_s``; None if it is finished or another owner
        holds a live lease."""

    def renew(self, job_id: str, owner: str, lease_s: float) -> bool:
        """Extend ``owner``'s lease; False if it no longer holds it."""

    def progress(self, job_id: str, fraction: float, step: str) -> None:
        """Mark the job running at ``fraction`` (0..1), doing ``step`` (best effort)."""

    def finish(self, job_id: str, result: Any, *, owner: str | None = None) -> bool:
        """``succeeded`` with ``result``; False if ``owner`` does not hold the lease."""

    def fail(self, job_id: str, error: str, *, owner: str | None = None) -> bool:
        """``failed`` with ``error``; False if ``owner`` does not hold the lease."""

    def requeue(self, job_id: str, step: str, *, owner: str | None = None) -> None:
        """Back to ``queued`` with the lease released, ``step`` saying why; progress kept."""

    def claimable(self) -> list[Job]:
        """Jobs queued or running that nobody holds a live lease on, oldest first."""

    def keep_artefacts(self, job_id: str, directory: Path, names: list[str]) -> bool:
        """Make the report files ``names`` in ``directory`` readable by :meth:`artefact`
        from every process sharing the store. True: the store holds copies (the directory
        may go); False: it reads them from where they are."""

    def artefact(self, job_id: str, name: str) -> bytes | None:
        """The content of report file ``name`` of the job, None if it has none."""

    def prune(self, older_than: float) -> list[str]:
        """Drop finished jobs last updated before ``older_than`` (epoch s); their ids."""

    def close(self) -> None: ...
