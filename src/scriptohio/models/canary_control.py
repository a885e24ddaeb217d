"""Starting, stepping, promoting and aborting a canary: the state transitions of
:mod:`scriptohio.models.canary` applied to a store, checked against the model versions.

The CLI (``scriptohio models canary ...``) and the service's admin endpoints both go through a
:class:`CanaryControl`, so they refuse the same things the same way: an unknown version (404),
a version trained on other features, the version already serving, or a canary already running
(409). The clock is passed in; nothing here sleeps.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from scriptohio.errors import ConflictError, NotFoundError
from scriptohio.models.canary import (
    DEFAULT_POLICY,
    CanaryPolicy,
    CanaryState,
    abort,
    add_stats,
    apply,
    decide,
    new_canary,
    promote,
)
from scriptohio.models.canary_stats import ArmStats
from scriptohio.models.canary_store import CanaryStore

__all__ = ["CanaryControl", "ModelVersions"]


class ModelVersions(Protocol):
    """What a canary needs of the registry (:class:`~scriptohio.models.registry.ModelRegistry`
    has all of it)."""

    def versions(self) -> list[str]: ...

    def compatible(self, version: str) -> bool: ...

    def latest_version(self) -> str | None: ...

    def set_default(self, version: str) -> None: ...


class CanaryControl:
    """Canary operations over ``store``, checked against ``models``."""

    def __init__(self, store: CanaryStore, models: ModelVersions, *,
                 clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.models = models
        self.clock = clock

    def read(self) -> CanaryState | None:
        return self.store.read()

    def start(self, version: str, *, stable: str | None = None,
              policy: CanaryPolicy = DEFAULT_POLICY, by: str = "operator") -> CanaryState:
        """Start a canary of ``version`` against ``stable`` (default: the current default)."""
        known = self.models.versions()
        if version not in known:
            raise NotFoundError(f"no model version {version!r}; stored: {', '.join(known)}")
        if not self.models.compatible(version):
            raise ConflictError(f"model version {version} was trained on other features than "
                                "this code computes; retrain it")
        stable = stable or self.models.latest_version()
        if stable is None:
            raise ConflictError("no stable model version to compare the canary with")
        if stable == version:
            raise ConflictError(f"{version} is already the stable version")
        now = self.clock()

        def change(current: CanaryState | None) -> CanaryState:
            if current is not None and current.running:
                raise ConflictError(f"a canary of {current.candidate} is already running "
                                    f"(stage {current.stage + 1} of "
                                    f"{len(current.policy.stages)}); promote or abort it first")
            return new_canary(version, stable, now, policy=policy, by=by)

        started = self.store.update(change)
        assert started is not None
        return started

    def promote(self, reason: str = "promoted by operator") -> CanaryState:
        """Make the running canary's candidate the default now."""
        return self._end(lambda s, now: promote(s, now, reason))

    def abort(self, reason: str = "aborted by operator") -> CanaryState:
        """Roll back: every caller goes back to the stable version."""
        return self._end(lambda s, now: abort(s, now, reason))

    def _end(self, end: Callable[[CanaryState, float], CanaryState]) -> CanaryState:
        now = self.clock()

        def change(current: CanaryState | None) -> CanaryState:
            if current is None or not current.running:
                raise ConflictError("no canary is running")
            ended = end(current, now)
            if ended.status == "promoted":
                self.models.set_default(ended.candidate)
            return ended

        ended = self.store.update(change)
        assert ended is not None
        return ended

    def step(self, canary_id: str | None = None, stage: int = 0,
             canary: ArmStats | None = None, stable: ArmStats | None = None
             ) -> CanaryState | None:
        """Add one worker's readings (of canary ``canary_id`` at ``stage``) and apply the
        decision at the clock's time: advance, promote (the candidate becomes the default),
        abort or hold."""
        now = self.clock()

        def change(current: CanaryState | None) -> CanaryState | None:
            if current is None or not current.running:
                return current
            state = current
            if canary_id == current.id:
                state = add_stats(state, stage, canary or ArmStats(), stable or ArmStats())
            after = apply(state, decide(state, now), now)
            if after.status == "promoted":
                self.models.set_default(after.candidate)
            return after

        return self.store.update(change)
