"""The FastAPI app factory: ``create_app(settings)``.

Start-up is instant: ``/health`` answers at once while data and models load in the
background; ``/ready`` turns 200 when they are loaded. (With ``serve --workers N`` the parent
loads them before it forks the workers and listens, ``api.prefork``: a worker's app is given
them and is ready at once.) Middleware, outermost first:
metrics → body size limit → identity → operations access → rate limit → canary arm → answer memo
→ routes.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from scriptohio import __version__
from scriptohio.api import openapi, problems
from scriptohio.api.canary_router import CanaryModels
from scriptohio.api.drain import drain_on_sigterm
from scriptohio.api.identity import KeyStore, open_key_store
from scriptohio.api.middleware.answer_memo import AnswerMemoMiddleware
from scriptohio.api.middleware.body_limit import BodyLimitMiddleware
from scriptohio.api.middleware.canary_arm import CanaryMiddleware
from scriptohio.api.middleware.drain_close import DrainCloseMiddleware
from scriptohio.api.middleware.identity import IdentityMiddleware
from scriptohio.api.middleware.ops_access import OpsAccessMiddleware, parse_networks
from scriptohio.api.middleware.ratelimit import RateLimitMiddleware
from scriptohio.api.middleware.shed import ShedMiddleware
from scriptohio.api.refresher import ContextBuilder, LoadedContext
from scriptohio.api.routes import (
    admin,
    ask,
    canary_admin,
    docs,
    health,
    insight,
    jobs,
    learn,
    predictions,
    projections,
)
from scriptohio.api.service import Service
from scriptohio.config import Settings
from scriptohio.data.redis_state import DEFAULT_STATE_BREAKER
from scriptohio.monitor.middleware import MetricsMiddleware
from scriptohio.monitor.router import monitor_exclusions, monitor_router
from scriptohio.runtime.telemetry import RequestRejected
from scriptohio.web import install as install_web


def create_app(settings: Settings | None = None, *,
               build_context: ContextBuilder | None = None,
               models: CanaryModels | None = None,
               preloaded: LoadedContext | None = None) -> FastAPI:
    """Build the app. Without ``settings`` they are read from the environment (uvicorn workers).

    ``build_context`` replaces how the analytics context is built (tests: a small dataset and
    a fake predictor from ``scriptohio.testing``, no trained model); ``models`` the model
    versions a canary can serve (tests: ``scriptohio.testing.FakeModels``); ``preloaded``
    the context a pre-forking parent loaded (``api.prefork``), served instead of loading one.
    """
    settings = settings or Settings.from_env(os.environ)
    service = Service(settings, build_context=build_context, models=models,
                      preloaded=preloaded)
    keys: dict[str, KeyStore] = {}

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await service.start()
        # SIGTERM drains first (readiness 503, still answering), then uvicorn stops
        restore_sigterm = drain_on_sigterm(service.drain, asyncio.get_running_loop())
        if settings.auth == "keys" and service.state_dir is not None:
            keys["store"] = open_key_store(
                service.state_dir, settings.redis_url, namespace=settings.cache_namespace,
                breaker=(service.orchestrator.breaker("keys:redis", DEFAULT_STATE_BREAKER)
                         if settings.redis_url else None))
        try:
            yield
        finally:
            restore_sigterm()
            await service.stop()
            if "store" in keys:
                keys["store"].close()

    app = FastAPI(
        title="Script Ohio",
        version=__version__,
        description="Fast college football (NCAA FBS) analytics: predictions against the "
        "market, team profiles, power rankings, matchups, lessons and free-text questions. "
        "Errors are application/problem+json (RFC 9457).",
        lifespan=lifespan,
        docs_url=None,  # served from the package by routes.docs, not from a CDN
        redoc_url=None,
        # no OpenTelemetry here (the monitor is Prometheus): FastAPI's native telemetry would
        # ask the OpenTelemetry API for its providers on every request (~14 us of ~120)
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.service = service  # reached only through api.dependencies
    app.state.started_at = service.started_at
    problems.install(app)
    openapi.install(app, service.holder)
    app.include_router(health.router)
    app.include_router(docs.router)
    app.include_router(predictions.router)
    app.include_router(insight.router)
    app.include_router(projections.router)
    app.include_router(learn.router)
    app.include_router(ask.router)
    app.include_router(jobs.router)
    app.include_router(admin.router)
    app.include_router(canary_admin.router)
    app.include_router(monitor_router(service.monitor))
    install_web(app)  # the pages under /app, over the same cached answers
    # added innermost first: the last one added runs first
    app.add_middleware(AnswerMemoMiddleware, context=service.holder.current,
                       cache=service.cache, memo=service.answer_memo)
    app.add_middleware(CanaryMiddleware, router=service.canary)
    app.add_middleware(RateLimitMiddleware, limiter=service.rate_limiter,
                       per_address=(settings.address_rate_limit or settings.rate_limit)
                       if settings.auth == "open" else None)
    app.add_middleware(OpsAccessMiddleware, allow=parse_networks(settings.ops_allow))
    app.add_middleware(IdentityMiddleware, mode=settings.auth, keys=lambda: keys.get("store"),
                       open_admin=settings.open_admin, limiter=service.rate_limiter)
    app.add_middleware(BodyLimitMiddleware)
    pressure = service.orchestrator.pressure
    if pressure is not None:
        app.add_middleware(ShedMiddleware, shedder=pressure, on_shed=lambda: service.bus.emit(
            RequestRejected("http", "door", "pressure")))
    app.add_middleware(DrainCloseMiddleware, drain=service.drain)
    if settings.metrics:
        app.add_middleware(MetricsMiddleware, monitor=service.monitor,
                           exclude=monitor_exclusions())
    return app
