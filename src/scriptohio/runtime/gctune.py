"""Garbage-collector settings for a latency-sensitive event loop.

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
"""

from __future__ import annotations

import gc

DEFAULT_YOUNG_THRESHOLD = 10_000


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
