"""Pre-fork serving (``serve --workers N``, N > 1): load once, fork N workers that share it.

The parent process, before any worker exists:

1. binds the listening socket (as uvicorn's ``Config.bind_socket`` does: a port in use fails
   now, not after the load; nothing is accepted until a worker listens);
2. loads what is large and read-only (:func:`~scriptohio.api.refresher.load_context`: the
   dataset, the feature frames, the default models), with a state store it closes again;
3. collects and ``gc.freeze()``\\ s the heap, so the workers' collections never write to the
   pages of those objects (a collection touches the header of every object it scans);
4. forks the workers (:class:`~scriptohio.api.supervisor.ForkSupervisor`). Each builds its own
   app around the preloaded context (``create_app(preloaded=...)``) and runs a uvicorn
   ``Server`` (the ``--loop`` event loop,
   :class:`~scriptohio.api.server_protocol.GuardedHttpToolsProtocol`, the same limits as one
   process) on the inherited socket.

What runs threads, sockets or an event loop is made in each worker, after the fork, by the
app's lifespan as in one process: the orchestrator and its pools, the refresher's watcher,
scheduled pulls, Redis clients, the monitor. The parent checks that no Python thread runs
before it forks. Native threads of the numeric libraries may run (OpenBLAS, jemalloc): both
register fork handlers. XGBoost runs single-threaded here (``ModelConfig.threads`` = 1), so
no OpenMP pool exists to be copied, half alive, into a worker (GNU OpenMP is not fork-safe).

What stays shared is what nobody writes to: numpy arrays' buffers and the models' native
memory. CPython 3.11 still writes reference counts into the Python objects a worker touches,
so their pages are copied as they are used. A data version or model loaded later (an ingest,
a retrain, a promoted canary) is loaded by each worker for itself, as it would be with one
process; the parent keeps the start-up version, and a replacement worker starts from it and
catches up as its refresher notices (it polls every second). If the parent's load fails, the
workers load for themselves and ``/ready`` reports what failed, as in one process.
"""

from __future__ import annotations

import gc
import logging
import signal
import socket
import sys
import threading
from collections.abc import Mapping
from typing import Any

import uvicorn

from scriptohio.api.app import create_app
from scriptohio.api.refresher import LoadedContext, load_context
from scriptohio.api.supervisor import STARTUP_FAILURE, ForkSupervisor
from scriptohio.config import Settings
from scriptohio.data.paths import find_data_dir, state_dir
from scriptohio.data.store import StateStore
from scriptohio.monitor.metrics import mark_worker_dead, require_multiprocess_values

__all__ = ["preload", "serve_preforked"]

log = logging.getLogger(__name__)


def preload(settings: Settings) -> LoadedContext | None:
    """The start-up context, loaded here; None if that failed (each worker then tries)."""
    state = state_dir(settings.state_dir)
    try:
        store = StateStore(state)
        try:
            return load_context(find_data_dir(settings.data_dir), state, store)
        finally:
            store.close()
    except Exception:
        log.exception("pre-fork load failed: each worker loads for itself")
        return None


def serve_preforked(settings: Settings, server_options: Mapping[str, Any]) -> int:
    """Serve with ``settings.workers`` forked workers; returns the exit status (0 when
    stopped by SIGTERM / SIGINT). ``server_options``: uvicorn ``Config`` keywords."""
    require_multiprocess_values()
    options = dict(server_options)
    sock = uvicorn.Config(create_app, host=settings.host, port=settings.port,
                          **options).bind_socket()
    loaded = preload(settings)
    running = [t.name for t in threading.enumerate() if t is not threading.current_thread()]
    if running:  # a fork copies only this thread: whatever the others hold stays held
        raise RuntimeError(f"threads running before the fork: {', '.join(running)}")
    gc.collect()
    gc.freeze()

    def run_worker(_slot: int) -> int:
        return _serve_worker(settings, loaded, sock, options)

    try:
        return ForkSupervisor(settings.workers, run_worker, on_exit=mark_worker_dead).run()
    finally:
        sock.close()


def _serve_worker(settings: Settings, loaded: LoadedContext | None, sock: socket.socket,
                  options: Mapping[str, Any]) -> int:
    """One worker: its own app around the parent's context, uvicorn on the inherited socket."""
    app = create_app(settings, preloaded=loaded)
    server = uvicorn.Server(uvicorn.Config(app, **options))
    # uvicorn re-raises the SIGTERM it has handled once it has shut down gracefully: a drained
    # stop is a clean exit (0), not a death by signal
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    server.run(sockets=[sock])
    return 0 if server.started else STARTUP_FAILURE
