"""Interpreter settings for a latency-sensitive event loop: the garbage collector and the GIL.

CPython's cyclic collector stops the whole process while it runs. With its default young
threshold (700 allocations) a busy loop collects dozens of times a second, and every tenth
young collection of the middle generation and the occasional full one walk long-lived
objects (loaded data, cache entries, imported modules) again and again: under load these
pauses were the largest event-loop lag samples (a full collection took 15-18 ms). Two
standard remedies, applied once the process has built its long-lived state:

* ``gc.freeze()`` moves every object alive now into a permanent generation that the
  collector no longer scans (call it again after a large build-up, e.g. cache warming);
* a larger young threshold makes collections rarer; each one scans only the survivors of
  the requests in between, which are few in a request/response service.

The GIL: handlers that compute in Python run in worker threads (``asyncio.to_thread``) so they
do not block the loop, but they hold the GIL while they compute. When the loop's thread wakes
up and wants the GIL back, it waits until the worker is told to drop it, which CPython does
only after the *switch interval* (5 ms by default) — and with several workers computing, the
loop may wait for more than one of them. Measured with two computing threads: loop lag P99
21-23 ms at 5 ms, 9.8 ms at 1 ms, 8.6 ms at 0.5 ms. A shorter interval costs the workers a
few more GIL hand-offs per millisecond of work.
"""

from __future__ import annotations

import gc
import sys

DEFAULT_YOUNG_THRESHOLD = 10_000
DEFAULT_SWITCH_INTERVAL_S = 0.0005


def tune_gc_for_latency(young_threshold: int = DEFAULT_YOUNG_THRESHOLD) -> None:
    """Collect once, freeze what survives, and raise the young-generation threshold."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(max(young_threshold, 1), middle, old)


def freeze_long_lived() -> int:
    """Freeze what is alive now (after a build-up); returns the permanent-generation size.

    No collection first: on a large heap it would stop the loop for tens of milliseconds
    while serving; whatever cyclic garbage exists at this instant stays (once, bounded)."""
    gc.freeze()
    return gc.get_freeze_count()


def shorten_gil_switch_interval(seconds: float = DEFAULT_SWITCH_INTERVAL_S) -> float:
    """Let a thread waiting for the GIL (the loop's) have it after ``seconds``; returns the
    previous interval."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(seconds)
    return previous
