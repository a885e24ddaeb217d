"""Benchmark: cold-request overload at 3x and 10x capacity (open model), by what stands in
front of the service: HAProxy with admission at the edge (``deploy/haproxy/haproxy.cfg`` now),
HAProxy with the previous configuration (commit 42b04a2: 512 per replica, no refusal at the
door), or nothing (the service's own fixed in-flight bound; ``adaptive``: its opt-in adaptive
admission), same run, same commit of the service.

Against ``scriptohio serve`` (warming off, one worker, rate limits out of the way), each
request a prediction nobody asked before (2024, weeks 1-15, every ordered pair of teams), so
every one is computed. Per arm:

1. capacity: closed loop, 16 connections, 6 s: the peak goodput (200s per second);
2. open model at 0.5x the peak (baseline P95), 3x for 10 s, 0.5x for 10 s (recovery), 10x for
   10 s, 0.5x for 10 s. Arrivals are scheduled on a clock and each latency is measured from
   the scheduled time (no coordinated omission), over HTTP/1.1 keep-alive connections opened
   as needed, up to 4,000. The service is pinned to CPU 0, the driver and HAProxy to CPU 1
   (``--no-pin`` to share), so neither's work is the service's; how late the driver sent (its
   own lag, P95) is reported, so a driver that could not keep up shows.

The driver (``--drivers``): ``c``, bench/openloop.c, compiled for the run (~14 us of CPU per
request at 10x: ~0.2 of the core it shares with HAProxy), or ``python``, this process (a
uvloop protocol, a callback per request, requests built up front: ~50 us a request, ~0.7 of
that core at 10x, when its own delay in sending and reading becomes part of what it
measures).

Phases follow each other on the clock with no pause between them, so what an overload leaves
queued meets the next phase's arrivals; each request counts in the phase it was scheduled in.
Reported per phase: goodput (200s answered within the phase, per second) and its ratio to the
peak, admitted P95, shed answers
(503) and their P50/P99 latency, errors (no answer / other status / not sent), the service's
and HAProxy's peak RSS; per recovery phase, the seconds until a one-second window's P95 is
back within 1.5x of the baseline P95. Writes ``docs/results/overload-cold-open.md``.

Run: .venv/bin/python bench/overload_cold.py [--seconds 10] [--modes edge,before,direct]
     [--drivers c,python]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast
from urllib.parse import urlencode

import httpx
import psutil
import uvloop

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.servers import running_service  # noqa: E402

from scriptohio.testing.topology import TEMPLATE, loopback_balancer  # noqa: E402

MAX_CONNECTIONS = 4000
#: HAProxy shares CPU 1 with this driver: ahead of it, so that at 10x the balancer's refusals
#: are not queued behind the driver's sends (the driver's own lag is reported instead)
LB_NICE = -10


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
    #: the most connections the driver held open at once
    connections_peak: int = 0
    send_lag: list[float] = field(default_factory=list)
    rss_peak_mb: float = 0.0
    lb_rss_peak_mb: float = 0.0
    #: CPU seconds per second of the phase: service, HAProxy, this driver
    cores: tuple[float, float, float] = (0.0, 0.0, 0.0)


def cold_targets(teams: list[str]) -> list[str]:
    """Every request a prediction nobody asked before (its request target), made up front
    (building a URL costs the driver more than sending it)."""
    return ["/v1/predict?" + urlencode({"home": home, "away": away, "season": 2024,
                                        "week": week})
            for week in range(1, 16) for home, away in itertools.permutations(teams, 2)]


def cold_requests(teams: list[str]) -> Iterator[bytes]:
    """:func:`cold_targets` as the bytes the Python driver sends."""
    return iter([b"GET " + t.encode() + REQUEST_TAIL for t in cold_targets(teams)])


class Conn(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection, one request at a time: just enough parsing to time
    GETs honestly (status, Content-Length, Connection: close), at a small cost per request
    (a callback, no task), so one core can offer ~10k requests/s."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.transport: asyncio.Transport | None = None
        self.buf = bytearray()
        self.need = -1
        self.status = 0
        self.close_after = False
        self.on_done: Callable[[int], None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def send(self, request: bytes, on_done: Callable[[int], None]) -> None:
        assert self.transport is not None
        self.on_done = on_done
        self.transport.write(request)

    def data_received(self, data: bytes) -> None:
        self.buf += data
        if self.need < 0:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self.buf[:end]).lower()
            self.status = int(head[9:12])
            at = head.find(b"\r\ncontent-length:")
            if (at < 0 and self.status not in (204, 304)) or b"\r\ntransfer-encoding:" in head:
                raise RuntimeError(f"an answer this driver cannot time (status {self.status}: "
                                   "no Content-Length, or chunked)")
            length = int(head[at + 17:head.find(b"\r\n", at + 2)]) if at >= 0 else 0
            self.close_after = b"\r\nconnection: close" in head
            self.need = end + 4 + length
        if len(self.buf) >= self.need:
            del self.buf[:self.need]
            self.need = -1
            done, self.on_done = self.on_done, None
            if self.close_after:
                assert self.transport is not None
                self.transport.close()
            else:
                self.client.idle.append(self)
            if done is not None:
                done(self.status)

    def connection_lost(self, exc: Exception | None) -> None:
        self.client.open -= 1
        if self in self.client.idle:
            self.client.idle.remove(self)
        done, self.on_done = self.on_done, None
        if done is not None:
            done(0)


REQUEST_TAIL = b" HTTP/1.1\r\nHost: bench\r\nX-Role: production\r\nX-User-Id: bench\r\n\r\n"


class Client:
    """A pool of keep-alive connections, opened as needed up to ``MAX_CONNECTIONS``."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.idle: list[Conn] = []
        self.open = 0
        self.connecting: set[asyncio.Task[None]] = set()

    def request(self, request: bytes, on_done: Callable[[int], None]) -> bool:
        """Send now on an idle connection, or open one; False: at the connection bound."""
        if self.idle:
            self.idle.pop().send(request, on_done)
            return True
        if self.open >= MAX_CONNECTIONS:
            return False
        self.open += 1
        task = asyncio.ensure_future(self._connect(request, on_done))
        self.connecting.add(task)
        task.add_done_callback(self.connecting.discard)
        return True

    async def _connect(self, request: bytes, on_done: Callable[[int], None]) -> None:
        loop = asyncio.get_running_loop()
        try:
            _, conn = await loop.create_connection(lambda: Conn(self), "127.0.0.1", self.port)
        except OSError:
            self.open -= 1
            on_done(0)
            return
        conn.send(request, on_done)

    async def get(self, request: bytes) -> int:
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        if not self.request(request, future.set_result):
            return 0
        return await future

    def close(self) -> None:
        for conn in list(self.idle):
            if conn.transport is not None:
                conn.transport.close()
        self.idle.clear()


async def closed_loop(client: Client, requests: Iterator[bytes], connections: int,
                      seconds: float, phase: Phase) -> None:
    start = time.perf_counter()

    async def user() -> None:
        while (now := time.perf_counter()) - start < seconds:
            status = await client.get(next(requests))
            done = time.perf_counter()
            phase.samples.append(Sample(done - start, done - now, status))

    await asyncio.gather(*[user() for _ in range(connections)])


#: the answers still owed, across phases: request key -> (its phase, the phase's start, when
#: it was scheduled)
Owed = dict[int, tuple[Phase, float, float]]
_keys = itertools.count()


async def open_loop(client: Client, requests: Iterator[bytes], phase: Phase, start: float,
                    owed: Owed) -> None:
    """The phase's arrivals, on the clock from ``start``; returns at its end (``start`` +
    its seconds), whatever is still owed to it left in ``owed``: phases follow each other
    with no pause, so what an overload leaves queued meets the next phase's arrivals."""
    assert phase.rate is not None
    interval = 1.0 / phase.rate
    offered = math.ceil(phase.rate * phase.seconds)
    end = start + phase.seconds

    def recorder(key: int, scheduled: float) -> Callable[[int], None]:
        def done(status: int) -> None:
            if owed.pop(key, None) is not None:
                now = time.perf_counter()
                phase.samples.append(Sample(now - start, now - scheduled, status))
        return done

    n = 0
    while n < offered:
        now = time.perf_counter()
        due = start + n * interval
        while n < offered and due <= now:  # all that is due (a late loop sends a burst)
            phase.send_lag.append(now - due)
            phase.connections_peak = max(phase.connections_peak, client.open)
            key = next(_keys)
            owed[key] = (phase, start, due)
            if not client.request(next(requests), recorder(key, due)):
                del owed[key]
                phase.client_overflow += 1
            n += 1
            due = start + n * interval
        await asyncio.sleep(max(0.0, (due if n < offered else end) - time.perf_counter()))
    await asyncio.sleep(max(0.0, end - time.perf_counter()))


async def settle(owed: Owed, timeout: float = 30.0) -> None:
    """Wait for the answers still owed, at most ``timeout`` s; what is still owed then is
    recorded as no answer (status 0)."""
    deadline = time.perf_counter() + timeout
    while owed and time.perf_counter() < deadline:
        await asyncio.sleep(0.05)
    now = time.perf_counter()
    for phase, start, scheduled in owed.values():
        phase.samples.append(Sample(now - start, now - scheduled, 0))
    owed.clear()


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


async def watch_rss(pids: list[int], phase: Phase, stop: asyncio.Event) -> None:
    """Peak RSS of the service (first pid) and of the balancer in front of it (second); the
    CPU used by each and by this process (the C driver reports its own)."""
    procs = [psutil.Process(pid) for pid in pids] + [psutil.Process()]

    def cpu() -> list[float]:
        return [sum(proc.cpu_times()[:2]) for proc in procs]

    began, started = cpu(), time.perf_counter()
    try:
        await _watch(procs, phase, stop)
    finally:
        with contextlib.suppress(psutil.Error):
            used = [b - a for a, b in zip(began, cpu(), strict=True)]
            took = time.perf_counter() - started
            phase.cores = (used[0] / took, used[1] / took if len(pids) > 1 else 0.0,
                           used[-1] / took)


async def _watch(procs: list[psutil.Process], phase: Phase, stop: asyncio.Event) -> None:
    procs = procs[:-1]
    while not stop.is_set():
        try:
            rss = [proc.memory_info().rss / 2**20 for proc in procs]
        except psutil.Error:
            return
        phase.rss_peak_mb = max(phase.rss_peak_mb, rss[0])
        if len(rss) > 1:
            phase.lb_rss_peak_mb = max(phase.lb_rss_peak_mb, rss[1])
        await asyncio.sleep(0.1)


CAPACITY = ("capacity (closed loop, 16 connections)", 16, 6.0)
PLAN = [("baseline 0.5x", 0.5), ("3x", 3.0), ("recovery after 3x", 0.5), ("10x", 10.0),
        ("recovery after 10x", 0.5)]


def plan_seconds(name: str, seconds: float) -> float:
    return 5.0 if name.startswith("baseline") else seconds


async def teams_of(port: int) -> list[str]:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
        return [t["team"] for t in (await http.get(
            "/v1/rankings", params={"season": 2024, "limit": 200})).json()["teams"]]


async def drive(port: int, pids: list[int], seconds: float) -> tuple[float, list[Phase]]:
    """The Python driver (``--drivers python``): this process, on uvloop."""
    requests = cold_requests(await teams_of(port))
    client = Client(port)
    capacity = Phase(CAPACITY[0], None, CAPACITY[2])
    stop = asyncio.Event()
    watcher = asyncio.create_task(watch_rss(pids, capacity, stop))
    await closed_loop(client, requests, CAPACITY[1], capacity.seconds, capacity)
    stop.set()
    await watcher
    peak = sum(1 for s in capacity.samples if s.status == 200) / capacity.seconds
    phases = [capacity]
    owed: Owed = {}
    start = time.perf_counter()
    for name, factor in PLAN:
        phase = Phase(name, factor * peak, plan_seconds(name, seconds))
        stop = asyncio.Event()
        watcher = asyncio.create_task(watch_rss(pids, phase, stop))
        print(f"  {name}: {phase.rate:.0f} req/s for {phase.seconds:.0f} s", flush=True)
        await open_loop(client, requests, phase, start, owed)
        start += phase.seconds
        stop.set()
        await watcher
        phases.append(phase)
    await settle(owed)
    client.close()
    return peak, phases


def build_openloop(workdir: Path) -> Path:
    """bench/openloop.c, compiled for this run."""
    binary = workdir / "openloop"
    subprocess.run([os.environ.get("CC", "cc"), "-O2", "-o", str(binary),
                    str(ROOT / "bench" / "openloop.c"), "-lm"], check=True)
    return binary


async def drive_c(port: int, pids: list[int], seconds: float,
                  binary: Path) -> tuple[float, list[Phase]]:
    """The C driver (``--drivers c``, bench/openloop.c): the same phases, measured the same
    way, at a few microseconds of CPU per request; it inherits this process's CPU."""
    workdir = binary.parent
    targets = workdir / "targets.txt"
    targets.write_text("\n".join(cold_targets(await teams_of(port))) + "\n")
    out = workdir / "samples.txt"
    phases = [Phase(CAPACITY[0], None, CAPACITY[2])] + [
        Phase(name, None, plan_seconds(name, seconds)) for name, _ in PLAN]
    plan = ",".join([f"closed:{CAPACITY[1]}:{CAPACITY[2]}"] + [
        f"open:{factor}:{phase.seconds}" for (_, factor), phase in zip(PLAN, phases[1:],
                                                                       strict=True)])
    proc = await asyncio.create_subprocess_exec(
        str(binary), str(port), str(targets), str(out), str(MAX_CONNECTIONS), plan,
        stdout=asyncio.subprocess.PIPE)
    assert proc.stdout is not None
    watching: tuple[asyncio.Event, asyncio.Task[None]] | None = None
    peak = 0.0
    async for raw in proc.stdout:
        word, *rest = raw.decode().split()
        if word == "peak":
            peak = float(rest[0])
        elif word in ("phase", "drain", "end"):
            if watching:
                watching[0].set()
                await watching[1]
                watching = None
            if word != "phase":
                continue
            phase = phases[int(rest[0])]
            print(f"  {phase.name}: {float(rest[1]):.0f} req/s for {phase.seconds:.0f} s",
                  flush=True)
            stop = asyncio.Event()
            watching = (stop, asyncio.create_task(watch_rss(pids, phase, stop)))
    if watching:
        watching[0].set()
        await watching[1]
    if await proc.wait():
        raise RuntimeError(f"openloop exited with {proc.returncode}")
    for line in out.read_text().splitlines():
        kind, index, *fields = line.split()
        phase = phases[int(index)]
        if kind == "P":  # rate, seconds, not sent, connections peak, cores, offered
            phase.rate = float(fields[0]) or None
            phase.client_overflow, phase.connections_peak = int(fields[2]), int(fields[3])
            phase.cores = (*phase.cores[:2], float(fields[4]))
        else:
            phase.samples.append(Sample(float(fields[0]), float(fields[1]), int(fields[2])))
            if phase.rate is not None:
                phase.send_lag.append(float(fields[3]))
    return peak, phases


def rows(mode: str, peak: float, phases: list[Phase]) -> list[str]:
    baseline = next(p for p in phases if p.name.startswith("baseline"))
    base_p95 = pct([s.latency for s in baseline.samples if s.status == 200], 0.95)
    out = []
    for phase in phases:
        ok = [s.latency for s in phase.samples if s.status == 200]
        shed = [s.latency for s in phase.samples if s.status == 503]
        failed = sum(1 for s in phase.samples if s.status == 0)
        other = sum(1 for s in phase.samples if s.status not in (0, 200, 503))
        errors = f"{failed + other + phase.client_overflow}" + (
            f" ({failed} no answer, {other} other status, {phase.client_overflow} not sent)"
            if failed + other + phase.client_overflow else "")
        # goodput: the 200s answered within the phase (not those of its requests answered in
        # the next one: they count in its latencies)
        goodput = sum(1 for s in phase.samples if s.status == 200
                      and s.at <= phase.seconds) / phase.seconds
        rec_text = ""
        if phase.name.startswith("recovery"):
            rec = recovery_s(phase, base_p95)
            rec_text = f"{rec:.0f}" if rec else f">{phase.seconds:.0f}"
        lb_rss = f"{phase.lb_rss_peak_mb:.0f}" if phase.lb_rss_peak_mb else ""
        out.append(
            f"| {mode} | {phase.name} | {phase.rate or 0:.0f} | {goodput:.0f} | "
            f"{goodput / peak:.2f} | {pct(ok, 0.5) * 1000:.0f} | {pct(ok, 0.95) * 1000:.0f} | "
            f"{len(shed)} | {pct(shed, 0.5) * 1000:.1f} | {pct(shed, 0.99) * 1000:.1f} | "
            f"{errors} | {phase.rss_peak_mb:.0f} | {lb_rss} | {rec_text} | "
            f"{phase.cores[0]:.2f} / {phase.cores[1]:.2f} / {phase.cores[2]:.2f} | "
            f"{pct(phase.send_lag, 0.95) * 1000:.1f} | {phase.connections_peak or ''} |")
    return out


@dataclass(frozen=True)
class Mode:
    """One arm of the comparison: what stands in front of the service, and its admission."""

    name: str
    label: str
    adaptive: bool = False
    haproxy_rev: str | None = None  # the deploy/haproxy/haproxy.cfg of this commit in front
    queue_per_server: int | None = None  # HAPROXY_QUEUE_PER_SERVER, if not the default
    loop: str = "uvloop"  # the service's event loop (serve --loop)


MODES = {
    "edge": Mode("edge", "HAProxy, admission at the edge (now, queue 1024 per replica)",
                 haproxy_rev="WORKTREE"),
    "edge256": Mode("edge256", "HAProxy, admission at the edge, queue 256 per replica",
                    haproxy_rev="WORKTREE", queue_per_server=256),
    "edge64": Mode("edge64", "HAProxy, admission at the edge, queue 64 per replica",
                   haproxy_rev="WORKTREE", queue_per_server=64),
    "keepopen": Mode("keepopen", "HAProxy, admission at the edge, refusals keep the connection "
                     "(6b59b1e)", haproxy_rev="6b59b1e"),
    "alwaysclose": Mode("alwaysclose", "HAProxy, admission at the edge, every refusal closes "
                        "(a624d55)", haproxy_rev="a624d55"),
    "before": Mode("before", "HAProxy, the previous configuration (42b04a2)",
                   haproxy_rev="42b04a2"),
    "direct": Mode("direct", "no balancer, fixed in-flight bound"),
    "direct_asyncio": Mode("direct_asyncio", "no balancer, fixed in-flight bound, --loop asyncio",
                           loop="asyncio"),
    "adaptive": Mode("adaptive", "no balancer, adaptive admission", adaptive=True),
}


@contextlib.contextmanager
def balancer(mode: Mode, service_port: int, cpus: set[int] | None,
             workdir: Path) -> Iterator[tuple[int, int]]:
    """HAProxy from ``mode``'s template in front of the service: (port, pid)."""
    template = TEMPLATE
    if mode.haproxy_rev != "WORKTREE":
        template = workdir / f"haproxy-{mode.haproxy_rev}.cfg"
        template.write_text(subprocess.run(
            ["git", "show", f"{mode.haproxy_rev}:deploy/haproxy/haproxy.cfg"], cwd=ROOT,
            check=True, capture_output=True, text=True).stdout)
    extra = {} if mode.queue_per_server is None else {"queue_per_server": mode.queue_per_server}
    with loopback_balancer({"s1": f"127.0.0.1:{service_port}"}, workdir, cpus=cpus,
                           nice=LB_NICE if cpus else 0, template=template, **extra) as lb:
        yield int(lb.url.rsplit(":", 1)[1]), lb.pid


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--modes", default="edge,edge256,edge64,before,direct",
                        help=f"comma-separated, of: {', '.join(MODES)}")
    parser.add_argument("--no-pin", action="store_true")
    parser.add_argument("--drivers", default="c",
                        help="comma-separated load drivers, each a run per mode: c "
                             "(bench/openloop.c, the default) or python (this process)")
    args = parser.parse_args()
    modes = [MODES[name] for name in args.modes.split(",")]
    drivers = args.drivers.split(",")
    if set(drivers) - {"c", "python"}:
        parser.error(f"--drivers: c or python, not {args.drivers}")
    if any(m.haproxy_rev for m in modes) and not shutil.which("haproxy"):
        print("haproxy is not installed (apt-get install haproxy)", file=sys.stderr)
        return 2
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # 4,000 connections, and HAProxy's
    pin = not args.no_pin and (os.cpu_count() or 1) >= 2
    if pin:
        os.sched_setaffinity(0, {1})
    table = ["| in front / admission | phase | offered req/s | goodput req/s | x peak "
             "| admitted P50 ms | admitted P95 ms | shed (503) | shed P50 ms | shed P99 ms "
             "| errors | service RSS MB | HAProxy RSS MB | recovery s "
             "| cores used: service / HAProxy / driver | driver lag P95 ms "
             "| driver connections open (peak; carried over from the phase before) |",
             "|---" * 17 + "|"]
    load = []
    for mode, driver in itertools.product(modes, drivers):
        label = mode.label + ("" if drivers == ["c"] else f"; {driver} driver")
        print(f"== {label}", flush=True)
        env = {"SCRIPTOHIO_RATE_LIMIT": "100000000/minute",
               "SCRIPTOHIO_ADDRESS_RATE_LIMIT": "100000000/minute",
               "SCRIPTOHIO_WARM_CACHE": "0", "SCRIPTOHIO_ADAPTIVE": "1" if mode.adaptive else "0",
               "SCRIPTOHIO_LOOP": mode.loop}
        state = Path(os.environ.get("SCRIPTOHIO_STATE_DIR") or ROOT / "var")
        with (running_service(state, env, wait_ready=True, timeout=120, cwd=ROOT,
                              cpus={0} if pin else None) as url,
              tempfile.TemporaryDirectory() as workdir):
            server = psutil.Process().children()[0]  # the service this bench started
            port = int(url.rsplit(":", 1)[1])
            with (balancer(mode, port, {1} if pin else None, Path(workdir))
                  if mode.haproxy_rev else contextlib.nullcontext((port, 0))) as (front, lb):
                load.append(os.getloadavg()[0])
                pids = [server.pid, lb] if lb else [server.pid]
                peak, phases = asyncio.Runner(loop_factory=uvloop.new_event_loop).run(
                    drive_c(front, pids, args.seconds, build_openloop(Path(workdir)))
                    if driver == "c" else drive(front, pids, args.seconds))
        print(f"  peak goodput {peak:.0f} req/s", flush=True)
        table += rows(label, peak, phases)
    print("\n".join(table))
    out = ROOT / "docs" / "results" / "overload-cold-open.md"
    out.write_text("# Cold-request overload, open model (bench/overload_cold.py)\n\n"
                   f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
                   + {"c": "the C driver (bench/openloop.c)",
                      "python": "the Python driver (--drivers python)"}.get(
                          args.drivers, "the drivers named in each row") + "; "
                   + ("service on CPU 0, driver and HAProxy on CPU 1" if pin else
                      f"{os.cpu_count()} cores shared by service, HAProxy and driver")
                   + "; load average at each arm's start: "
                   + ", ".join(f"{x:.1f}" for x in load) + ".\n\n"
                   + "\n".join(table) + "\n")
    print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
