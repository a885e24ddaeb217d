"""A running service (same data and state directories) serves a pull's results without a
restart, and a re-pull does not disturb it."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import quote

import httpx

from scriptohio.data.cfbd import CfbdClient, PullRequest, pull
from scriptohio.data.dataset import Dataset, load_dataset
from scriptohio.data.store import StateStore
from scriptohio.testing.cfbd_server import FakeCfbd
from tests.servers import running_service


def _result(url: str, team: str, game_id: int) -> object:
    body = httpx.get(f"{url}/v1/teams/{quote(team)}?season=2025", timeout=30).json()
    return next(g for g in body["schedule"] if g["game_id"] == game_id)["result"]


def test_the_running_service_serves_pulled_results(dataset: Dataset, service_state: Path,
                                                   cfbd_server: FakeCfbd) -> None:
    g = dataset.games.cols
    i = next(int(i) for i in dataset.games.rows_for_week(2025, 13)
             if g["home_division"][i] == g["away_division"][i] == "fbs")
    gid, team = int(g["game_id"][i]), str(g["home_team"][i])
    cfbd_server.set_score(gid, 3, 52)  # a result no model predicted
    env = {"SCRIPTOHIO_DATA_DIR": str(dataset.data_dir), "SCRIPTOHIO_WARM_CACHE": "0"}
    with running_service(service_state, env, wait_ready=True, timeout=240) as url:
        assert _result(url, team, gid) is None
        store = StateStore(service_state)
        client = CfbdClient(api_key=cfbd_server.api_key, base_url=cfbd_server.url)
        result = pull(client, store, dataset, PullRequest(2025, (13,), ("regular",)))
        assert result.changed
        deadline = time.monotonic() + 120  # the watcher polls every second
        while httpx.get(f"{url}/ready", timeout=30).json()["data_version"] < (
                store.data_version()):
            assert time.monotonic() < deadline, "the service never saw the pull"
            time.sleep(0.2)
        assert _result(url, team, gid) == {"points_for": 3, "points_against": 52,
                                           "outcome": "L"}
        version = store.data_version()
        again = pull(client, store, load_dataset(dataset.data_dir, store),
                     PullRequest(2025, (13,), ("regular",)))
        assert not again.changed and store.data_version() == version
        client.close()
        store.close()
