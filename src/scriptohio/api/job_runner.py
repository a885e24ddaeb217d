"""Runs accepted workflow jobs through the orchestrator; stored first, so none is lost.

``backtest`` and ``grade_picks`` go to the ``cpu`` process pool (they train models);
``batch_predict`` and ``weekly_report`` to the ``heavy`` pool, so a flood of jobs never starves
the light requests.
Jobs left unfinished by a stopped process are started again by :meth:`JobRunner.resume`.

A job's answer goes to API clients, so it names no server path: a failure the service did not
raise on purpose is stored by its type only (the full error goes to the log), and a report
file is found here by the name its result lists (:meth:`JobRunner.artefact`).
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from scriptohio.agents.context import AnalyticsContext
from scriptohio.agents.registration import ContextGetter
from scriptohio.agents.workflow import steps
from scriptohio.agents.workflow.jobs import Job, JobStore
from scriptohio.api.refresher import DataRefresher
from scriptohio.errors import (
    NotFoundError,
    OutOfRangeError,
    RateLimitedError,
    ScriptOhioError,
    ValidationError,
)
from scriptohio.runtime import AgentRequest, AsyncAgentOrchestrator

__all__ = ["SHARED_JOB_TYPES", "JobRunner"]

log = logging.getLogger(__name__)
SHARED_JOB_TYPES = frozenset({"backtest"})
#: jobs one user may have waiting or running at once (more: 429)
DEFAULT_MAX_ACTIVE_PER_USER = 5
#: a finished job (and its report files) is kept this long
DEFAULT_KEEP_S = 7 * 24 * 3600.0
#: a result larger than this (JSON bytes) is not stored: the job fails and says why
DEFAULT_MAX_RESULT_BYTES = 2 * 1024 * 1024


class JobRunner:
    """Jobs stored in ``state_dir``, run by ``orchestrator``; ``context()`` is the served
    context and ``refresher`` ingests and refreshes for weekly reports."""

    def __init__(self, orchestrator: AsyncAgentOrchestrator, context: ContextGetter,
                 refresher: DataRefresher, *, state_dir: Path, data_dir: Path,
                 max_active_per_user: int = DEFAULT_MAX_ACTIVE_PER_USER,
                 keep_s: float = DEFAULT_KEEP_S,
                 max_result_bytes: int = DEFAULT_MAX_RESULT_BYTES,
                 clock: Callable[[], float] = time.time) -> None:
        self.max_active_per_user = max_active_per_user
        self.keep_s = keep_s
        self.max_result_bytes = max_result_bytes
        self.clock = clock
        self.orchestrator = orchestrator
        self.context = context
        self.refresher = refresher
        self.state_dir = state_dir
        self.data_dir = data_dir
        self.store = JobStore(state_dir / JobStore.FILENAME)
        self._tasks: set[asyncio.Task[None]] = set()
        orch = orchestrator
        orch.register("job.backtest", steps.backtest_handler, pool="cpu", timeout_s=600.0,
                      use_breaker=False)
        orch.register("job.grade_picks", steps.grade_picks_handler, pool="cpu", timeout_s=600.0,
                      use_breaker=False)
        orch.register("job.batch_predict", self._batch_predict, pool="heavy", timeout_s=300.0)
        orch.register("job.weekly_report", self._weekly_report, pool="heavy", timeout_s=300.0)

    async def submit(self, job_type: str, user_id: str, params: dict[str, Any]) -> Job:
        """Store and start a job. An identical backtest (same season, same data version) that
        is running or done is shared instead of training the same models again."""
        if job_type == "backtest":
            params = {**params, "season": _backtest_season(self.context(), params.get("season"))}
        if job_type in SHARED_JOB_TYPES:
            params = {**params, "data_version": self.context().data_version}
            existing = self.store.find_reusable(job_type, params)
            if existing is not None:
                return existing
        if self.store.active_count(user_id) >= self.max_active_per_user:
            raise RateLimitedError(
                f"user {user_id} has {self.max_active_per_user} jobs waiting or running; "
                "wait for one to finish", retry_after=5.0)
        job = self.store.create(job_type, user_id, params)
        self._start(job)
        return job

    def get(self, job_id: str) -> Job:
        return self.store.get(job_id)

    def artefact(self, job_id: str, name: str) -> Path:
        """The file of a report ``name`` that job ``job_id`` lists; NotFoundError otherwise."""
        job = self.store.get(job_id)
        listed = job.result.get("artefacts", []) if isinstance(job.result, dict) else []
        state_dir = self.state_dir
        if name in listed and state_dir is not None:
            path = steps.report_dir(state_dir, job.id) / name
            if path.is_file():
                return path
        raise NotFoundError(f"job {job_id!r} has no report file {name!r}; it has: "
                            f"{', '.join(listed) or 'none'}")

    def resume(self) -> int:
        """Start the jobs a stopped process left waiting or running; prune old ones."""
        self.prune()
        unfinished = self.store.unfinished()
        for job in unfinished:
            self._start(job)
        return len(unfinished)

    def prune(self) -> int:
        """Forget finished jobs older than ``keep_s``, and their report files."""
        removed = self.store.prune(self.clock() - self.keep_s)
        for job_id in removed:
            shutil.rmtree(steps.report_dir(self.state_dir, job_id), ignore_errors=True)
        return len(removed)

    async def stop(self) -> None:
        """Cancel running jobs; each goes back to ``queued``, to run at the next start."""
        running = list(self._tasks)
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
        for task in running:  # a finished job keeps its state: requeue touches only the rest
            self.store.requeue(task.get_name(), "interrupted by a shutdown; runs again when "
                                                "the service starts")
        self.store.close()

    def _start(self, job: Job) -> None:
        task = asyncio.create_task(self._run(job), name=job.id)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, job: Job) -> None:
        payload: dict[str, Any] = {"job_id": job.id, **job.params}
        if job.type == "backtest":
            payload = {"job_id": job.id, "jobs_db": str(self.store.path),
                       "data_dir": str(self.data_dir), "state_dir": str(self.state_dir),
                       "season": int(job.params.get("season")
                                     or self.context().current.season - 1)}
        if job.type == "grade_picks":
            payload = {"job_id": job.id, "jobs_db": str(self.store.path),
                       "data_dir": str(self.data_dir), "state_dir": str(self.state_dir),
                       "csv": job.params.get("csv", ""),
                       "train_through": job.params.get("train_through")}
        self.store.progress(job.id, 0.01, "queued for a worker")
        response = await self.orchestrator.handle(AgentRequest(
            type=f"job.{job.type}", payload=payload, user_id=job.user_id, priority=0))
        error = response.error
        if error is not None:
            log.warning("job %s failed: %r", job.id, error)
            detail = (str(error) if isinstance(error, ScriptOhioError)
                      else "unexpected error (details are in the service log)")
            self.store.fail(job.id, f"{type(error).__name__}: {detail}")
        elif len(orjson.dumps(response.result, option=orjson.OPT_SERIALIZE_NUMPY)) > \
                self.max_result_bytes:
            self.store.fail(job.id, f"ResultTooLarge: the result is over "
                                    f"{self.max_result_bytes} bytes; ask for less at a time")
        else:
            self.store.finish(job.id, response.result)

    async def _batch_predict(self, req: AgentRequest) -> dict[str, Any]:
        job_id = req.payload["job_id"]
        ctx = self.context()
        return await asyncio.to_thread(
            steps.batch_predict, ctx, req.payload.get("csv", ""),
            lambda f, s: self.store.progress(job_id, f, s))

    async def _weekly_report(self, req: AgentRequest) -> dict[str, Any]:
        job_id = req.payload["job_id"]
        if req.payload.get("games_csv"):
            self.store.progress(job_id, 0.1, "ingest results")
            await self.refresher.ingest_text(req.payload["games_csv"], None)
        self.store.progress(job_id, 0.3, "update features")
        await self.refresher.refresh_data()
        return await asyncio.to_thread(
            steps.weekly_report, self.context(), req.payload.get("season"),
            req.payload.get("week"),
            lambda f, s: self.store.progress(job_id, f, s))


def _backtest_season(ctx: AnalyticsContext, season: int | None) -> int:
    """The season a backtest replays: the one asked for, else the latest with lines. It is
    scored against the market and fitted on the seasons before it: both need closing lines,
    so the first backtest season is the one after lines begin (422 outside)."""
    games = ctx.dataset.games
    spread = games.cols["spread"]
    with_lines = sorted({int(s) for s in games.cols["season"][~np.isnan(spread)].tolist()})
    if not with_lines:
        raise ValidationError("the data has no market lines, so no backtest can be scored")
    first, last = with_lines[0] + 1, with_lines[-1]
    if season is None:
        return last
    if not first <= season <= last:
        raise OutOfRangeError(f"a backtest needs market lines in the season and in the seasons "
                              f"before it: season must be between {first} and {last}, "
                              f"not {season}", valid_range=(first, last))
    return season
