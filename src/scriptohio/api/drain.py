"""Draining on SIGTERM, so a rollout loses no request.

A process told to stop (SIGTERM) does not stop at once. It first **drains**: ``/ready`` turns
503 at once while everything else keeps answering for ``drain_s`` seconds, long enough for the
load balancer's health check to take the replica out of rotation (HAProxy: ``inter`` × ``fall``,
see ``deploy/haproxy/haproxy.cfg``); responses carry ``Connection: close`` so keep-alive clients
reconnect elsewhere. Then uvicorn's own graceful shutdown runs: it stops accepting, lets the
requests in flight finish, and the lifespan stops the service. A second SIGTERM (or SIGINT)
stops at once.

The signal is process-wide, so the handler is installed by the app's lifespan, which runs in
every worker process under uvicorn's handler; it wraps that handler and calls it after the drain
period. Outside the main thread (in-process test clients) nothing is installed.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections.abc import Callable
from types import FrameType

__all__ = ["DEFAULT_DRAIN_S", "Drain", "drain_on_sigterm"]

#: HAProxy's default check (inter 1 s, fall 2) takes a replica out within ~2 s; twice that
DEFAULT_DRAIN_S = 5.0

logger = logging.getLogger(__name__)


class Drain:
    """Whether this process is draining (readiness 503, still answering)."""

    def __init__(self, drain_s: float = DEFAULT_DRAIN_S) -> None:
        if drain_s < 0:
            raise ValueError(f"drain period must be >= 0 s, not {drain_s}")
        self.drain_s = drain_s
        self.draining = False

    def begin(self) -> None:
        self.draining = True


def drain_on_sigterm(drain: Drain, loop: asyncio.AbstractEventLoop) -> Callable[[], None]:
    """Make SIGTERM begin ``drain`` and stop the server ``drain.drain_s`` later; returns a
    function that puts the previous handler back."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = signal.getsignal(signal.SIGTERM)
    if not callable(previous):  # not under a server's handler: nothing to delay
        return lambda: None
    stop: Callable[[int, FrameType | None], object] = previous

    def on_sigterm(sig: int, frame: FrameType | None) -> None:
        if drain.draining or drain.drain_s == 0:
            stop(sig, frame)
            return
        drain.begin()
        logger.info("SIGTERM: draining for %.1f s (readiness 503), then stopping",
                    drain.drain_s)
        # a signal handler runs between bytecodes on the loop's thread: hand over to the loop
        loop.call_soon_threadsafe(loop.call_later, drain.drain_s, stop, sig, None)

    signal.signal(signal.SIGTERM, on_sigterm)

    def restore() -> None:
        if signal.getsignal(signal.SIGTERM) is on_sigterm:
            signal.signal(signal.SIGTERM, previous)

    return restore
