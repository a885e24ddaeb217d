"""The one place a job store is chosen: Redis when the service has one, else SQLite."""

from __future__ import annotations

from pathlib import Path

from scriptohio.agents.workflow.jobs import JobStore, JobStoreAddress
from scriptohio.agents.workflow.redis_jobs import RedisJobStore
from scriptohio.agents.workflow.sqlite_jobs import SqliteJobStore
from scriptohio.breaker import CircuitBreaker

__all__ = ["open_job_store"]


def open_job_store(address: JobStoreAddress, *,
                   breaker: CircuitBreaker | None = None) -> JobStore:
    """The store at ``address``: Redis when it names one (``breaker`` guards it), else the
    SQLite file."""
    if address.redis_url:
        return RedisJobStore(address, breaker=breaker)
    if address.sqlite_path is None:
        raise ValueError("a job store needs a SQLite path or a Redis URL")
    return SqliteJobStore(Path(address.sqlite_path))
