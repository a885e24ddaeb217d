"""What each route needs, as FastAPI dependencies, so tests can override any of them
(``app.dependency_overrides[current_context] = ...``) without building a service.

Every provider is ``async``: FastAPI runs plain ``def`` dependencies in a thread pool, which
would cost more than the cached answer itself. The ``Annotated`` aliases below are what route
signatures use::

    async def team(request: Request, ctx: Context, answers: Answers, ...) -> Response
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request

from scriptohio.agents.context import AnalyticsContext
from scriptohio.agents.learn import LearningNavigator
from scriptohio.api.answers import Answerer
from scriptohio.api.canary_router import CanaryRouter
from scriptohio.api.context_holder import ContextHolder
from scriptohio.api.drain import Drain
from scriptohio.api.identity import Identity
from scriptohio.api.job_runner import JobRunner
from scriptohio.api.refresher import DataRefresher
from scriptohio.api.response_cache import ResponseCache
from scriptohio.errors import NotReadyError

if TYPE_CHECKING:
    from scriptohio.api.service import Service

__all__ = [
    "Answers",
    "Caller",
    "Canary",
    "Context",
    "Draining",
    "Holder",
    "Jobs",
    "Navigator",
    "Refresher",
    "ResponseStore",
    "answerer",
    "caller",
    "canary_router",
    "context_holder",
    "current_context",
    "drain_state",
    "job_runner",
    "navigator",
    "refresher",
    "response_cache",
]


def _service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


async def context_holder(request: Request) -> ContextHolder:
    return _service(request).holder


async def drain_state(request: Request) -> Drain:
    return _service(request).drain


async def current_context(request: Request) -> AnalyticsContext:
    """The served analytics context (503 while loading)."""
    return _service(request).holder.get()


async def answerer(request: Request) -> Answerer:
    return _service(request).answers


async def canary_router(request: Request) -> CanaryRouter:
    return _service(request).canary


async def caller(request: Request) -> Identity:
    """Who is asking (set by the identity middleware)."""
    identity: Identity = request.state.identity
    return identity


async def navigator(request: Request) -> LearningNavigator:
    found = _service(request).navigator
    if found is None:
        raise NotReadyError("the learning navigator is starting", retry_after=1)
    return found


async def job_runner(request: Request) -> JobRunner:
    found = _service(request).jobs
    if found is None:
        raise NotReadyError("the job runner is starting", retry_after=1)
    return found


async def refresher(request: Request) -> DataRefresher:
    return _service(request).refresher


async def response_cache(request: Request) -> ResponseCache:
    return _service(request).cache


Context = Annotated[AnalyticsContext, Depends(current_context)]
Holder = Annotated[ContextHolder, Depends(context_holder)]
Draining = Annotated[Drain, Depends(drain_state)]
Answers = Annotated[Answerer, Depends(answerer)]
Caller = Annotated[Identity, Depends(caller)]
Canary = Annotated[CanaryRouter, Depends(canary_router)]
Navigator = Annotated[LearningNavigator, Depends(navigator)]
Jobs = Annotated[JobRunner, Depends(job_runner)]
Refresher = Annotated[DataRefresher, Depends(refresher)]
ResponseStore = Annotated[ResponseCache, Depends(response_cache)]
