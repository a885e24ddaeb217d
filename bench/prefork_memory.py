"""Benchmark: memory of ``serve --workers N``, pre-forked (this tree) against spawned (a
baseline commit: uvicorn's supervisor), in the same run; and the time from start to ``/ready``.

Each version (the baseline is a ``git worktree`` of ``--baseline``, run with its own
``PYTHONPATH``) runs ``scriptohio serve --workers N`` on the real data
(``SCRIPTOHIO_DATA_DIR``) with the models of ``var/models`` copied into a fresh state
directory, no Redis (each worker holds its own cache), twice per N:

1. **ready**: warming off; seconds from the start until ``/ready`` first answers 200, and until
   every worker has answered it 200 (told apart by which process holds the server's side of
   each connection); then, two seconds later, each process's memory;
2. **warmed**: warming on (from ``--first-season``); the memory once no process of the tree
   used half a second of CPU in ten.

Per process, from ``/proc/<pid>/smaps_rollup``: RSS, USS (pages only it maps) and PSS (each
page divided among the processes mapping it: the PSS of the tree adds up to what the host
holds for the deployment). Processes: the parent, the workers (its children listening on the
port), and the rest (each worker's process pool for training, a resource tracker).

The machine is shared: single runs; compare ratios within one run, not across runs.

Run: SCRIPTOHIO_DATA_DIR=... .venv/bin/python bench/prefork_memory.py [--baseline main]
     [--workers 2 3] [--first-season 2023]
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
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

from memory_per_answer import serve_tree, wait_idle  # the sibling bench (run from bench/)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))
from tests.servers import answered_by, running_service  # noqa: E402

from scriptohio.testing import ProcessMemory  # noqa: E402

MB = 1024 * 1024
READY_TIMEOUT_S = 300.0


@dataclass
class Snapshot:
    parent: ProcessMemory
    workers: list[ProcessMemory]
    others: list[ProcessMemory]

    def total(self, kind: str) -> float:
        return sum(getattr(m, kind) for m in [self.parent, *self.workers, *self.others])

    def worker(self, kind: str) -> float:
        return statistics.median(getattr(m, kind) for m in self.workers)


@dataclass
class Run:
    label: str
    workers: int
    first_ready_s: float = 0.0
    all_ready_s: float = 0.0
    phases: dict[str, Snapshot] = field(default_factory=dict)


def snapshot(port: int) -> Snapshot:
    parent, *rest = serve_tree(port)
    listening = {p.pid for p in parent.children()
                 if any(c.status == psutil.CONN_LISTEN and c.laddr.port == port
                        for c in p.net_connections("tcp"))}
    return Snapshot(ProcessMemory.of(parent.pid),
                    [ProcessMemory.of(p.pid) for p in rest if p.pid in listening],
                    [ProcessMemory.of(p.pid) for p in rest if p.pid not in listening])


def wait_every_worker_ready(url: str, workers: int, started: float, run: Run) -> None:
    port = int(url.rsplit(":", 1)[1])
    parent = serve_tree(port)[0].pid
    ready: set[int] = set()
    deadline = started + READY_TIMEOUT_S
    while len(ready) < workers:
        assert time.monotonic() < deadline, f"workers ready: {sorted(ready)}"
        try:
            status, pid = answered_by(port, "/ready", parent)
        except (OSError, AssertionError):  # not listening yet / a worker not in place yet
            time.sleep(0.05)
            continue
        if status == 200:
            run.first_ready_s = run.first_ready_s or time.monotonic() - started
            ready.add(pid)
    run.all_ready_s = time.monotonic() - started


def measure(label: str, src: Path, models: Path, work: Path, workers: int,
            first_season: int) -> Run:
    run = Run(label, workers)
    slug = re.sub(r"[^a-z0-9]+", "-", f"{label}-{workers}")
    for phase, warm in (("ready", "0"), ("warmed", "1")):
        state = work / f"{slug}-{phase}"
        state.mkdir()
        shutil.copytree(models, state / "models")
        env = {"PYTHONPATH": str(src), "SCRIPTOHIO_WARM_CACHE": warm,
               "SCRIPTOHIO_WARM_FIRST_SEASON": str(first_season)}
        started = time.monotonic()
        with running_service(state, env, args=("--workers", str(workers)),
                             timeout=READY_TIMEOUT_S, log_path=work / f"{slug}-{phase}.log",
                             ) as url:
            if phase == "ready":
                wait_every_worker_ready(url, workers, started, run)
                time.sleep(2)
            else:
                httpx.get(url + "/ready", timeout=30)
                time.sleep(10)  # the workers' start-up
                wait_idle(int(url.rsplit(":", 1)[1]))
            run.phases[phase] = snapshot(int(url.rsplit(":", 1)[1]))
        snap = run.phases[phase]
        print(f"[{label}, {workers} workers] {phase}: PSS {snap.total('pss') / MB:.0f} MB "
              f"(ready in {run.all_ready_s:.1f} s)", flush=True)
    return run


def report(base: Run, head: Run) -> str:
    rows: list[tuple[str, str, str]] = [
        ("start -> first /ready 200 (s)", f"{base.first_ready_s:.1f}",
         f"{head.first_ready_s:.1f}"),
        ("start -> every worker ready (s)", f"{base.all_ready_s:.1f}",
         f"{head.all_ready_s:.1f}")]
    for phase in ("ready", "warmed"):
        b, h = base.phases[phase], head.phases[phase]
        for who, get in (("parent", lambda s, k: getattr(s.parent, k)),
                         ("worker (median)", lambda s, k: s.worker(k))):
            for kind in ("rss", "uss", "pss"):
                rows.append((f"{phase}: {who} {kind.upper()} (MB)", f"{get(b, kind) / MB:.0f}",
                             f"{get(h, kind) / MB:.0f}"))
        rows.append((f"{phase}: worker shared anonymous (MB)",
                     f"{b.worker('shared_anonymous') / MB:.0f}",
                     f"{h.worker('shared_anonymous') / MB:.0f}"))
        rows.append((f"{phase}: other processes PSS (MB)",
                     f"{sum(m.pss for m in b.others) / MB:.0f} ({len(b.others)})",
                     f"{sum(m.pss for m in h.others) / MB:.0f} ({len(h.others)})"))
        for kind in ("rss", "uss", "pss"):
            rows.append((f"{phase}: deployment {kind.upper()} sum (MB)",
                         f"{b.total(kind) / MB:.0f}", f"{h.total(kind) / MB:.0f}"))
    width = max(len(r[0]) for r in rows) + 2
    lines = [f"{base.workers} workers".ljust(width) + f"{base.label:>24}{head.label:>24}"]
    lines += [name.ljust(width) + f"{b:>24}{h:>24}" for name, b, h in rows]
    for phase in ("ready", "warmed"):
        ratio = head.phases[phase].total("pss") / base.phases[phase].total("pss")
        lines.append(f"deployment PSS, {phase}, {head.label} / {base.label}: {ratio:.2f}")
    lines.append(f"start -> every worker ready, {head.label} / {base.label}: "
                 f"{head.all_ready_s / base.all_ready_s:.2f}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default="main", help="commit to compare with (spawn)")
    parser.add_argument("--models", type=Path, default=ROOT / "var" / "models")
    parser.add_argument("--workers", type=int, nargs="+", default=[2, 3])
    parser.add_argument("--first-season", type=int, default=2023,
                        help="warm from this season on (the service's default: 2014)")
    args = parser.parse_args()
    # stopped with SIGTERM: unwind, so the services and the worktree are cleaned up
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if "SCRIPTOHIO_DATA_DIR" not in os.environ:
        sys.exit("set SCRIPTOHIO_DATA_DIR to the real data")
    print(f"load average at start: {os.getloadavg()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-prefork-") as tmp:
        work = Path(tmp)
        base_tree = work / "baseline"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(base_tree),
                        args.baseline], check=True, capture_output=True)
        commit = subprocess.run(["git", "-C", str(base_tree), "rev-parse", "--short", "HEAD"],
                                check=True, capture_output=True, text=True).stdout.strip()
        reports = []
        try:
            for workers in args.workers:
                base = measure(f"spawn {commit}", base_tree / "src", args.models, work,
                               workers, args.first_season)
                head = measure("pre-fork (this tree)", ROOT / "src", args.models, work,
                               workers, args.first_season)
                reports.append(report(base, head))
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force",
                            str(base_tree)], check=False, capture_output=True)
        print(f"load average at end: {os.getloadavg()}")
        print("\n\n".join(reports))


if __name__ == "__main__":
    main()
