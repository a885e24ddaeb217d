"""Where the orchestrator finds a stale answer while a circuit is open.

The runtime does not know the cache; the integrator plugs in a :class:`StaleSource` (backed
by the cache tiers). :class:`LastGoodStaleSource` is a small in-process default that keeps the
last successful result per coalesce key.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any, Protocol

from scriptohio.runtime.request import Request

DEFAULT_MAX_ENTRIES = 10_000


@dataclass(frozen=True, slots=True)
class Stale:
    value: Any


class StaleSource(Protocol):
    async def get_stale(self, request: Request) -> Stale | None:
        """A previously good answer for this request, or None."""
        ...

    async def remember(self, request: Request, result: Any) -> None:
        """Called after each success (may be a no-op when the cache already has it)."""
        ...


class LastGoodStaleSource:
    """Bounded LRU of the last good result per request identity."""

    def __init__(self, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        self._max = max_entries
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()

    async def get_stale(self, request: Request) -> Stale | None:
        key = request.coalesce_key()
        if key not in self._entries:
            return None
        self._entries.move_to_end(key)
        return Stale(self._entries[key])

    async def remember(self, request: Request, result: Any) -> None:
        key = request.coalesce_key()
        self._entries[key] = result
        self._entries.move_to_end(key)
        if len(self._entries) > self._max:
            self._entries.popitem(last=False)
