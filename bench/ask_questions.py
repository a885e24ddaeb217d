"""Benchmark: how many plain questions get the right facts, per question set and kind.

Asks every question of ``tests/api/questions/{tuned,heldout}.yaml`` through ``POST /v1/ask``
(in-process app, ``X-Role: casual``) and checks the answer's ``summary`` for the facts the set
expects (see the sets' ``SCHEMA.md``). Prints the share right per set and per kind, the time
per question, and a Markdown table of the misses.

``--baseline SRC`` scores the same questions with another checkout's package (its ``src``
folder, e.g. a ``git worktree`` of the previous release) in a subprocess, in the same run, and
prints both side by side.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.api.questions.facts import answer_text, load_set, missing_facts  # noqa: E402

SETS = ("tuned", "heldout")


async def _ask_all() -> dict[str, list[dict[str, Any]]]:
    import httpx

    from scriptohio.api.app import create_app
    from scriptohio.config import Settings

    overrides: dict[str, Any] = {}
    for key, var in (("state_dir", "SCRIPTOHIO_STATE_DIR"), ("data_dir", "SCRIPTOHIO_DATA_DIR")):
        if os.environ.get(var):
            overrides[key] = os.environ[var]
    app = create_app(Settings(rate_limit="100000000/minute", warm_cache=False, **overrides))
    out: dict[str, list[dict[str, Any]]] = {}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            while (await client.get("/ready")).status_code != 200:
                await asyncio.sleep(0.2)
            for name in SETS:
                rows = []
                for entry in load_set(name):
                    started = time.perf_counter()
                    r = await client.post("/v1/ask", json={"query": entry["q"]},
                                          headers={"X-Role": "casual"})
                    seconds = time.perf_counter() - started
                    body = r.json()
                    text = answer_text(body) if r.status_code == 200 else f"HTTP {r.status_code}"
                    rows.append({"q": entry["q"], "kind": entry["kind"],
                                 "intent": body.get("intent"), "seconds": seconds,
                                 "missing": missing_facts(entry["facts"], text),
                                 "said": text})
                out[name] = rows
    return out


def _baseline(src: Path) -> dict[str, list[dict[str, Any]]]:
    env = dict(os.environ, PYTHONPATH=str(src.resolve()))
    done = subprocess.run([sys.executable, __file__, "--json"], env=env, cwd=ROOT,
                          capture_output=True, text=True, check=True)
    result: dict[str, list[dict[str, Any]]] = json.loads(done.stdout.splitlines()[-1])
    return result


def _share(rows: list[dict[str, Any]]) -> float:
    return sum(not r["missing"] for r in rows) / len(rows)


def _report(now: dict[str, list[dict[str, Any]]],
            before: dict[str, list[dict[str, Any]]] | None) -> None:
    print("share of questions whose summary states every expected fact (X-Role: casual)")
    for name in SETS:
        rows = now[name]
        line = f"  {name:8} {_share(rows) * 100:5.1f} %  ({sum(not r['missing'] for r in rows)}"
        line += f"/{len(rows)})"
        if before is not None:
            line += f"   baseline {_share(before[name]) * 100:5.1f} %"
        ms = statistics.median(r["seconds"] for r in rows) * 1e3
        print(line + f"   median {ms:.1f} ms per question")
        by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in rows:
            by_kind[r["kind"]].append(r)
        print("    " + ", ".join(f"{k} {sum(not r['missing'] for r in v)}/{len(v)}"
                                  for k, v in sorted(by_kind.items())))
    for name in SETS:
        misses = [r for r in now[name] if r["missing"]]
        print(f"\nmisses, {name} ({len(misses)}):\n")
        if misses:
            print("| question | kind | routed to | facts not stated | the answer began |")
            print("|---|---|---|---|---|")
        for r in misses:
            said = r["said"][:110].replace("|", "/")
            print(f"| {r['q']} | {r['kind']} | {r['intent']} | {', '.join(r['missing'])} "
                  f"| {said} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, help="src folder of the package to compare")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    now = asyncio.run(_ask_all())
    if args.json:
        print(json.dumps(now))
        return 0
    before = _baseline(args.baseline) if args.baseline else None
    _report(now, before)
    return 0


if __name__ == "__main__":
    sys.exit(main())
