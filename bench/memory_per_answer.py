"""Benchmark: memory per replica and per warmed answer, and a joining replica's time to warm,
this tree against a baseline commit, in the same run.

Each version (the baseline is a ``git worktree`` of ``--baseline``, run with its own
``PYTHONPATH``) runs ``scriptohio serve`` on the real data (``SCRIPTOHIO_DATA_DIR``), with the
models of ``var/models`` copied into a fresh state directory, and a private ``redis-server``
on a free port (never the shared one):

1. ``cold``: warming off: RSS and PSS once ready (what a replica costs before any answer);
2. ``replica A``: one worker on an empty Redis namespace: it warms every answer itself; RSS
   and PSS once its log says warming is done, the answers it warmed (from that log line) and
   their payload (the L1 bytes of the baseline, which holds the JSON as is); RSS per warmed
   answer = (RSS warmed - RSS cold) / answers, and its ratio to the payload per answer;
3. ``replica B`` joins A's namespace while A runs: seconds from its start until ``/ready``,
   until its warming is done, and its answers to a sample of warmed URLs (slates, rankings,
   team pages of the last two seasons): their ``X-Cache`` headers, whether they equal A's,
   and B's RSS;
4. ``--workers 2`` without Redis, and with Redis (a fresh namespace): RSS and PSS summed over
   the master and its workers once both workers' warming is done (no process used a
   half second of CPU in ten) (PSS counts a page shared by
   two processes half in each, so the sum is what the host really holds).

The machine is shared: figures are single runs of each step, so compare ratios within one
run, not across runs.

Run: .venv/bin/python bench/memory_per_answer.py [--baseline main] [--skip-workers]
     [--first-season 2014] (a later first season warms fewer answers: quicker on a busy host)
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.conftest import PrivateRedis  # noqa: E402
from tests.servers import running_service  # noqa: E402

WARMED = re.compile(r"cache warming: (\d+) entries in ([\d.]+) s \((\d+) units left to other "
                    r"processes(?:, (\d+) of their answers copied)?\)")
MB = 1024 * 1024
WARM_TIMEOUT_S = 600.0


@dataclass
class Memory:
    rss: float = 0.0  # bytes, summed over the process tree
    pss: float = 0.0


@dataclass
class Figures:
    label: str
    cold: Memory = field(default_factory=Memory)
    warmed: Memory = field(default_factory=Memory)
    answers: int = 0
    warm_s: float = 0.0
    l1_bytes: float = 0.0
    l2_bytes: float = 0.0
    join_ready_s: float = 0.0
    join_warm_s: float = 0.0
    join_copied: int = 0
    join_headers: Counter[str] = field(default_factory=Counter)
    join_equal: bool = False
    join_sample_ms: float = 0.0
    join_rss: float = 0.0
    workers: dict[str, Memory] = field(default_factory=dict)


def serve_tree(port: int) -> list[psutil.Process]:
    """The ``serve`` process on ``port`` and its children."""
    for proc in psutil.process_iter(["cmdline"]):
        cmd = proc.info["cmdline"] or []
        if "serve" in cmd and str(port) in cmd:
            return [proc, *proc.children(recursive=True)]
    raise RuntimeError(f"no serve process on port {port}")


def tree_memory(port: int) -> Memory:
    """RSS and PSS summed over the ``serve`` tree on ``port``."""
    out = Memory()
    for p in serve_tree(port):
        info = p.memory_full_info()
        out.rss += info.rss
        out.pss += info.pss
    return out


def wait_warmed(log: Path, count: int = 1) -> list[re.Match[str]]:
    """The log's ``count`` warming-done lines, once they are all there."""
    deadline = time.monotonic() + WARM_TIMEOUT_S
    while time.monotonic() < deadline:
        found = list(WARMED.finditer(log.read_text()))
        if len(found) >= count:
            return found
        time.sleep(0.2)
    raise TimeoutError(f"warming not done within {WARM_TIMEOUT_S} s")


def wait_idle(port: int, *, quiet_s: float = 10.0, cpu_s: float = 0.5) -> None:
    """Until no process of the ``serve`` tree on ``port`` used ``cpu_s`` of CPU in ``quiet_s``:
    warming is done (workers spawned by uvicorn do not inherit the master's log settings, so
    their warming line never reaches the log)."""
    deadline = time.monotonic() + WARM_TIMEOUT_S
    while time.monotonic() < deadline:
        procs = serve_tree(port)
        before = [sum(p.cpu_times()[:2]) for p in procs]
        time.sleep(quiet_s)
        after = [sum(p.cpu_times()[:2]) for p in serve_tree(port)]
        if len(after) == len(before) and all(b - a < cpu_s for a, b in zip(before, after,
                                                                            strict=True)):
            return
    raise TimeoutError(f"still busy after {WARM_TIMEOUT_S} s")


def metric(url: str, name: str) -> float:
    text = httpx.get(url + "/metrics", timeout=10).text
    found = re.search(rf"^{re.escape(name)} ([0-9.e+]+)$", text, re.M)
    return float(found.group(1)) if found else 0.0


def sample_urls() -> list[str]:
    urls = [f"/v1/games?season={s}&week={w}" for s in (2024, 2025) for w in range(1, 15)]
    urls += [f"/v1/rankings?season={s}&method={m}" for s in (2024, 2025)
             for m in ("elo", "srs")]
    urls += [f"/v1/teams/{t}?season={s}" for s in (2024, 2025)
             for t in ("Oregon", "Ohio%20State", "Georgia", "Texas")]
    return urls


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def measure(label: str, src: Path, models: Path, redis: PrivateRedis, work: Path,
            workers: bool, first_season: int) -> Figures:
    fig = Figures(label)
    slug = re.sub(r"[^a-z0-9]+", "-", label)
    n = 0

    def env(**extra: str) -> dict[str, str]:
        return {"PYTHONPATH": str(src), "SCRIPTOHIO_WARM_FIRST_SEASON": str(first_season), **extra}

    def state() -> Path:
        nonlocal n
        n += 1
        path = work / f"{slug}-{n}"
        path.mkdir()
        shutil.copytree(models, path / "models")
        return path

    def log() -> Path:
        return work / f"{slug}-{n}.log"

    with running_service(state(), env(SCRIPTOHIO_WARM_CACHE="0"), wait_ready=True,
                         timeout=120, log_path=log()) as url:
        time.sleep(2)
        fig.cold = tree_memory(port_of(url))
    print(f"[{label}] cold RSS {fig.cold.rss / MB:.0f} MB", flush=True)

    shared = env(SCRIPTOHIO_REDIS_URL=redis.url, SCRIPTOHIO_CACHE_NAMESPACE=f"bench:{slug}:a")
    with running_service(state(), shared, wait_ready=True, timeout=120,
                         log_path=log()) as a_url:
        (done,) = wait_warmed(log())
        fig.answers, fig.warm_s = int(done.group(1)), float(done.group(2))
        time.sleep(2)  # write-through and the collector settle
        fig.warmed = tree_memory(port_of(a_url))
        fig.l1_bytes = metric(a_url, 'scriptohio_cache_bytes{tier="l1"}')
        fig.l2_bytes = metric(a_url, 'scriptohio_cache_bytes{tier="l2"}')
        print(f"[{label}] A warmed {fig.answers} answers in {fig.warm_s:.1f} s, RSS "
              f"{fig.warmed.rss / MB:.0f} MB", flush=True)
        urls = sample_urls()
        b_state = state()
        started = time.monotonic()
        with running_service(b_state, shared, timeout=120, log_path=log()) as b_url:
            while httpx.get(b_url + "/ready", timeout=5).status_code != 200:
                time.sleep(0.05)
            fig.join_ready_s = time.monotonic() - started
            (joined,) = wait_warmed(log())
            fig.join_warm_s = time.monotonic() - started
            fig.join_copied = int(joined.group(4) or 0)
            latencies, equal = [], True
            for path in urls:
                t = time.perf_counter()
                r = httpx.get(b_url + path, timeout=30)
                latencies.append(time.perf_counter() - t)
                fig.join_headers[r.headers.get("x-cache", "?")] += 1
                equal &= r.content == httpx.get(a_url + path, timeout=30).content
            fig.join_equal = equal
            fig.join_sample_ms = statistics.median(latencies) * 1000
            fig.join_rss = tree_memory(port_of(b_url)).rss
        print(f"[{label}] B ready {fig.join_ready_s:.1f} s, warm {fig.join_warm_s:.1f} s, "
              f"{dict(fig.join_headers)}", flush=True)

    if workers:
        for name, extra in (("2 workers", {}),
                            ("2 workers + Redis", {"SCRIPTOHIO_REDIS_URL": redis.url,
                                                   "SCRIPTOHIO_CACHE_NAMESPACE":
                                                   f"bench:{slug}:w"})):
            with running_service(state(), env(**extra), args=("--workers", "2"),
                                 wait_ready=True, timeout=180, log_path=log()) as url:
                time.sleep(10)  # the workers' start-up
                wait_idle(port_of(url))
                fig.workers[name] = tree_memory(port_of(url))
            print(f"[{label}] {name}: RSS {fig.workers[name].rss / MB:.0f} MB", flush=True)
    return fig


def report(base: Figures, head: Figures) -> str:
    payload = base.l1_bytes / max(1, base.answers)  # the baseline holds the JSON as is

    def per_answer(f: Figures) -> float:
        return (f.warmed.rss - f.cold.rss) / max(1, f.answers)

    rows: list[tuple[str, Callable[[Figures], str]]] = [
        ("RSS cold (MB)", lambda f: f"{f.cold.rss / MB:.0f}"),
        ("RSS warmed, 1 replica (MB)", lambda f: f"{f.warmed.rss / MB:.0f}"),
        ("PSS warmed, 1 replica (MB)", lambda f: f"{f.warmed.pss / MB:.0f}"),
        ("answers warmed", lambda f: f"{f.answers}"),
        ("warming (s)", lambda f: f"{f.warm_s:.1f}"),
        ("cache bytes L1 / L2 (MB)", lambda f: f"{f.l1_bytes / MB:.0f} / {f.l2_bytes / MB:.0f}"),
        ("RSS per warmed answer (KB)", lambda f: f"{per_answer(f) / 1024:.2f}"),
        ("  / payload per answer", lambda f: f"{per_answer(f) / payload:.2f}x"),
        ("joining replica: /ready (s)", lambda f: f"{f.join_ready_s:.1f}"),
        ("joining replica: warm (s)", lambda f: f"{f.join_warm_s:.1f}"),
        ("joining replica: warming after /ready (s)",
         lambda f: f"{f.join_warm_s - f.join_ready_s:.1f}"),
        ("joining replica: answers copied", lambda f: f"{f.join_copied}"),
        ("joining replica: sample X-Cache", lambda f: ", ".join(
            f"{k} {v}" for k, v in sorted(f.join_headers.items()))),
        ("joining replica: sample = A's", lambda f: "yes" if f.join_equal else "NO"),
        ("joining replica: sample P50 (ms)", lambda f: f"{f.join_sample_ms:.1f}"),
        ("joining replica: RSS (MB)", lambda f: f"{f.join_rss / MB:.0f}"),
    ]
    for name in head.workers:
        rows.append((f"{name}: RSS sum (MB)", _workers_figure(name, "rss")))
        rows.append((f"{name}: PSS sum (MB)", _workers_figure(name, "pss")))
    width = max(len(r[0]) for r in rows)
    lines = [f"payload per warmed answer: {payload / 1024:.2f} KB (JSON, baseline's L1 bytes)",
             f"{'':{width}}  {base.label:>22}  {head.label:>22}"]
    lines += [f"{name:{width}}  {fmt(base):>22}  {fmt(head):>22}" for name, fmt in rows]
    ratio = per_answer(head) / per_answer(base)
    lines.append(f"RSS per warmed answer, this tree / baseline: {ratio:.2f}")
    lines.append(f"joining replica's warming after /ready, this tree / baseline replica A "
                 f"computing alone: {(head.join_warm_s - head.join_ready_s) / base.warm_s:.3f}")
    return "\n".join(lines)


def _workers_figure(name: str, kind: str) -> Callable[[Figures], str]:
    def fmt(f: Figures) -> str:
        found = f.workers.get(name)
        return "-" if found is None else f"{getattr(found, kind) / MB:.0f}"
    return fmt


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default="main", help="commit to compare with")
    parser.add_argument("--models", type=Path, default=ROOT / "var" / "models")
    parser.add_argument("--skip-workers", action="store_true", help="no --workers 2 runs")
    parser.add_argument("--first-season", type=int, default=2014,
                        help="warm from this season on (the service's default: 2014)")
    args = parser.parse_args()
    # stopped with SIGTERM: unwind, so the services, Redis and the worktree are cleaned up
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if "SCRIPTOHIO_DATA_DIR" not in os.environ:
        sys.exit("set SCRIPTOHIO_DATA_DIR to the real data")
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        work = Path(tmp)
        base_tree = work / "baseline"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(base_tree),
                        args.baseline], check=True, capture_output=True)
        redis = PrivateRedis()
        redis.start()
        try:
            base = measure(f"baseline {args.baseline}", base_tree / "src", args.models, redis,
                           work, not args.skip_workers, args.first_season)
            head = measure("this tree", ROOT / "src", args.models, redis, work,
                           not args.skip_workers, args.first_season)
        finally:
            redis.stop()
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force",
                            str(base_tree)], check=False, capture_output=True)
        print(report(base, head))


if __name__ == "__main__":
    main()
