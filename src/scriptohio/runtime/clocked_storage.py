"""``memory://`` for the rate limiter: a ``limits`` counter storage that takes a clock.

A storage, not a window: it keeps counters that expire (``incr``/``get``/``get_expiry``/
``clear``, the contract ``limits``' fixed-window strategy is written against, and
``incr_with_expiry``, the count and the end in one call, which the limiter's fixed window uses);
the window decision is the limiter's. ``limits``' own memory storage reads ``time.time()``
inside (and sweeps every key in a task after each hit); this one takes the clock as an argument,
so the limiter is tested by stepping a fake clock, and the same code path serves production.
Expired keys are swept lazily so memory stays bounded by active users. Strategies that need more
of a storage (moving window, sliding-window counter) need ``redis://``.
"""

from __future__ import annotations

import time

from limits.aio.storage import Storage

from scriptohio.clock import Clock

_SWEEP_EVERY = 4096  # writes between sweeps of expired keys


class ClockedMemoryStorage(Storage):
    """Expiring counters in a dict: ``key -> (count, expires_at)``."""

    STORAGE_SCHEME = None  # not registered under a URL scheme; built directly

    def __init__(self, clock: Clock = time.time) -> None:
        super().__init__()
        self._clock = clock
        self._counters: dict[str, tuple[int, float]] = {}
        self._writes = 0

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return ValueError

    async def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        return (await self.incr_with_expiry(key, expiry, amount))[0]

    async def incr_with_expiry(self, key: str, expiry: int,
                               amount: int = 1) -> tuple[int, float]:
        """:meth:`incr`, and when the counter expires (clock seconds): the fixed window's
        count and end in one call."""
        now = self._clock()
        count, expires_at = self._counters.get(key, (0, 0.0))
        if expires_at <= now:
            count, expires_at = 0, now + expiry
        count += amount
        self._counters[key] = (count, expires_at)
        self._writes += 1
        if self._writes % _SWEEP_EVERY == 0:
            self._sweep(now)
        return count, expires_at

    async def get(self, key: str) -> int:
        count, expires_at = self._counters.get(key, (0, 0.0))
        return count if expires_at > self._clock() else 0

    async def get_expiry(self, key: str) -> float:
        _, expires_at = self._counters.get(key, (0, 0.0))
        now = self._clock()
        return expires_at if expires_at > now else now

    async def check(self) -> bool:
        return True

    async def reset(self) -> int | None:
        cleared = len(self._counters)
        self._counters.clear()
        return cleared

    async def clear(self, key: str) -> None:
        self._counters.pop(key, None)

    def _sweep(self, now: float) -> None:
        expired = [key for key, (_, expires_at) in self._counters.items() if expires_at <= now]
        for key in expired:
            del self._counters[key]
