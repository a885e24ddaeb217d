"""SIGTERM drains: readiness turns 503 at once, the service keeps answering for the drain
period (with ``Connection: close``), a request still in flight when it stops accepting is
answered, and the process exits 0."""

from __future__ import annotations

import signal
import socket
import time
from pathlib import Path

import httpx

from scriptohio.testing.topology import ServeProcess
from tests.servers import free_port

QUESTION = b'{"query": "who is the best team"}'


def _refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except ConnectionRefusedError:
        return True
    return False


def test_sigterm_drains_then_finishes_what_is_in_flight(service_state: Path) -> None:
    port = free_port()
    server = ServeProcess(service_state, port=port, env={"SCRIPTOHIO_DRAIN_S": "15"})
    server.start()
    try:
        server.wait_ready()
        url = server.url
        # a request in flight across the whole stop: its headers sent, half its body
        slow = socket.create_connection(("127.0.0.1", port), timeout=30)
        slow.sendall(b"POST /v1/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: %d\r\n\r\n" % len(QUESTION) + QUESTION[:10])
        assert httpx.get(url + "/ready").status_code == 200

        server.signal(signal.SIGTERM)
        # a drain long enough for a loaded host's five requests to land inside it
        deadline = time.monotonic() + 60
        while (ready := httpx.get(url + "/ready")).status_code != 503:
            assert time.monotonic() < deadline, "readiness never turned 503"
            time.sleep(0.05)
        assert ready.json()["draining"] is True
        # the balancer has not seen it yet: what it still sends is answered, and told to
        # reconnect (elsewhere)
        during = [httpx.get(url + "/v1/teams/Ohio%20State") for _ in range(5)]
        assert [r.status_code for r in during] == [200] * 5
        assert all(r.headers["connection"] == "close" for r in during)

        while not _refused(port):  # the drain period is over: no new connections
            assert time.monotonic() < deadline, "never stopped accepting"
            time.sleep(0.05)
        assert server.proc is not None and server.proc.poll() is None  # waits for the slow one
        slow.sendall(QUESTION[10:])
        head = slow.recv(65536)
        slow.close()
        assert head.startswith(b"HTTP/1.1 200 "), head[:200]
        assert server.wait(timeout_s=30) == 0
    finally:
        server.stop()
