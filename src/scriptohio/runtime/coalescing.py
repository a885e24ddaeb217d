"""Request coalescing ("single flight"): identical concurrent work executes once.

The first caller for a key starts the work as its own task; later callers with the same key
await that task. The work is shielded, so one impatient caller giving up (cancelled) neither
cancels the others' answer nor the work itself. Errors are shared like results.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class Coalescer(Generic[T]):
    """Shares one in-flight execution per key among concurrent callers."""

    def __init__(self) -> None:
        self._inflight: dict[Hashable, asyncio.Task[T]] = {}

    def __len__(self) -> int:
        return len(self._inflight)

    async def run(self, key: Hashable, work: Callable[[], Awaitable[T]]) -> tuple[T, bool]:
        """Result of ``work()`` for ``key`` and whether this caller joined another's run."""
        task = self._inflight.get(key)
        joined = task is not None
        if task is None:
            task = asyncio.ensure_future(work())
            self._inflight[key] = task
            task.add_done_callback(lambda done: self._forget(key, done))
        return await asyncio.shield(task), joined

    def _forget(self, key: Hashable, done: asyncio.Task[T]) -> None:
        if self._inflight.get(key) is done:
            del self._inflight[key]
        if not done.cancelled():
            done.exception()  # mark retrieved: callers that left must not cause warnings
