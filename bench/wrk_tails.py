"""Benchmark: wrk's tails at 1,000 and 10,000 connections on the warm mix, and the cold mix at
64 connections, this tree against a baseline commit (default 2d76e8a, before issue 16) in
the same run: issue 16's "P99/P90 was 47x" (warm, 1,000 connections) and "cold P99 574 ms".

Each version (the baseline a ``git worktree`` with its own ``src``) runs ``scriptohio serve``
(one worker, warming off, rate limits out of the way) pinned to CPU 0; ``wrk -t1 --latency
--timeout 30s`` runs pinned to CPU 1 (``taskset``), with this process's open-file limit
raised to its hard limit for both. Per round and version:

- warm mix: a fresh service; every path of the mix (team profiles, rankings by every method,
  week slates and predictions of 2024, ``WARM_PATHS``) asked once first, then wrk at
  ``-c1000`` and ``-c10000`` over it with ``bench/wrk/team_pages.lua`` (paths in turn);
- cold mix: a fresh service, ``bench/wrk/cold_predict.lua`` at ``-c64`` (every request a
  prediction nobody asked before; the same sequence for both versions).

Rounds interleave the versions (baseline, now, baseline, now); the table has each run and the
median of the rounds. wrk's latency excludes requests it timed out (30 s), so timeouts are
reported beside it. The kernel caps a listen backlog at ``net.core.somaxconn`` (printed).

Run: SCRIPTOHIO_DATA_DIR=/path/to/data .venv/bin/python bench/wrk_tails.py
     [--baseline 2d76e8a] [--seconds 20] [--rounds 2]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.servers import running_service  # noqa: E402

from scriptohio.testing.topology import loopback_balancer  # noqa: E402

WRK_DIR = ROOT / "bench" / "wrk"
TEAMS = ("Ohio%20State", "Michigan", "Georgia", "Texas", "Oregon", "Alabama", "Penn%20State",
         "Notre%20Dame", "Clemson", "LSU", "Tennessee", "Miami", "Indiana", "Boise%20State",
         "SMU", "Arizona%20State")
WARM_PATHS = (
    [f"/v1/teams/{t}?season=2024" for t in TEAMS]
    + [f"/v1/rankings?season=2024&method={m}" for m in ("ensemble", "elo", "srs", "efficiency")]
    + [f"/v1/games?season=2024&week={w}" for w in range(5, 15)]
    + [f"/v1/predict?home={h}&away={a}&season=2024&week=12"
       for h, a in zip(TEAMS[::2], TEAMS[1::2], strict=True)]
)
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}
#: HAProxy's nice in the second edge arm: ahead of wrk on the core they share, as a balancer
#: with a core of its own would be (bench/overload_cold.py gives it the same)
LB_NICE = -10
ENV = {"SCRIPTOHIO_WARM_CACHE": "0", "SCRIPTOHIO_RATE_LIMIT": "100000000/minute",
       "SCRIPTOHIO_ADDRESS_RATE_LIMIT": "100000000/minute"}


@dataclass
class Run:
    version: str
    mix: str
    connections: int
    round: int
    p50: float
    p90: float
    p99: float
    rps: float
    connect: int
    read: int
    write: int
    timeout: int
    non2xx: int
    statuses: str = ""  # cold_predict.lua's count of 200s, 503s and others
    seconds: float = 0.0

    @property
    def ratio(self) -> float:
        return self.p99 / self.p90 if self.p90 else float("nan")

    @property
    def ok_rps(self) -> float:
        """Answers per second that were not errors (wrk's req/s counts a 503 too)."""
        return self.rps - self.non2xx / self.seconds if self.seconds else float("nan")


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)([a-z]+)", text).groups()  # type: ignore[union-attr]
    return float(number) * UNITS[unit]


def parse(out: str, version: str, mix: str, connections: int, rnd: int) -> Run:
    lat = {p: _ms(m[1]) for p in ("50", "90", "99")
           if (m := re.search(rf"^\s+{p}%\s+([\d.]+\w+)", out, re.M))}
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                       out)
    connect, read, write, timeout = (int(x) for x in errors.groups()) if errors else (0,) * 4
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    statuses = re.search(r"^status 200: (\d+) \([\d.]+/s\)\s+503: (\d+)\s+other: (\d+)",
                         out, re.M)
    return Run(version, mix, connections, rnd, lat.get("50", float("nan")),
               lat.get("90", float("nan")), lat.get("99", float("nan")),
               float(rps[1]) if rps else 0.0, connect, read, write, timeout,
               int(non2xx[1]) if non2xx else 0,
               "200: {} / 503: {} / other: {}".format(*statuses.groups()) if statuses else "")


def wrk(url: str, script: str, connections: int, seconds: int,
        env: dict[str, str]) -> str:
    cmd = ["taskset", "-c", "1", "wrk", "-t1", f"-c{connections}", f"-d{seconds}s",
           "--timeout", "30s", "--latency", "-s", str(WRK_DIR / script), url]
    done = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, **env},
                          timeout=seconds + 120)
    return done.stdout + done.stderr


def state_dir(work: Path, name: str) -> Path:
    path = work / name
    path.mkdir()
    (path / "models").symlink_to(ROOT / "var" / "models", target_is_directory=True)
    return path


@contextlib.contextmanager
def baseline_tree(rev: str, path: Path) -> Iterator[Path]:
    """``rev`` checked out at ``path`` (a detached ``git worktree``), removed on exit."""
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(path), rev],
                   check=True, capture_output=True)
    try:
        yield path
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(path)],
                       check=False, capture_output=True)


def head_rev() -> str:
    return subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True, check=True).stdout.strip()


def warm_up(url: str) -> list[int]:
    """Every path of the warm mix asked twice (the second from L1): the statuses."""
    with httpx.Client(base_url=url, timeout=60) as client:
        return [client.get(p).status_code for p in WARM_PATHS * 2]


@contextlib.contextmanager
def service(label: str, src: Path, work: Path, name: str, edge: int | None,
            loop: str = "uvloop") -> Iterator[str]:
    """The service on CPU 0 on ``loop`` (``serve --loop``; the baseline has only uvloop);
    unless ``edge`` is None, behind HAProxy (the shipped configuration, its global connection
    cap raised for 10,000 clients) on CPU 1 beside wrk, at nice ``edge``."""
    env = {**ENV, "PYTHONPATH": str(src), "SCRIPTOHIO_LOOP": loop}
    state = state_dir(work, f"{name}-{'base' if 'baseline' in label else 'now'}"
                      f"{'' if edge is None else f'-edge{edge}'}-{loop}")
    with running_service(state, env, wait_ready=True, timeout=120, cwd=ROOT, cpus={0}) as url:
        if edge is None:
            yield url
            return
        lb_dir = state / "lb"
        lb_dir.mkdir()
        with loopback_balancer({"s1": url.removeprefix("http://")}, lb_dir, cpus={1},
                               nice=edge, maxconn=9_950) as lb:  # 2 fds a connection: under 20k
            yield lb.url


def warm_runs(label: str, src: Path, work: Path, rnd: int, seconds: int,
              edge: int | None = None, loop: str = "uvloop") -> list[Run]:
    runs = []
    with service(label, src, work, f"warm-{rnd}", edge, loop) as url:
        codes = warm_up(url)
        if set(codes) != {200}:
            print(f"  warm-up answers: {sorted(set(codes))}", flush=True)
        for connections in (1000, 10000):
            out = wrk(url, "team_pages.lua", connections, seconds,
                      {"PATHS": " ".join(WARM_PATHS)})
            run = parse(out, label, "warm", connections, rnd)
            run.seconds = seconds
            print(f"  {label} warm c{connections}: P50 {run.p50:.1f} P90 {run.p90:.1f} "
                  f"P99 {run.p99:.1f} ms (P99/P90 {run.ratio:.1f}x), {run.rps:.0f} req/s, "
                  f"errors c{run.connect} r{run.read} w{run.write} t{run.timeout} "
                  f"non-2xx {run.non2xx}", flush=True)
            runs.append(run)
            time.sleep(3)  # let the closed connections drain before the next run
    return runs


def cold_run(label: str, src: Path, work: Path, rnd: int, seconds: int,
             teams_file: Path, edge: int | None = None, loop: str = "uvloop") -> Run:
    with service(label, src, work, f"cold-{rnd}", edge, loop) as url:
        out = wrk(url, "cold_predict.lua", 64, seconds,
                  {"TEAMS_FILE": str(teams_file), "OFFSET": str(rnd * 5_000_000)})
    run = parse(out, label, "cold", 64, rnd)
    run.seconds = seconds
    print(f"  {label} cold c64: P50 {run.p50:.1f} P90 {run.p90:.1f} P99 {run.p99:.1f} ms, "
          f"{run.rps:.0f} req/s, errors c{run.connect} r{run.read} w{run.write} "
          f"t{run.timeout} non-2xx {run.non2xx} ({run.statuses})", flush=True)
    return run


def fmt(runs: list[Run]) -> str:
    def med(values: list[float]) -> float:
        return statistics.median(values)

    return (f"{med([r.p50 for r in runs]):.1f} | {med([r.p90 for r in runs]):.1f} | "
            f"{med([r.p99 for r in runs]):,.1f} | {med([r.ratio for r in runs]):.1f}x | "
            f"{med([r.rps for r in runs]):,.0f} | {med([r.ok_rps for r in runs]):,.0f} | "
            f"{sum(r.connect for r in runs)} / {sum(r.read for r in runs)} / "
            f"{sum(r.timeout for r in runs)} / {sum(r.non2xx for r in runs)}")


def report(runs: list[Run], labels: list[str], head: str, args: argparse.Namespace,
           load: tuple[float, float], started: str) -> str:
    lines = ["# wrk tails: warm mix at 1,000 and 10,000 connections, cold mix at 64 "
             "(bench/wrk_tails.py)", "",
             f"Run {started}, load average {load[0]:.2f} at the start and {load[1]:.2f} at the "
             f"end (a 2-core machine shared with other sessions). Command: "
             f"`SCRIPTOHIO_DATA_DIR=/work/shared/data .venv/bin/python bench/wrk_tails.py "
             f"--baseline {args.baseline} --seconds {args.seconds} --rounds {args.rounds}"
             f"{' --asyncio' if args.asyncio else ''}{' --edge' if args.edge else ''}`. "
             f"Service (one worker, warming off) on CPU 0, `wrk -t1 --latency --timeout 30s` "
             f"on CPU 1, {args.seconds} s per run; {args.rounds} rounds interleaved, each on "
             f"fresh services; medians of the rounds (errors summed over them). "
             f"`net.core.somaxconn` = {_somaxconn()} (the kernel's cap on any listen "
             f"backlog). wrk leaves the requests it timed out (30 s) out of its percentiles.",
             "", "Errors: wrk's socket errors connect / read / timeout, and non-2xx answers.",
             "", "| mix | connections | version | P50 ms | P90 ms | P99 ms | P99/P90 | req/s "
             "| 2xx/s | errors c / r / t / non-2xx |", "|---" * 10 + "|"]
    for mix, connections in (("warm", 1000), ("warm", 10000), ("cold", 64)):
        for label in labels:
            these = [r for r in runs if r.version == label and r.mix == mix
                     and r.connections == connections]
            if these:
                lines.append(f"| {mix} | {connections:,} | {label} | {fmt(these)} |")
    lines += ["", "Each run:", "", "| mix | connections | version | round | P50 ms | P90 ms "
              "| P99 ms | P99/P90 | req/s | 2xx/s | connect | read | write | timeout | non-2xx "
              "| statuses (cold) |", "|---" * 16 + "|"]
    for r in runs:
        lines.append(f"| {r.mix} | {r.connections:,} | {r.version} | {r.round} | {r.p50:.1f} "
                     f"| {r.p90:.1f} | {r.p99:,.1f} | {r.ratio:.1f}x | {r.rps:,.0f} | "
                     f"{r.ok_rps:,.0f} | "
                     f"{r.connect} | {r.read} | {r.write} | {r.timeout} | {r.non2xx} | "
                     f"{r.statuses or '-'} |")
    lines += ["", "Ratios, now against the baseline (medians):", ""]
    base = labels[0]
    for now in labels[1:]:
        for mix, connections, what in (("warm", 1000, "ratio"), ("warm", 10000, "ratio"),
                                       ("cold", 64, "p99")):
            b = [getattr(r, what) for r in runs if r.version == base and r.mix == mix
                 and r.connections == connections]
            n = [getattr(r, what) for r in runs if r.version == now and r.mix == mix
                 and r.connections == connections]
            if b and n:
                name = "P99/P90" if what == "ratio" else "P99"
                unit = "x" if what == "ratio" else " ms"
                lines.append(f"- {mix} mix, {connections:,} connections, {name}: baseline "
                             f"{statistics.median(b):.1f}{unit}, {now} "
                             f"{statistics.median(n):.1f}{unit} (/ baseline "
                             f"{statistics.median(n) / statistics.median(b):.2f})")
    return "\n".join(lines) + "\n"


def _somaxconn() -> str:
    try:
        return Path("/proc/sys/net/core/somaxconn").read_text().strip()
    except OSError:
        return "unknown"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="2d76e8a")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--asyncio", action="store_true",
                        help="also this tree on asyncio's loop (serve --loop asyncio)")
    parser.add_argument("--edge", action="store_true",
                        help="also this tree behind HAProxy (deploy/haproxy), on CPU 1 with "
                             f"wrk: at nice 0, and at nice {LB_NICE} (ahead of wrk)")
    parser.add_argument("--out", type=Path,
                        default=ROOT / "docs" / "results" / "wrk-tails.md")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwind: services, worktree
    if "SCRIPTOHIO_DATA_DIR" not in os.environ:
        sys.exit("set SCRIPTOHIO_DATA_DIR to the real data")
    if shutil.which("wrk") is None or (os.cpu_count() or 1) < 2:
        sys.exit("needs wrk (Debian package) and two CPUs")
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # inherited by service and wrk
    if hard < 10_500:
        sys.exit(f"the open-file hard limit ({hard}) is too low for 10,000 connections")
    head = head_rev()
    load_start = os.getloadavg()[0]
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    runs: list[Run] = []
    with (tempfile.TemporaryDirectory(prefix="bench-wrk-tails-") as tmp,
          baseline_tree(args.baseline, Path(tmp) / "baseline") as base_tree):
        work = Path(tmp)
        versions: list[tuple[str, Path, int | None, str]] = [
            (f"baseline {args.baseline}", base_tree / "src", None, "uvloop"),
            (f"now ({head})", ROOT / "src", None, "uvloop")]
        if args.asyncio:
            versions.append((f"now ({head}), --loop asyncio", ROOT / "src", None, "asyncio"))
        if args.edge:
            versions.append((f"now ({head}), behind HAProxy", ROOT / "src", 0, "uvloop"))
            versions.append((f"now ({head}), behind HAProxy at nice {LB_NICE}", ROOT / "src",
                             LB_NICE, "uvloop"))
        teams_file = work / "teams.txt"
        with running_service(state_dir(work, "teams"), {**ENV, "PYTHONPATH": str(
                ROOT / "src")}, wait_ready=True, timeout=120, cwd=ROOT) as url:
            teams = httpx.get(url + "/v1/rankings", params={"season": 2024, "limit": 200},
                              timeout=60).json()["teams"]
        teams_file.write_text("".join(t["team"] + "\n" for t in teams))
        for rnd in range(1, args.rounds + 1):
            print(f"== round {rnd}", flush=True)
            for label, src, edge, loop in versions:
                runs += warm_runs(label, src, work, rnd, args.seconds, edge, loop)
                runs.append(cold_run(label, src, work, rnd, args.seconds, teams_file,
                                     edge, loop))
    text = report(runs, [v[0] for v in versions], head, args,
                  (load_start, os.getloadavg()[0]), started)
    print(text)
    args.out.write_text(text)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
