"""Benchmark: cold-request overload at 3x and 10x capacity (open model), adaptive admission on
against off, same run, same commit (``SCRIPTOHIO_ADAPTIVE=0`` is the fixed in-flight bound
the service had before issue 16).

Against ``scriptohio serve`` (warming off, one worker, rate limits out of the way), each
request a prediction nobody asked before (2024, weeks 5-14, every ordered pair of teams), so
every one is computed. Per mode:

1. capacity: closed loop, 16 connections, 6 s: the peak goodput (200s per second);
2. open model at 0.5x the peak (baseline P95), 3x for 10 s, 0.5x for 10 s (recovery), 10x for
   10 s, 0.5x for 10 s. Arrivals are scheduled on a clock and each latency is measured from
   the scheduled time (no coordinated omission); a raw HTTP/1.1 keep-alive client on asyncio
   streams, up to 4,000 connections. The service is pinned to CPU 0 and this driver to CPU 1
   (``--no-pin`` to share), so the driver's own work is not the service's; how late the driver
   sent (its own lag, P95) is reported, so a driver that could not keep up shows.

Reported per phase: goodput (200/s) and its ratio to the peak, admitted P95, shed answers
(503) and their P50/P99 latency, errors, the server's peak RSS; per recovery phase, the
seconds until a one-second window's P95 is back within 1.5x of the baseline P95.
Writes ``docs/results/overload-cold-open.md`` (the summary with wrk's closed-loop run is
``docs/results/overload-cold.md``).

Run: .venv/bin/python bench/overload_cold.py [--seconds 10] [--modes on,off]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.servers import running_service  # noqa: E402

MAX_CONNECTIONS = 4000


@dataclass
class Sample:
    at: float  # completion, seconds since the phase began
    latency: float
    status: int


@dataclass
class Phase:
    name: str
    rate: float | None
    seconds: float
    samples: list[Sample] = field(default_factory=list)
    client_overflow: int = 0
    send_lag: list[float] = field(default_factory=list)
    rss_peak_mb: float = 0.0


def cold_paths(teams: list[str]) -> Iterator[bytes]:
    for week in range(5, 15):
        for home, away in itertools.permutations(teams, 2):
            q = httpx.QueryParams({"home": home, "away": away, "season": 2024, "week": week})
            yield f"/v1/predict?{q}".encode()


class Client:
    """HTTP/1.1 keep-alive over asyncio streams: just enough to time GETs honestly."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.open = 0

    async def get(self, path: bytes) -> int:
        if self.idle:
            reader, writer = self.idle.pop()
        else:
            self.open += 1
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
            except OSError:
                self.open -= 1
                return 0
        try:
            writer.write(b"GET " + path + b" HTTP/1.1\r\nHost: bench\r\nX-Role: production\r\n"
                         b"X-User-Id: bench\r\n\r\n")
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            close = False
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"connection" and value.strip().lower() == b"close":
                    close = True
            await reader.readexactly(length)
        except (OSError, asyncio.IncompleteReadError, ValueError, asyncio.LimitOverrunError):
            writer.close()
            self.open -= 1
            return 0
        if close:
            writer.close()
            self.open -= 1
        else:
            self.idle.append((reader, writer))
        return status

    def close(self) -> None:
        for _, writer in self.idle:
            writer.close()
        self.idle.clear()


async def closed_loop(client: Client, paths: Iterator[bytes], connections: int,
                      seconds: float, phase: Phase) -> None:
    start = time.perf_counter()

    async def user() -> None:
        while (now := time.perf_counter()) - start < seconds:
            status = await client.get(next(paths))
            done = time.perf_counter()
            phase.samples.append(Sample(done - start, done - now, status))

    await asyncio.gather(*[user() for _ in range(connections)])


async def open_loop(client: Client, paths: Iterator[bytes], phase: Phase) -> None:
    assert phase.rate is not None
    start = time.perf_counter()
    interval = 1.0 / phase.rate
    tasks: set[asyncio.Task[None]] = set()

    async def one(scheduled: float) -> None:
        status = await client.get(next(paths))
        done = time.perf_counter()
        phase.samples.append(Sample(done - start, done - scheduled, status))

    n = 0
    while (now := time.perf_counter()) - start < phase.seconds:
        due = start + n * interval
        while due <= now:  # send everything that is due (a late loop sends a burst)
            phase.send_lag.append(now - due)
            if client.open - len(client.idle) >= MAX_CONNECTIONS:
                phase.client_overflow += 1
            else:
                task = asyncio.create_task(one(due))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            n += 1
            due = start + n * interval
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
    if tasks:
        await asyncio.wait(tasks, timeout=30)


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def recovery_s(phase: Phase, baseline_p95: float) -> float | None:
    """Seconds from the phase's start until a one-second window's P95 (200s) is back within
    1.5x of the baseline P95 (None: not within the phase)."""
    for second in range(int(phase.seconds)):
        window = [s.latency for s in phase.samples if second <= s.at < second + 1
                  and s.status == 200]
        if len(window) >= 5 and pct(window, 0.95) <= 1.5 * baseline_p95:
            return float(second + 1)
    return None


async def watch_rss(pid: int, phase: Phase, stop: asyncio.Event) -> None:
    proc = psutil.Process(pid)
    while not stop.is_set():
        try:
            phase.rss_peak_mb = max(phase.rss_peak_mb, proc.memory_info().rss / 2**20)
        except psutil.Error:
            return
        await asyncio.sleep(0.1)


async def drive(port: int, pid: int, seconds: float) -> tuple[float, list[Phase]]:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
        teams = [t["team"] for t in (await http.get(
            "/v1/rankings", params={"season": 2024, "limit": 200})).json()["teams"]]
    paths = cold_paths(teams)
    client = Client(port)
    capacity = Phase("capacity (closed loop, 16 connections)", None, 6.0)
    await closed_loop(client, paths, 16, capacity.seconds, capacity)
    peak = sum(1 for s in capacity.samples if s.status == 200) / capacity.seconds
    plan = [("baseline 0.5x", 0.5), ("3x", 3.0), ("recovery after 3x", 0.5), ("10x", 10.0),
            ("recovery after 10x", 0.5)]
    phases = [capacity]
    for name, factor in plan:
        phase = Phase(name, factor * peak, seconds if factor != 0.5 or "recovery" in name
                      else 5.0)
        stop = asyncio.Event()
        watcher = asyncio.create_task(watch_rss(pid, phase, stop))
        print(f"  {name}: {phase.rate:.0f} req/s for {phase.seconds:.0f} s", flush=True)
        await open_loop(client, paths, phase)
        stop.set()
        await watcher
        phases.append(phase)
    client.close()
    return peak, phases


def rows(mode: str, peak: float, phases: list[Phase]) -> list[str]:
    baseline = next(p for p in phases if p.name.startswith("baseline"))
    base_p95 = pct([s.latency for s in baseline.samples if s.status == 200], 0.95)
    out = []
    for phase in phases:
        ok = [s.latency for s in phase.samples if s.status == 200]
        shed = [s.latency for s in phase.samples if s.status == 503]
        errors = sum(1 for s in phase.samples if s.status not in (200, 503)) + \
            phase.client_overflow
        goodput = len(ok) / phase.seconds
        rec_text = ""
        if phase.name.startswith("recovery"):
            rec = recovery_s(phase, base_p95)
            rec_text = f"{rec:.0f}" if rec else f">{phase.seconds:.0f}"
        out.append(
            f"| {mode} | {phase.name} | {phase.rate or 0:.0f} | {goodput:.0f} | "
            f"{goodput / peak:.2f} | {pct(ok, 0.5) * 1000:.0f} | {pct(ok, 0.95) * 1000:.0f} | "
            f"{len(shed)} | {pct(shed, 0.5) * 1000:.1f} | {pct(shed, 0.99) * 1000:.1f} | "
            f"{errors} | {phase.rss_peak_mb:.0f} | {rec_text} | "
            f"{pct(phase.send_lag, 0.95) * 1000:.1f} |")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--modes", default="on,off")
    parser.add_argument("--no-pin", action="store_true")
    args = parser.parse_args()
    pin = not args.no_pin and (os.cpu_count() or 1) >= 2
    if pin:
        os.sched_setaffinity(0, {1})
    table = ["| admission | phase | offered req/s | goodput req/s | x peak | admitted P50 ms "
             "| admitted P95 ms | shed (503) | shed P50 ms | shed P99 ms | errors | RSS MB "
             "| recovery s | driver lag P95 ms |", "|---" * 14 + "|"]
    for mode in args.modes.split(","):
        adaptive = mode == "on"
        print(f"== adaptive admission {mode}", flush=True)
        env = {"SCRIPTOHIO_RATE_LIMIT": "100000000/minute",
               "SCRIPTOHIO_ADDRESS_RATE_LIMIT": "100000000/minute",
               "SCRIPTOHIO_WARM_CACHE": "0", "SCRIPTOHIO_ADAPTIVE": "1" if adaptive else "0"}
        state = Path(os.environ.get("SCRIPTOHIO_STATE_DIR") or ROOT / "var")
        with running_service(state, env, wait_ready=True, timeout=120, cwd=ROOT,
                             cpus={0} if pin else None) as url:
            server = psutil.Process().children()[0]  # the service this bench started
            port = int(url.rsplit(":", 1)[1])
            peak, phases = asyncio.run(drive(port, server.pid, args.seconds))
        print(f"  peak goodput {peak:.0f} req/s", flush=True)
        table += rows("adaptive" if adaptive else "fixed bound (before)", peak, phases)
    print("\n".join(table))
    out = ROOT / "docs" / "results" / "overload-cold.md"
    out = out.with_name("overload-cold-open.md")  # the summary (overload-cold.md) is edited
    out.write_text("# Cold-request overload, open model (bench/overload_cold.py)\n\n"
                   f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
                   + ("service on CPU 0, driver on CPU 1" if pin else
                      f"{os.cpu_count()} cores shared by service and driver") + ".\n\n"
                   + "\n".join(table) + "\n")
    print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
