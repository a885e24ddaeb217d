"""The composition root: one :class:`Service` wires the collaborators of a running process.

It owns nothing but the wiring and the order of start and stop. Each collaborator gets only
what it uses:

==================  ===========================================================================
collaborator        given
==================  ===========================================================================
ContextHolder       nothing: the served context, its generation, readiness
agents              the orchestrator and ``holder.get`` (``agents.registration``)
Answerer            the holder, the response cache, the orchestrator, the answer memo
CacheWarmer         the response cache and the saturation check
DataRefresher       the holder, the cache, the warmer
ScheduledPull       the refresher, the CFBD schedule (``SCRIPTOHIO_REFRESH``), ``bus.emit``
JobRunner           the orchestrator, ``holder.get``, the refresher, the state and data dirs,
                    the job store (Redis or SQLite: ``open_job_store``)
AnswerMemoMiddleware  ``holder.current``, the cache, the memo (in ``api.app``)
CanaryRouter        the canary store and the model versions, the Answerer, the served version,
                    ``adopt`` (a promoted version), ``bus.emit`` (its middleware: ``api.app``)
routes              their own collaborators, through FastAPI dependencies (``api.dependencies``)
==================  ===========================================================================
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path

from scriptohio.agents.context import AnalyticsContext
from scriptohio.agents.learn import LearningNavigator, open_progress_store
from scriptohio.agents.registration import register_agents
from scriptohio.agents.workflow.job_stores import open_job_store
from scriptohio.api.answers import Answerer
from scriptohio.api.canary_router import CanaryModels, CanaryRouter, RegistryModels
from scriptohio.api.context_holder import ContextHolder
from scriptohio.api.drain import Drain
from scriptohio.api.job_runner import JobRunner, job_store_address
from scriptohio.api.middleware.answer_memo import AnswerMemo
from scriptohio.api.refresher import ContextBuilder, DataRefresher, LoadedContext
from scriptohio.api.response_cache import ResponseCache
from scriptohio.api.scheduled_pull import PullSchedule, ScheduledPull
from scriptohio.api.warmup import CacheWarmer
from scriptohio.breaker import BreakerConfig
from scriptohio.config import Settings
from scriptohio.data.cfbd import DEFAULT_API_URL
from scriptohio.data.paths import find_data_dir, state_dir
from scriptohio.data.redis_state import DEFAULT_STATE_BREAKER
from scriptohio.events import EventBus
from scriptohio.models.canary_control import CanaryControl
from scriptohio.models.canary_store import open_canary_store
from scriptohio.monitor.core import Monitor
from scriptohio.monitor.workers import replica_name
from scriptohio.runtime import (
    AsyncAgentOrchestrator,
    AutoscalerConfig,
    GradientConfig,
    OrchestratorConfig,
    PoolConfig,
    PressureConfig,
    RateLimitConfig,
    UserRateLimiter,
)

__all__ = ["POOLS", "Service", "adaptive_pools"]

#: light: cached lookups and single predictions; heavy: batch work and reports (a bulkhead);
#: cpu: model training in worker processes, at most as many as there are cores.
POOLS = {
    "light": PoolConfig(),
    "heavy": PoolConfig(autoscaling=AutoscalerConfig(min_workers=1, max_workers=4),
                        slots_per_worker=2, max_queue=200),
    "cpu": PoolConfig(kind="process", max_queue=50, autoscaling=AutoscalerConfig(
        min_workers=1, max_workers=1)),
}


#: the light pool computes cache misses inline on the event loop, where a few at once fill the
#: CPU: its limit follows their latency, and a request that would wait longer than this for a
#: slot is shed at once (503 + Retry-After) rather than answered late (issue 16); the door refuses
#: earlier, on 50 ms of queue delay (PressureConfig)
LIGHT_MAX_QUEUE_WAIT_S = 0.5


def adaptive_pools(pools: Mapping[str, PoolConfig]) -> dict[str, PoolConfig]:
    """``pools`` with adaptive admission on the light pool."""
    out = dict(pools)
    out["light"] = replace(out["light"], adaptive=GradientConfig(),
                           max_queue_wait_s=LIGHT_MAX_QUEUE_WAIT_S)
    return out


class Service:
    """Everything one service process runs, wired; the routes reach their parts through
    ``api.dependencies``."""

    def __init__(self, settings: Settings, *, clock: Callable[[], float] = time.time,
                 build_context: ContextBuilder | None = None,
                 models: CanaryModels | None = None,
                 preloaded: LoadedContext | None = None) -> None:
        self.settings = settings
        self.state_dir: Path = state_dir(settings.state_dir)
        self.started_at = clock()
        self.bus = EventBus()
        self.holder = ContextHolder()
        self.drain = Drain(settings.drain_s)  # SIGTERM: readiness 503 first (api.app lifespan)
        adaptive = settings.adaptive_admission
        self.orchestrator = AsyncAgentOrchestrator(settings.max_inflight, pools=(
                                                       adaptive_pools(POOLS) if adaptive
                                                       else POOLS),
                                                   config=OrchestratorConfig(
                                                       pressure=PressureConfig()
                                                       if adaptive else None),
                                                   bus=self.bus)
        self.monitor = Monitor(bus=self.bus,
                               replica=replica_name(settings.replica, settings.port))
        # a shared limit's Redis behind a breaker: one log line per state change, and each
        # request let through unchecked counted on /metrics, never a traceback per request
        self.rate_limiter = UserRateLimiter(
            RateLimitConfig(default=settings.rate_limit,
                            storage_url=settings.redis_url or "memory://"),
            breaker=(self.orchestrator.breaker("ratelimit:redis",
                                               BreakerConfig.consecutive(3))
                     if settings.redis_url else None),
            emit=self.bus.emit)
        self.cache = ResponseCache(settings.redis_url, namespace=settings.cache_namespace,
                                   saturated=self.saturated)
        self.monitor.add_cache_source(self.cache.stats_source(), tier="response")
        self.answer_memo = AnswerMemo()
        self.answers = Answerer(self.holder, self.cache, self.orchestrator, self.answer_memo)
        self.cache.enable_preloading(
            self.answers.compute,
            keep=lambda: self.holder.unchanged_since(self.holder.generation))
        self.warmer = CacheWarmer(self.cache, saturated=self.saturated,
                                  first_season=settings.warm_first_season)
        self.refresher = DataRefresher(self.holder, self.cache, self.warmer,
                                       warm=settings.warm_cache,
                                       on_model_load=self.monitor.observe_model_load,
                                       build_context=build_context, preloaded=preloaded)
        models = models or RegistryModels(lambda: self.refresher.registry, self.state_dir)
        self.canary = CanaryRouter(
            CanaryControl(open_canary_store(self.state_dir, settings.redis_url,
                                            namespace=settings.cache_namespace), models),
            self.answers, served_version=self._served_version,
            adopt=self._adopt, prepare=self._load_model, emit=self.bus.emit)
        self._models = models
        register_agents(self.orchestrator, self.holder.get,
                        observe_batch=self.monitor.observe_prediction,
                        predictor_for=models.predictor)
        self.scheduled_pull: ScheduledPull | None = None
        if settings.refresh_s and settings.cfbd_api_key:
            self.scheduled_pull = ScheduledPull(self.refresher, PullSchedule(
                settings.refresh_s, settings.cfbd_api_key,
                settings.cfbd_url or DEFAULT_API_URL, retrain=settings.retrain),
                emit=self.bus.emit,
                start_canary=(lambda v: self.canary.control.start(v, by="weekly retrain"))
                if settings.retrain_canary else None,
                canary_running=lambda: self.canary.running)
            self.refresher.when_ready(lambda _ctx: self._start_pulls())
        self.navigator: LearningNavigator | None = None
        self.jobs: JobRunner | None = None

    async def _load_model(self, version: str) -> None:
        """Load ``version`` now (a canary's candidate, before its first caller), once the
        served context is loaded (a worker starting while a canary runs)."""
        while (ctx := self.holder.current()) is None:
            await asyncio.sleep(0.2)
        await asyncio.to_thread(self._models.predictor, version, ctx.features)

    async def _adopt(self, version: str) -> None:
        """Serve ``version`` (a promoted canary's candidate, now ``LATEST``) from now on."""
        registry = self.refresher.registry
        if registry is not None:
            # LATEST of this host's registry too: replicas sharing a canary through Redis may
            # each have their own state directory
            await asyncio.to_thread(registry.set_default, version)
            await self.refresher.reload_models()
            return
        # a context built from outside (tests): the same swap, from the canary's models
        old = self.holder.get()
        predictor = await asyncio.to_thread(self._models.predictor, version, old.features)
        self.holder.swap(AnalyticsContext(old.dataset, old.features, predictor))
        await self.cache.invalidate_tags({f"model:{old.predictor.model_version}"})

    def _served_version(self) -> str | None:
        ctx = self.holder.current()
        return None if ctx is None else ctx.predictor.model_version

    def saturated(self) -> bool:
        """Preloads and warming wait while the service is busy: at half its in-flight bound."""
        return self.orchestrator.in_flight * 2 >= self.settings.max_inflight

    async def start(self) -> None:
        settings = self.settings
        data_dir = find_data_dir(settings.data_dir)
        self.navigator = LearningNavigator(open_progress_store(
            self.state_dir / "learning.sqlite", settings.redis_url,
            namespace=settings.cache_namespace,
            breaker=(self.orchestrator.breaker("progress:redis", DEFAULT_STATE_BREAKER)
                     if settings.redis_url else None)))
        self.jobs = JobRunner(
            self.orchestrator, self.holder.get, self.refresher, state_dir=self.state_dir,
            data_dir=data_dir, lease_s=settings.job_lease_s,
            owner=f"{replica_name(settings.replica, settings.port)}:{os.getpid()}",
            taking=lambda: not self.drain.draining,
            store=open_job_store(
                job_store_address(self.state_dir, settings.redis_url,
                                  namespace=settings.cache_namespace),
                breaker=(self.orchestrator.breaker("jobs:redis", DEFAULT_STATE_BREAKER)
                         if settings.redis_url else None)))
        self.refresher.when_ready(lambda _ctx: self._resume_jobs())
        await self.orchestrator.start()
        self.monitor.open_history(self.state_dir)
        await self.monitor.start()
        await self.cache.start()
        await self.refresher.start(data_dir, self.state_dir)
        await self.canary.start()

    def _start_pulls(self) -> None:
        if self.scheduled_pull is not None:
            self.scheduled_pull.start()

    def _resume_jobs(self) -> None:
        if self.jobs is not None:
            self.jobs.resume()

    async def stop(self) -> None:
        await self.canary.stop()
        if self.scheduled_pull is not None:
            await self.scheduled_pull.stop()
        await self.refresher.stop()
        if self.jobs is not None:
            await self.jobs.stop()
        await self.orchestrator.stop(drain=True, grace_s=10.0)
        if self.navigator is not None:
            self.navigator.close()
        await self.cache.stop()
        await self.monitor.stop()
        await self.rate_limiter.aclose()
