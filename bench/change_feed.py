"""Benchmark: the change feed after a made-up week, one team followed end to end, and what the
feed costs an ingest.

Ingests every 2025 week-10 game with a made-up result (the market favourite wins 31-24, every
fifth game an upset 27-17: ``tests/api/test_changes.made_up_week``) into an in-process app on
a fresh state directory (models linked from ``SCRIPTOHIO_STATE_DIR``), then prints the feed's
plain words and one team followed through it: its rating and rank, an upcoming game's
prediction and its season projection, each with what moved it. ``--repeats`` fresh runs time
``POST /v1/admin/ingest`` (ingest, refresh and the feed); ``--baseline SRC`` times the same
ingest with another checkout's package in a subprocess, in the same run (median of each).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


async def _ingest_once(models: Path) -> tuple[float, dict[str, Any]]:
    import httpx
    from tests.api.test_changes import made_up_week

    from scriptohio.api.app import create_app
    from scriptohio.config import Settings
    from scriptohio.data.dataset import load_dataset
    from scriptohio.data.paths import find_data_dir

    data = find_data_dir(os.environ.get("SCRIPTOHIO_DATA_DIR"), cwd=ROOT)
    text, _ = made_up_week(load_dataset(data))
    with tempfile.TemporaryDirectory() as tmp:
        state = Path(tmp) / "state"
        state.mkdir()
        (state / "models").symlink_to(models, target_is_directory=True)
        app = create_app(Settings(data_dir=str(data), state_dir=str(state), warm_cache=False,
                                  open_admin=True, rate_limit="100000000/minute"))
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
            async with httpx.AsyncClient(transport=transport, base_url="http://bench",
                                         timeout=600) as client:
                while (await client.get("/ready")).status_code != 200:
                    await asyncio.sleep(0.2)
                started = time.perf_counter()
                r = await client.post("/v1/admin/ingest", json={"games_csv": text})
                seconds = time.perf_counter() - started
                r.raise_for_status()
                feed = (await client.get("/v1/changes", headers={"X-Role": "casual"})).json()
    return seconds, feed["changes"][-1]


def _runs(repeats: int, models: Path) -> dict[str, Any]:
    seconds: list[float] = []
    entry: dict[str, Any] = {}
    for _ in range(repeats):
        s, entry = asyncio.run(_ingest_once(models))
        seconds.append(s)
    return {"seconds": seconds, "entry": entry}


def _followed(entry: dict[str, Any]) -> str | None:
    """The first rating mover that is also in the predictions and the projections."""
    predicted = {t for m in (entry.get("predictions") or {}).get("movers", [])
                 for t in (m["home"], m["away"])}
    projected = {m["team"] for m in (entry.get("projections") or {}).get("movers", [])}
    return next((m["team"] for m in entry["movers"]
                 if m["team"] in predicted and m["team"] in projected), None)


def _report(entry: dict[str, Any]) -> None:
    print("feed summary (X-Role: casual):\n  " + entry["summary"])
    team = _followed(entry)
    if team is None:
        print("no team is in all three lists")
        return
    rating = next(m for m in entry["movers"] if m["team"] == team)
    game = next(m for m in entry["predictions"]["movers"] if team in (m["home"], m["away"]))
    projection = next(m for m in entry["projections"]["movers"] if m["team"] == team)
    print(f"\n{team}, followed end to end:")
    print(f"  rating {rating['rating_before']} -> {rating['rating_after']} "
          f"({rating['rating_change']:+}, by method {rating['by_method']}), rank "
          f"{rating['rank_before']} -> {rating['rank_after']}")
    for g in rating["games"]:
        print(f"  because: {g['result']} {g['score']} {g['venue']} v {g['opponent']}, "
              f"expected {g.get('expected_margin')}, surprise {g.get('surprise')}")
    print(f"  prediction: {game['away']} at {game['home']} (week {game['week']}): home margin "
          f"{game['margin_before']} -> {game['margin_after']}, home win prob "
          f"{game['home_win_prob_before']} -> {game['home_win_prob_after']}; by input "
          f"{game['by_input']}")
    print("    inputs changed: " + ", ".join(f"{i['feature']} {i['before']} -> {i['after']}"
                                             for i in game["inputs"]))
    print(f"  projection: record {projection['record_before']} -> "
          f"{projection['record_after']}; " + "; ".join(
              f"{k} {projection[k]['before']} -> {projection[k]['after']}"
              for k in ("expected_wins", "p_playoff", "p_conference_title",
                        "p_national_title")))
    print(f"    expected wins by source {projection['expected_wins_by_source']}; remaining "
          "games moved: " + ", ".join(
              f"{r['opponent']} {r['win_prob_before']} -> {r['win_prob_after']}"
              for r in projection["remaining_moved"]))
    print(f"  ({entry['projections']['simulations']:,} simulated seasons, seed "
          f"{entry['projections']['seed']})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--baseline", type=Path, help="src folder of the package to compare")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    models = Path(os.environ.get("SCRIPTOHIO_STATE_DIR", ROOT / "var")).resolve() / "models"
    now = _runs(args.repeats, models)
    if args.json:
        print(json.dumps(now))
        return 0
    _report(now["entry"])
    line = f"\nPOST /v1/admin/ingest of 52 games: median {statistics.median(now['seconds']):.2f} s"
    line += f" over {args.repeats} fresh runs"
    if args.baseline is not None:
        env = dict(os.environ, PYTHONPATH=str(args.baseline.resolve()))
        done = subprocess.run([sys.executable, __file__, "--json", "--repeats",
                               str(args.repeats)], env=env, cwd=ROOT, capture_output=True,
                              text=True, check=True)
        before = json.loads(done.stdout.splitlines()[-1])
        base = statistics.median(before["seconds"])
        line += (f"; baseline {base:.2f} s, ratio "
                 f"{statistics.median(now['seconds']) / base:.2f}")
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
