"""Benchmark: the measured inputs of ``scriptohio capacity`` (Redis operations per request, RSS
per replica), written to ``docs/results/capacity-inputs.json``.

Runs one ``scriptohio serve`` (warming off, so every request does its real work) on the real
data (``SCRIPTOHIO_DATA_DIR``), models copied from ``--models``, with the shared tier, rate
limits and job state in a private ``redis-server`` on a free port (never the shared one). It
sends the persona mix (:class:`~scriptohio.loadtest.personas.RequestPlanner`, persona weights,
fixed seed) twice -- a cold pass (misses: computed, then written to the shared tier) and the
same requests again (hits) -- and reads ``INFO commandstats`` before and after each pass:
Redis commands per request = commands counted by Redis / requests answered. It also reads the
replica's RSS after the passes. The closed-loop client is sequential: this measures *work per
request*, not speed, so the busy host does not change it.

The per-core throughput is not re-measured here: it is taken from the load-test records the
JSON names (``docs/results/loadtest-stress.md``: the persona stress scenario's answered req/s
at P95 < 1 s), and the namespace runs of ``docs/results/topology.md`` are copied in as the
measured side of the predicted-vs-measured check.

Run: .venv/bin/python bench/capacity_inputs.py --models /work/main/var [--requests 300]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import psutil
import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.conftest import PrivateRedis  # noqa: E402
from tests.servers import running_service  # noqa: E402

from scriptohio.loadtest.capacity import DEFAULT_INPUTS, offered_rps_per_user  # noqa: E402
from scriptohio.loadtest.personas import (  # noqa: E402
    PERSONAS,
    Discovered,
    RequestPlanner,
    RequestSpec,
)
from scriptohio.loadtest.targets import TargetCatalog, TargetPicker  # noqa: E402

OUT = ROOT / "docs" / "results" / "capacity-inputs.json"
MB = 1024 * 1024


def commandstats(client: redis.Redis) -> Counter[str]:
    stats = client.info("commandstats")
    return Counter({k.removeprefix("cmdstat_"): int(v["calls"]) for k, v in stats.items()})


def plan(n: int, data_dir: Path, seed: int) -> list[tuple[RequestSpec, dict[str, str]]]:
    catalog = TargetCatalog.from_games_csv(data_dir / "games.csv")
    rng = random.Random(seed)
    planner = RequestPlanner(TargetPicker(catalog, rng), rng)
    weights = [p.weight for p in PERSONAS]
    out = []
    for _ in range(n):
        persona = rng.choices(PERSONAS, weights=weights)[0]
        action = planner.choose_action(persona)
        if action.startswith("job_"):
            action = "predict"  # at most one job per session in a real run: leave them out
        headers = {"X-User-Id": f"cap-{rng.randrange(200)}", "X-Role": persona.role}
        out.append((planner.plan(action, Discovered()), headers))
    return out


def send_all(url: str, reqs: list[tuple[RequestSpec, dict[str, str]]]) -> Counter[int]:
    codes: Counter[int] = Counter()
    with httpx.Client(base_url=url, timeout=60) as client:
        for spec, headers in reqs:
            r = client.request(spec.method, spec.path, params=spec.params, json=spec.json,
                               headers=headers)
            codes[r.status_code] += 1
    return codes


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models", type=Path, default=ROOT / "var")
    ap.add_argument("--requests", type=int, default=300)
    ap.add_argument("--seed", type=int, default=17)
    args = ap.parse_args()
    if "SCRIPTOHIO_DATA_DIR" not in os.environ:
        sys.exit("set SCRIPTOHIO_DATA_DIR to the real data")
    reqs = plan(args.requests, Path(os.environ["SCRIPTOHIO_DATA_DIR"]), args.seed)
    private = PrivateRedis()
    private.start()
    work = Path(tempfile.mkdtemp(prefix="capacity-"))
    try:
        state = work / "state"
        state.mkdir()
        shutil.copytree(args.models / "models", state / "models")
        env = {"SCRIPTOHIO_WARM_CACHE": "0", "SCRIPTOHIO_REDIS_URL": private.url,
               "SCRIPTOHIO_CACHE_NAMESPACE": "bench:capacity",
               "SCRIPTOHIO_RATE_LIMIT": "100000/minute"}
        client = redis.Redis.from_url(private.url)
        passes: dict[str, dict[str, Any]] = {}
        with running_service(state, env, wait_ready=True, timeout=180) as url:
            port = int(re.sub(r".*:", "", url))
            for label in ("cold", "warm"):
                before = commandstats(client)
                codes = send_all(url, reqs)
                delta = commandstats(client) - before
                answered = sum(codes.values())
                passes[label] = {"requests": answered, "status": dict(codes),
                                 "redis_commands": sum(delta.values()),
                                 "per_request": round(sum(delta.values()) / answered, 2),
                                 "by_command": dict(delta.most_common(8))}
                print(f"{label}: {answered} requests {dict(codes)}, {sum(delta.values())} Redis "
                      f"commands, {sum(delta.values()) / answered:.2f} per request "
                      f"{dict(delta.most_common(5))}", flush=True)
            proc = next(p for p in psutil.net_connections("tcp")
                        if p.laddr and p.laddr.port == port and p.status == "LISTEN")
            rss = psutil.Process(proc.pid).memory_info().rss / MB
            print(f"replica RSS after both passes: {rss:.0f} MB")
    finally:
        private.stop()
        shutil.rmtree(work, ignore_errors=True)
    inputs = json.loads(json.dumps(DEFAULT_INPUTS))
    inputs["redis_ops_per_request"] = max(passes["cold"]["per_request"],
                                          passes["warm"]["per_request"])
    inputs["offered_rps_per_user"] = round(offered_rps_per_user(PERSONAS), 4)
    inputs["measured"]["redis_ops_per_request"] = passes
    inputs["measured"]["rss_after_passes_mb"] = round(rss)
    OUT.write_text(json.dumps(inputs, indent=2) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
