"""``POST /v1/jobs`` ``grade_picks``: a user's picks graded in a worker, report files served."""

from __future__ import annotations

import numpy as np

from scriptohio.data.dataset import Dataset
from tests.api.conftest import AppClient


async def test_a_grade_picks_job_serves_its_report(app_client: AppClient,
                                                   dataset: Dataset) -> None:
    import asyncio

    c = dataset.games.cols
    rows = np.flatnonzero((c["season"] == 2024) & (c["week"] == 11))[:20]
    picks = "game_id,margin\n" + "".join(f"{int(g)},3.5\n" for g in c["game_id"][rows])
    async with app_client() as client:
        r = await client.post("/v1/jobs", json={"type": "grade_picks", "csv": picks})
        assert r.status_code == 202, r.text
        job_id = r.json()["id"]
        for _ in range(3000):
            job = (await client.get(f"/v1/jobs/{job_id}")).json()
            if job["status"] in ("succeeded", "failed"):
                break
            await asyncio.sleep(0.1)
        assert job["status"] == "succeeded", job
        grade = job["result"]["grade"]
        assert grade["graded"] == 20 and grade["train_through"] == 2023
        assert set(grade["forecasters"]) == {"you", "market", "elo", "ensemble"}
        names = {a["name"]: a["url"] for a in job["result"]["artefacts"]}
        assert set(names) == {"picks.md", "picks.json", "picks.png"}
        md = await client.get(names["picks.md"])
        assert md.status_code == 200 and "| you | 20 |" in md.text

        bad = await client.post("/v1/jobs", json={"type": "grade_picks",
                                                  "csv": "game_id,margin\n1,x\n"})
        for _ in range(600):
            failed = (await client.get(f"/v1/jobs/{bad.json()['id']}")).json()
            if failed["status"] in ("succeeded", "failed"):
                break
            await asyncio.sleep(0.1)
        assert failed["status"] == "failed" and "line 2" in failed["error"]
        assert "/tmp" not in failed["error"]
