"""Event-loop lag monitor: how late does a timer fire?

A task sleeps ``interval_s`` in a loop and measures how much later than asked it woke up;
that delay is what every request on this loop also suffers. Each sample is emitted as
:class:`~scriptohio.runtime.telemetry.EventLoopLag` and kept for percentiles.

A late timer has two causes: the loop was busy with other callbacks, or the loop's thread was
ready to run but the OS gave the CPU to another process (a load generator on the same cores,
say). On Linux the probe also reads how long the thread waited in the run queue during the
interval (``/proc/thread-self/schedstat``, second field), so the two can be told apart.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections import deque
from collections.abc import Callable

from scriptohio.runtime.telemetry import EventLoopLag

DEFAULT_INTERVAL_S = 0.02  # the loop guard acts on each sample: keep it prompt
DEFAULT_SAMPLES = 3000  # one minute of samples


SCHEDSTAT = "/proc/thread-self/schedstat"


class RunQueueWait:
    """Seconds the calling thread has waited for a CPU so far (0.0 where Linux's schedstat is
    missing). Open it on the thread to watch: ``/proc/thread-self`` is resolved at open.

    ``path``: the schedstat file (``cpu_ns wait_ns timeslices``; tests hand in their own)."""

    def __init__(self, path: str = SCHEDSTAT) -> None:
        try:
            self._fd: int | None = os.open(path, os.O_RDONLY)
        except OSError:
            self._fd = None

    def __call__(self) -> float:
        if self._fd is None:
            return 0.0
        try:
            fields = os.pread(self._fd, 128, 0).split()
            return int(fields[1]) / 1e9
        except (OSError, IndexError, ValueError):  # never let the probe die over a statistic
            return 0.0

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class EventLoopLagMonitor:
    def __init__(
        self,
        *,
        interval_s: float = DEFAULT_INTERVAL_S,
        samples: int = DEFAULT_SAMPLES,
        emit: Callable[[EventLoopLag], None] = lambda event: None,
    ) -> None:
        self._interval = interval_s
        self._emit = emit
        self.samples: deque[float] = deque(maxlen=samples)
        self.latest = 0.0  # most recent sample
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="loop-lag")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def percentile(self, q: float) -> float:
        """The ``q`` quantile (0..1) of recent lag samples in seconds (0 with no samples)."""
        if not self.samples:
            return 0.0
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    async def _run(self) -> None:
        # perf_counter, not loop.time(): uvloop's clock ticks in whole milliseconds.
        waited = RunQueueWait()
        try:
            while True:
                asked = time.perf_counter() + self._interval
                before = waited()
                await asyncio.sleep(self._interval)
                lag = max(0.0, time.perf_counter() - asked)
                self.samples.append(lag)
                self.latest = lag
                # (clamped: a failed read gives 0.0, which must not make a negative wait)
                self._emit(EventLoopLag(lag, max(0.0, waited() - before)))
        finally:
            waited.close()
