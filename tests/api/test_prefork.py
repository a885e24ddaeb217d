"""``serve --workers 2`` forks its workers from a parent that loaded the data and models once:
both workers answer, they share the parent's loaded pages, a killed worker is replaced, and
SIGTERM to the parent drains every worker and exits 0 with none left."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psutil
import pytest

from scriptohio.testing import ProcessMemory
from scriptohio.testing.topology import ServeProcess
from tests.servers import answered_by, free_port

MB = 1024 * 1024
DEADLINE_S = 120.0


@pytest.fixture()
def preforked(service_state: Path) -> Iterator[ServeProcess]:
    server = ServeProcess(service_state, port=free_port(), args=("--workers", "2"),
                          env={"SCRIPTOHIO_WARM_CACHE": "0", "SCRIPTOHIO_DRAIN_S": "10"})
    server.start()
    try:
        server.wait_ready()
        yield server
    finally:
        if server.proc is not None and server.proc.poll() is None:
            for child in psutil.Process(server.proc.pid).children():
                child.kill()
        server.stop()


def _workers(server: ServeProcess, count: int = 2,
             without: tuple[int, ...] = ()) -> list[psutil.Process]:
    """The parent's ``count`` workers once it has that many (none of ``without``)."""
    assert server.proc is not None
    deadline = time.monotonic() + DEADLINE_S
    while True:
        found = [p for p in psutil.Process(server.proc.pid).children()
                 if p.pid not in without and p.status() != psutil.STATUS_ZOMBIE]
        if len(found) == count:
            return found
        assert time.monotonic() < deadline, f"workers: {found}, want {count}"
        time.sleep(0.1)


@contextmanager
def _only(worker: psutil.Process, others: list[psutil.Process]) -> Iterator[None]:
    """Only ``worker`` can accept meanwhile: the others are stopped (SIGSTOP)."""
    for other in others:
        other.suspend()
    try:
        yield
    finally:
        for other in others:
            other.resume()


def _answered_by(server: ServeProcess, path: str) -> tuple[int, int]:
    assert server.proc is not None
    return answered_by(server.port, path, server.proc.pid)


def test_both_workers_answer_and_share_the_parents_loaded_pages(
        preforked: ServeProcess) -> None:
    workers = _workers(preforked)
    for worker in workers:
        with _only(worker, [w for w in workers if w is not worker]):
            assert _answered_by(preforked, "/v1/teams/Ohio%20State") == (200, worker.pid)
    assert preforked.proc is not None
    # loaded once, by the parent: the workers serve what it loaded
    assert preforked.log().count("context built in") == 1, preforked.log()[-3000:]
    parent = ProcessMemory.of(preforked.proc.pid)
    for worker in workers:
        mine = ProcessMemory.of(worker.pid)
        # a spawned worker shares no page of its heap with anyone (0 MB): these share most
        # of the parent's, where the data, features and models were loaded
        assert mine.shared_anonymous >= parent.anonymous // 2, (
            f"worker {worker.pid} shares {mine.shared_anonymous / MB:.0f} MB of anonymous "
            f"memory; the parent holds {parent.anonymous / MB:.0f} MB")
        assert mine.shared_anonymous >= 100 * MB


def test_a_killed_worker_is_replaced_and_sigterm_stops_every_worker(
        preforked: ServeProcess) -> None:
    first, second = _workers(preforked)
    first.kill()
    first.wait(timeout=30)
    (replacement,) = _workers(preforked, 1, without=(second.pid,))
    assert replacement.pid != first.pid
    with _only(replacement, [second]):
        deadline = time.monotonic() + DEADLINE_S
        while (answer := _answered_by(preforked, "/ready"))[0] != 200:
            assert time.monotonic() < deadline, f"replacement not ready: {answer}"
            time.sleep(0.2)
        assert answer == (200, replacement.pid)
    # the parent marked the killed worker dead: its live gauges leave the merged /metrics
    metrics_dir = preforked.state_dir / "prometheus"
    assert not list(metrics_dir.glob(f"gauge_live*_{first.pid}.db"))
    assert list(metrics_dir.glob(f"gauge_livesum_{replacement.pid}.db"))

    preforked.signal(signal.SIGTERM)
    deadline = time.monotonic() + DEADLINE_S
    while (ready := httpx.get(preforked.url + "/ready", timeout=30)).status_code != 503:
        assert time.monotonic() < deadline, "readiness never turned 503"
        time.sleep(0.05)
    assert ready.json()["draining"] is True
    assert httpx.get(preforked.url + "/v1/teams/Ohio%20State", timeout=30).status_code == 200
    assert preforked.wait(timeout_s=DEADLINE_S) == 0
    assert not second.is_running() and not replacement.is_running()
