"""A parent process that forks N workers and keeps N running (``serve --workers N``).

Modelled on uvicorn's own supervisor (``uvicorn.supervisors.multiprocess``), with the one
difference that is its reason to exist: uvicorn *spawns* each worker, a fresh interpreter that
imports and loads everything again; this parent *forks*, so a worker starts with the parent's
memory (the data, features and models loaded once by ``api.prefork``) and shares it page by
page until one of them writes to a page (copy-on-write).

Kept from uvicorn's supervisor:

* the listening socket is bound once, by the parent; every worker inherits it;
* a worker that dies is replaced (its slot forked again, at most once a second per slot);
* a worker that fails before serving (exit status 3, uvicorn's ``STARTUP_FAILURE``) would
  fail the same way every time: the parent stops the others and exits 3;
* SIGTERM or SIGINT to the parent is passed to every worker, which drains (``api.drain``) and
  stops; the parent waits for all of them and exits 0. A second signal is passed on again (a
  worker told twice stops at once).

Not kept: uvicorn's ping of each worker through a pipe (a worker hung with the GIL held is not
replaced), SIGHUP (restart every worker), SIGTTIN / SIGTTOU (one worker more / fewer).

The parent blocks SIGTERM, SIGINT and SIGCHLD and takes them with ``sigtimedwait``: nothing
runs in a signal handler and the parent never starts a thread (a fork copies only the thread
that forks; a lock another thread held would stay locked in the child forever). A worker
restores the signal mask first, and asks the kernel for a SIGTERM if the parent dies
(``PR_SET_PDEATHSIG``), so a parent killed outright leaves no orphan serving on its port.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import sys
import time
from collections.abc import Callable
from typing import Any

__all__ = ["STARTUP_FAILURE", "ForkSupervisor"]

#: a worker's exit status when it could not start serving (uvicorn's ``STARTUP_FAILURE``)
STARTUP_FAILURE = 3
#: the least time between two forks of one slot: a worker dying at once is not a fork storm
MIN_RESTART_INTERVAL_S = 1.0
_PR_SET_PDEATHSIG = 1
_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
_SIGNALS = {*_STOP_SIGNALS, signal.SIGCHLD}

log = logging.getLogger(__name__)


class ForkSupervisor:
    """Forks ``workers`` processes, each running ``run_worker(slot)`` (its return value is the
    worker's exit status), and keeps that many running until told to stop.

    ``on_exit(pid)`` is called in the parent for every worker that has ended, however it
    ended (the Prometheus multiprocess files of a killed worker are marked dead there).
    """

    def __init__(self, workers: int, run_worker: Callable[[int], int], *,
                 on_exit: Callable[[int], None] = lambda _pid: None,
                 poll_s: float = 0.5, clock: Callable[[], float] = time.monotonic) -> None:
        if workers < 1:
            raise ValueError(f"workers must be >= 1, not {workers}")
        self.workers = workers
        self._run_worker = run_worker
        self._on_exit = on_exit
        self._poll_s = poll_s
        self._clock = clock
        self._children: dict[int, int] = {}  # pid -> slot
        self._started: dict[int, float] = {}  # slot -> when its worker was last forked
        self._due: dict[int, float] = {}  # slot -> when to fork its replacement
        self._stopping = False
        self._status = 0
        self._mask: set[int | signal.Signals] = set()
        self._previous: dict[signal.Signals, Any] = {}
        self._noted: list[signal.Signals] = []

    @property
    def pids(self) -> list[int]:
        """The workers running now."""
        return list(self._children)

    def run(self) -> int:
        """Fork the workers and supervise them until SIGTERM / SIGINT; returns the parent's
        exit status (0 after a requested stop, 3 when a worker could not start)."""
        # The signals are blocked in this thread and waited for, but the native libraries
        # the load used (BLAS, OpenMP) have threads of their own where they are not: the
        # kernel may hand SIGTERM to one of those, and the handler the process had (exit)
        # would then stop the parent without stopping its workers. So the handlers here only
        # note the signal, and the loop acts on it within one poll.
        self._previous = {sig: signal.signal(sig, self._note) for sig in _STOP_SIGNALS}
        self._mask = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
        try:
            for slot in range(self.workers):
                self._fork(slot)
            while self._children or (self._due and not self._stopping):
                info = signal.sigtimedwait(_SIGNALS, self._poll_s)
                if info is not None and info.si_signo != signal.SIGCHLD:
                    self._noted.append(signal.Signals(info.si_signo))
                while self._noted:
                    self._stop(self._noted.pop(0))
                self._reap()
                self._fork_due()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, self._mask)
            for sig, handler in self._previous.items():
                signal.signal(sig, handler)
        return self._status

    def _note(self, sig: int, _frame: object) -> None:
        self._noted.append(signal.Signals(sig))

    def _fork(self, slot: int) -> None:
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the worker: never returns into the parent's loop
            os._exit(self._worker_main(slot, parent))
        self._children[pid] = slot
        self._started[slot] = self._clock()
        log.info("worker %d started (slot %d of %d)", pid, slot + 1, self.workers)

    def _worker_main(self, slot: int, parent: int) -> int:
        status = 1
        try:
            for sig, handler in self._previous.items():  # the parent's note-takers
                signal.signal(sig, handler)
            signal.pthread_sigmask(signal.SIG_SETMASK, self._mask)
            _die_with_parent(parent)
            status = self._run_worker(slot)
        except SystemExit as exc:  # uvicorn exits this way, and so does a re-raised SIGTERM
            status = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
        except KeyboardInterrupt:  # uvicorn re-raises the SIGINT it shut down for (Ctrl-C)
            status = 0
        except BaseException:
            log.exception("worker %d failed", os.getpid())
        finally:
            with contextlib.suppress(Exception):
                logging.shutdown()
                sys.stdout.flush()
                sys.stderr.flush()
        return status

    def _reap(self) -> None:
        while self._children:
            try:
                pid, wait_status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            slot = self._children.pop(pid, None)
            if slot is None:  # not a worker (a grandchild re-parented here, say)
                continue
            self._on_exit(pid)
            status = os.waitstatus_to_exitcode(wait_status)
            how = f"signal {-status}" if status < 0 else f"status {status}"
            if self._stopping:
                log.info("worker %d stopped (%s)", pid, how)
            elif status == STARTUP_FAILURE:
                log.error("worker %d could not start serving: stopping", pid)
                self._status = STARTUP_FAILURE
                self._stop(signal.SIGTERM)
            else:
                log.warning("worker %d ended (%s): starting another", pid, how)
                self._due[slot] = max(self._clock(),
                                      self._started.get(slot, 0.0) + MIN_RESTART_INTERVAL_S)

    def _fork_due(self) -> None:
        if self._stopping:
            self._due.clear()
            return
        now = self._clock()
        for slot, due in list(self._due.items()):
            if due <= now:
                del self._due[slot]
                self._fork(slot)

    def _stop(self, sig: signal.Signals) -> None:
        if not self._stopping:
            log.info("%s: stopping %d workers", sig.name, len(self._children))
        self._stopping = True
        for pid in self._children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)


def _die_with_parent(parent: int) -> None:
    """Have the kernel send this process SIGTERM when its parent dies (Linux)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: a killed parent may leave orphans
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os.kill(os.getpid(), signal.SIGTERM)
