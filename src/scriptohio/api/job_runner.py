"""Runs accepted workflow jobs through the orchestrator; stored first, so none is lost.

``backtest`` and ``grade_picks`` go to the ``cpu`` process pool (they train models);
``batch_predict`` and ``weekly_report`` to the ``heavy`` pool, so a flood of jobs never starves
the light requests.

A job runs where it is claimed (:mod:`scriptohio.agents.workflow.jobs`): the replica that
accepts a job claims it at once; the lease is renewed every third of ``lease_s`` while the
job runs, and a run whose lease was taken over is cancelled. Every ``lease_s / 3`` each
runner also claims the jobs nobody holds (a replica that was killed, one that could not claim
when it accepted): with a store shared through Redis, another replica finishes them.

A job's answer goes to API clients, so it names no server path: a failure the service did not
raise on purpose is stored by its type only (the full error goes to the log), and a report
file is found by the name its result lists (:meth:`JobRunner.artefact`), from the store.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import shutil
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import orjson

from scriptohio.agents.context import AnalyticsContext
from scriptohio.agents.registration import ContextGetter
from scriptohio.agents.workflow import steps
from scriptohio.agents.workflow.job_stores import open_job_store
from scriptohio.agents.workflow.jobs import (
    DEFAULT_KEEP_S,
    Job,
    JobStore,
    JobStoreAddress,
)
from scriptohio.agents.workflow.sqlite_jobs import SqliteJobStore
from scriptohio.api.refresher import DataRefresher
from scriptohio.config import DEFAULT_JOB_LEASE_S
from scriptohio.errors import (
    NotFoundError,
    OutOfRangeError,
    ScriptOhioError,
    ServiceError,
    ValidationError,
)
from scriptohio.runtime import AgentRequest, AsyncAgentOrchestrator

__all__ = ["SHARED_JOB_TYPES", "JobRunner", "job_store_address"]

log = logging.getLogger(__name__)
T = TypeVar("T")
SHARED_JOB_TYPES = frozenset({"backtest"})
#: jobs one user may have waiting or running at once (more: 429)
DEFAULT_MAX_ACTIVE_PER_USER = 5
#: a result larger than this (JSON bytes, and its report files together) is not stored: the
#: job fails and says why
DEFAULT_MAX_RESULT_BYTES = 2 * 1024 * 1024
#: how often the old prune runs (finished jobs past keep_s, their report files)
PRUNE_EVERY_S = 3600.0


def job_store_address(state_dir: Path, redis_url: str | None, *, namespace: str,
                      keep_s: float = DEFAULT_KEEP_S) -> JobStoreAddress:
    """The service's job store: its Redis when it has one, else ``<state_dir>/jobs.sqlite``."""
    return JobStoreAddress(sqlite_path=str(state_dir / SqliteJobStore.FILENAME),
                           redis_url=redis_url, namespace=namespace, keep_s=keep_s)


class JobRunner:
    """Jobs in ``store`` (default: SQLite in ``state_dir``), run by ``orchestrator``;
    ``context()`` is the served context and ``refresher`` ingests and refreshes for weekly
    reports."""

    def __init__(self, orchestrator: AsyncAgentOrchestrator, context: ContextGetter,
                 refresher: DataRefresher, *, state_dir: Path, data_dir: Path,
                 store: JobStore | None = None,
                 max_active_per_user: int = DEFAULT_MAX_ACTIVE_PER_USER,
                 keep_s: float = DEFAULT_KEEP_S,
                 max_result_bytes: int = DEFAULT_MAX_RESULT_BYTES,
                 lease_s: float = DEFAULT_JOB_LEASE_S,
                 owner: str | None = None,
                 taking: Callable[[], bool] = lambda: True,
                 clock: Callable[[], float] = time.time) -> None:
        # ``taking``: whether this process claims jobs now (False while it drains: it still
        # stores what is submitted, and another replica, or the next start, runs it)
        self.taking = taking
        self.max_active_per_user = max_active_per_user
        self.keep_s = keep_s
        self.max_result_bytes = max_result_bytes
        self.lease_s = lease_s
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self.clock = clock
        self.orchestrator = orchestrator
        self.context = context
        self.refresher = refresher
        self.state_dir = state_dir
        self.data_dir = data_dir
        self.store: JobStore = store or open_job_store(
            job_store_address(state_dir, None, namespace="", keep_s=keep_s))
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._sweeper: asyncio.Task[None] | None = None
        self._last_prune = float("-inf")
        orch = orchestrator
        orch.register("job.backtest", steps.backtest_handler, pool="cpu", timeout_s=600.0,
                      use_breaker=False)
        orch.register("job.grade_picks", steps.grade_picks_handler, pool="cpu", timeout_s=600.0,
                      use_breaker=False)
        orch.register("job.batch_predict", self._batch_predict, pool="heavy", timeout_s=300.0)
        orch.register("job.weekly_report", self._weekly_report, pool="heavy", timeout_s=300.0)

    async def submit(self, job_type: str, user_id: str, params: dict[str, Any]) -> Job:
        """Store and start a job. An identical backtest (same season, same data version) that
        is running or done is shared instead of training the same models again. Nothing is
        accepted that could not be stored: a store that does not answer is a ServiceError."""
        if job_type == "backtest":
            params = {**params, "season": _backtest_season(self.context(), params.get("season"))}
        shared = job_type in SHARED_JOB_TYPES
        if shared:
            params = {**params, "data_version": self.context().data_version}
        try:
            job = self.store.create(job_type, user_id, params,
                                    max_active=self.max_active_per_user, reuse=shared)
        except ServiceError as exc:
            raise type(exc)(f"the job was not accepted: {exc.detail}",
                            retry_after=exc.retry_after) from exc
        try:
            self._claim_and_start(job.id)
        except ServiceError as exc:  # stored: the sweep of any replica claims it later
            log.warning("job %s stored but not claimed now: %s", job.id, exc.detail)
        return job

    def get(self, job_id: str) -> Job:
        return self.store.get(job_id)

    def artefact(self, job_id: str, name: str) -> bytes:
        """The content of report ``name`` that job ``job_id`` lists; NotFoundError otherwise."""
        job = self.store.get(job_id)
        listed = job.result.get("artefacts", []) if isinstance(job.result, dict) else []
        if name in listed:
            content = self.store.artefact(job_id, name)
            if content is not None:
                return content
        raise NotFoundError(f"job {job_id!r} has no report file {name!r}; it has: "
                            f"{', '.join(listed) or 'none'}")

    def resume(self) -> int:
        """Prune old jobs, claim and start the jobs nobody runs (a stopped process left them),
        and keep doing so every third of a lease; the number started now."""
        started = 0
        try:
            self.prune()
            started = self._sweep_once()
        except ServiceError as exc:  # the store is down: the sweep tries again
            log.warning("jobs not resumed now: %s", exc.detail)
        if self._sweeper is None:
            self._sweeper = asyncio.create_task(self._sweep(), name="jobs-sweep")
        return started

    def prune(self) -> int:
        """Forget finished jobs older than ``keep_s``, and their report files."""
        self._last_prune = self.clock()
        removed = self.store.prune(self.clock() - self.keep_s)
        for job_id in removed:
            shutil.rmtree(steps.report_dir(self.state_dir, job_id), ignore_errors=True)
        return len(removed)

    async def stop(self) -> None:
        """Cancel running jobs; each goes back to ``queued``, for the next start or another
        replica to run."""
        if self._sweeper is not None:
            self._sweeper.cancel()
            await asyncio.gather(self._sweeper, return_exceptions=True)
        running = dict(self._tasks)
        for task in running.values():
            task.cancel()
        await asyncio.gather(*running.values(), return_exceptions=True)
        for job_id in running:  # a finished job keeps its state: requeue touches only the rest
            try:
                self.store.requeue(job_id, "interrupted by a shutdown; runs again when the "
                                           "service starts", owner=self.owner)
            except ServiceError as exc:  # its lease runs out instead; then it runs again
                log.warning("job %s not re-queued: %s", job_id, exc.detail)
        self.store.close()

    # -- claims --------------------------------------------------------------------------

    def _claim_and_start(self, job_id: str) -> bool:
        if not self.taking():
            return False
        if job_id in self._tasks:
            return False
        job = self.store.claim(job_id, self.owner, self.lease_s)
        if job is None:
            return False
        log.info("job %s claimed by %s (attempt %d)", job.id, self.owner, job.attempts)
        task = asyncio.create_task(self._run(job), name=job.id)
        self._tasks[job.id] = task
        task.add_done_callback(lambda t: self._tasks.pop(t.get_name(), None))
        return True

    def _sweep_once(self) -> int:
        return sum(self._claim_and_start(job.id) for job in self.store.claimable())

    async def _sweep(self) -> None:
        down = False
        while True:
            await asyncio.sleep(max(0.2, self.lease_s / 3))
            try:
                if self.clock() - self._last_prune >= PRUNE_EVERY_S:
                    self.prune()
                self._sweep_once()
                down = False
            except ServiceError as exc:
                if not down:
                    log.warning("jobs sweep: %s", exc.detail)
                down = True

    async def _keep_lease(self, job_id: str, run: asyncio.Task[Any]) -> None:
        """Renew the lease while ``run`` runs; cancel it if another owner took the job."""
        while True:
            await asyncio.sleep(max(0.1, self.lease_s / 3))
            try:
                held = self.store.renew(job_id, self.owner, self.lease_s)
            except ServiceError as exc:
                log.warning("lease of job %s not renewed: %s", job_id, exc.detail)
                continue
            if not held:
                log.warning("job %s: lease lost (another replica runs it); stopping here",
                            job_id)
                run.cancel()
                return

    async def _persist(self, write: Callable[[], T]) -> T | None:
        """``write()`` (how a job ended), retried while the store does not answer, for one
        lease: after that the job is another replica's to run again (None)."""
        deadline = time.monotonic() + self.lease_s
        while True:
            try:
                return write()
            except ServiceError as exc:
                if time.monotonic() > deadline:
                    log.error("job outcome not stored, it will run again: %s", exc.detail)
                    return None
                await asyncio.sleep(1.0)

    # -- running ---------------------------------------------------------------------------

    async def _run(self, job: Job) -> None:
        run = asyncio.current_task()
        assert run is not None
        keeper = asyncio.create_task(self._keep_lease(job.id, run))
        try:
            await self._execute(job)
        finally:
            keeper.cancel()

    async def _execute(self, job: Job) -> None:
        payload: dict[str, Any] = {"job_id": job.id, **job.params}
        if job.type == "backtest":
            payload = {"job_id": job.id, "jobs_store": self.store.address,
                       "data_dir": str(self.data_dir), "state_dir": str(self.state_dir),
                       "season": int(job.params.get("season")
                                     or self.context().current.season - 1)}
        if job.type == "grade_picks":
            payload = {"job_id": job.id, "jobs_store": self.store.address,
                       "data_dir": str(self.data_dir), "state_dir": str(self.state_dir),
                       "csv": job.params.get("csv", ""),
                       "train_through": job.params.get("train_through")}
        self.store.progress(job.id, 0.01, "queued for a worker")
        response = await self.orchestrator.handle(AgentRequest(
            type=f"job.{job.type}", payload=payload, user_id=job.user_id, priority=0))
        error = response.error
        owner = self.owner
        if error is not None:
            log.warning("job %s failed: %r", job.id, error)
            detail = (str(error) if isinstance(error, ScriptOhioError)
                      else "unexpected error (details are in the service log)")
            await self._persist(lambda: self.store.fail(
                job.id, f"{type(error).__name__}: {detail}", owner=owner))
            return
        result = response.result
        names = result.get("artefacts", []) if isinstance(result, dict) else []
        files = steps.report_dir(self.state_dir, job.id)
        size = len(orjson.dumps(result, option=orjson.OPT_SERIALIZE_NUMPY)) + sum(
            (files / n).stat().st_size for n in names if (files / n).is_file())
        if size > self.max_result_bytes:
            await self._persist(lambda: self.store.fail(
                job.id, f"ResultTooLarge: the result is over {self.max_result_bytes} bytes; "
                        "ask for less at a time", owner=owner))
            return
        if names:
            copied = await self._persist(lambda: self.store.keep_artefacts(job.id, files, names))
            if copied:  # the store holds them for every replica
                shutil.rmtree(files, ignore_errors=True)
        await self._persist(lambda: self.store.finish(job.id, result, owner=owner))

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
