"""Admission at the edge: the shipped HAProxy configuration (``deploy/haproxy/haproxy.cfg``)
in front of a backend that holds every request until the test lets it go.

What is checked is HAProxy's behaviour under our configuration, in the order it must happen
(each step waits for the balancer's own counters, never for a duration): a replica never gets
more than its ``maxconn`` at once; the next requests wait in HAProxy's queue; once the queue
holds more than ``queue_per_server`` per replica, a new request is refused at once with 503
problem+json and Retry-After, without reaching the replica; operations paths are never
refused at the door; a request that waits past ``timeout queue`` gets the same kind of 503.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from scriptohio.testing.topology import haproxy_stat, loopback_balancer
from tests.conftest import IN_CI
from tests.servers import free_port

MAXCONN = 2
QUEUE_PER_SERVER = 2
#: connections at the door above which its 503 also closes the connection
CLOSE_ABOVE = MAXCONN + QUEUE_PER_SERVER + 4


class HeldBackend:
    """An HTTP/1.1 server on loopback that answers 200 only when released, counting what it
    has received (the replica as HAProxy sees it: its /ready answers at once)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.received = 0
        self.max_open = 0
        self._open = 0
        self._release: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._release = asyncio.Event()
        server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)
        self._ready.set()
        async with server:
            await server.serve_forever()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        assert self._release is not None
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                path = head.split(b" ", 2)[1]
                if path != b"/ready":
                    self.received += 1
                    self._open += 1
                    self.max_open = max(self.max_open, self._open)
                    await self._release.wait()
                    self._open -= 1
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                             b"content-length: 2\r\n\r\n{}")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    def release(self) -> None:
        assert self._loop is not None and self._release is not None
        self._loop.call_soon_threadsafe(self._release.set)

    def __enter__(self) -> HeldBackend:
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def wait_for(predicate: object, what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def refusals_on_one_connection(url: str) -> tuple[list[bytes], bool]:
    """Two keep-alive GETs, one after the other, on one raw connection: the status lines
    answered, and whether the balancer ended the stream after the first answer."""
    host, port = url.removeprefix("http://").split(":")
    request = b"GET /v1/predict?raw=1 HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n"
    statuses: list[bytes] = []
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        reader = sock.makefile("rb")
        for _ in range(2):
            try:
                sock.sendall(request)
            except OSError:  # reset: closed after the first answer
                return statuses, True
            status = reader.readline()  # a timeout here (neither answered nor closed) fails
            if not status:
                return statuses, True
            statuses.append(status.split(b" ", 2)[1])
            length = 0
            while (line := reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            assert b"Overloaded" in reader.read(length)
    return statuses, False


@pytest.fixture
def edge(tmp_path: Path) -> Iterator[tuple[str, str, HeldBackend]]:
    if shutil.which("haproxy") is None:
        if IN_CI:
            pytest.fail("haproxy is not installed (.ci/run installs it)")
        pytest.skip("haproxy is not installed")
    with (HeldBackend() as backend,
          loopback_balancer({"s1": f"127.0.0.1:{backend.port}"}, tmp_path,
                            server_maxconn=MAXCONN, queue_per_server=QUEUE_PER_SERVER,
                            queue_timeout="3s", close_above=CLOSE_ABOVE) as lb):
        try:
            yield lb.url, lb.stats_socket, backend
        finally:
            backend.release()


def test_the_edge_holds_a_replica_to_maxconn_queues_then_sheds_at_once(
        edge: tuple[str, str, HeldBackend]) -> None:
    url, sock, backend = edge
    results: dict[int, httpx.Response] = {}

    def send(i: int, path: str = "/v1/predict?i={}") -> threading.Thread:
        def run() -> None:
            results[i] = httpx.get(url + path.format(i), timeout=30)
        thread = threading.Thread(target=run)
        thread.start()
        return thread

    held = [send(i) for i in range(MAXCONN)]
    wait_for(lambda: backend.received == MAXCONN, "the replica holding maxconn requests")
    queued = [send(MAXCONN + i) for i in range(QUEUE_PER_SERVER + 1)]
    wait_for(lambda: int(haproxy_stat(sock, "replicas", "BACKEND")["qcur"]) == QUEUE_PER_SERVER + 1,
             "the queue beyond its bound")
    assert backend.received == MAXCONN  # the queue holds them, the replica never saw them

    refused = httpx.get(url + "/v1/predict?refused=1", timeout=30)
    assert refused.status_code == 503
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.headers["retry-after"] == "1"
    problem = json.loads(refused.content)
    assert problem["status"] == 503 and "Overloaded" in problem["detail"]
    # up to CLOSE_ABOVE connections at the door, a refused connection stays open for the next
    # request; past it, the door ends each refused connection (a client that asks again at
    # once must connect again). Held now: MAXCONN + QUEUE_PER_SERVER + 1; the probe is one more
    port = int(url.rsplit(":", 1)[1])
    held_now = MAXCONN + QUEUE_PER_SERVER + 1
    opened: list[socket.socket] = []
    with contextlib.ExitStack() as idle:
        def door_holds(count: int) -> None:
            while len(opened) < count - held_now:
                opened.append(idle.enter_context(socket.create_connection(("127.0.0.1", port))))
            wait_for(lambda: int(haproxy_stat(sock, "api", "FRONTEND")["scur"]) == count,
                     f"the door holding {count} connections")

        door_holds(CLOSE_ABOVE - 1)  # the probe makes CLOSE_ABOVE: not more than the bound
        assert "close" not in refused.headers.get("connection", "")
        assert refusals_on_one_connection(url) == ([b"503", b"503"], False)
        door_holds(CLOSE_ABOVE)  # the probe makes CLOSE_ABOVE + 1
        assert refusals_on_one_connection(url) == ([b"503"], True)
        closed = httpx.get(url + "/v1/predict?refused=2", timeout=30)
        assert closed.status_code == 503 and closed.headers["connection"] == "close"
    assert backend.received == MAXCONN

    # an operations path is not refused at the door: it queues like the others
    ops = send(99, "/health")
    wait_for(lambda: int(haproxy_stat(sock, "replicas", "BACKEND")["qcur"]) == QUEUE_PER_SERVER + 2,
             "/health queued, not refused")

    # held past `timeout queue` (3 s): the queued requests get HAProxy's 503, as problem+json
    for thread in queued:
        thread.join(30)
    for i in range(MAXCONN, MAXCONN + QUEUE_PER_SERVER + 1):
        assert results[i].status_code == 503, results[i].text
        assert results[i].headers["content-type"] == "application/problem+json"
        assert results[i].headers["retry-after"] == "1"
        assert json.loads(results[i].content)["status"] == 503
    backend.release()
    for thread in [*held, ops]:
        thread.join(30)
    assert [results[i].status_code for i in range(MAXCONN)] == [200] * MAXCONN
    assert backend.max_open <= MAXCONN
