"""HTTP limits at the server layer, against a real ``scriptohio serve`` on loopback, with raw
sockets (a client that misbehaves the way attackers do)."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.servers import running_service

LIMITS = ("--max-header-bytes", "8192", "--max-headers", "50", "--header-timeout", "1",
          "--body-timeout", "1")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    state = tmp_path_factory.mktemp("limits")
    with running_service(state, {"SCRIPTOHIO_WARM_CACHE": "0"}, args=LIMITS) as url:
        host, port = url.removeprefix("http://").split(":")
        yield host, int(port)


def _answer(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """Read a whole response (the server closes after refusing); status, headers, body."""
    sock.settimeout(20)
    data = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, BrokenPipeError):
            break
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return status, {k.lower(): v for k, v in headers.items()}, body


def _send_all(sock: socket.socket, chunks: Iterator[bytes]) -> None:
    try:
        for chunk in chunks:
            sock.sendall(chunk)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server closed on us: what we are testing


def test_a_header_flood_gets_431_and_the_server_stays_up(server: tuple[str, int]) -> None:
    with socket.create_connection(server) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
        _send_all(sock, (b"X-B: " + b"b" * 1000 + b"\r\n" for _ in range(3000)))
        status, headers, body = _answer(sock)
    assert status == 431
    assert headers["content-type"] == "application/problem+json"
    assert json.loads(body)["status"] == 431
    assert httpx.get(f"http://{server[0]}:{server[1]}/health").status_code == 200


def test_too_many_headers_get_431(server: tuple[str, int]) -> None:
    with socket.create_connection(server) as sock:
        headers = b"".join(b"X-%d: 1\r\n" % i for i in range(60))
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n")
        status, _, body = _answer(sock)
    assert status == 431 and "headers" in json.loads(body)["detail"]


def test_a_slow_request_gets_408_and_its_socket_back(server: tuple[str, int]) -> None:
    with socket.create_connection(server) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ")  # and nothing more
        status, headers, _ = _answer(sock)
    assert status == 408 and headers["connection"] == "close"
    with socket.create_connection(server) as idle:  # a connection that never says a word
        assert _answer(idle)[0] == 408


def test_a_body_that_never_arrives_gets_408(server: tuple[str, int]) -> None:
    with socket.create_connection(server) as sock:
        sock.sendall(b"POST /v1/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 100\r\n\r\n{}")
        status, _, body = _answer(sock)
    assert status == 408 and "body" in json.loads(body)["detail"]


def test_bytes_that_are_not_http_get_a_problem_document(server: tuple[str, int]) -> None:
    with socket.create_connection(server) as sock:
        sock.sendall(b"\x16\x03\x01\x02\x00hello\r\n\r\n")
        status, headers, _ = _answer(sock)
    assert status == 400 and headers["content-type"] == "application/problem+json"


def test_a_large_body_after_small_headers_is_not_a_header_problem(
        server: tuple[str, int]) -> None:
    body = json.dumps({"query": "x" * 100_000}).encode()  # far over the header limit
    with socket.create_connection(server) as sock:
        sock.sendall(b"POST /v1/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Connection: close\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        status, _, _ = _answer(sock)
    assert status in (422, 503)  # the app's answer (too long a question, or still loading)


def test_bad_limits_are_refused_at_start(tmp_path: Path) -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "scriptohio.cli.main", "serve",
                           "--header-timeout", "0"], capture_output=True, text=True,
                          env={"SCRIPTOHIO_STATE_DIR": str(tmp_path), "PATH": "/usr/bin"},
                          timeout=60, check=False)
    assert done.returncode == 2 and "header_timeout_s" in done.stderr
