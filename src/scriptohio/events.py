"""One small event interface shared by every component.

Components *emit* plain frozen dataclasses; observers (the monitor, cache invalidation,
tests) *subscribe* by event type. Emitting never raises: a failing subscriber is logged and
skipped so that observation can never break the observed code path. Synchronous by design:
subscribers must be cheap (update a counter, append to a deque, schedule a task).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

log = logging.getLogger(__name__)

E = TypeVar("E")
Subscriber = Callable[[Any], None]


class EventBus:
    """Type-keyed publish/subscribe; ``subscribe(object, fn)`` receives everything."""

    def __init__(self) -> None:
        self._subscribers: dict[type, list[Subscriber]] = defaultdict(list)
        self._resolved: dict[type, tuple[Subscriber, ...]] = {}

    def subscribe(self, event_type: type[E], subscriber: Callable[[E], None]) -> Callable[[], None]:
        """Register ``subscriber`` for ``event_type`` and its subclasses; returns an unsubscribe."""
        self._subscribers[event_type].append(subscriber)
        self._resolved.clear()

        def unsubscribe() -> None:
            if subscriber in self._subscribers[event_type]:
                self._subscribers[event_type].remove(subscriber)
                self._resolved.clear()

        return unsubscribe

    def _subscribers_for(self, event_type: type) -> tuple[Subscriber, ...]:
        found = self._resolved.get(event_type)
        if found is None:
            found = tuple(
                h for klass in event_type.__mro__ for h in self._subscribers.get(klass, ())
            )
            self._resolved[event_type] = found
        return found

    def emit(self, event: object) -> None:
        for subscriber in self._subscribers_for(type(event)):
            try:
                subscriber(event)
            except Exception:  # observation must never break the observed path
                log.exception("event subscriber %r failed on %r", subscriber, type(event).__name__)


@dataclass(frozen=True, slots=True)
class DataChanged:
    """Published after an ingest: what the new rows touched."""

    seasons: frozenset[int]
    weeks: frozenset[tuple[int, str, int]]  # (season, season_type, week)
    teams: frozenset[str]
    game_ids: frozenset[int] = field(default_factory=frozenset)
    version: int = 0


#: The process-wide bus. Components accept a bus argument and default to this one.
default_bus = EventBus()


@dataclass(frozen=True, slots=True)
class DataPulled:
    """A scheduled pull from an outside source finished (``rows_changed`` may be all 0);
    ``due=False``: nothing was due, so nothing was asked."""

    source: str
    rows_changed: dict[str, int]  # {"games": n, "team_games": n, "lines": n}
    seconds: float
    at: float
    next_at: float
    due: bool = True


@dataclass(frozen=True, slots=True)
class DataPullFailed:
    """A scheduled pull failed; nothing was written. ``reason`` never holds a secret."""

    source: str
    reason: str
    at: float
    next_at: float


@dataclass(frozen=True, slots=True)
class ModelRetrained:
    """After a pull completed a week's results, the models were retrained on it (``ok``) and
    the new version is served (or, with ``canary``, serves a canary's share first), or the
    retrain failed (``error``) and the old one still serves."""

    through: tuple[int, int]  # (season, week); a complete postseason is week 99
    version: str | None
    previous: str | None
    seconds: float
    at: float
    error: str | None = None
    canary: bool = False  # the new version went in as a canary, not as the default

    @property
    def ok(self) -> bool:
        return self.error is None

