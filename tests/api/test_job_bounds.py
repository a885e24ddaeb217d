"""Jobs are bounded: per user, in result size and in age; a shutdown re-queues what it cut."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from scriptohio.agents.context import AnalyticsContext
from scriptohio.api.context_holder import ContextHolder
from scriptohio.api.job_runner import JobRunner
from scriptohio.api.refresher import DataRefresher
from scriptohio.api.response_cache import ResponseCache
from scriptohio.api.service import POOLS
from scriptohio.api.warmup import CacheWarmer
from scriptohio.runtime import AgentRequest, AsyncAgentOrchestrator
from scriptohio.testing import DatasetBuilder, fake_context
from tests.api.conftest import AppClient

CSV_HEADER = "game_id,season,week,season_type,home_team,away_team,neutral_site\n"


def _league(folder: Path) -> AnalyticsContext:
    data = DatasetBuilder().round_robin(2023, ["Alpha", "Bravo", "Charlie", "Delta"],
                                        weeks_played=2, weeks=3).write(folder)
    return fake_context(data)


def _runner(state: Path, ctx: AnalyticsContext, orchestrator: AsyncAgentOrchestrator,
            **bounds: Any) -> JobRunner:
    holder = ContextHolder()
    holder.swap(ctx)
    cache = ResponseCache(None)
    refresher = DataRefresher(holder, cache, CacheWarmer(cache), warm=False)
    return JobRunner(orchestrator, holder.get, refresher, state_dir=state,
                     data_dir=ctx.dataset.data_dir, **bounds)


async def test_a_user_with_too_many_jobs_waiting_gets_429(tiny_client: AppClient) -> None:
    async with tiny_client() as client:
        store = client.app.state.service.jobs.store  # type: ignore[attr-defined]
        for _ in range(5):
            store.create("batch_predict", "alice", {"csv": CSV_HEADER})  # queued, never run
        body = {"type": "batch_predict", "csv": CSV_HEADER}
        refused = await client.post("/v1/jobs", json=body, headers={"X-User-Id": "alice"})
        assert refused.status_code == 429 and refused.headers["retry-after"]
        assert "5 jobs" in refused.json()["detail"]
        other = await client.post("/v1/jobs", json=body, headers={"X-User-Id": "bob"})
        assert other.status_code == 202


async def test_a_shutdown_requeues_the_job_it_cut_and_the_next_start_runs_it(
        tmp_path: Path) -> None:
    ctx = _league(tmp_path / "data")
    state = tmp_path / "state"
    state.mkdir()
    started, release = asyncio.Event(), asyncio.Event()

    async def slow(_: AgentRequest) -> dict[str, Any]:  # a job step that takes its time
        started.set()
        await release.wait()
        return {"rows": 0}

    first = AsyncAgentOrchestrator(pools=POOLS)
    await first.start()
    runner = _runner(state, ctx, first)
    first.register("job.batch_predict", slow, pool="heavy")
    games_csv = (ctx.dataset.data_dir / "games.csv").read_text()
    job = await runner.submit("batch_predict", "carol", {"csv": games_csv})
    await started.wait()
    await runner.stop()
    await first.stop(drain=False)

    second = AsyncAgentOrchestrator(pools=POOLS)
    await second.start()
    again = _runner(state, ctx, second)
    cut = again.get(job.id)
    assert cut.status == "queued" and "interrupted by a shutdown" in cut.step
    assert again.resume() == 1
    for _ in range(200):
        if again.get(job.id).status in ("succeeded", "failed"):
            break
        await asyncio.sleep(0.05)
    assert again.get(job.id).status == "succeeded"
    await again.stop()
    await second.stop()


async def test_results_are_bounded_in_size_and_age(tmp_path: Path) -> None:
    ctx = _league(tmp_path / "data")
    state = tmp_path / "state"
    state.mkdir()
    now = [1_000_000.0]
    orchestrator = AsyncAgentOrchestrator(pools=POOLS)
    await orchestrator.start()
    runner = _runner(state, ctx, orchestrator, max_result_bytes=50, keep_s=3600.0,
                     clock=lambda: now[0])
    games_csv = (ctx.dataset.data_dir / "games.csv").read_text()  # every row predicted
    job = await runner.submit("batch_predict", "dave", {"csv": games_csv})
    for _ in range(200):
        if runner.get(job.id).status in ("succeeded", "failed"):
            break
        await asyncio.sleep(0.05)
    failed = runner.get(job.id)
    assert failed.status == "failed" and "over 50 bytes" in (failed.error or "")
    runner.store.finish(job.id, {"ok": True})  # a finished job ...
    now[0] = failed.updated_at + 7200.0  # ... two hours later, past keep_s
    assert runner.prune() == 1
    assert runner.store.claimable() == []
    await runner.stop()
    await orchestrator.stop()


async def test_a_draining_runner_stores_jobs_but_claims_none(tmp_path: Path) -> None:
    # a replica that drains after SIGTERM must not take jobs (its own new ones, or ones a
    # peer gave back) only to cut them seconds later; what it stores another one runs
    ctx = _league(tmp_path / "data")
    state = tmp_path / "state"
    state.mkdir()
    draining = [False]
    orchestrator = AsyncAgentOrchestrator(pools=POOLS)
    await orchestrator.start()
    runner = _runner(state, ctx, orchestrator, taking=lambda: not draining[0])
    games_csv = (ctx.dataset.data_dir / "games.csv").read_text()
    draining[0] = True
    job = await runner.submit("batch_predict", "erin", {"csv": games_csv})
    assert runner.get(job.id).status == "queued"
    assert runner._sweep_once() == 0
    await asyncio.sleep(0.2)
    assert runner.get(job.id).status == "queued" and runner.get(job.id).attempts == 0
    draining[0] = False  # (a replica that is not draining) takes it on its next sweep
    assert runner._sweep_once() == 1
    for _ in range(200):
        if runner.get(job.id).status in ("succeeded", "failed"):
            break
        await asyncio.sleep(0.05)
    assert runner.get(job.id).status == "succeeded"
    await runner.stop()
    await orchestrator.stop()
