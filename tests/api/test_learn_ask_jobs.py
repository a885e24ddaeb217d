"""Learning navigator, ask router and workflows through the HTTP API."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import shlex
import tempfile
from pathlib import Path
from typing import Any

import httpx

from scriptohio.data.dataset import Dataset
from tests.api.conftest import AppClient
from tests.conftest import REPO

#: "/word/word..." not preceded by a URL or word character: a file path, or an API URL
PATH_LIKE = re.compile(r"(?<![\w:/.])/[\w.-]+(?:/[\w.{}-]+)+")


async def test_learning_path_progress_and_lessons(app_client: AppClient) -> None:
    async with app_client() as client:
        h = {"X-User-Id": "learner-1", "X-Role": "casual"}
        path = (await client.get("/v1/learn/path", headers=h)).json()
        assert path["role"] == "casual" and len(path["lessons"]) >= 5
        first = path["lessons"][0]["id"]
        lesson = (await client.get(f"/v1/learn/lessons/{first}")).json()
        assert lesson["title"] and lesson["examples"]
        done = await client.post(f"/v1/learn/lessons/{first}/complete", headers=h)
        assert done.status_code == 200
        progress = (await client.get("/v1/learn/progress", headers=h)).json()
        assert first in str(progress)
        nxt = (await client.get("/v1/learn/recommend", headers=h)).json()
        assert nxt["next"] and nxt["next"]["id"] != first
        catalogue = (await client.get("/v1/learn/lessons")).json()
        assert catalogue["count"] >= 12
        concept = await client.get("/v1/learn/concepts/success rate")
        assert concept.status_code == 200
        unknown = await client.get("/v1/learn/concepts/epaa")
        assert unknown.status_code == 404 and unknown.json()["suggestions"]


def _curl_urls(lesson: dict[str, Any]) -> list[tuple[str, str]]:
    """(URL in the shell command, the example's path) for each example of a served lesson."""
    out = []
    for example in lesson["examples"]:
        words = shlex.split(example["curl"])
        assert words[:2] == ["curl", "-s"] and words.count("-H") <= 2, example["curl"]
        url = words[4] if words[2] == "-X" else words[2]
        out.append((url, example["path"]))
    return out


async def test_lesson_examples_address_the_server_the_client_reached(
        app_client: AppClient) -> None:
    async with app_client() as client:
        for base in ("http://stats.example.org:8123", "http://127.0.0.1:9911"):
            lesson = (await client.get(f"{base}/v1/learn/lessons/elo")).json()
            assert lesson["examples"]
            assert all(url == base + path for url, path in _curl_urls(lesson))
        # behind a proxy: the Host header it forwards names the public address
        proxied = await client.get("/v1/learn/lessons/api-for-production",
                                   headers={"Host": "api.example.net:8443"})
        urls = _curl_urls(proxied.json())
        assert len(urls) == 2 and all(u == "http://api.example.net:8443" + p for u, p in urls)
        # the same lesson reached through the ask router
        asked = await client.post("http://lab.example:7000/v1/ask",
                                  json={"query": "teach me about using the API"})
        answer = asked.json()["answer"]
        assert answer["id"] == "api-for-production"
        assert all(u == "http://lab.example:7000" + p for u, p in _curl_urls(answer))
        # a Host header cannot add words to the command: the quotes hold
        hostile = await client.get("/v1/learn/lessons/elo",
                                   headers={"Host": "x';touch /tmp/owned;'"})
        for url, path in _curl_urls(hostile.json()):
            assert url.endswith(path) and " " not in url and "'" not in url
        for body in (lesson, proxied.json(), answer):
            assert "8000" not in str(body) and "{base_url}" not in str(body)


async def test_ask_routes_to_agents(app_client: AppClient) -> None:
    async with app_client() as client:
        async def ask(q: str, **headers: str) -> dict[str, Any]:
            r = await client.post("/v1/ask", json={"query": q}, headers=headers)
            assert r.status_code == 200, r.text
            body: dict[str, Any] = r.json()
            return body

        game = await ask("who wins michigan at ohio state 2024 week 14")
        assert game["intent"] == "predict" and game["answer"]["home"] == "Ohio State"
        vs = await ask("Ohio State vs Michigan 2024 week 14")  # venue from the schedule
        assert vs["answer"]["home"] == "Ohio State" and vs["answer"]["away"] == "Michigan"
        top = await ask("top 10 teams in the SEC 2024")
        assert top["intent"] == "rankings"
        assert all(t["conference"] == "SEC" for t in top["answer"]["teams"])
        settled = await ask("OSU vs Michigan")  # of the OSUs only Ohio State plays Michigan
        assert {settled["answer"]["home"], settled["answer"]["away"]} == {"Ohio State",
                                                                          "Michigan"}
        unclear = await ask("OSU vs USC")  # Ohio State? Oklahoma State? Oregon State?
        assert unclear["answer"] is None
        assert "Oklahoma State" in unclear["clarification"]["candidates"]
        learn = await ask("what is EPA?")
        assert learn["intent"] == "learn" and learn["answer"]
        r = await client.post("/v1/ask", json={"query": ""})
        assert r.status_code == 422


async def _wait_job(client: httpx.AsyncClient, job_id: str, timeout: float,
                    seen: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Poll a job until it ends; every answer polled is appended to ``seen``."""
    for _ in range(int(timeout * 10)):
        job: dict[str, Any] = (await client.get(f"/v1/jobs/{job_id}")).json()
        if seen is not None:
            seen.append(job)
        if job["status"] in ("succeeded", "failed"):
            return job
        await asyncio.sleep(0.1)
    raise TimeoutError(job_id)


def _server_paths(answers: list[dict[str, Any]], *dirs: Path) -> list[str]:
    """Server paths in job answers: the given directories, or anything path-like but an API
    URL."""
    text = json.dumps(answers)
    found = [str(d) for d in (*dirs, REPO, Path(tempfile.gettempdir())) if str(d) in text]
    return found + [p for p in PATH_LIKE.findall(text) if not p.startswith("/v1/jobs/")]


async def test_job_answers_name_no_server_paths_and_serve_report_files(
        app_client: AppClient, dataset: Dataset, service_state: Path) -> None:
    seen: list[dict[str, Any]] = []
    async with app_client() as client:
        async def run(body: dict[str, Any], timeout: float) -> dict[str, Any]:
            r = await client.post("/v1/jobs", json=body)
            assert r.status_code == 202, r.text
            seen.append(r.json())
            return await _wait_job(client, r.json()["id"], timeout, seen)

        backtest = await run({"type": "backtest", "season": 2015}, 240)
        assert backtest["status"] == "succeeded", backtest
        result = backtest["result"]
        assert result["metrics"]["seasons"]["2015"]["n"] > 500
        names = {a["name"]: a["url"] for a in result["artefacts"]}
        assert set(names) == {"evaluation.md", "evaluation.json", "calibration.png"}
        files = {}
        for name, url in names.items():
            assert url == f"/v1/jobs/{backtest['id']}/artefacts/{name}"
            files[name] = await client.get(url)
            assert files[name].status_code == 200, name
        assert files["evaluation.md"].headers["content-type"].startswith("text/markdown")
        assert "| ensemble |" in files["evaluation.md"].text
        assert files["calibration.png"].content[:4] == b"\x89PNG"
        saved = files["evaluation.json"].json()
        assert saved["seasons"] == result["metrics"]["seasons"]
        assert _server_paths([saved], service_state, dataset.data_dir) == []
        unlisted = await client.get(f"/v1/jobs/{backtest['id']}/artefacts/jobs.sqlite")
        assert unlisted.status_code == 404
        assert unlisted.headers["content-type"] == "application/problem+json"

        with open(dataset.data_dir / "games.csv", newline="") as fh:
            header = fh.readline()
            rows = [fh.readline() for _ in range(3)]
        batch = await run({"type": "batch_predict", "csv": header + "".join(rows)}, 60)
        assert batch["status"] == "succeeded" and batch["result"]["summary"]["rows"] == 3
        malformed = await run({"type": "batch_predict", "csv": "season,week\n2024,1\n"}, 60)
        assert malformed["status"] == "failed"
        assert "file csv" in malformed["error"] and "missing required column" in malformed["error"]
    assert len(seen) > 6
    assert _server_paths(seen, service_state, dataset.data_dir) == []


async def test_batch_predict_and_weekly_report_jobs(app_client: AppClient,
                                                    dataset: Dataset) -> None:
    with open(dataset.data_dir / "games.csv", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["season"] == "2025" and r["week"] == "13"]
    rows[0]["home_team"] = "Nowhere Tech"
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=list(rows[0]))
    w.writeheader()
    w.writerows(rows)
    async with app_client() as client:
        r = await client.post("/v1/jobs", json={"type": "batch_predict", "csv": out.getvalue()})
        assert r.status_code == 202 and r.headers["location"].startswith("/v1/jobs/")
        job = await _wait_job(client, r.json()["id"], 60)
        assert job["status"] == "succeeded", job
        lines = list(csv.DictReader(io.StringIO(job["result"]["csv"])))
        assert len(lines) == len(rows)
        assert lines[0]["error"] and not lines[1]["error"] and lines[1]["pred_margin"]
        report = (await client.post("/v1/jobs", json={"type": "weekly_report", "season": 2025,
                                                      "week": 12})).json()
        seen = [r.json(), job, report]
        done = await _wait_job(client, report["id"], 60, seen)
        assert done["status"] == "succeeded"
        assert "| 1 |" in done["result"]["markdown"] and done["result"]["games"] > 40
        assert _server_paths(seen) == []
        missing = await client.get("/v1/jobs/job_nope")
        assert missing.status_code == 404
        bad = await client.post("/v1/jobs", json={"type": "vacation"})
        assert bad.status_code == 422


async def test_a_result_stored_with_server_paths_is_answered_without_them(
        app_client: AppClient) -> None:
    """Results stored before results named no paths (e.g. a backtest's ``report_dir``) are
    reused for identical requests; their paths must not reach clients either."""
    async with app_client() as client:
        store = client.app.state.service.jobs.store  # type: ignore[attr-defined]
        job = store.create("backtest", "someone", {"season": 2016})
        store.finish(job.id, {"season": 2016, "report_dir": "/srv/state/jobs/x",
                              "artefacts": ["evaluation.md"]})
        body = (await client.get(f"/v1/jobs/{job.id}")).json()
        assert "report_dir" not in body["result"] and "/srv" not in str(body)
        assert body["result"]["artefacts"][0]["url"].endswith("/artefacts/evaluation.md")


async def test_a_backtest_before_market_lines_is_refused_with_the_valid_range(
        app_client: AppClient) -> None:
    async with app_client() as client:
        r = await client.post("/v1/jobs", json={"type": "backtest", "season": 2014})
        assert r.status_code == 422, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["valid_range"] == [2015, 2025]
