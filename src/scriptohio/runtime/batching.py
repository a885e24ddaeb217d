"""Micro-batching: gather concurrent single calls into one vectorised call.

Callers ``await batcher.submit(item)``; items arriving within ``max_wait_s`` of the first one
(or until ``max_batch_size`` items) go to one ``batch_fn(items)`` call that returns one
answer per item, in order. Each caller gets its own answer; if the batch call fails, every
caller in it gets the error. Like Triton's dynamic batcher, the wait is bounded so a lone
request is delayed by at most ``max_wait_s``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

DEFAULT_MAX_BATCH_SIZE = 64
DEFAULT_MAX_WAIT_S = 0.002


@dataclass(frozen=True, slots=True)
class BatchConfig:
    max_batch_size: int = DEFAULT_MAX_BATCH_SIZE
    max_wait_s: float = DEFAULT_MAX_WAIT_S


DEFAULT_BATCH_CONFIG = BatchConfig()


class MicroBatcher(Generic[T, R]):
    """Collects items for ``batch_fn``; see the module docstring."""

    def __init__(
        self,
        batch_fn: Callable[[list[T]], Awaitable[Sequence[R]]],
        config: BatchConfig = DEFAULT_BATCH_CONFIG,
    ) -> None:
        if config.max_batch_size < 1:
            raise ValueError("max_batch_size must be >= 1")
        self._batch_fn = batch_fn
        self.config = config
        self._items: list[T] = []
        self._futures: list[asyncio.Future[R]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._running: set[asyncio.Task[None]] = set()
        self.batches = 0  # number of batch calls made
        self.items = 0  # number of items answered through them

    async def submit(self, item: T) -> R:
        """Queue ``item`` for the next batch and wait for its own answer."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[R] = loop.create_future()
        self._items.append(item)
        self._futures.append(future)
        if len(self._items) >= self.config.max_batch_size:
            self._flush()
        elif self._timer is None:
            self._timer = loop.call_later(self.config.max_wait_s, self._flush)
        return await future

    async def close(self) -> None:
        """Flush what is pending and wait for running batches."""
        self._flush()
        if self._running:
            await asyncio.gather(*self._running, return_exceptions=True)

    def _flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._items:
            return
        items, futures = self._items, self._futures
        self._items, self._futures = [], []
        task = asyncio.ensure_future(self._run(items, futures))
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def _run(self, items: list[T], futures: list[asyncio.Future[R]]) -> None:
        self.batches += 1
        self.items += len(items)
        try:
            results = await self._batch_fn(items)
            if len(results) != len(items):
                raise ValueError(f"batch function returned {len(results)} answers "
                                 f"for {len(items)} items")
        except Exception as exc:
            for future in futures:
                if not future.done():
                    future.set_exception(exc)
            return
        for future, result in zip(futures, results, strict=True):
            if not future.done():  # the caller may have been cancelled meanwhile
                future.set_result(result)
