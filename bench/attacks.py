"""Benchmark: the December attacks of issue 16, each repeated against this tree and a baseline
commit (default 2d76e8a, before any of issue 16's work) in the same run.

Each attack starts the real service (``scriptohio serve``, warming off, one worker, on a free
loopback port) from the version's own ``src`` (the baseline is a ``git worktree`` of it),
replays the attack with the counts and durations bounded, and records what it got:

1. header flood: one connection streams ``X-B: <1000 bytes>`` lines (at most 300,000 lines,
   301 MB, or 120 s) until the server answers or closes; status, bytes sent, RSS;
2. slowloris: 1,000 connections each sending a header line every 5 s for 30 s (how many the
   server closed, when, with what); a POST with ``Content-Length: 100`` and a 2-byte body;
4. Redis SIGKILLed under load (a redis-server of the bench's own on another port), 16 clients,
   down 10 s, back: failed requests, the service's log lines and tracebacks;
5. rotating ``X-User-Id``, and ``X-Forwarded-For`` from loopback, against 100/minute (how many
   of 130 get 200); an admin call from loopback with the default flags;
6. key mode: failed-auth guessing (tries before 429), ``scriptohio keys revoke`` and a key's row
   deleted from ``keys.sqlite`` while the service runs (seconds until refused), the file's mode;
7. one user creating backtest jobs (accepted before 429, of 60), SIGTERM with jobs running
   (their status in ``jobs.sqlite`` afterwards);
8. 405 and ``Allow``; the OpenAPI bounds of season and week; a chunked body over 5 MB;
   10,000 query parameters; a control character in a header (status and content type).

(Attack 3, overload, is measured by ``bench/overload_cold.py`` and ``bench/wrk_tails.py``.)
Writes ``docs/results/attacks.md``; progress goes to stdout as it runs. Loopback only.

Run: SCRIPTOHIO_DATA_DIR=/path/to/data .venv/bin/python bench/attacks.py [--baseline 2d76e8a]
     [--only 1,2,4,5,6,7,8]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import itertools
import json
import os
import select
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.conftest import PrivateRedis  # noqa: E402
from tests.servers import running_service  # noqa: E402

MB = 2**20
NOT_IN_BASELINE = "n/a (not in baseline)"
Results = dict[str, str]  # measurement -> what it got


@dataclass(frozen=True)
class Version:
    label: str
    src: Path
    is_baseline: bool


@dataclass
class Service:
    url: str
    port: int
    proc: psutil.Process
    state: Path
    log: Path
    version: Version

    def rss_mb(self) -> float:
        return self.proc.memory_info().rss / MB

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "PYTHONPATH": str(self.version.src),
               "SCRIPTOHIO_STATE_DIR": str(self.state)}
        return subprocess.run([sys.executable, "-m", "scriptohio.cli.main", *args], env=env,
                              capture_output=True, text=True, timeout=120)


def say(text: str) -> None:
    print(text, flush=True)


@contextmanager
def service(version: Version, work: Path, name: str, env: dict[str, str] | None = None,
            *, before_start: Callable[[Path], None] | None = None) -> Iterator[Service]:
    state = work / f"{name}-{'base' if version.is_baseline else 'now'}"
    state.mkdir()
    (state / "models").symlink_to(ROOT / "var" / "models", target_is_directory=True)
    if before_start is not None:
        before_start(state)
    log = state / "serve.log"
    full_env = {"PYTHONPATH": str(version.src), "SCRIPTOHIO_WARM_CACHE": "0", **(env or {})}
    with running_service(state, full_env, wait_ready=True, timeout=120, cwd=ROOT,
                         log_path=log) as url:
        port = int(url.rsplit(":", 1)[1])
        proc = next(p for p in psutil.Process().children()
                    if str(port) in p.cmdline() and "serve" in p.cmdline())
        yield Service(url, port, proc, state, log, version)


# -- raw HTTP on sockets ----------------------------------------------------------------

def read_head(sock: socket.socket, timeout: float) -> bytes:
    """The response's status line and headers (what arrived before ``timeout``)."""
    sock.settimeout(timeout)
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    except (TimeoutError, ConnectionError, OSError):
        pass
    return data


def describe(head: bytes) -> str:
    """``431 application/problem+json`` from a response head, or what happened instead."""
    if not head.startswith(b"HTTP/"):
        return "no answer" if not head else f"not HTTP: {head[:40]!r}"
    status = head[9:12].decode()
    ctype = next((line.split(b":", 1)[1].strip().decode() for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-type:")), "no content-type")
    return f"{status} {ctype.split(';')[0]}"


def raw_request(port: int, data: bytes, timeout: float = 30.0) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        with suppress(OSError):  # a server that refuses early may reset the rest
            sock.sendall(data)
        return describe(read_head(sock, timeout))


# -- 1. header flood --------------------------------------------------------------------

def attack_header_flood(svc: Service) -> Results:
    line = b"X-B: " + b"b" * 1000 + b"\r\n"
    batch = line * 64
    rss_before = svc.rss_mb()
    rss_peak = rss_before
    sent = 0
    head = b""
    outcome = ""
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", svc.port), timeout=30) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
        lines = 0
        while lines < 300_000:
            if time.monotonic() - start > 120:
                outcome = "stopped at the 120 s cap"
                break
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                head = read_head(sock, 5)
                outcome = "answered" if head else "closed by the server"
                break
            try:
                sock.sendall(batch)
            except OSError as exc:
                head = read_head(sock, 1)
                outcome = f"send failed ({type(exc).__name__})"
                break
            sent += len(batch)
            lines += 64
            if lines % 16384 == 0:
                rss_peak = max(rss_peak, svc.rss_mb())
        else:
            outcome = "all 300,000 lines sent, no answer"
            head = read_head(sock, 2)
    elapsed = time.monotonic() - start
    time.sleep(1)
    rss_after = svc.rss_mb()
    return {"status got": describe(head) if head else outcome,
            "how it ended": outcome,
            "bytes sent before it": f"{sent / MB:.1f} MB ({sent // len(line):,} lines) "
                                    f"in {elapsed:.1f} s",
            "RSS before / peak / after": f"{rss_before:.0f} / {max(rss_peak, rss_after):.0f} "
                                         f"/ {rss_after:.0f} MB"}


# -- 2. slowloris and a body that never arrives -------------------------------------------

async def _slow_connection(port: int, seconds: float) -> tuple[float | None, bytes]:
    """Headers trickled every 5 s; (seconds until the server closed it or None, its answer)."""
    start = time.monotonic()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return 0.0, b"connect failed"
    answer = b""
    closed: float | None = None
    try:
        writer.write(b"GET /health HTTP/1.1\r\nHost: x\r\n")
        await writer.drain()
        n = 0
        while (left := seconds - (time.monotonic() - start)) > 0:
            try:
                data = await asyncio.wait_for(reader.read(65536), timeout=min(5.0, left))
            except TimeoutError:
                n += 1
                writer.write(b"X-Slow-%d: x\r\n" % n)
                await writer.drain()
                continue
            if not data:
                closed = time.monotonic() - start
                break
            answer += data
    except OSError:
        closed = time.monotonic() - start
    finally:
        writer.close()
    return closed, answer


async def _short_body(port: int, bound: float) -> tuple[float, bytes]:
    start = time.monotonic()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"POST /v1/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 100\r\n\r\n{}")
    await writer.drain()
    try:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=bound)
    except (TimeoutError, asyncio.IncompleteReadError, OSError):
        head = b""
    writer.close()
    return time.monotonic() - start, head


async def _slow(port: int) -> tuple[list[tuple[float | None, bytes]], tuple[float, bytes]]:
    slow = [asyncio.create_task(_slow_connection(port, 30.0)) for _ in range(1000)]
    body = asyncio.create_task(_short_body(port, 45.0))
    return list(await asyncio.gather(*slow)), await body


def attack_slow(svc: Service) -> Results:
    conns, (body_s, body_head) = asyncio.run(_slow(svc.port))
    closed = sorted(c for c, _ in conns if c is not None)
    answers = Counter(describe(a) for c, a in conns if c is not None)
    when = (f"after {closed[0]:.1f}-{closed[-1]:.1f} s (median {closed[len(closed) // 2]:.1f})"
            if closed else "")
    return {"slowloris: closed by the server within 30 s": f"{len(closed)} of 1,000 {when}",
            "slowloris: answers on them": ", ".join(f"{n} x {a}" for a, n in
                                                    answers.most_common()) or "none",
            "Content-Length 100, 2-byte body": (f"{describe(body_head)} after {body_s:.1f} s"
                                                if body_head else
                                                f"no answer in {body_s:.0f} s (bound)")}


# -- 4. Redis killed under load ---------------------------------------------------------

def attack_redis_down(version: Version, work: Path) -> Results:
    redis = PrivateRedis()
    redis.start()
    env = {"SCRIPTOHIO_REDIS_URL": redis.url, "SCRIPTOHIO_RATE_LIMIT": "1000000/minute",
           "SCRIPTOHIO_ADDRESS_RATE_LIMIT": "1000000/minute",
           "SCRIPTOHIO_CACHE_NAMESPACE": f"bench-attacks-{os.getpid()}"}
    try:
        with service(version, work, "redis", env) as svc:
            lines_before = len(svc.log.read_text(errors="replace").splitlines())
            codes: Counter[str] = Counter()
            stop = threading.Event()

            def user(n: int) -> None:
                teams = ("Ohio%20State", "Michigan", "Georgia", "Texas")
                with httpx.Client(base_url=svc.url, timeout=30) as client:
                    i = n
                    while not stop.is_set():
                        i += 1
                        try:
                            r = client.get(f"/v1/teams/{teams[i % 4]}", params={"season": 2024},
                                           headers={"X-User-Id": f"u{n}"})
                            codes[str(r.status_code)] += 1
                        except httpx.TransportError as exc:
                            codes[type(exc).__name__] += 1

            threads = [threading.Thread(target=user, args=(n,)) for n in range(16)]
            for t in threads:
                t.start()
            time.sleep(5)
            redis.stop()  # SIGKILL
            say("    redis killed")
            time.sleep(10)
            redis.start()
            say("    redis back")
            time.sleep(5)
            stop.set()
            for t in threads:
                t.join()
            log = svc.log.read_text(errors="replace")
    finally:
        redis.stop()
    lines = log.splitlines()[lines_before:]
    ok = codes.pop("200", 0)
    return {"requests answered 200 (20 s, 16 clients)": f"{ok:,}",
            "failed requests": (", ".join(f"{n:,} x {c}" for c, n in codes.most_common())
                                or "0"),
            "service log lines during the run": f"{len(lines):,} "
                                                f"({sum(len(x) + 1 for x in lines) / MB:.2f} MB)",
            "tracebacks / MaxConnectionsError in the log":
                f"{sum('Traceback' in x for x in lines):,} / "
                f"{sum('MaxConnectionsError' in x for x in lines):,}"}


# -- 5. spoofed identity ----------------------------------------------------------------

def _count_200(svc: Service, headers: Callable[[int], dict[str, str]], n: int = 130) -> int:
    with httpx.Client(base_url=svc.url, timeout=30) as client:
        return sum(client.get("/v1/rankings", params={"season": 2024},
                              headers=headers(i)).status_code == 200 for i in range(n))


def attack_identity(version: Version, work: Path) -> Results:
    out: Results = {}
    with service(version, work, "ident-user") as svc:
        got = _count_200(svc, lambda i: {"X-User-Id": f"rotating-{i}"})
        out["rotating X-User-Id: 200s of 130 (limit 100/min)"] = f"{got} of 130"
    with service(version, work, "ident-xff") as svc:
        r = httpx.post(svc.url + "/v1/admin/invalidate", json={"tags": ["bench:none"]},
                       timeout=30)
        got = _count_200(svc, lambda i: {"X-Forwarded-For": f"10.9.{i // 250}.{i % 250 + 1}"})
        out["rotating X-Forwarded-For from loopback: 200s of 130"] = f"{got} of 130"
        out["POST /v1/admin/invalidate from loopback, default flags"] = (
            f"{r.status_code}" + (" (admin)" if r.status_code == 200 else " (refused)"))
    return out


# -- 6. key mode ------------------------------------------------------------------------

def _refused_after(svc: Service, key: str, act: Callable[[], None], bound: float = 10.0) -> str:
    def status() -> int:
        return httpx.get(svc.url + "/v1/rankings", params={"season": 2024}, timeout=30,
                         headers={"Authorization": f"Bearer {key}"}).status_code

    before = status()
    act()
    start = time.monotonic()
    while time.monotonic() - start < bound:
        if (code := status()) == 401:
            return f"{code} after {time.monotonic() - start:.2f} s (200 before)"
        time.sleep(0.1)
    return f"still {status()} after {bound:.0f} s (bound; {before} before)"


def attack_keys(version: Version, work: Path) -> Results:
    out: Results = {}
    with service(version, work, "keys", {"SCRIPTOHIO_AUTH": "keys"}) as svc:
        keys = [json.loads(svc.cli("keys", "create", "--user", f"bench{n}", "--role",
                                   "production").stdout)["key"] for n in range(2)]
        db = svc.state / "keys.sqlite"
        # the state folder was made by this bench (0755), not by the service
        out["keys.sqlite mode"] = f"{db.stat().st_mode & 0o777:04o}"
        if version.is_baseline:
            out["`keys revoke` while running: refused"] = NOT_IN_BASELINE
        else:
            listing = json.loads(svc.cli("keys", "list").stdout)
            key_id = next(k["id"] for k in listing if k["user_id"] == "bench0")
            out["`keys revoke` while running: refused"] = _refused_after(
                svc, keys[0], lambda: svc.cli("keys", "revoke", key_id).check_returncode())

        def delete_row() -> None:
            with sqlite3.connect(db) as conn:  # the table both versions keep keys in
                conn.execute("DELETE FROM api_keys WHERE user_id = 'bench1'")

        out["key's row deleted from keys.sqlite while running: refused"] = _refused_after(
            svc, keys[1], delete_row)
    with service(version, work, "guess", {"SCRIPTOHIO_AUTH": "keys"}) as svc:
        codes = []
        with httpx.Client(base_url=svc.url, timeout=30) as client:
            for i in range(100):
                code = client.get("/v1/rankings", params={"season": 2024},
                                  headers={"Authorization": f"Bearer so_guess{i:06d}"}
                                  ).status_code
                codes.append(code)
                if code == 429:
                    break
        out["failed-auth guessing: tries before a 429 (of 100)"] = (
            f"429 at try {len(codes)} ({codes.count(401)} x 401 before)" if 429 in codes
            else f"no 429 in 100 ({Counter(codes).most_common()})")
    return out


# -- 7. jobs ----------------------------------------------------------------------------

def _batch_csvs() -> Iterator[str]:
    """Distinct batch_predict inputs: 400 of 2024's games, starting one game later each time."""
    data = Path(os.environ["SCRIPTOHIO_DATA_DIR"]) / "games.csv"
    with data.open() as f:
        reader = csv.DictReader(f)
        rows = [r for r in reader if r["season"] == "2024"]
        fields = list(reader.fieldnames or ())
    for start in itertools.count():
        out = io.StringIO()
        writer = csv.DictWriter(out, fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows[start % len(rows):][:400])
        yield out.getvalue()


def attack_jobs(version: Version, work: Path) -> Results:
    """Three backtests (different seasons: identical ones are shared), then batch predictions
    of different games, as one user, up to 60 or the first 429."""
    out: Results = {}
    with service(version, work, "jobs") as svc:
        codes = []
        ids = set()
        batches = _batch_csvs()
        with httpx.Client(base_url=svc.url, timeout=30) as client:
            for i in range(60):
                body: dict[str, object] = (
                    {"type": "backtest", "season": 2022 + i} if i < 3 else
                    {"type": "batch_predict", "csv": next(batches)})
                r = client.post("/v1/jobs", json=body, headers={"X-User-Id": "jobber"})
                codes.append(r.status_code)
                if r.status_code == 429:
                    break
                ids.add(r.json().get("id"))
        accepted = codes.count(202)
        out["one user creating jobs: accepted before 429 (of 60)"] = (
            f"{accepted} ({len(ids)} distinct), then 429" if 429 in codes
            else f"{accepted} of 60 ({len(ids)} distinct), no 429")
        time.sleep(2)
        db = svc.state / "jobs.sqlite"
        with sqlite3.connect(db) as conn:
            running = dict(conn.execute("SELECT status, COUNT(*) FROM jobs GROUP BY status"))
        out["jobs at SIGTERM"] = ", ".join(f"{n} {s}" for s, n in sorted(running.items()))
    # running_service stopped it with SIGTERM and waited for the exit
    with sqlite3.connect(db) as conn:
        after = dict(conn.execute("SELECT status, COUNT(*) FROM jobs GROUP BY status"))
        steps = Counter(conn.execute(
            "SELECT status, step FROM jobs WHERE status IN ('queued', 'running')"))
    out["jobs after the SIGTERM (jobs.sqlite)"] = ", ".join(
        f"{n} {s}" for s, n in sorted(after.items()))
    out["steps of the unfinished ones"] = "; ".join(
        f"{n} {status}: {step[:70]!r}" for (status, step), n in steps.most_common()) or "-"
    return out


# -- 8. conformance ---------------------------------------------------------------------

def _bounds(schema: dict[str, object], path: str) -> str:
    op = schema["paths"][path]["get"]  # type: ignore[index]
    parts = []
    for param in op["parameters"]:
        if param["name"] in ("season", "week"):
            s = param["schema"]
            s = next((x for x in s.get("anyOf", []) if x.get("type") == "integer"), s)
            parts.append(f"{param['name']} {s.get('minimum', '-')}..{s.get('maximum', '-')}")
    return ", ".join(parts)


def attack_conformance(svc: Service) -> Results:
    out: Results = {}
    r = httpx.delete(svc.url + "/v1/rankings", timeout=30)
    out["DELETE /v1/rankings"] = f"{r.status_code}, Allow: {r.headers.get('allow', 'none')}"
    schema = httpx.get(svc.url + "/openapi.json", timeout=30).json()
    out["OpenAPI /v1/predict bounds"] = _bounds(schema, "/v1/predict")
    r = httpx.get(svc.url + "/v1/rankings", params={"season": 1869, "week": 0}, timeout=30)
    out["GET /v1/rankings?season=1869&week=0"] = str(r.status_code)
    # chunked body over 5 MB
    with socket.create_connection(("127.0.0.1", svc.port), timeout=30) as sock:
        sock.sendall(b"POST /v1/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\n")
        chunk = b"a" * 65536
        sent = 0
        try:
            while sent < 6 * MB:
                sock.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
                sent += len(chunk)
                if select.select([sock], [], [], 0)[0]:
                    break
            sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass
        out["chunked body of 6 MB"] = describe(read_head(sock, 30))
    query = "&".join(f"p{i}={i}" for i in range(10_000))
    out["10,000 query parameters"] = raw_request(
        svc.port, f"GET /v1/rankings?{query} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    out["control character in a header"] = raw_request(
        svc.port, b"GET /v1/rankings HTTP/1.1\r\nHost: x\r\nX-Bad: a\x01b\r\n\r\n")
    return out


# -- the run ----------------------------------------------------------------------------

def _with_service(name: str, attack: Callable[[Service], Results],
                  env: dict[str, str] | None = None) -> Callable[[Version, Path], Results]:
    def run(version: Version, work: Path) -> Results:
        with service(version, work, name, env) as svc:
            return attack(svc)
    return run


ATTACKS: dict[str, tuple[str, Callable[[Version, Path], Results]]] = {
    "1": ("1. Header flood (300,000 lines of 1 KB on one connection)",
          _with_service("flood", attack_header_flood)),
    "2": ("2. Slowloris (1,000 connections, 30 s) and a body that never arrives",
          _with_service("slow", attack_slow)),
    "4": ("4. Redis SIGKILLed under load (16 clients, 5 s up, 10 s down, 5 s back)",
          attack_redis_down),
    "5": ("5. Spoofed identity in open mode (limit 100/minute)", attack_identity),
    "6": ("6. Key mode", attack_keys),
    "7": ("7. Jobs (3 backtests, then batch predictions, as one user)", attack_jobs),
    "8": ("8. Conformance", _with_service(
        "conform", attack_conformance,
        {"SCRIPTOHIO_RATE_LIMIT": "100000/minute",
         "SCRIPTOHIO_ADDRESS_RATE_LIMIT": "100000/minute"})),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="2d76e8a")
    parser.add_argument("--only", default=",".join(ATTACKS))
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "results" / "attacks.md")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwind: services, worktree
    if "SCRIPTOHIO_DATA_DIR" not in os.environ:
        sys.exit("set SCRIPTOHIO_DATA_DIR to the real data")
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True, check=True).stdout.strip()
    load_start = os.getloadavg()
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    sections = []
    with tempfile.TemporaryDirectory(prefix="bench-attacks-") as tmp:
        work = Path(tmp)
        base_tree = work / "baseline"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(base_tree),
                        args.baseline], check=True, capture_output=True)
        versions = [Version(f"baseline {args.baseline}", base_tree / "src", True),
                    Version(f"now ({head})", ROOT / "src", False)]
        try:
            for key in args.only.split(","):
                title, attack = ATTACKS[key]
                say(f"== {title}")
                got: list[Results] = []
                for version in versions:
                    say(f"  {version.label} ...")
                    t = time.monotonic()
                    try:
                        result = attack(version, work)
                    except Exception as exc:  # one attack's failure must not lose the others
                        result = {"bench error": f"{type(exc).__name__}: {exc}"[:200]}
                    for name, value in result.items():
                        say(f"    {name}: {value}")
                    say(f"    ({time.monotonic() - t:.0f} s)")
                    got.append(result)
                rows = [f"### {title}", "", f"| measurement | {versions[0].label} got "
                        f"| {versions[1].label} got |", "|---|---|---|"]
                for name in dict.fromkeys([*got[0], *got[1]]):
                    rows.append(f"| {name} | {got[0].get(name, '-')} | "
                                f"{got[1].get(name, '-')} |")
                sections.append("\n".join(rows))
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force",
                            str(base_tree)], check=False, capture_output=True)
    load_end = os.getloadavg()
    text = ("# Issue 16's December attacks, repeated (bench/attacks.py)\n\n"
            f"Run {started} on this {os.cpu_count()}-core machine, shared with other sessions "
            f"(load average {load_start[0]:.2f} at the start, {load_end[0]:.2f} at the end). "
            f"Command: `SCRIPTOHIO_DATA_DIR=/work/shared/data .venv/bin/python bench/attacks.py"
            f" --baseline {args.baseline}`. Each attack against the baseline (before any of "
            f"issue 16's work) and this tree in the same run, each on its own fresh "
            f"`scriptohio serve` (one worker, warming off, loopback). Attack 3 (overload) is "
            f"in `docs/results/overload-cold.md` and `docs/results/wrk-tails.md`.\n\n"
            + "\n\n".join(sections) + "\n")
    args.out.write_text(text)
    say(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
