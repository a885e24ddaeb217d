"""``--spawn-server``: start the service as a subprocess on a free loopback port, wait for health.

The default command is ``scriptohio serve --host 127.0.0.1 --port {port}`` (the console script
next to the running interpreter, else ``python -m scriptohio serve``). Any command template
with a ``{port}`` placeholder works, which is how the tests start a fixed-latency fixture app.
After ``/health`` answers, the server must also be *ready* (``/ready`` 200: data and models
loaded; a server without ``/ready`` -- 404 -- counts as ready): a load test against a service
that is still loading would only measure its 503s.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

import httpx

from scriptohio.errors import NotReadyError

DEFAULT_STARTUP_TIMEOUT_S = 300.0
DEFAULT_HEALTH_PATH = "/health"
DEFAULT_READY_PATH = "/ready"


def default_serve_command() -> tuple[str, ...]:
    script = Path(sys.executable).parent / "scriptohio"
    base = (str(script),) if script.exists() else (sys.executable, "-m", "scriptohio")
    return (*base, "serve", "--host", "127.0.0.1", "--port", "{port}")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(url: str, *, timeout_s: float, path: str = DEFAULT_HEALTH_PATH,
                 alive: subprocess.Popen[bytes] | None = None,
                 accept: tuple[int, ...] = (200,)) -> None:
    """Poll ``url + path`` until its status is in ``accept``; NotReadyError on timeout or exit."""
    deadline = time.monotonic() + timeout_s
    with httpx.Client(timeout=2.0) as client:
        while time.monotonic() < deadline:
            if alive is not None and alive.poll() is not None:
                raise NotReadyError(f"server exited with code {alive.returncode} before {path}")
            try:
                if client.get(url.rstrip("/") + path).status_code in accept:
                    return
            except httpx.HTTPError:
                pass  # not listening yet
            time.sleep(0.1)
    raise NotReadyError(f"{url}{path} not healthy within {timeout_s:.0f} s")


class SpawnedServer:
    """A server subprocess; use as a context manager so it is always stopped."""

    def __init__(self, command: Sequence[str] | None = None, *,
                 startup_timeout_s: float = DEFAULT_STARTUP_TIMEOUT_S,
                 env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        template = tuple(command) if command else default_serve_command()
        self.command = [part.replace("{port}", str(self.port)) for part in template]
        self.url = f"http://127.0.0.1:{self.port}"
        self._timeout = startup_timeout_s
        # nothing balances a spawned server: it stops at once rather than draining first
        self._env = {"SCRIPTOHIO_DRAIN_S": "0", **os.environ, **(env or {})}
        self._proc: subprocess.Popen[bytes] | None = None
        # A file, not a pipe: nobody reads during the run and a full pipe would block the server.
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 -- closed in stop()

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def start(self) -> SpawnedServer:
        self._proc = subprocess.Popen(self.command, env=self._env,
                                      stdout=subprocess.DEVNULL, stderr=self._stderr)
        try:
            started = time.monotonic()
            wait_healthy(self.url, timeout_s=self._timeout, alive=self._proc)
            left = max(1.0, self._timeout - (time.monotonic() - started))
            wait_healthy(self.url, timeout_s=left, path=DEFAULT_READY_PATH, alive=self._proc,
                         accept=(200, 404))
        except NotReadyError as exc:
            err = self._stop_and_collect()
            raise NotReadyError(f"{exc}; command {self.command}; stderr: {err[-2000:]}") from exc
        return self

    def _stop_and_collect(self) -> str:
        if self._proc is None:
            return ""
        proc, self._proc = self._proc, None
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace")

    def stop(self) -> None:
        self._stop_and_collect()
        self._stderr.close()

    def __enter__(self) -> SpawnedServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
