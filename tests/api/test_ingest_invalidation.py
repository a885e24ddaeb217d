"""After an ingest the service serves the new numbers at once and invalidates only what the
new results touch: an untouched team's cached answer survives, a touched one does not."""

from __future__ import annotations

import csv
import io

from scriptohio.data.dataset import Dataset
from tests.api.conftest import AppClient


def _week12_results(dataset: Dataset, n: int) -> tuple[str, list[dict[str, str]]]:
    with open(dataset.data_dir / "games.csv", newline="") as fh:
        rows = [r for r in csv.DictReader(fh)
                if r["season"] == "2025" and r["week"] == "12" and r["home_points"] == ""
                and r["home_division"] == "fbs" and r["away_division"] == "fbs"][:n]
    for r in rows:
        r["home_points"], r["away_points"] = "3", "52"  # a result no model predicted
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue(), rows


async def test_ingest_invalidates_only_what_it_touches(app_client: AppClient,
                                                       dataset: Dataset) -> None:
    text, rows = _week12_results(dataset, 2)
    touched = rows[0]["home_team"]
    untouched_2024 = "/v1/teams/Alabama?season=2024"
    touched_2025 = f"/v1/teams/{touched}?season=2025"
    async with app_client() as client:
        before = {u: await client.get(u) for u in (untouched_2024, touched_2025)}
        for u in before:  # both are cached now
            assert (await client.get(u)).headers["x-cache"] == "hit-l1"
        r = await client.post("/v1/admin/ingest", json={"games_csv": text})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["ingest"]["games"]["updated"] == 2 and body["refresh"]["changed"]
        assert body["refresh"]["invalidated"] >= 1

        survivor = await client.get(untouched_2024)
        assert survivor.headers["x-cache"] == "hit-l1"
        assert survivor.content == before[untouched_2024].content

        fresh = await client.get(touched_2025)
        assert fresh.headers["x-cache"] == "miss"
        game = next(g for g in fresh.json()["schedule"] if g["game_id"] == int(rows[0]["game_id"]))
        assert game["result"] == {"points_for": 3, "points_against": 52, "outcome": "L"}

        # the same file again changes nothing and invalidates nothing
        again = (await client.post("/v1/admin/ingest", json={"games_csv": text})).json()
        assert again["ingest"]["changed"] is False
        assert (await client.get(touched_2025)).headers["x-cache"] == "hit-l1"


async def test_bad_ingest_is_rejected_whole(app_client: AppClient, dataset: Dataset) -> None:
    text, _ = _week12_results(dataset, 2)
    broken = text.replace(",3,52,", ",three,52,", 1)
    async with app_client() as client:
        r = await client.post("/v1/admin/ingest", json={"games_csv": broken})
        assert r.status_code == 422
        assert "line 2" in r.json()["detail"] and "home_points" in r.json()["detail"]
        assert (await client.get("/ready")).json()["data_version"] == 0


async def test_admin_needs_admin_role_off_loopback(app_client: AppClient) -> None:
    async with app_client(auth="keys") as client:
        r = await client.post("/v1/admin/reload")
        assert r.status_code == 401
