"""A running service (same data and state directories) serves a pull's results without a
restart, and a re-pull does not disturb it."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import quote

import httpx

from scriptohio.agents.predict import implied_probability
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
        # every provider's moneylines came with the pull: the price's chance beside ours
        game = dataset.games.get(gid)
        assert game is not None
        body = httpx.get(f"{url}/v1/predict", timeout=60, params={
            "home": game.home_team, "away": game.away_team, "season": 2025, "week": 13},
            headers={"X-Role": "data_scientist"}).json()
        money = body["market"]["moneyline"]
        pulled = store.ingested_lines([gid])
        homes = sorted(float(str(p["home_moneyline"])) for p in pulled)
        aways = sorted(float(str(p["away_moneyline"])) for p in pulled)
        assert money["providers"] == len(pulled) == 3
        assert (money["home"], money["away"]) == (homes[1], aways[1])  # the medians
        no_vig = sorted(implied_probability(float(str(p["home_moneyline"])))
                        / (implied_probability(float(str(p["home_moneyline"])))
                           + implied_probability(float(str(p["away_moneyline"]))))
                        for p in pulled)
        assert money["home_win_prob"] == round(no_vig[1], 4)  # the median book's chance
        assert 0 < money["overround"] < 0.1  # the book's margin, taken out
        assert money["edge"] == round(body["prediction"]["home_win_prob"]
                                      - money["home_win_prob"], 4)
        version = store.data_version()
        again = pull(client, store, load_dataset(dataset.data_dir, store),
                     PullRequest(2025, (13,), ("regular",)))
        assert not again.changed and store.data_version() == version
        client.close()
        store.close()
