"""Single flight: concurrent misses on one key share one loader run.

The first caller for a key starts the load as a task; every caller (first included) awaits
the same future. The flight is forgotten as soon as it settles, so an error is delivered to
the callers who were waiting for it and is never cached: the next call tries again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class SingleFlight(Generic[T]):
    """Deduplicate concurrent calls per key."""

    def __init__(self) -> None:
        self._flights: dict[Hashable, asyncio.Future[T]] = {}

    def __len__(self) -> int:
        return len(self._flights)

    def in_flight(self, key: Hashable) -> bool:
        """Is a load for ``key`` running?"""
        return key in self._flights

    async def do(self, key: Hashable, fn: Callable[[], Awaitable[T]]) -> T:
        """Run ``fn`` unless a run for ``key`` is in flight; return (or raise) its outcome."""
        future = self._flights.get(key)
        if future is None:
            future = asyncio.ensure_future(fn())
            self._flights[key] = future
            future.add_done_callback(lambda _f: self._forget(key, _f))
        # shield: one impatient caller being cancelled must not cancel everybody's load
        return await asyncio.shield(future)

    def _forget(self, key: Hashable, future: asyncio.Future[T]) -> None:
        if self._flights.get(key) is future:
            del self._flights[key]
        if not future.cancelled():
            future.exception()  # mark retrieved: waiters got it, no "never retrieved" noise
