"""The composition root: one :class:`Service` holds every component of a running process.

Start-up returns at once (``/health`` answers) while a background task loads the data, builds
the features and loads (or, on a fresh state directory, trains) the default models; ``/ready``
turns 200 when the :class:`~scriptohio.agents.context.AnalyticsContext` is in place.

After an ingest — through ``POST /v1/admin/ingest`` or by ``scriptohio ingest`` in another
process sharing the state directory — the watcher notices the new data version, reloads the
data, recomputes only the affected features, swaps the context and invalidates only the cache
entries tagged with what changed. No restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from scriptohio.agents.ask import AskRouter
from scriptohio.agents.context import AnalyticsContext
from scriptohio.agents.learn import LearningNavigator
from scriptohio.agents.workflow.jobs import JobStore
from scriptohio.api.handlers import register_agents
from scriptohio.api.identity import ROLE_PRIORITY
from scriptohio.api.job_runner import JobRunner
from scriptohio.api.middleware.answer_memo import AnswerMemo
from scriptohio.api.preload import Recipe
from scriptohio.api.response_cache import ResponseCache
from scriptohio.api.warmup import CacheWarmer
from scriptohio.config import Settings
from scriptohio.data.dataset import load_dataset
from scriptohio.data.paths import find_data_dir, state_dir
from scriptohio.data.store import StateStore
from scriptohio.errors import NotFoundError, NotReadyError
from scriptohio.events import DataChanged, EventBus
from scriptohio.features import FeatureStore
from scriptohio.models.registry import ModelRegistry
from scriptohio.monitor.core import Monitor
from scriptohio.runtime import (
    AgentRequest,
    AsyncAgentOrchestrator,
    AutoscalerConfig,
    PoolConfig,
    RateLimitConfig,
    UserRateLimiter,
    freeze_long_lived,
    shorten_gil_switch_interval,
    tune_gc_for_latency,
)

log = logging.getLogger(__name__)

DATA_POLL_INTERVAL_S = 1.0
#: light: cached lookups and single predictions; heavy: batch work and reports (a bulkhead);
#: cpu: model training in worker processes, at most as many as there are cores.
POOLS = {
    "light": PoolConfig(),
    "heavy": PoolConfig(autoscaling=AutoscalerConfig(min_workers=1, max_workers=4),
                        slots_per_worker=2, max_queue=200),
    "cpu": PoolConfig(kind="process", max_queue=50, autoscaling=AutoscalerConfig(
        min_workers=1, max_workers=1)),
}


class Service:
    """Everything one service process runs; the routes reach it through ``app.state``."""

    def __init__(self, settings: Settings, *, clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.bus = EventBus()
        self.started_at = clock()
        self._ctx: AnalyticsContext | None = None
        self._load_error: str | None = None
        self._tasks: list[asyncio.Task[Any]] = []
        self._refresh_lock = asyncio.Lock()
        self.data_dir: Path | None = None
        self.state_dir: Path | None = state_dir(settings.state_dir)
        self.store: StateStore | None = None
        self.registry: ModelRegistry | None = None
        storage = settings.redis_url or "memory://"
        self.rate_limiter = UserRateLimiter(RateLimitConfig(default=settings.rate_limit,
                                                            storage_url=storage))
        self.orchestrator = AsyncAgentOrchestrator(settings.max_inflight, pools=POOLS,
                                                   bus=self.bus)
        self.monitor = Monitor(bus=self.bus)
        self.cache = ResponseCache(settings.redis_url,
                                   namespace=settings.cache_namespace, saturated=self.saturated)
        self.monitor.add_cache_source(self.cache.stats_source(), tier="response")
        self.warmer = CacheWarmer(self, first_season=settings.warm_first_season)
        self.cache.enable_preloading(self.compute)
        self.extras: dict[str, Any] = {}
        self.answer_memo = AnswerMemo()
        self.navigator: LearningNavigator | None = None
        self.jobs: JobRunner | None = None
        self._ask: tuple[int, AskRouter] | None = None
        register_agents(self)

    def saturated(self) -> bool:
        """Preloads wait while the service is busy: at half its in-flight bound."""
        return self.orchestrator.in_flight * 2 >= self.settings.max_inflight

    # -- readiness -------------------------------------------------------------------------

    @property
    def ready(self) -> bool:
        return self._ctx is not None

    @property
    def ctx_or_none(self) -> AnalyticsContext | None:
        """The current analytics context, or None while loading."""
        return self._ctx

    @property
    def ctx(self) -> AnalyticsContext:
        """The current analytics context, or 503 while loading."""
        if self._ctx is None:
            raise NotReadyError(self._load_error or "data and models are still loading",
                                retry_after=2)
        return self._ctx

    def readiness(self) -> dict[str, object]:
        ctx = self._ctx
        return {
            "data": ctx is not None,
            "models": ctx is not None,
            "data_version": None if ctx is None else ctx.data_version,
            "model_version": None if ctx is None else ctx.predictor.model_version,
            "error": self._load_error,
        }

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        assert self.state_dir is not None
        self.data_dir = find_data_dir(self.settings.data_dir)
        self.store = StateStore(self.state_dir)
        self.navigator = LearningNavigator(self.state_dir / "learning.sqlite")
        self.jobs = JobRunner(self, self.state_dir / JobStore.FILENAME)
        await self.orchestrator.start()
        self.monitor.open_history(self.state_dir)
        await self.monitor.start()
        await self.cache.start()
        self._tasks.append(asyncio.create_task(self._load(), name="load"))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self.jobs is not None:
            await self.jobs.stop()
        await self.orchestrator.stop(drain=True, grace_s=10.0)
        if self.navigator is not None:
            self.navigator.close()
        await self.cache.stop()
        await self.rate_limiter.aclose()
        await self.monitor.stop()
        if self.store is not None:
            self.store.close()

    async def _load(self) -> None:
        try:
            ctx = await asyncio.to_thread(self._build_context)
            tune_gc_for_latency()  # before /ready: data and models are the long-lived heap
            shorten_gil_switch_interval()  # handlers computing in threads yield the GIL sooner
            self._ctx = ctx
            log.info("ready: data version %d, model %s", ctx.data_version,
                     ctx.predictor.model_version)
        except Exception as exc:  # reported by /ready; the process keeps answering /health
            self._load_error = f"start-up failed: {exc}"
            log.exception("start-up failed")
            return
        self._tasks.append(asyncio.create_task(self._watch_data(), name="watch-data"))
        if self.settings.warm_cache:
            self._tasks.append(asyncio.create_task(self._warm(ctx), name="warm-cache"))
        if self.jobs is not None:
            resumed = self.jobs.resume()
            if resumed:
                log.info("resumed %d unfinished jobs", resumed)

    async def _warm(self, ctx: AnalyticsContext) -> None:
        await self.warmer.run(ctx)
        frozen = freeze_long_lived()  # the warmed cache is long-lived too
        log.info("cache warmed; %d long-lived objects out of the collector's way", frozen)

    def ask_router(self) -> AskRouter:
        """The ask router of the current data version (teams and "now" come from the data)."""
        ctx = self.ctx
        if self._ask is None or self._ask[0] != ctx.data_version:
            router = AskRouter(ctx.dataset.teams, current_season=ctx.current.season,
                               current_week=ctx.current.week)
            router.classifier()
            self._ask = (ctx.data_version, router)
        return self._ask[1]

    async def compute(self, recipe: Recipe) -> bytes:
        """Run one recipe through the orchestrator and encode its role view."""
        answer = await self.orchestrator.handle(AgentRequest(
            type=recipe.kind, payload=recipe.payload, role=recipe.role,
            priority=ROLE_PRIORITY.get(recipe.role, 1)))
        result = answer.unwrap()  # errors propagate; a ServiceError may be served stale
        return orjson.dumps(recipe.view(result, recipe.role), option=orjson.OPT_SERIALIZE_NUMPY)

    async def ingest_text(self, games_csv: str, team_games_csv: str | None) -> Any:
        """Ingest CSV text (the admin endpoint, the weekly-report workflow)."""
        from scriptohio.data.ingest import ingest_files

        assert self.store is not None
        with tempfile.TemporaryDirectory() as tmp:
            games = Path(tmp) / "games.csv"
            games.write_text(games_csv)
            team_games = None
            if team_games_csv:
                team_games = Path(tmp) / "team_games.csv"
                team_games.write_text(team_games_csv)
            # DataChanged is published once, by refresh_data, after the new data is served
            return await asyncio.to_thread(ingest_files, self.store, self.ctx.dataset, games,
                                           team_games)

    def _build_context(self) -> AnalyticsContext:
        assert self.data_dir is not None and self.store is not None and self.state_dir
        started = time.perf_counter()
        dataset = load_dataset(self.data_dir, self.store)
        features = FeatureStore.build(dataset)
        self.registry = ModelRegistry(self.state_dir, features)
        t = time.perf_counter()
        try:
            predictor = self.registry.load()
        except (NotFoundError, NotReadyError, ValueError) as exc:
            # no model yet, or one built for another feature list: models are build outputs
            from scriptohio.models.train import train

            log.warning("no usable model in %s (%s): training one now", self.state_dir, exc)
            train(dataset, self.state_dir, features=features)
            t = time.perf_counter()
            predictor = self.registry.load()
        self.monitor.observe_model_load(predictor.model_version, time.perf_counter() - t)
        log.info("context built in %.1f s", time.perf_counter() - started)
        return AnalyticsContext(dataset, features, predictor)

    # -- data changes ----------------------------------------------------------------------

    async def _watch_data(self) -> None:
        assert self.store is not None
        while True:
            await asyncio.sleep(DATA_POLL_INTERVAL_S)
            try:
                if self.store.data_version() > self.ctx.data_version:
                    await self.refresh_data()
            except Exception:
                log.exception("data refresh failed; serving the previous data")

    async def refresh_data(self) -> dict[str, Any]:
        """Load the newer data version, update features incrementally, swap, invalidate."""
        async with self._refresh_lock:
            old = self.ctx
            assert self.store is not None and self.data_dir is not None
            events = self.store.events_since(old.data_version)
            if not events:
                return {"changed": False, "data_version": old.data_version}
            new_ctx, changed_weeks, teams = await asyncio.to_thread(
                self._updated_context, old, events)
            self._ctx = new_ctx
            tags = {f"week:{s}:{t}:{w}" for s, t, w in changed_weeks}
            tags |= {f"team:{team}:{season}" for team, season in teams}
            removed = await self.cache.invalidate_tags(tags)
            if self.settings.warm_cache:
                self._tasks.append(asyncio.create_task(
                    self.warmer.run(new_ctx, {w for w in changed_weeks if w[1] != "final"}),
                    name="rewarm-cache"))
            log.info("data version %d: %d weeks changed, %d cache entries invalidated",
                     new_ctx.data_version, len(changed_weeks), removed)
            return {"changed": True, "data_version": new_ctx.data_version,
                    "weeks_changed": sorted(changed_weeks), "invalidated": removed}

    def _updated_context(self, old: AnalyticsContext, events: list[Any]
                         ) -> tuple[AnalyticsContext, set[tuple[int, str, int]],
                                    set[tuple[str, int]]]:
        assert self.store is not None and self.data_dir is not None
        dataset = load_dataset(self.data_dir, self.store)
        seasons: set[int] = set()
        weeks: set[tuple[int, str, int]] = set()
        teams: set[tuple[str, int]] = set()
        game_ids: set[int] = set()
        for ev in events:
            p = ev.payload
            seasons |= set(p.get("seasons", []))
            weeks |= {(int(s), str(t), int(w)) for s, t, w in p.get("weeks", [])}
            game_ids |= set(p.get("game_ids", []))
        for gid in game_ids:
            g = dataset.games.get(int(gid))
            if g is not None:
                teams |= {(g.home_team, g.season), (g.away_team, g.season)}
        event = DataChanged(seasons=frozenset(seasons), weeks=frozenset(weeks),
                            teams=frozenset(t for t, _ in teams),
                            game_ids=frozenset(game_ids), version=dataset.version)
        features = old.features
        changed = features.update(dataset, event)
        assert self.registry is not None
        self.registry.set_features(features)
        predictor = self.registry.load(old.predictor.model_version)
        self.bus.emit(event)
        return AnalyticsContext(dataset, features, predictor), changed, teams

    async def reload_models(self) -> dict[str, Any]:
        """Hot-reload the newest model version; in-flight predictions finish on the old one."""
        old = self.ctx
        assert self.registry is not None
        version = await asyncio.to_thread(self.registry.reload)
        predictor = await asyncio.to_thread(self.registry.load, version)
        self._ctx = AnalyticsContext(old.dataset, old.features, predictor)
        removed = 0
        if predictor.model_version != old.predictor.model_version:
            removed = await self.cache.invalidate_tags({f"model:{old.predictor.model_version}"})
        return {"model_version": predictor.model_version,
                "previous": old.predictor.model_version, "invalidated": removed}
