"""Coarse timeouts for many concurrent requests: one loop timer per time slot.

``asyncio.timeout`` (or ``loop.call_later``) puts one ``TimerHandle`` per request into the
event loop's heap; with a thousand requests in flight that heap, whose comparisons run in
Python, is paid on every timer push and pop, including the agents' own sleeps. A
:class:`TimeoutWheel` groups expiries into slots of ``resolution_s`` and arms one loop timer
per slot: arming and disarming are a dict insert and delete. A timeout fires at the end of
its slot, so never early and at most ``resolution_s`` late.
"""

from __future__ import annotations

import asyncio
import math
from typing import Any

DEFAULT_RESOLUTION_S = 0.005


class Expiry:
    """One armed timeout; ``fired`` tells the awaiting code that the timeout cancelled it."""

    __slots__ = ("cancelling", "fired", "slot", "task")

    def __init__(self, task: asyncio.Task[Any], slot: int) -> None:
        self.task = task
        self.slot = slot
        self.fired = False
        self.cancelling = task.cancelling()  # cancellations already pending when armed

    def fire(self) -> None:
        self.fired = True
        self.task.cancel()

    def claim_cancellation(self) -> bool:
        """On ``CancelledError``: was it this timeout alone? If so, absorb it and say True.

        Like ``asyncio.timeout``: a cancellation from anyone else is left to propagate.
        """
        return self.fired and self.task.uncancel() <= self.cancelling


class TimeoutWheel:
    """Arms and disarms task timeouts in O(1), with ``resolution_s`` precision."""

    def __init__(self, resolution_s: float = DEFAULT_RESOLUTION_S) -> None:
        self._resolution = resolution_s
        self._slots: dict[int, dict[Expiry, None]] = {}

    def __len__(self) -> int:
        return sum(len(bucket) for bucket in self._slots.values())

    def arm(self, task: asyncio.Task[Any], timeout_s: float) -> Expiry:
        """Cancel ``task`` once ``timeout_s`` has passed, unless :meth:`disarm` comes first."""
        loop = asyncio.get_running_loop()
        slot = math.ceil((loop.time() + timeout_s) / self._resolution)
        bucket = self._slots.get(slot)
        if bucket is None:
            bucket = self._slots[slot] = {}
            loop.call_at(slot * self._resolution, self._fire, slot)
        expiry = Expiry(task, slot)
        bucket[expiry] = None
        return expiry

    def disarm(self, expiry: Expiry) -> None:
        bucket = self._slots.get(expiry.slot)
        if bucket is not None:
            bucket.pop(expiry, None)

    def _fire(self, slot: int) -> None:
        for expiry in self._slots.pop(slot, {}):
            expiry.fire()
