"""Serving a model canary: who gets the candidate, falling back to stable, comparing the two.

::

    CanaryMiddleware: arm = candidate if in_canary(canary id, caller) else ""   (per request)
        → route → CanaryRouter.respond(recipe)
              arm "" → the stable answer (cache key without a version)
              arm v  → for_model(recipe, v) (cache key with the version)
                         ✗ candidate failed → the stable answer, counted as a fallback
                         ✓ → later: the stable answer to the same question, compared
        ← CanaryMiddleware records (arm, latency, outcome), adds X-Model-Version

Each worker keeps its readings since the last tick; every ``tick_s`` it adds them to the shared
store and applies the decision (:meth:`~scriptohio.models.canary_control.CanaryControl.step`)
under the store's lock, then serves the state it read back. So every worker and replica follows
one canary, at most ``tick_s`` behind, and decisions use every worker's readings. A candidate
that fails ``max_errors`` times is aborted at once by the worker that saw the last failure;
each worker loads a new canary's candidate as soon as it sees it (``prepare``), and one that
does not load is aborted then, before it has answered anyone.
When a canary is promoted, each worker adopts the candidate (``adopt``: the service reloads
its models, the candidate being ``LATEST`` now) and drops the old version's cached answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

import orjson
from starlette.requests import Request as HttpRequest
from starlette.responses import Response

from scriptohio.api.answers import Answerer
from scriptohio.api.identity import Identity
from scriptohio.api.recipes import Recipe, for_model
from scriptohio.events import EventBus
from scriptohio.features import FeatureStore
from scriptohio.models import Predictor
from scriptohio.models.canary import CanaryState
from scriptohio.models.canary_control import CanaryControl, ModelVersions
from scriptohio.models.canary_events import CanaryChanged, CanaryCompared, ModelServed
from scriptohio.models.canary_stats import ArmStats, in_canary
from scriptohio.models.registry import ModelRegistry

__all__ = ["DEFAULT_TICK_S", "CanaryModels", "CanaryRouter", "RegistryModels"]

log = logging.getLogger(__name__)
DEFAULT_TICK_S = 1.0
#: comparisons waiting for the stable answer; beyond it a comparison is skipped, not queued
MAX_PENDING_COMPARISONS = 32


class CanaryModels(ModelVersions, Protocol):
    """The model versions a canary checks and serves: :class:`RegistryModels`, or
    ``scriptohio.testing.FakeModels`` in tests."""

    def predictor(self, version: str, features: FeatureStore) -> Predictor: ...


class CanaryRouter:
    """The canary as one worker serves it (see the module docstring)."""

    def __init__(self, control: CanaryControl, answers: Answerer, *,
                 served_version: Callable[[], str | None],
                 adopt: Callable[[str], Awaitable[Any]],
                 prepare: Callable[[str], Awaitable[object]] | None = None,
                 emit: Callable[[object], None] | None = None,
                 tick_s: float = DEFAULT_TICK_S) -> None:
        self.control = control
        self._answers = answers
        self._served_version = served_version
        self._adopt = adopt
        self._prepare = prepare
        self._emit = emit or EventBus().emit
        self.tick_s = tick_s
        self.state: CanaryState | None = None
        self._canary = ArmStats()
        self._stable = ArmStats()
        self._pending: set[asyncio.Future[object]] = set()
        self._task: asyncio.Task[None] | None = None
        self._reloaded_for: str | None = None
        self._tick_lock = asyncio.Lock()

    # -- per request ----------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.state is not None and self.state.running

    def arm(self, identity: Identity) -> str:
        """The candidate version if this caller is in the canary now, else ``""``."""
        state = self.state
        if state is None or not state.running:
            return ""
        return state.candidate if in_canary(state.id, identity.user_id, state.share) else ""

    @property
    def stable_version(self) -> str | None:
        """The version this worker serves to callers outside the canary (None while loading)."""
        return self._served_version()

    def served(self, arm: str, fell_back: bool) -> str:
        """The version that answered: the candidate, or the stable (served) version."""
        if arm and not fell_back:
            return arm
        return self._served_version() or "unknown"

    def record(self, arm: str, seconds: float, *, ok: bool, fell_back: bool) -> None:
        """One prediction request answered (by the middleware, after the response)."""
        if arm:
            self._canary.record(seconds, ok=ok and not fell_back)
        else:
            self._stable.record(seconds, ok=ok)
        outcome = "fallback" if fell_back else ("ok" if ok else "error")
        self._emit(ModelServed(self.served(arm, fell_back), "canary" if arm else "stable",
                               outcome, seconds))
        state = self.state
        if fell_back and state is not None and state.running and \
                state.canary.errors + self._canary.errors >= state.policy.max_errors:
            self._spawn(self.tick())  # abort now, not at the next tick

    async def respond(self, request: HttpRequest, recipe: Recipe, *,
                      headers: Mapping[str, str] | None = None) -> Response:
        """The answer to ``recipe`` from the caller's arm; the stable one if the candidate
        fails (the caller never sees the candidate's failure)."""
        arm: str = request.scope.get("state", {}).get("model_arm", "")
        if not arm:
            return await self._answers.respond(request, recipe, headers=headers)
        try:
            response = await self._answers.respond(request, for_model(recipe, arm),
                                                   headers=headers)
        except Exception as exc:
            request.scope["state"]["canary_fallback"] = True
            log.warning("canary %s failed a prediction (%s: %s); answering from stable",
                        arm, type(exc).__name__, exc)
            # not memoised: a repeat must ask the candidate again (and count if it fails)
            return await self._answers.respond(request, recipe, headers=headers,
                                               remember=False)
        if len(self._pending) < MAX_PENDING_COMPARISONS:
            self._spawn(self._compare(recipe, bytes(response.body), request.state.identity))
        return response

    async def _compare(self, recipe: Recipe, canary_body: bytes, identity: Identity) -> None:
        try:
            found = await self._answers.cached(recipe, identity)
            stable = orjson.loads(found.value)  # type: ignore[arg-type]
            canary = orjson.loads(canary_body)
            c, s = canary["prediction"], stable["prediction"]
            margin_diff = abs(float(c["margin"]) - float(s["margin"]))
            prob_diff = abs(float(c["home_win_prob"]) - float(s["home_win_prob"]))
        except Exception:  # a comparison must never fail the service
            log.debug("canary comparison skipped", exc_info=True)
            return
        self._canary.compare(margin_diff, prob_diff)
        state = self.state
        if state is not None:
            self._emit(CanaryCompared(state.candidate, margin_diff, prob_diff))
        actual = _actual_margin(canary)
        if actual is not None:
            self._canary.grade(abs(float(c["margin"]) - actual),
                               abs(float(s["margin"]) - actual))

    async def settle(self) -> None:
        """Wait for the comparisons under way (tests and benches, before a tick)."""
        while self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)

    def _spawn(self, work: Awaitable[object]) -> None:
        task = asyncio.ensure_future(work)
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    # -- every tick -----------------------------------------------------------------------
    async def tick(self) -> CanaryState | None:
        """Add this worker's readings to the store, apply the decision, follow the result."""
        async with self._tick_lock:
            canary, stable = self._canary, self._stable
            self._canary, self._stable = ArmStats(), ArmStats()
            before = self.state
            stage = before.stage if before is not None else 0
            try:
                state = await asyncio.to_thread(
                    self.control.step, None if before is None else before.id, stage,
                    canary, stable)
            except Exception:
                log.exception("canary store unreachable; keeping the last state")
                return self.state
            await self._follow(before, state)
            return state

    async def refresh(self) -> CanaryState | None:
        """Read the store now (after an operator's start, promote or abort)."""
        async with self._tick_lock:
            before = self.state
            state = await asyncio.to_thread(self.control.read)
            await self._follow(before, state)
            return state

    async def _follow(self, before: CanaryState | None, state: CanaryState | None) -> None:
        self.state = state
        if state is None:
            return
        if before is None or (before.id, before.status, before.stage) != \
                (state.id, state.status, state.stage):
            log.info("canary %s: %s at stage %d (%.0f %%)%s", state.candidate, state.status,
                     state.stage + 1, 100 * state.share,
                     f": {state.reason}" if state.reason else "")
            self._emit(CanaryChanged(state.summary()))
            if state.running and (before is None or before.id != state.id):
                self._spawn(self._load_candidate(state))
        if state.status == "promoted" and self._reloaded_for != state.id \
                and self._served_version() != state.candidate:
            await self._adopt(state.candidate)
            self._reloaded_for = state.id  # only once adopted: a failed adoption is retried

    async def _load_candidate(self, state: CanaryState) -> None:
        """Load the candidate before its first caller (``prepare``); one that does not load
        is aborted at once (its callers meanwhile get the stable answer)."""
        if self._prepare is None:
            return
        try:
            await self._prepare(state.candidate)
        except Exception as exc:
            log.warning("canary %s does not load: %s", state.candidate, exc)
            with contextlib.suppress(Exception):
                await asyncio.to_thread(self.control.abort,
                                        f"{state.candidate} does not load: {exc}")
            await self.refresh()

    async def start(self) -> None:
        await self.refresh()
        self._task = asyncio.create_task(self._run(), name="canary")

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.tick_s)
            try:
                await self.tick()
            except Exception:  # the loop must outlive one bad tick (an adoption that failed)
                log.exception("canary tick failed; trying again at the next one")

    async def stop(self) -> None:
        tasks = [t for t in (self._task, *self._pending) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._task = None
        with contextlib.suppress(Exception):
            await self.tick()  # this worker's last readings


def _actual_margin(body: dict[str, Any]) -> float | None:
    """The played game's home margin, if the answer has its result."""
    result = body.get("result")
    if not result:
        return None
    home, away = result.get("home_points"), result.get("away_points")
    if home is None or away is None:
        return None
    return float(home) - float(away)


class RegistryModels:
    """The registry the service serves from, as a canary sees it: the versions to check a
    start against, the default to move on promotion, and a version's predictor.

    ``registry()`` is the refresher's (bound to the served features) once the service is
    loaded; before that, or when the context is built from outside (tests), a registry of
    ``state_dir`` bound to the features it is asked for.
    """

    def __init__(self, registry: Callable[[], ModelRegistry | None], state_dir: Path) -> None:
        self._registry = registry
        self._fallback = ModelRegistry(state_dir)

    def _current(self) -> ModelRegistry:
        return self._registry() or self._fallback

    def versions(self) -> list[str]:
        return self._current().versions()

    def compatible(self, version: str) -> bool:
        return self._current().compatible(version)

    def latest_version(self) -> str | None:
        return self._current().latest_version()

    def set_default(self, version: str) -> None:
        self._current().set_default(version)

    def predictor(self, version: str, features: FeatureStore) -> Predictor:
        registry = self._registry()
        if registry is None:
            registry = self._fallback
            registry.set_features(features)
        return registry.load(version)
