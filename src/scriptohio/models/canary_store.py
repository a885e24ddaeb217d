"""Where a canary's state lives, so every worker and replica reads one state.

Two backends behind one two-method protocol (``read``, ``update``), chosen by
:func:`open_canary_store`:

* :class:`FileCanaryStore`: ``<state_dir>/models/canary.json``, beside the registry's versions
  and ``LATEST``: every worker of a host (and the CLI) shares it. ``update`` holds an
  exclusive ``flock`` while it reads, decides and replaces the file atomically, so two workers
  ticking at once never both advance a stage.
* :class:`RedisCanaryStore`: one key in the service's Redis (``SCRIPTOHIO_REDIS_URL``), for
  replicas on several hosts; ``update`` is a WATCH/MULTI transaction, retried on a conflict.

Only the latest canary is kept: once it ends its final state (promoted or aborted, with its
timeline) stays readable until the next one starts.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from scriptohio.data.redis_state import RedisState
from scriptohio.models.canary import CanaryState

__all__ = ["CanaryStore", "FileCanaryStore", "RedisCanaryStore", "open_canary_store"]

Update = Callable[[CanaryState | None], CanaryState | None]


class CanaryStore(Protocol):
    def read(self) -> CanaryState | None:
        """The latest canary, or None if there never was one."""

    def update(self, change: Update) -> CanaryState | None:
        """Apply ``change`` atomically to the stored state; returns what is stored after."""


class FileCanaryStore:
    """The canary state in a JSON file (see the module docstring)."""

    FILENAME = "canary.json"

    def __init__(self, state_dir: Path | str) -> None:
        self.root = Path(state_dir) / "models"
        self.path = self.root / self.FILENAME
        self._lock_path = self.root / "canary.lock"
        self._thread_lock = threading.Lock()  # flock is per open file, not per thread

    def read(self) -> CanaryState | None:
        try:
            text = self.path.read_text()
        except FileNotFoundError:
            return None
        return CanaryState.from_json(json.loads(text))

    def update(self, change: Update) -> CanaryState | None:
        self.root.mkdir(parents=True, exist_ok=True)
        with self._thread_lock, open(self._lock_path, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                before = self.read()
                after = change(before)
                if after is not before and after is not None:
                    tmp = self.root / f".{self.FILENAME}.{os.getpid()}.{threading.get_ident()}"
                    tmp.write_text(json.dumps(after.as_json()))
                    os.replace(tmp, self.path)
                return after if after is not None else before
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)


class RedisCanaryStore:
    """The canary state in one Redis key (see the module docstring), reached through the
    state stores' one Redis setup (:class:`~scriptohio.data.redis_state.RedisState`)."""

    def __init__(self, url: str, *, namespace: str = "scriptohio") -> None:
        self._redis = RedisState(url, namespace=namespace, what="canary store",
                                 timeout_s=2.0)
        self.key = self._redis.key("canary")

    def read(self) -> CanaryState | None:
        raw = self._redis.call(lambda r: r.get(self.key))
        return None if raw is None else CanaryState.from_json(json.loads(raw))

    def update(self, change: Update) -> CanaryState | None:
        stored: list[CanaryState | None] = []

        def run(pipe: Any) -> None:
            raw = pipe.get(self.key)
            before = None if raw is None else CanaryState.from_json(json.loads(raw))
            after = change(before)
            stored[:] = [after if after is not None else before]
            pipe.multi()
            if after is not before and after is not None:
                pipe.set(self.key, json.dumps(after.as_json()))

        self._redis.call(lambda r: r.transaction(run, self.key))
        return stored[0] if stored else None

    def close(self) -> None:
        self._redis.close()


def open_canary_store(state_dir: Path | str, redis_url: str | None = None, *,
                      namespace: str = "scriptohio") -> CanaryStore:
    """Redis when the service has one (replicas on several hosts), else the state dir."""
    if redis_url:
        return RedisCanaryStore(redis_url, namespace=namespace)
    return FileCanaryStore(state_dir)
