"""Benchmark (must-show of issue 17, item 5): a model canary 10 → 25 → 50 → 100 % under load,
and a canary of a broken artifact rolled back, against ``scriptohio serve`` on loopback.

The service runs with ``--workers 2`` on a copy of a state directory holding the stable
version (``LATEST``) and a candidate trained with ``scriptohio train --candidate`` (this
script trains one through ``--through`` if the state has a single version). The load is a
closed loop of ``BENCH_USERS`` concurrent clients, each request from one of 2,000 caller ids
(``X-User-Id``) for a random FBS game of 2024-2025, so callers repeat and answers are cached.

Phases, one run:

0. baseline: no canary, ``BENCH_STAGE_S`` seconds: the stable version's P95 (the baseline);
1. ``POST /v1/admin/canary`` of the candidate with stages 10/25/50/100 %, each held
   ``BENCH_STAGE_S`` and at least ``min_requests``; promoted automatically; then the
   promoted version alone for a few seconds;
2. a broken artifact (a copy of the candidate's metadata with a garbage model file) started
   as a canary at 50 %: aborted automatically after ``max_errors`` fallbacks.

The timeline (from the service's own canary timeline) has per stage: the share of requests
the candidate answered as measured by the client (``X-Model-Version``), failed requests
(5xx or transport errors) and P95 per version with its ratio to the baseline P95. Writes
``docs/results/canary.md``.
"""

from __future__ import annotations

import asyncio
import csv
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.servers import running_service  # noqa: E402

DATA = Path(os.environ.get("SCRIPTOHIO_DATA_DIR", "/work/shared/data"))
MODELS = Path(os.environ.get("BENCH_MODELS", str(ROOT / "var" / "models")))
USERS = int(os.environ.get("BENCH_USERS", "8"))
STAGE_S = float(os.environ.get("BENCH_STAGE_S", "6"))
WORKERS = os.environ.get("BENCH_WORKERS", "2")
CALLERS = 2000
RESULTS = ROOT / "docs" / "results" / "canary.md"
POLICY = {"stage_s": STAGE_S, "min_requests": 30, "max_errors": 5,
          "max_margin_diff": 6.0, "max_win_prob_diff": 0.15, "max_p95_ratio": 4.0,
          "p95_floor_s": 0.25}


@dataclass
class Sample:
    at: float
    status: int
    version: str
    seconds: float


@dataclass
class Load:
    samples: list[Sample] = field(default_factory=list)
    running: bool = True


def games() -> list[dict[str, str]]:
    with open(DATA / "games.csv", newline="") as f:
        return [{"home": r["home_team"], "away": r["away_team"], "season": r["season"],
                 "week": r["week"], "season_type": r["season_type"]}
                for r in csv.DictReader(f)
                if r["season"] in ("2024", "2025") and r["home_division"] == "fbs"
                and r["away_division"] == "fbs"]


async def client_loop(client: httpx.AsyncClient, load: Load, pool: list[dict[str, str]],
                      rng: random.Random) -> None:
    while load.running:
        params = rng.choice(pool)
        user = f"caller-{rng.randrange(CALLERS)}"
        started = time.perf_counter()
        try:
            r = await client.get("/v1/predict", params=params, headers={"X-User-Id": user})
            status, version = r.status_code, r.headers.get("x-model-version", "?")
        except httpx.TransportError:
            status, version = 599, "?"
        load.samples.append(Sample(time.time(), status, version,
                                   time.perf_counter() - started))


def p95(values: list[float]) -> float | None:
    if len(values) < 5:
        return None
    return statistics.quantiles(values, n=20)[-1]


def window(load: Load, start: float, end: float) -> list[Sample]:
    return [s for s in load.samples if start <= s.at < end]


def summarize(samples: list[Sample], candidate: str, baseline: float | None
              ) -> dict[str, Any]:
    ok = [s for s in samples if s.status < 500]
    by_version: dict[str, list[float]] = {}
    for s in ok:
        by_version.setdefault(s.version, []).append(s.seconds)
    out: dict[str, Any] = {"requests": len(samples),
                           "failed": len(samples) - len(ok),
                           "failed_statuses": dict(Counter(s.status for s in samples
                                                           if s.status >= 500)),
                           "candidate_share": (len(by_version.get(candidate, [])) / len(ok)
                                               if ok else 0.0), "p95_ms": {}, "ratio": {}}
    for version, values in sorted(by_version.items()):
        value = p95(values)
        out["p95_ms"][version] = None if value is None else round(value * 1000, 1)
        out["ratio"][version] = (None if value is None or not baseline
                                 else round(value / baseline, 2))
    return out


async def every_worker_ready(client: httpx.AsyncClient) -> None:
    """``/ready`` 200 on 40 answers in a row: each worker (one per connection) loaded."""
    in_a_row = 0
    while in_a_row < 40:
        r = await client.get("/ready", headers={"Connection": "close"})
        in_a_row = in_a_row + 1 if r.status_code == 200 else 0
        if in_a_row == 0:
            await asyncio.sleep(0.5)


async def canary_status(client: httpx.AsyncClient) -> dict[str, Any]:
    body: dict[str, Any] = (await client.get("/v1/admin/canary")).json()["canary"]
    return body


async def wait_until_ended(client: httpx.AsyncClient, limit_s: float) -> dict[str, Any]:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        status = await canary_status(client)
        if status["status"] != "running":
            return status
        await asyncio.sleep(0.25)
    raise TimeoutError(f"canary still running after {limit_s:.0f} s")


def metric_sum(text: str, name: str, **labels: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        if all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def prepare_state(root: Path) -> tuple[str, str, str]:
    """A state dir with the stable version, a candidate and a broken artifact."""
    shutil.copytree(MODELS, root / "models")
    models = root / "models"
    stable = (models / "LATEST").read_text().strip()
    versions = sorted(p.name for p in models.iterdir() if p.is_dir() and p.name[1:].isdigit())
    candidates = [v for v in versions if v != stable]
    if not candidates:
        print("training a candidate (scriptohio train --through 2023 --candidate) ...",
              flush=True)
        env = dict(os.environ, SCRIPTOHIO_STATE_DIR=str(root), SCRIPTOHIO_DATA_DIR=str(DATA))
        subprocess.run([sys.executable, "-m", "scriptohio.cli.main", "train", "--through",
                        "2023", "--candidate"], env=env, check=True, stdout=subprocess.DEVNULL)
        versions = sorted(p.name for p in models.iterdir() if p.is_dir())
        candidates = [v for v in versions if v != stable and v[1:].isdigit()]
    candidate = candidates[-1]
    broken = f"v{int(versions[-1][1:]) + 1:04d}"
    (models / broken).mkdir()
    shutil.copy(models / candidate / "meta.json", models / broken / "meta.json")
    (models / broken / "suite.joblib.zst").write_bytes(b"\x28\xb5\x2f\xfd corrupt artifact")
    return stable, candidate, broken


async def run(base: str, stable: str, candidate: str, broken: str) -> dict[str, Any]:
    pool = games()
    load = Load()
    limits = httpx.Limits(max_connections=USERS)
    async with httpx.AsyncClient(base_url=base, timeout=10.0, limits=limits) as client:
        await every_worker_ready(client)
        loops = [asyncio.create_task(client_loop(client, load, pool, random.Random(i)))
                 for i in range(USERS)]
        t0 = time.time()
        await asyncio.sleep(STAGE_S)
        base_samples = window(load, t0, time.time())
        baseline = p95([s.seconds for s in base_samples if s.status < 500])
        r = await client.post("/v1/admin/canary", json={"version": candidate, **POLICY})
        assert r.status_code == 201, r.text
        ended = await wait_until_ended(client, 4 * STAGE_S * 6 + 60)
        await asyncio.sleep(STAGE_S / 2)
        after_promotion = time.time()
        await asyncio.sleep(STAGE_S / 2)
        after = window(load, after_promotion, time.time())
        before_broken = len(load.samples)
        broken_at = time.time()
        r = await client.post("/v1/admin/canary",
                              json={"version": broken, "stages": [0.5, 1.0], **POLICY})
        assert r.status_code == 201, r.text
        rolled_back = await wait_until_ended(client, 60)
        rolled_back_at = time.time()
        await asyncio.sleep(STAGE_S / 2)
        load.running = False
        await asyncio.gather(*loops)
        metrics = (await client.get("/metrics")).text
    broken_samples = load.samples[before_broken:]
    stages = []
    events = ended["timeline"]
    for i, event in enumerate(events[:-1]):
        start, end = event["at"], events[i + 1]["at"]
        stages.append({"stage": f"{round(ended['stages'][i] * 100)} %",
                       "seconds": round(end - start, 1),
                       "server": events[i + 1]["canary"],
                       "server_stable": events[i + 1]["stable"],
                       "why": events[i + 1]["reason"],
                       **summarize(window(load, start, end), candidate, baseline)})
    return {
        "stable": stable, "candidate": candidate, "broken": broken, "users": USERS,
        "workers": WORKERS, "policy": POLICY,
        "baseline": {**summarize(base_samples, candidate, baseline),
                     "p95_ms_all": None if baseline is None else round(baseline * 1000, 1)},
        "stages": stages, "outcome": ended["status"], "outcome_reason": ended["reason"],
        "after_promotion": summarize(after, candidate, baseline),
        "broken_canary": {
            "status": rolled_back["status"], "reason": rolled_back["reason"],
            "seconds_to_abort": round(rolled_back["ended_at"] - broken_at, 2),
            "requests": len(broken_samples),
            "failed": sum(1 for s in broken_samples if s.status >= 500),
            "answered_by": sorted({s.version for s in broken_samples}),
            "fallbacks": metric_sum(metrics, "scriptohio_model_requests_total",
                                    outcome="fallback"),
            "until_abort": len([s for s in broken_samples if s.at < rolled_back_at])},
        "total_requests": len(load.samples),
        "total_failed": sum(1 for s in load.samples if s.status >= 500),
    }


def report(result: dict[str, Any]) -> str:
    lines = [f"# Canary rollout ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})", "",
             f"`python bench/canary_rollout.py`: `scriptohio serve --workers "
             f"{result['workers']}` on loopback, {result['users']} concurrent clients "
             f"(closed loop), {CALLERS} caller ids, random FBS games of 2024-2025. Stable "
             f"{result['stable']}, candidate {result['candidate']}. Policy: "
             f"`{json.dumps(result['policy'])}`.", "",
             "| phase | s | requests | failed (5xx) | candidate share (client) | "
             "P95 stable ms (× baseline) | P95 candidate ms (× baseline) | "
             "server: canary errors, mean abs margin diff |",
             "|---|---|---|---|---|---|---|---|"]
    stable, candidate = result["stable"], result["candidate"]

    def cell(row: dict[str, Any], version: str) -> str:
        value = row["p95_ms"].get(version)
        return "–" if value is None else f"{value} ({row['ratio'][version]}×)"

    def fails(row: dict[str, Any]) -> str:
        detail = ", ".join(f"{n}× {status}" for status, n in row["failed_statuses"].items())
        return f"{row['failed']}" + (f" ({detail})" if detail else "")

    b = result["baseline"]
    lines.append(f"| baseline (no canary) | {STAGE_S:.0f} | {b['requests']} | {fails(b)} | "
                 f"{b['candidate_share']:.1%} | {cell(b, stable)} | – | – |")
    for row in result["stages"]:
        server = row["server"]
        lines.append(f"| canary {row['stage']} | {row['seconds']} | {row['requests']} | "
                     f"{fails(row)} | {row['candidate_share']:.1%} | {cell(row, stable)} | "
                     f"{cell(row, candidate)} | {server['errors']}, "
                     f"{server['mean_margin_diff']} |")
    a = result["after_promotion"]
    lines.append(f"| promoted | {STAGE_S / 2:.0f} | {a['requests']} | {fails(a)} | "
                 f"{a['candidate_share']:.1%} | {cell(a, stable)} | {cell(a, candidate)} | – |")
    bc = result["broken_canary"]
    lines += ["", f"Outcome: **{result['outcome']}** ({result['outcome_reason']}).", "",
              f"Broken artifact {result['broken']} (garbage model file) started at 50 %: "
              f"**{bc['status']}** after {bc['seconds_to_abort']} s ({bc['reason']}); "
              f"{bc['requests']} requests during and after it, **{bc['failed']} failed**, "
              f"answered by {', '.join(bc['answered_by'])}; {bc['fallbacks']:.0f} answered "
              f"by the stable version after the candidate failed (fallbacks on /metrics).",
              "", f"All phases: {result['total_requests']} requests, "
              f"{result['total_failed']} failed.", ""]
    return "\n".join(lines)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="canary-bench-") as tmp:
        root = Path(tmp) / "state"
        root.mkdir()
        stable, candidate, broken = prepare_state(root)
        env = {"SCRIPTOHIO_DATA_DIR": str(DATA), "SCRIPTOHIO_RATE_LIMIT": "1000000/minute",
               "SCRIPTOHIO_WARM_CACHE": "0"}
        with running_service(root, env, args=("--workers", WORKERS, "--open-admin"),
                             wait_ready=True, timeout=900) as base:
            result = asyncio.run(run(base, stable, candidate, broken))
    text = report(result)
    print(text)
    print(json.dumps(result, indent=1, default=str)[:4000])
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text)


if __name__ == "__main__":
    main()
