"""Fixtures shared by every test folder: the real data and a fresh state directory."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from scriptohio.data.dataset import Dataset, load_dataset
from scriptohio.data.paths import find_data_dir

REPO = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
SHARED_REDIS_URL = "redis://127.0.0.1:6379/0"


def redis_up(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_timeout=0.5).ping())
    except redis.RedisError:
        return False


@pytest.fixture()
def redis_url() -> str:
    """The machine's shared Redis; missing -> skip locally, FAIL in CI."""
    if not redis_up(SHARED_REDIS_URL):
        if IN_CI:
            pytest.fail("Redis is required in CI at 127.0.0.1:6379")
        pytest.skip("Redis not running at 127.0.0.1:6379")
    return SHARED_REDIS_URL


@pytest.fixture()
def namespace(redis_url: str) -> Iterator[str]:
    """A unique key prefix; every key under it is deleted afterwards (never FLUSH*)."""
    ns = f"test-{uuid.uuid4().hex}"
    yield ns
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"{ns}:*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return find_data_dir(os.environ.get("SCRIPTOHIO_DATA_DIR"), cwd=REPO)


@pytest.fixture(scope="session")
def dataset(data_dir: Path) -> Dataset:
    """The shipped data, loaded once per test session (read-only: never mutate it)."""
    return load_dataset(data_dir)


@pytest.fixture()
def state_dir(tmp_path: Path) -> Path:
    path = tmp_path / "state"
    path.mkdir()
    return path


@pytest.fixture(scope="session")
def trained_state(tmp_path_factory: pytest.TempPathFactory, dataset: Dataset) -> Path:
    """A state directory with the default models trained once for the whole test session."""
    from scriptohio.models.train import train

    path = tmp_path_factory.mktemp("trained")
    train(dataset, path)
    return path


@pytest.fixture()
def service_state(trained_state: Path, tmp_path: Path) -> Path:
    """A fresh state directory (own SQLite files) sharing the session's trained models."""
    path = tmp_path / "service"
    path.mkdir()
    (path / "models").symlink_to(trained_state / "models", target_is_directory=True)
    return path


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



@pytest.fixture(params=["sqlite", "redis"])
def store_redis_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """A state store's Redis URL, or None for its SQLite file: store contract tests run
    against both (the Redis a private one of the test's own)."""
    if request.param == "sqlite":
        yield None
        return
    server: PrivateRedis = request.getfixturevalue("private_redis")
    yield server.url
