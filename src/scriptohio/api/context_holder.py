"""The analytics context a process serves, its readiness, and a generation number.

Every answer is computed from one :class:`~scriptohio.agents.context.AnalyticsContext` (an
immutable view of one data version and one model). The holder keeps the current one; a data
refresh or a model reload swaps in a new one and bumps :attr:`ContextHolder.generation`. An
answer that started computing before a swap finishes on the old context: whoever stores it
checks :meth:`ContextHolder.unchanged_since` first, so a computation that straddles a swap is
answered but never cached (the swap then invalidates what the change made stale).
"""

from __future__ import annotations

from collections.abc import Callable

from scriptohio.agents.context import AnalyticsContext
from scriptohio.errors import NotReadyError

__all__ = ["ContextHolder"]


class ContextHolder:
    """The current context (None while loading), its generation and the start-up error."""

    def __init__(self) -> None:
        self._ctx: AnalyticsContext | None = None
        self.generation = 0
        self.load_error: str | None = None

    @property
    def ready(self) -> bool:
        return self._ctx is not None

    def get(self) -> AnalyticsContext:
        """The current context, or :class:`NotReadyError` (503) while loading."""
        ctx = self._ctx
        if ctx is None:
            raise NotReadyError(self.load_error or "data and models are still loading",
                                retry_after=2)
        return ctx

    def current(self) -> AnalyticsContext | None:
        """The current context, or None while loading."""
        return self._ctx

    def swap(self, ctx: AnalyticsContext) -> int:
        """Serve ``ctx`` from now on; returns the new generation."""
        self._ctx = ctx
        self.generation += 1
        return self.generation

    def unchanged_since(self, generation: int) -> Callable[[], bool]:
        """A check that no swap happened after ``generation`` (for the cache's store path)."""
        return lambda: self.generation == generation

    def readiness(self) -> dict[str, object]:
        """The ``/ready`` body's details."""
        ctx = self._ctx
        return {
            "data": ctx is not None,
            "models": ctx is not None,
            "data_version": None if ctx is None else ctx.data_version,
            "model_version": None if ctx is None else ctx.predictor.model_version,
            "error": self.load_error,
        }
