"""Cache test fixtures: a fake clock and a private Redis (the shared one: tests/conftest.py)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest

from scriptohio.clock import FakeClock
from tests.conftest import IN_CI, redis_up

__all__ = ["FakeClock", "PrivateRedis"]  # FakeClock: one clock for every test package


@pytest.fixture()
def clock() -> FakeClock:
    return FakeClock(1000.0)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PrivateRedis:
    """A throw-away redis-server this test may stop (never the shared one)."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not redis_up(self.url):
            if time.monotonic() > deadline:
                raise TimeoutError("private redis-server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


@pytest.fixture()
def private_redis() -> Iterator[PrivateRedis]:
    if shutil.which("redis-server") is None:
        if IN_CI:
            pytest.fail("redis-server binary is required in CI")
        pytest.skip("redis-server not installed")
    server = PrivateRedis()
    server.start()
    try:
        yield server
    finally:
        server.stop()
