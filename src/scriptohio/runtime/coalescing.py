"""AgentRequest coalescing ("single flight"): identical concurrent work executes once.

The first caller for a key starts the work as its own task; later callers with the same key
await that task. The work is shielded, so one impatient caller giving up (cancelled) neither
cancels the others' answer nor the work itself. Errors are shared like results.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

from scriptohio.cache.singleflight import SingleFlight

T = TypeVar("T")


class Coalescer(Generic[T]):
    """Shares one in-flight execution per key among concurrent callers (the cache's
    :class:`~scriptohio.cache.singleflight.SingleFlight`, telling callers who joined)."""

    def __init__(self) -> None:
        self._flights: SingleFlight[T] = SingleFlight()

    def __len__(self) -> int:
        return len(self._flights)

    async def run(self, key: Hashable, work: Callable[[], Awaitable[T]]) -> tuple[T, bool]:
        """Result of ``work()`` for ``key`` and whether this caller joined another's run."""
        joined = self._flights.in_flight(key)
        return await self._flights.do(key, work), joined
