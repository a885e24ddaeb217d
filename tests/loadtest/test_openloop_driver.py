"""bench/openloop.c, the open-model driver of bench/overload_cold.py (built with the address
and undefined-behaviour sanitizers), against a real HTTP/1.1 server on loopback whose every
answer it can check: the count it offers at a rate, the statuses, keep-alive versus
``Connection: close``, latency from the scheduled time (a driver stopped mid-phase still
counts its arrivals from when they were due), and the requests it could not send at its
connection bound."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DELAY = 0.03  # seconds the server waits before a 200
PAUSE = 0.3  # seconds the driver is stopped for, mid-phase


@dataclass
class Seen:
    targets: list[str] = field(default_factory=list)
    connections: int = 0


@dataclass
class Run:
    phases: dict[int, tuple[float, float, int, int, float, int]]  # rate, seconds, not sent,
    # connections open at most, cores, offered
    samples: list[tuple[int, float, float, int, float]]  # phase, at, latency, status, lag
    stdout: str


def serve(seen: Seen, ready: threading.Event, stop: threading.Event, box: list[int]) -> None:
    """Every third request (by its ``n=``) gets 503 and the connection closed; the others
    200 after DELAY, on the same connection."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.connections += 1
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
                target = head.split(b" ", 2)[1].decode()
                seen.targets.append(target)
                if int(target.rsplit("n=", 1)[1]) % 3 == 2:
                    writer.write(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n"
                                 b"Connection: close\r\n\r\nbusy")
                    await writer.drain()
                    break
                await asyncio.sleep(DELAY)
                body = target.encode()
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n"
                             b"content-length: %d\r\n\r\n%s" % (len(body), body))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        box.append(server.sockets[0].getsockname()[1])
        ready.set()
        while not stop.is_set():
            await asyncio.sleep(0.05)
        server.close()

    asyncio.run(main())


@pytest.fixture(scope="module")
def binary(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cc = shutil.which("cc") or shutil.which("gcc")
    assert cc, "a C compiler (cc or gcc) is needed for bench/openloop.c"
    out = tmp_path_factory.mktemp("openloop") / "openloop"
    subprocess.run([cc, "-O1", "-g", "-Wall", "-Wextra",
                    "-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-o", str(out),
                    str(ROOT / "bench" / "openloop.c"), "-lm"], check=True)
    return out


@pytest.fixture
def server() -> Iterator[tuple[int, Seen]]:
    seen, ready, stop = Seen(), threading.Event(), threading.Event()
    box: list[int] = []
    thread = threading.Thread(target=serve, args=(seen, ready, stop, box), daemon=True)
    thread.start()
    assert ready.wait(10)
    yield box[0], seen
    stop.set()
    thread.join(10)


def run(binary: Path, tmp_path: Path, port: int, plan: str, max_conns: int = 1000,
        pause_after: float | None = None) -> Run:
    """Run the driver; with ``pause_after``, SIGSTOP it that many seconds into its first
    open phase, for PAUSE seconds."""
    targets = tmp_path / "targets.txt"
    targets.write_text("".join(f"/x?n={n}\n" for n in range(20_000)))
    out = tmp_path / "samples.txt"
    proc = subprocess.Popen([str(binary), str(port), str(targets), str(out), str(max_conns),
                             plan], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "ASAN_OPTIONS": "detect_leaks=0"})
    assert proc.stdout is not None
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if pause_after is not None and line.startswith("phase 1 "):
            time.sleep(pause_after)
            proc.send_signal(signal.SIGSTOP)
            time.sleep(PAUSE)
            proc.send_signal(signal.SIGCONT)
    assert proc.wait(timeout=60) == 0
    phases: dict[int, tuple[float, float, int, int, float, int]] = {}
    samples = []
    for line in out.read_text().splitlines():
        kind, index, *f = line.split()
        if kind == "P":
            phases[int(index)] = (float(f[0]), float(f[1]), int(f[2]), int(f[3]), float(f[4]),
                                  int(f[5]))
        else:
            samples.append((int(index), float(f[0]), float(f[1]), int(f[2]), float(f[3])))
    return Run(phases, samples, "".join(lines))


def test_offers_the_rate_times_the_peak_and_times_from_the_schedule(
        binary: Path, tmp_path: Path, server: tuple[int, Seen]) -> None:
    port, seen = server
    result = run(binary, tmp_path, port, "closed:4:1,open:2:1.5,open:1:0.5", pause_after=0.5)
    peak = float(result.stdout.split("peak ")[1].split()[0])
    closed = [s for s in result.samples if s[0] == 0]
    assert peak == sum(1 for s in closed if s[3] == 200) / 1.0 > 0
    for index, factor in ((1, 2), (2, 1)):
        rate, seconds, not_sent, _, cores, offered = result.phases[index]
        these = [s for s in result.samples if s[0] == index]
        # each open phase offers factor x the peak, every arrival sent or counted as not
        assert rate == pytest.approx(factor * peak, abs=0.01)
        assert rate * seconds - 0.01 <= offered < rate * seconds + 1.01  # ceil(rate x seconds)
        assert (len(these), not_sent) == (offered, 0)
        assert 0 <= cores < 1
        for _, at, latency, status, lag in these:
            # timed from when it was due, which lies within its phase
            assert latency >= lag >= 0
            assert -1e-3 <= at - latency < seconds
            if status == 200:  # it waited DELAY at the server too
                assert latency >= lag + DELAY
    # the arrivals due while the driver was stopped were sent late, and timed from when due
    assert any(s[4] >= PAUSE / 2 for s in result.samples if s[0] > 0)
    # every request the server saw was answered once, with the status the server chose
    assert len(result.samples) == len(seen.targets)
    want = [503 if n % 3 == 2 else 200 for n in range(len(seen.targets))]
    got = sorted(s[3] for s in result.samples)
    assert got == sorted(want)
    # each 503 closed its connection; the 200s came on kept-alive ones: every connection
    # ended at a 503 or was still open at the end (at most the most open at once)
    most_open = max(p[3] for p in result.phases.values())
    assert seen.connections <= got.count(503) + most_open < len(result.samples)


def test_counts_what_it_could_not_send_at_its_connection_bound(
        binary: Path, tmp_path: Path, server: tuple[int, Seen]) -> None:
    port, seen = server
    # two connections, each answered at best every DELAY s: at 30x what they carried in the
    # closed loop, most arrivals find both busy
    result = run(binary, tmp_path, port, "closed:2:0.5,open:30:1", max_conns=2)
    _, _, not_sent, conns_peak, _, offered = result.phases[1]
    sent = sum(1 for s in result.samples if s[0] == 1)
    assert conns_peak <= 2
    assert not_sent > sent > 0
    assert sent + not_sent == offered
    assert len(result.samples) == len(seen.targets)


def test_an_answer_it_cannot_time_stops_it(binary: Path, tmp_path: Path) -> None:
    """A chunked answer would be timed at its head: the driver refuses to measure it."""

    async def chunked(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                     b"2\r\nok\r\n0\r\n\r\n")
        await writer.drain()

    async def main() -> subprocess.CompletedProcess[str]:
        server = await asyncio.start_server(chunked, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        targets = tmp_path / "targets.txt"
        targets.write_text("/x\n" * 100)
        return await asyncio.to_thread(
            subprocess.run, [str(binary), str(port), str(targets), str(tmp_path / "out.txt"),
                             "10", "closed:1:0.5"], capture_output=True, text=True, timeout=30)

    done = asyncio.run(main())
    assert done.returncode != 0
    assert "chunked" in done.stderr


def test_a_connection_it_cannot_make_is_a_sample_with_no_answer(
        binary: Path, tmp_path: Path) -> None:
    """Nothing listening: every try in the closed loop is recorded as status 0 (not as 'not
    sent', and without spinning), and with no 200 there is no peak: it stops, saying so."""
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    targets = tmp_path / "targets.txt"
    targets.write_text("/x\n" * 500_000)  # each failed try uses one
    out = tmp_path / "out.txt"
    done = subprocess.run([str(binary), str(port), str(targets), str(out), "10",
                           "closed:2:0.3,open:1:0.3"], capture_output=True, text=True, timeout=30,
                          env={**os.environ, "ASAN_OPTIONS": "detect_leaks=0"})
    assert done.returncode == 1
    assert "no 200 in the closed loop" in done.stderr
    assert "peak 0.0" in done.stdout
    lines = out.read_text().splitlines()
    assert lines[0].split()[:5] == ["P", "0", "0.000", "0.300", "0"]  # nothing 'not sent'
    statuses = [line.split()[4] for line in lines[1:]]
    assert len(statuses) >= 2 and set(statuses) == {"0"}
