"""``SCRIPTOHIO_REFRESH``: the running service pulls from CFBD on its own, serves the results
without a restart, and shows each pull (and each failure) on /metrics."""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from scriptohio.data.completeness import POSTSEASON
from scriptohio.data.dataset import Dataset
from scriptohio.testing.cfbd_server import FakeCfbd
from tests.servers import running_service


def _metric(url: str, name: str) -> float:
    text = httpx.get(f"{url}/metrics", timeout=30).text
    m = re.search(rf"^{re.escape(name)} ([0-9.e+-]+)$", text, re.MULTILINE)
    return float(m[1]) if m else 0.0


def _wait(what: str, ok: Callable[[], bool], timeout_s: float = 180.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not ok():
        assert time.monotonic() < deadline, f"never saw: {what}"
        time.sleep(0.25)


def test_the_service_pulls_on_schedule_and_reports_it(dataset: Dataset, service_state: Path
                                                      ) -> None:
    g = dataset.games.cols
    i = next(int(i) for i in dataset.games.rows_for_week(2025, 12)
             if g["home_division"][i] == g["away_division"][i] == "fbs")
    gid, team = int(g["game_id"][i]), str(g["home_team"][i])
    with FakeCfbd(dataset, api_key="k", synthesize_scores=True) as cfbd:
        cfbd.set_score(gid, 3, 52)
        # no retrain here: the models folder is the session's, shared by other tests
        env = {"SCRIPTOHIO_DATA_DIR": str(dataset.data_dir), "SCRIPTOHIO_WARM_CACHE": "0",
               "SCRIPTOHIO_REFRESH": "1", "CFBD_API_KEY": "k", "SCRIPTOHIO_CFBD_URL": cfbd.url,
               "SCRIPTOHIO_RETRAIN": "0"}
        cfbd.fail("/games", 500, times=1000)  # CFBD down when the service starts
        with running_service(service_state, env, wait_ready=True, timeout=240) as url:
            failed = 'scriptohio_data_pulls_total{outcome="failed"}'
            _wait("a failed pull counted", lambda: _metric(url, failed) >= 1)
            assert _metric(url, "scriptohio_data_pull_last_failure_timestamp_seconds") > 0
            assert httpx.get(f"{url}/ready", timeout=30).json()["data_version"] == 0

            cfbd.clear_faults()  # CFBD back: the next interval's pull succeeds
            games = 'scriptohio_data_pull_rows_changed_total{table="games"}'
            _wait("a pull that changed games", lambda: _metric(url, games) > 0)
            assert _metric(url, "scriptohio_data_pull_last_success_timestamp_seconds") > 0
            assert _metric(url, "scriptohio_data_pull_next_timestamp_seconds") > 0

            def served() -> bool:
                body = httpx.get(f"{url}/v1/teams/{quote(team)}?season=2025", timeout=30).json()
                game = next(x for x in body["schedule"] if x["game_id"] == gid)
                return bool(game["result"] == {"points_for": 3, "points_against": 52,
                                               "outcome": "L"})

            _wait("the pulled result served", served)
            # every result is in now: later intervals find nothing due and ask for nothing
            _wait("nothing due", lambda: _metric(
                url, 'scriptohio_data_pulls_total{outcome="nothing_due"}') >= 1)


@pytest.mark.parametrize("as_canary", [True, False], ids=["canary", "default-at-once"])
def test_a_pull_that_completes_a_week_retrains_on_it(
        dataset: Dataset, trained_state: Path, tmp_path: Path, as_canary: bool) -> None:
    """The retrained version starts as a canary (the default), or serves at once."""
    state = tmp_path / "state"
    state.mkdir()
    shutil.copytree(trained_state / "models", state / "models")  # its own: it will write
    with FakeCfbd(dataset, api_key="k", synthesize_scores=True) as cfbd:
        cfbd.fail("/games", 500, times=1000)  # nothing arrives until the service is up
        env = {"SCRIPTOHIO_DATA_DIR": str(dataset.data_dir), "SCRIPTOHIO_WARM_CACHE": "0",
               "SCRIPTOHIO_REFRESH": "1", "CFBD_API_KEY": "k", "SCRIPTOHIO_CFBD_URL": cfbd.url,
               "SCRIPTOHIO_RETRAIN_CANARY": "1" if as_canary else "0"}
        with running_service(state, env, wait_ready=True, timeout=240) as url:
            before = httpx.get(f"{url}/ready", timeout=30).json()["model_version"]
            outcome = "canary" if as_canary else "ok"
            counted = f'scriptohio_model_retrains_total{{outcome="{outcome}"}}'
            assert _metric(url, counted) == 0
            cfbd.clear_faults()  # every 2025 result arrives: the season is complete
            _wait("a retrain", lambda: _metric(url, counted) >= 1, timeout_s=600)
            served = httpx.get(f"{url}/ready", timeout=30).json()
            versions = sorted(p.name for p in (state / "models").iterdir() if p.is_dir())
            new = versions[-1]
            assert new != before and served["data_version"] >= 1
            # the new version learned from the pulled games and says so
            meta = json.loads((state / "models" / new / "meta.json").read_text())
            assert meta["complete_through"] == [2025, POSTSEASON]
            assert meta["data_version"] == served["data_version"]
            if as_canary:  # a sticky share first; the stable version still the default
                def canary() -> dict:
                    status = httpx.get(f"{url}/v1/monitor/status", timeout=30).json()
                    return status.get("canary") or {}

                _wait("the canary in the status", lambda: canary().get("candidate") == new)
                assert canary()["stable"] == before and canary()["status"] == "running"
                assert (state / "models" / "LATEST").read_text().strip() == before
            else:
                assert served["model_version"] == new
                assert _metric(url, "scriptohio_model_retrain_last_success_timestamp_seconds") > 0
            # later pulls change nothing: no second retrain
            _wait("nothing due", lambda: _metric(
                url, 'scriptohio_data_pulls_total{outcome="nothing_due"}') >= 1)
            assert _metric(url, counted) == 1
            assert _metric(url, 'scriptohio_model_retrains_total{outcome="failed"}') == 0
