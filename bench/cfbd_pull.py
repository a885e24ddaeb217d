"""``data pull`` of 2025 weeks 10-15 + postseason from a local CFBD into a copy of the shipped data,
with a running service on the same directories; then the failure matrix.

Prints: rows added / updated, the pull's time, how many cached answers the pull invalidated and
how many it kept (each of a fixed sample of answers asked before and after: ``X-Cache`` says
hit or miss), a new result the service now serves, a re-pull (the baseline: nothing changes), and
for 429 / 500 / timeout / malformed answers what the user saw and that nothing changed. The
re-pull is conditional (``If-None-Match``): its requests, 304s and body bytes against the first
pull's.

The local CFBD (``scriptohio.testing.FakeCfbd``) serves our own data; the 2025 games from week 10
on have no score in the data, so it serves **made-up scores** for them (market margin and total
plus seeded noise). The figures measure the plumbing, not football.

    python bench/cfbd_pull.py [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import httpx

from scriptohio.data.dataset import load_dataset
from scriptohio.data.paths import find_data_dir
from scriptohio.data.store import StateStore
from scriptohio.testing.cfbd_server import FakeCfbd

REPO = Path(__file__).resolve().parent.parent
KEY = "bench-key"
PULL = ["--season", "2025", "--weeks", "10-15", "--season-type", "both"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cli(args: list[str], env: dict[str, str]) -> tuple[int, str, str, float]:
    t = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "scriptohio.cli.main", *args], env=env,
                       capture_output=True, text=True, timeout=600)
    return r.returncode, r.stdout, r.stderr, time.perf_counter() - t


def sample_urls(teams_2025: list[str], teams_2024: list[str]) -> dict[str, list[str]]:
    return {
        "2025 team pages": [f"/v1/teams/{quote(t)}?season=2025" for t in teams_2025],
        "2024 team pages": [f"/v1/teams/{quote(t)}?season=2024" for t in teams_2024],
        "2025 weeks 1-9 games": [f"/v1/games?season=2025&week={w}" for w in range(1, 10)],
        "2025 weeks 10-15 games": [f"/v1/games?season=2025&week={w}" for w in range(10, 16)],
        "2024 weekly games": [f"/v1/games?season=2024&week={w}" for w in range(1, 16)],
        "2025 rankings by week": [f"/v1/rankings?season=2025&week={w}" for w in range(2, 16)],
    }


BODIES: dict[str, bytes] = {}


def ask_all(url: str, sample: dict[str, list[str]]) -> dict[str, dict[str, int]]:
    """Per group: X-Cache outcomes, and whether each body differs from the previous ask."""
    out: dict[str, dict[str, int]] = {}
    with httpx.Client(base_url=url, timeout=120) as http:
        for group, paths in sample.items():
            counts: dict[str, int] = {}
            for p in paths:
                r = http.get(p)
                key = r.headers.get("x-cache", str(r.status_code)) if r.status_code == 200 \
                    else f"status {r.status_code}"
                if p in BODIES:
                    key += " (same body)" if BODIES[p] == r.content else " (new body)"
                BODIES[p] = r.content
                counts[key] = counts.get(key, 0) + 1
            out[group] = dict(sorted(counts.items()))
    return out


def state_counts(state: Path) -> dict[str, int]:
    store = StateStore(state)
    try:
        return {"data_version": store.data_version(), "games": len(store.ingested_games()),
                "team_games": len(store.ingested_team_games()),
                "lines": len(store.ingested_lines())}
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keep", type=Path, help="work in DIR and keep it")
    args = parser.parse_args()
    shipped = find_data_dir(os.environ.get("SCRIPTOHIO_DATA_DIR"), cwd=REPO)
    work = args.keep or Path(tempfile.mkdtemp(prefix="cfbd-pull-bench-"))
    data, state = work / "data", work / "state"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(shipped, data)  # a copy: the shipped data is never written
    for f in data.iterdir():
        f.chmod(0o644)
    state.mkdir(parents=True)
    models = REPO / "var" / "models"
    if models.is_dir():  # reuse the trained models (else the service trains its own)
        shutil.copytree(models, state / "models")
    dataset = load_dataset(data)
    g = dataset.games.cols
    teams_2025 = sorted(dataset.fbs_teams_by_season[2025])
    teams_2024 = sorted(dataset.fbs_teams_by_season[2024])
    sample = sample_urls(teams_2025, teams_2024)

    fake = FakeCfbd(dataset, api_key=KEY, synthesize_scores=True).start()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CFBD_", "SCRIPTOHIO_"))}
    env |= {"SCRIPTOHIO_DATA_DIR": str(data), "SCRIPTOHIO_STATE_DIR": str(state),
            "CFBD_API_KEY": KEY, "SCRIPTOHIO_CFBD_URL": fake.url,
            "SCRIPTOHIO_WARM_CACHE": "0", "SCRIPTOHIO_RATE_LIMIT": "1000000/minute",
            "SCRIPTOHIO_ADDRESS_RATE_LIMIT": "1000000/minute"}
    port = free_port()
    log = open(work / "service.log", "w")  # noqa: SIM115 - closed at the end
    service = subprocess.Popen([sys.executable, "-m", "scriptohio.cli.main", "serve", "--port",
                                str(port)], env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    report: dict[str, object] = {"work_dir": str(work)}
    try:
        deadline = time.monotonic() + 600
        while True:
            try:
                if httpx.get(url + "/ready", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if service.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"service did not start; see {work / 'service.log'}")
            time.sleep(0.2)

        # a game the pull will score, to show the service answering it
        i = next(int(i) for i in dataset.games.rows_for_week(2025, 13)
                 if g["home_division"][i] == g["away_division"][i] == "fbs")
        gid, home, away = int(g["game_id"][i]), str(g["home_team"][i]), str(g["away_team"][i])

        def result_of() -> object:
            body = httpx.get(f"{url}/v1/teams/{quote(home)}?season=2025", timeout=60).json()
            return next(x for x in body["schedule"] if x["game_id"] == gid)["result"]

        # -- failure matrix first, on the untouched state -----------------------------------
        before = state_counts(state)
        matrix = []
        faults = [
            ("429 (Retry-After: 1, every attempt)", lambda: fake.fail(
                "/games/teams", 429, times=50, retry_after="1"), []),
            ("500 (every attempt)", lambda: fake.fail("/lines", 500, times=50), []),
            ("timeout (answers after 5 s, --timeout 1)", lambda: fake.slow(
                "/games", 5.0, times=50), ["--timeout", "1"]),
            ("malformed (JSON cut off)", lambda: fake.malformed(
                "/games", b'[{"id": 401754', times=50), []),
            ("partial (a record without its required fields)", lambda: fake.malformed(
                "/games/teams", b'[{"id": 401754, "teams": [{"teamId": 1}]}]', times=50), []),
        ]
        for name, arm, extra in faults:
            fake.clear_faults()
            arm()
            code, out, err, secs = cli(["data", "pull", *PULL, *extra], env)
            after = state_counts(state)
            ready = httpx.get(url + "/ready", timeout=30).json()
            matrix.append({"fault": name, "exit": code, "stdout": out.strip(),
                           "stderr": err.strip().splitlines()[-1] if err.strip() else "",
                           "seconds": round(secs, 1), "state_unchanged": after == before,
                           "service_data_version": ready.get("data_version")})
        fake.clear_faults()
        report["failure_matrix"] = matrix

        # -- the pull ------------------------------------------------------------------------
        report["result_before"] = {"game": f"{away} at {home}", "game_id": gid,
                                   "result": result_of()}
        ask_all(url, sample)  # fill the cache
        warm = ask_all(url, sample)  # every answer should now be a hit
        sent_before = fake.body_bytes
        code, out, err, secs = cli(["data", "pull", *PULL], env)
        if code != 0:
            raise SystemExit(f"pull failed: {err}")
        pulled = json.loads(out)
        pull_bytes = fake.body_bytes - sent_before
        version = state_counts(state)["data_version"]
        t0 = time.perf_counter()
        while httpx.get(url + "/ready", timeout=30).json().get("data_version", 0) < version:
            time.sleep(0.1)
        seen_after = time.perf_counter() - t0
        after_pull = ask_all(url, sample)
        report["pull"] = {"cli_seconds": round(secs, 2), "pull_seconds": pulled["seconds"],
                          "requests": pulled["requests"],
                          "not_modified": pulled["not_modified"], "body_bytes": pull_bytes,
                          "fetched": pulled["fetched"],
                          "ingest": pulled["ingest"], "skipped": pulled["skipped"],
                          "service_saw_it_within_s": round(seen_after, 2)}
        report["answers_before_pull"] = warm
        report["answers_after_pull"] = after_pull
        report["service_log_invalidated"] = [
            line.strip() for line in (work / "service.log").read_text().splitlines()
            if "cache entries invalidated" in line]
        report["result_after"] = result_of()

        # -- the baseline: the same pull again -------------------------------------------------
        again_warm = ask_all(url, sample)
        sent_before = fake.body_bytes
        code, out, err, secs = cli(["data", "pull", *PULL], env)
        again = json.loads(out)
        again_bytes = fake.body_bytes - sent_before
        time.sleep(2.5)  # > two watcher polls: a change would have been picked up by now
        report["repull"] = {"cli_seconds": round(secs, 2), "pull_seconds": again["seconds"],
                            "requests": again["requests"],
                            "not_modified": again["not_modified"], "body_bytes": again_bytes,
                            "body_bytes_ratio_to_first_pull": round(
                                again_bytes / max(1, pull_bytes), 4),
                            "changed": again["changed"],
                            "ingest": again["ingest"], "answers_before": again_warm,
                            "answers_after": ask_all(url, sample),
                            "data_version": state_counts(state)["data_version"]}
        scores = [(int(str(r["home_points"])), int(str(r["away_points"])))
                  for r in StateStore(state).ingested_games() if r["home_points"] is not None]
        report["synthetic_scores"] = {
            "games": len(scores),
            "mean_total": round(sum(h + a for h, a in scores) / max(1, len(scores)), 1),
            "home_win_share": round(sum(h > a for h, a in scores) / max(1, len(scores)), 3)}
    finally:
        service.terminate()
        service.wait(timeout=30)
        log.close()
        fake.stop()
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
