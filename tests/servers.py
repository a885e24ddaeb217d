"""Start the real service as a subprocess on a free loopback port (for end-to-end tests)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx
import psutil


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_service(
    state_dir: Path, env: Mapping[str, str] | None = None, *, args: tuple[str, ...] = (),
    wait_ready: bool = False, timeout: float = 60.0, cpus: set[int] | None = None,
    cwd: Path | None = None, log_path: Path | None = None,
) -> Iterator[str]:
    """Yield the base URL of ``scriptohio serve`` once ``/health`` (or ``/ready``) answers.

    The service's log goes to a temporary file (a pipe nobody reads would block a chatty
    service once it filled), shown if the service exits early. ``cpus``: the CPUs it may run
    on (benchmarks keep it off the load driver's). ``log_path``: keep the log there instead
    (benchmarks read the service's own figures from it)."""
    port = free_port()
    # no balancer here: stop at once unless a test asks for the SIGTERM drain
    full_env = {"SCRIPTOHIO_DRAIN_S": "0", **os.environ, "SCRIPTOHIO_STATE_DIR": str(state_dir),
                **(env or {})}
    with (open(log_path, "w+") if log_path else tempfile.TemporaryFile(mode="w+")) as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "scriptohio.cli.main", "serve", "--port", str(port), *args],
            env=full_env, stdout=subprocess.DEVNULL, stderr=log, text=True, cwd=cwd,
            preexec_fn=(lambda: os.sched_setaffinity(0, cpus)) if cpus else None,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + timeout
            path = "/ready" if wait_ready else "/health"
            while True:
                if proc.poll() is not None:
                    log.seek(0)
                    raise RuntimeError(f"service exited early: {log.read()}")
                try:
                    if httpx.get(url + path, timeout=1.0).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(f"service did not answer {path} within {timeout} s")
                time.sleep(0.05)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def answered_by(port: int, path: str, parent: int) -> tuple[int, int]:
    """GET ``path`` on 127.0.0.1:``port`` over a connection of its own: (status, pid of the
    child of ``parent`` holding the server's side of that connection), to tell which worker
    of ``serve --workers N`` answered."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        conn.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        head = conn.recv(65536).decode("latin-1")
        mine = conn.getsockname()[1]
        for proc in psutil.Process(parent).children():
            for c in proc.net_connections("tcp"):
                if c.raddr and c.raddr.port == mine and c.laddr.port == port:
                    return int(head.split(" ")[1]), proc.pid
    raise AssertionError(f"no worker holds the connection that answered {head[:80]!r}")
