"""A worker pool: the bulkhead one request type (or a group of types) runs in.

A pool owns ``workers x slots_per_worker`` execution slots and a bounded priority queue of
requests waiting for a slot. Async pools run the handler in the caller's own task (no hop
through a queue when a slot is free, which keeps per-request overhead to microseconds);
``thread`` and ``process`` pools additionally ship the call to an executor so CPU-bound work
never blocks the event loop. The worker count moves between min and max by the
:class:`~scriptohio.runtime.autoscaler.Autoscaler`; one "worker" of an async pool is a block
of slots (like a Ray Serve replica with ``max_ongoing_requests``), of a process pool a process.
"""

from __future__ import annotations

import asyncio
import math
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal

from scriptohio.clock import Clock
from scriptohio.errors import DeadlineExceededError, OverloadedError, ServiceError
from scriptohio.runtime.adaptive import GradientConfig, GradientLimit
from scriptohio.runtime.autoscaler import (
    DEFAULT_AUTOSCALER_CONFIG,
    Autoscaler,
    AutoscalerConfig,
    PoolStats,
)
from scriptohio.runtime.priority import DEFAULT_AGING_S, AgingPriorityQueue, QueueEntry
from scriptohio.runtime.request import AgentRequest
from scriptohio.runtime.telemetry import PoolScaled, PoolSnapshot, RequestAdmitted

DEFAULT_ASYNC_SLOTS_PER_WORKER = 50
DEFAULT_MAX_QUEUE = 1000
DEFAULT_PROCESS_NICENESS = 10
PRESSURE_EVALUATION_S = 0.001  # at most one extra autoscaler look per ms while queueing

PoolKind = Literal["async", "thread", "process"]


@dataclass(frozen=True, slots=True)
class PoolConfig:
    """``slots_per_worker=None`` means 50 for async pools and 1 for thread/process pools.

    ``adaptive``: a concurrency limit that follows the pool's execution times
    (:mod:`scriptohio.runtime.adaptive`); ``max_queue_wait_s``: a request whose predicted
    wait for a slot is longer is refused at once (503 + Retry-After) instead of queued.
    """

    kind: PoolKind = "async"
    autoscaling: AutoscalerConfig = DEFAULT_AUTOSCALER_CONFIG
    slots_per_worker: int | None = None
    max_queue: int = DEFAULT_MAX_QUEUE
    aging_s: float = DEFAULT_AGING_S
    mp_start_method: str = "spawn"  # fork is unsafe once the server runs threads
    # CPU-heavy workers yield the cores to the event-loop process first (Unix niceness).
    process_niceness: int = DEFAULT_PROCESS_NICENESS
    adaptive: GradientConfig | None = None
    max_queue_wait_s: float | None = None

    @property
    def slots(self) -> int:
        if self.slots_per_worker is not None:
            return self.slots_per_worker
        return DEFAULT_ASYNC_SLOTS_PER_WORKER if self.kind == "async" else 1


@dataclass(slots=True)
class _Waiter:
    future: asyncio.Future[None]
    deadline: float | None


DEFAULT_POOL_CONFIG = PoolConfig()


class WorkerPool:
    """Slots, queue, executor and autoscaler of one bulkhead."""

    def __init__(
        self,
        name: str,
        config: PoolConfig = DEFAULT_POOL_CONFIG,
        *,
        clock: Clock = time.monotonic,
        emit: Callable[[object], None] = lambda event: None,
    ) -> None:
        self.name = name
        self.config = config
        self.workers = config.autoscaling.min_workers
        self.busy = 0
        self._slots = config.slots
        # Most this pool may ever run at once, and the loop guard's limit below that.
        self.ceiling = config.autoscaling.max_workers * self._slots
        self.limit = self.ceiling
        self._gradient = GradientLimit(config.adaptive) if config.adaptive else None
        self._cap = self._capacity()
        self._clock = clock
        self._emit = emit
        self._queue: AgingPriorityQueue[_Waiter] = AgingPriorityQueue(
            aging_s=config.aging_s, clock=clock
        )
        self._autoscaler = Autoscaler(config.autoscaling, clock=clock)
        self._executor: Executor | None = None
        self._worst_wait = 0.0
        self._last_pressure_eval = float("-inf")
        self._exec_ema_s = 0.0
        self.is_async = config.kind == "async"

    @property
    def capacity(self) -> int:
        """Requests it runs at once now: its slots, or the loop guard's or the adaptive
        limit if lower."""
        return self._cap

    @property
    def adaptive_limit(self) -> int | None:
        """The latency-driven limit (None: the pool has none)."""
        return self._gradient.limit if self._gradient is not None else None

    def set_limit(self, limit: int) -> None:
        """Set the loop guard's concurrency limit; a raised limit lets waiters in at once."""
        self.limit = max(1, min(limit, self.ceiling))
        self._cap = self._capacity()
        self._grant()

    def _capacity(self) -> int:
        cap = min(self.workers * self._slots, self.limit)
        if self._gradient is not None:
            cap = min(cap, self._gradient.limit)
        return cap

    @property
    def queued(self) -> int:
        return len(self._queue)

    def try_acquire(self, request_type: str, priority: int) -> bool:
        """Take a slot now if one is free and nobody waits (the common, await-free path)."""
        if self.busy < self._cap and not self._queue:
            self.busy += 1
            self._emit(RequestAdmitted(request_type, self.name, priority, 0))
            return True
        return False

    async def acquire(self, request_type: str, priority: int, deadline: float | None) -> float:
        """Wait for a slot; returns the queue wait in seconds.

        Raises :class:`OverloadedError` at once when the queue is full and
        :class:`DeadlineExceededError` when the deadline passes while queued.
        """
        if self.try_acquire(request_type, priority):
            return 0.0
        if len(self._queue) >= self.config.max_queue:
            raise OverloadedError(f"pool {self.name!r} is full", retry_after=self.retry_after())
        bound = self.config.max_queue_wait_s
        if bound is not None and self.predicted_wait() > bound:
            # shed now, in microseconds, rather than answer late: the client can retry
            # elsewhere or later, and the requests already admitted keep their latency
            raise OverloadedError(f"pool {self.name!r} is at its limit",
                                  retry_after=self.retry_after())
        now = self._clock()
        if deadline is not None and deadline <= now:
            raise DeadlineExceededError("deadline passed before queueing")
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = self._queue.push(_Waiter(future, deadline), priority)
        self._emit(RequestAdmitted(request_type, self.name, priority, len(self._queue)))
        if now - self._last_pressure_eval >= PRESSURE_EVALUATION_S:
            # Queueing is the signal to look now rather than at the next tick; the scale-up
            # delay still applies, so this only makes a zero-delay pool react within a burst.
            self._last_pressure_eval = now
            self.evaluate()
        try:
            if deadline is None:
                await future
            else:
                async with asyncio.timeout(deadline - now):
                    await future
        except TimeoutError:
            self._give_up(entry)
            raise DeadlineExceededError("deadline passed while queued") from None
        except asyncio.CancelledError:
            self._give_up(entry)
            raise
        waited = self._clock() - entry.enqueued_at
        self._worst_wait = max(self._worst_wait, waited)
        return waited

    def release(self) -> None:
        """Return a slot and hand it to the best waiter, if any."""
        self.busy -= 1
        if self._queue:
            self._grant()

    async def run_in_executor(self, fn: Callable[[AgentRequest], Any],
                              request: AgentRequest) -> Any:
        """Run a synchronous handler in this pool's thread or process executor."""
        if self._executor is None:
            self._executor = self._make_executor()
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, request)

    def record_execution(self, seconds: float) -> None:
        """One execution's duration: the Retry-After and queue-wait estimates' average, and
        a sample for the adaptive limit (which may let waiters in or hold them back)."""
        if self._exec_ema_s <= 0:
            self._exec_ema_s = seconds
        else:
            self._exec_ema_s += 0.1 * (seconds - self._exec_ema_s)
        if self._gradient is not None:
            before = self._gradient.limit
            if self._gradient.observe(seconds, self.busy) != before:
                self._cap = self._capacity()
                self._grant()

    def queue_delay(self) -> float:
        """Seconds the last request in the queue can expect to wait (0: nobody waits)."""
        if not self._queue or self._exec_ema_s <= 0:
            return 0.0
        return len(self._queue) * self._exec_ema_s / max(self._cap, 1)

    def predicted_wait(self) -> float:
        """Seconds a request queued now would wait for a slot, from the queue ahead of it
        and the average execution time. Before any execution has been timed, a queue as
        long as one round of slots counts as too long (inf), a shorter one as no wait."""
        if self._exec_ema_s <= 0:
            return math.inf if len(self._queue) >= self._cap else 0.0
        return (len(self._queue) + 1) * self._exec_ema_s / max(self._cap, 1)

    def retry_after(self) -> float:
        """Rough seconds until the queue drains (what Retry-After should say)."""
        if self._exec_ema_s <= 0:
            return 1.0
        drain = (len(self._queue) + self.busy) * self._exec_ema_s / max(self.capacity, 1)
        return min(30.0, max(0.1, drain))

    def evaluate(self) -> None:
        """One autoscaling evaluation (called periodically by the orchestrator)."""
        stats = PoolStats(self.workers, self._slots, self.busy, len(self._queue), self._worst_wait)
        self._worst_wait = 0.0
        decision = self._autoscaler.observe(stats)
        if decision is not None:
            self.workers = decision.to_workers
            self._cap = self._capacity()
            self._emit(PoolScaled(self.name, decision.from_workers, decision.to_workers,
                                  decision.reason))
            self._grant()

    def snapshot(self) -> PoolSnapshot:
        scaling = self.config.autoscaling
        return PoolSnapshot(self.name, self.workers, self.busy, len(self._queue),
                            scaling.min_workers, scaling.max_workers, self.limit,
                            adaptive_limit=self.adaptive_limit or 0)

    def fail_waiters(self, detail: str) -> int:
        """Answer every queued waiter with a 503 (shutdown without drain); returns how many."""
        entries = self._queue.drain()
        for entry in entries:
            if not entry.item.future.done():
                entry.item.future.set_exception(OverloadedError(detail))
        return len(entries)

    def close(self, grace_s: float = 2.0) -> None:
        """Stop the executor. Worker processes still running a job after ``grace_s`` are
        terminated: a shutdown must not wait minutes for a training run, nor leave it orphaned."""
        executor, self._executor = self._executor, None
        if executor is None:
            return
        if not isinstance(executor, ProcessPoolExecutor):
            executor.shutdown(wait=True, cancel_futures=True)
            return
        processes = list(getattr(executor, "_processes", {}).values())
        executor.shutdown(wait=False, cancel_futures=True)
        deadline = time.monotonic() + grace_s
        for proc in processes:
            proc.join(max(0.0, deadline - time.monotonic()))
            if proc.is_alive():
                proc.terminate()
                proc.join(1.0)

    def _grant(self) -> None:
        now = self._clock()
        while self.busy < self._cap:
            entry = self._queue.pop()
            if entry is None:
                return
            waiter = entry.item
            if waiter.future.done():
                continue
            if waiter.deadline is not None and waiter.deadline <= now:
                waiter.future.set_exception(DeadlineExceededError("deadline passed while queued"))
                continue
            self.busy += 1
            waiter.future.set_result(None)

    def _give_up(self, entry: QueueEntry[_Waiter]) -> None:
        future = entry.item.future
        if future.done() and not future.cancelled() and future.exception() is None:
            self.release()  # the slot was granted just as we gave up: pass it on
        else:
            self._queue.remove(entry)

    def _make_executor(self) -> Executor:
        most = self.config.autoscaling.max_workers * self._slots
        if self.config.kind == "process":
            context = multiprocessing.get_context(self.config.mp_start_method)
            return ProcessPoolExecutor(max_workers=most, mp_context=context,
                                       initializer=_init_worker,
                                       initargs=(self.config.process_niceness, os.getpid()))
        if self.config.kind == "thread":
            return ThreadPoolExecutor(max_workers=most, thread_name_prefix=f"pool-{self.name}")
        raise ServiceError(f"pool {self.name!r} is async; it has no executor")


def _init_worker(niceness: int, parent_pid: int) -> None:
    """Process-pool initializer: run CPU-heavy work below the event loop's priority, and exit
    when the parent process dies (a killed server must not leave training runs behind)."""
    if niceness and hasattr(os, "nice"):
        os.nice(niceness)
    threading.Thread(target=_exit_with_parent, args=(parent_pid,), daemon=True,
                     name="parent-watch").start()


def _exit_with_parent(parent_pid: int, interval_s: float = 0.5) -> None:
    while os.getppid() == parent_pid:
        time.sleep(interval_s)
    os._exit(1)
