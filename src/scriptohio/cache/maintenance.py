"""Background maintenance, sliced so that no step holds the event loop for over a millisecond.

Each round: replay buffered reads into the policies, sweep expired entries (the keys the
expiry index says are due, in slices, yielding to the loop between slices whenever
``slice_budget`` of time has been spent), once enough small payloads were seen train the zstd
dictionary in a worker thread (tens of milliseconds of CPU) and then compact L2 with it, slice
by slice, and store a statistics snapshot (``LocalCache.last_snapshot``).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice

from scriptohio.cache.local import LocalCache


@dataclass(frozen=True, slots=True)
class MaintenanceConfig:
    """Cadence and time slicing."""

    interval: float = 1.0
    slice_budget: float = 0.0005
    slice_keys: int = 32
    train_dictionary: bool = True


DEFAULT_MAINTENANCE = MaintenanceConfig()


async def sweep_in_slices(
    cache: LocalCache,
    config: MaintenanceConfig = DEFAULT_MAINTENANCE,
    *,
    clock: Callable[[], float] = time.perf_counter,
) -> int:
    """Drop the entries the expiry index says are due, yielding to the loop between slices;
    count them."""
    # L1's drain replays buffered reads and writes into its policy, reading .l2 flushes the
    # pending demotions and L2's drain replays its reads: each is a slice of its own.
    cache.l1.drain()
    await asyncio.sleep(0)
    cache.l2.drain()
    await asyncio.sleep(0)
    dropped = 0
    keys = cache.due_keys()
    start = clock()
    # Every key handed out is (nearly always) due, so each costs a drop, about what a
    # compaction re-encode costs: chunks as small as compaction's, and a yield whenever the
    # budget is spent, keep a turn near ``slice_budget``.
    while chunk := list(islice(keys, max(1, config.slice_keys // 4))):
        dropped += cache.sweep(chunk)
        if clock() - start >= config.slice_budget:
            await asyncio.sleep(0)
            start = clock()
    # The last slice ends its turn too: whatever runs next (compaction's first step, the
    # statistics snapshot) must not add its work to up to ``slice_budget`` of ours.
    await asyncio.sleep(0)
    return dropped


async def compact_in_slices(cache: LocalCache, config: MaintenanceConfig) -> int:
    """Re-encode raw L2 values with the trained dictionary, a slice at a time."""
    saved = 0
    cache.l2.drain()  # flushes pending demotions too: a turn of its own
    await asyncio.sleep(0)
    keys = cache.l2.snapshot_keys()
    await asyncio.sleep(0)
    # Re-encoding costs ~10x a sweep check per key: smaller slices keep each under 1 ms.
    while chunk := list(islice(keys, max(1, config.slice_keys // 4))):
        saved += cache.compact_l2(chunk)
        await asyncio.sleep(0)
    return saved


async def run_maintenance(
    cache: LocalCache, config: MaintenanceConfig, stop: asyncio.Event
) -> None:
    """Loop until ``stop`` is set."""
    tried_dictionary = False
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=config.interval)
        if stop.is_set():
            return
        await sweep_in_slices(cache, config)
        compressor = cache.compressor
        if config.train_dictionary and not tried_dictionary and compressor.ready_to_train:
            tried_dictionary = True
            if await asyncio.to_thread(compressor.train_dictionary):
                await compact_in_slices(cache, config)
        cache.last_snapshot = cache.snapshot()
