"""A worker SIGKILLed mid-load: ``scriptohio serve --workers 2`` keeps answering, its
supervisor (``scriptohio.api.supervisor``) forks a replacement
for the dead worker, /ready is 200 again, and the only requests that fail are
those that were in flight on the killed worker's connections.

Eight closed-loop clients, each with one keep-alive connection, so each connection carries at
most one request at a time. Just before the kill, the killed worker's established
connections are read from the kernel (psutil): the clients on them are the only ones that may
see an error, and each at most once (a broken connection is dropped and the next request
opens a new one, which the surviving worker accepts). The bound comes from the concurrency,
not from timing. The supervisor reaps on SIGCHLD and re-forks a slot at most once a second;
the waits for it are generous bounds.
"""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

from tests.servers import running_service

CLIENTS = 8
BEFORE_KILL_S = 2.0
AFTER_KILL_S = 4.0
TEAMS = ("Ohio%20State", "Michigan", "Georgia", "Texas", "Oregon", "Alabama")


@dataclass
class ClientRecord:
    ports: list[int] = field(default_factory=list)  # local port of each answered request
    # what failed, and the local port of the connection it last had answers on
    failures: list[tuple[str, int | None]] = field(default_factory=list)
    answered: int = 0
    answered_after_kill: int = 0


def _local_port(response: httpx.Response) -> int | None:
    """The local port the answer came on; None if its connection is already closed (the
    server closed it right after this answer: the next one comes on a new connection)."""
    stream = response.extensions["network_stream"]
    try:
        return int(stream.get_extra_info("client_addr")[1])
    except OSError:
        return None


def _last(record: ClientRecord) -> int | None:
    return record.ports[-1] if record.ports else None


def _load(url: str, record: ClientRecord, stop: threading.Event, killed: threading.Event,
          offset: int) -> None:
    with httpx.Client(base_url=url, timeout=30, headers={"X-User-Id": "fault"}) as client:
        i = offset
        while not stop.is_set():
            i += 1
            try:
                response = client.get(f"/v1/teams/{TEAMS[i % len(TEAMS)]}",
                                      params={"season": 2024})
            except httpx.TransportError as exc:
                record.failures.append((type(exc).__name__, _last(record)))
                continue
            if response.status_code != 200:
                record.failures.append((f"status {response.status_code}", _last(record)))
                continue
            record.answered += 1
            # answered after the kill: a request sent before it may end after it
            record.answered_after_kill += killed.is_set()
            if (port := _local_port(response)) is not None:
                record.ports.append(port)


def _serve_process(port: int) -> psutil.Process:
    for child in psutil.Process().children():
        if str(port) in child.cmdline() and "serve" in child.cmdline():
            return child
    raise AssertionError("the serve process this test started is not among its children")


def _workers(serve: psutil.Process) -> list[psutil.Process]:
    """The live workers: the serve process's forked children (not multiprocessing's helpers,
    which are spawned; not the killed one while it is a zombie not reaped yet)."""
    workers = []
    for child in serve.children():
        try:
            if child.status() != psutil.STATUS_ZOMBIE and not any(
                    "multiprocessing" in part for part in child.cmdline()):
                workers.append(child)
        except psutil.Error:
            continue
    return workers


def _client_ports(worker: psutil.Process, port: int) -> set[int]:
    return {c.raddr.port for c in worker.net_connections(kind="tcp")
            if c.status == psutil.CONN_ESTABLISHED and c.laddr.port == port and c.raddr}


def _ready_status(worker: psutil.Process, port: int) -> int | None:
    """``GET /ready`` on a new connection: its status if ``worker`` accepted it, else None."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        conn.sendall(b"GET /ready HTTP/1.1\r\nHost: test\r\n\r\n")
        head = conn.recv(65536)
        mine = conn.getsockname()[1] in _client_ports(worker, port)
    return int(head[9:12]) if mine else None


def _wait_ready(worker: psutil.Process, port: int) -> None:
    # workers share the listening socket; new connections land on one or the other
    for _ in _until(120, f"worker {worker.pid} answers /ready 200"):
        if _ready_status(worker, port) == 200:
            return


def _until(bound_s: float, what: str) -> Iterator[float]:
    """Yield (the seconds left) until the caller breaks out; fail after ``bound_s``."""
    deadline = time.monotonic() + bound_s
    while time.monotonic() < deadline:
        yield deadline - time.monotonic()
        time.sleep(0.1)
    raise AssertionError(f"not within {bound_s:.0f} s: {what}")


def test_a_worker_killed_mid_load_is_replaced_and_fails_only_its_in_flight_requests(
        service_state: Path, data_dir: Path) -> None:
    env = {"SCRIPTOHIO_DATA_DIR": str(data_dir), "SCRIPTOHIO_WARM_CACHE": "0",
           "SCRIPTOHIO_RATE_LIMIT": "1000000/minute",
           "SCRIPTOHIO_ADDRESS_RATE_LIMIT": "1000000/minute"}
    log_path = service_state / "serve.log"
    with running_service(service_state, env, args=("--workers", "2"), wait_ready=True,
                         timeout=180, log_path=log_path) as url:
        port = int(url.rsplit(":", 1)[1])
        serve = _serve_process(port)
        for _ in _until(120, "two workers"):
            if len(_workers(serve)) == 2:
                break
        first = {p.pid: p for p in _workers(serve)}
        for worker in first.values():
            _wait_ready(worker, port)

        records = [ClientRecord() for _ in range(CLIENTS)]
        stop, killed = threading.Event(), threading.Event()
        threads = [threading.Thread(target=_load, args=(url, r, stop, killed, n), daemon=True)
                   for n, r in enumerate(records)]
        for t in threads:
            t.start()
        time.sleep(BEFORE_KILL_S)
        # the worker holding most of the clients' connections (the kernel may give one all)
        on_worker = {pid: _client_ports(p, port) for pid, p in first.items()}
        victim_pid = max(on_worker, key=lambda pid: len(on_worker[pid]))
        victim_ports = on_worker[victim_pid]
        descendants = first[victim_pid].children(recursive=True)
        os.kill(victim_pid, signal.SIGKILL)
        killed.set()
        time.sleep(AFTER_KILL_S)
        stop.set()
        for t in threads:
            t.join(timeout=60)
        assert not any(t.is_alive() for t in threads)

        # every client got answers before the kill; the load reached the victim
        assert all(r.answered > 0 for r in records)
        assert victim_ports, on_worker
        # the service kept answering: every client was answered after the kill
        assert all(r.answered_after_kill > 0 for r in records), [
            (r.answered_after_kill, r.failures) for r in records]
        # failures: only clients whose connection was on the killed worker, each at most once
        failed = [r for r in records if r.failures]
        assert sum(len(r.failures) for r in records) <= len(victim_ports) <= CLIENTS
        for r in failed:
            assert len(r.failures) == 1, r.failures
            assert r.failures[0][1] in victim_ports, (r.failures, victim_ports)

        # the supervisor replaced it: a new worker, which loads and reports ready
        for _ in _until(120, "a replacement worker"):
            now = {p.pid for p in _workers(serve)}
            if len(now) == 2 and victim_pid not in now:
                break
        replacement = psutil.Process((now - set(first)).pop())
        assert f"worker {victim_pid} ended" in log_path.read_text()
        _wait_ready(replacement, port)
        assert httpx.get(url + "/ready", timeout=30).status_code == 200
        # new connections (either worker) are answered
        codes = [httpx.get(f"{url}/v1/teams/{team}", params={"season": 2024},
                           headers={"X-User-Id": "after"}, timeout=30).status_code
                 for team in TEAMS * 2]
        assert codes == [200] * len(codes)
        # the killed worker left nothing behind (its pool processes exit with their parent)
        for _ in _until(30, "the killed worker's children exit"):
            if not any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE
                       for p in descendants):
                break
