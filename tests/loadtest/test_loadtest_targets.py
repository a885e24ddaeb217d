"""Targets from the real games file, persona request plans, and /metrics parsing."""

from __future__ import annotations

import csv
import io
import os
import random
from collections import Counter
from pathlib import Path

import pytest

from scriptohio.data.paths import find_data_dir
from scriptohio.errors import DataFormatError
from scriptohio.events import EventBus
from scriptohio.loadtest.personas import (
    PERSONAS,
    Discovered,
    RequestPlanner,
    discover_learning,
    job_poll,
)
from scriptohio.loadtest.scrape import lag_quantile, parse_metrics, summarize_server
from scriptohio.loadtest.spec import LoadTestSpec, default_games_csv
from scriptohio.loadtest.targets import TargetCatalog, TargetPicker
from scriptohio.monitor import Monitor
from scriptohio.runtime.telemetry import EventLoopLag

from .crafted import METRICS_TEXT

GAMES = find_data_dir(os.environ.get("SCRIPTOHIO_DATA_DIR"),
                      cwd=Path(__file__).resolve().parents[2]) / "games.csv"


@pytest.fixture(scope="module")
def catalog() -> TargetCatalog:
    path = Path(LoadTestSpec(host="x").games_csv)
    return TargetCatalog.from_games_csv(path if path.is_file() else GAMES)


def test_current_week_is_the_first_unplayed_week_of_the_latest_season(
        catalog: TargetCatalog) -> None:
    assert (catalog.current_season, catalog.current_week) == (2025, 10)
    assert len(catalog.current_games) > 40
    assert all(g.season == 2025 and g.week == 10 for g in catalog.current_games)
    assert catalog.teams[:3] == ("Ohio State", "Michigan", "Alabama")
    assert 120 <= len(catalog.teams) <= 140  # FBS teams only


def test_popularity_is_zipf_like_and_the_current_week_dominates(
        catalog: TargetCatalog) -> None:
    picker = TargetPicker(catalog, random.Random(1))
    teams = Counter(picker.team() for _ in range(20_000))
    assert teams["Ohio State"] > 1.5 * teams["Michigan"] > 1.5 * teams["Georgia"]
    assert teams["Ohio State"] > 10 * teams[catalog.teams[60]]
    games = [picker.game() for _ in range(2000)]
    current = sum(g.season == 2025 and g.week == 10 for g in games) / len(games)
    assert 0.6 < current < 0.8


def test_team_pages_are_asked_only_for_seasons_the_team_was_fbs(catalog: TargetCatalog) -> None:
    picker = TargetPicker(catalog, random.Random(7), current_share=0.2)
    drawn = [picker.team_season() for _ in range(3000)]
    assert all(season in catalog.fbs_seasons[team] for team, season in drawn)
    assert len({season for _, season in drawn}) > 5  # history is still browsed
    # drawn independently, team and season would often not match (teams that joined FBS late)
    naive = [(picker.team(), picker.season()) for _ in range(3000)]
    assert any(season not in catalog.fbs_seasons[team] for team, season in naive)


def test_weights_of_personas_are_the_plan_shares() -> None:
    assert {p.name: p.weight for p in PERSONAS} == {
        "casual": 40, "data_scientist": 30, "production": 30}


def test_plans_hit_the_contract_endpoints(catalog: TargetCatalog) -> None:
    rng = random.Random(3)
    planner = RequestPlanner(TargetPicker(catalog, rng), rng)
    found = Discovered(lessons=["basics"], concepts=["elo"])
    names = {planner.plan(planner.choose_action(p), found).name
             for p in PERSONAS for _ in range(300)}
    assert names == {"/v1/learn/path", "/v1/learn/lessons/{id}", "/v1/learn/concepts/{name}",
                     "/v1/rankings", "/v1/rankings?method", "/v1/teams/{team}", "/v1/games",
                     "/v1/predict", "/v1/matchup", "/v1/ask", "/v1/jobs"}
    predict = planner.plan("predict")
    assert set(predict.params) == {"home", "away", "season", "week", "neutral"}
    assert predict.params["home"] in catalog.teams or predict.params["away"] in catalog.teams
    with pytest.raises(ValueError):
        planner.plan("week_params")  # only actions, not the planner's helpers
    for _ in range(200):  # matchup analysis is for FBS teams only
        m = planner.plan("matchup").params
        assert m["home"] in catalog.teams and m["away"] in catalog.teams
    team = planner.plan("team")
    assert " " not in team.path and "&" not in team.path  # names are URL-quoted
    batch = planner.plan("job_batch_predict").json
    assert batch is not None and batch["type"] == "batch_predict"
    rows = list(csv.DictReader(io.StringIO(batch["csv"])))
    assert len(rows) == 10 and all(r["home_team"] and r["game_id"] != "0" for r in rows)
    assert planner.plan("job_backtest").json["type"] == "backtest"  # type: ignore[index]


def test_lessons_are_discovered_from_any_path_answer_shape() -> None:
    found = Discovered()
    discover_learning({"path": [{"lessons": [{"id": "intro"}, {"id": 2}]},
                                {"concepts": [{"name": "elo"}, "spread"]}]}, found)
    assert found.lessons == ["intro", "2"]
    assert found.concepts == ["elo", "spread"]
    assert job_poll({"id": "j 1"}).path == "/v1/jobs/j%201"  # type: ignore[union-attr]
    assert job_poll({"error": "x"}) is None


def test_metrics_text_is_parsed_into_server_figures() -> None:
    sample = parse_metrics(METRICS_TEXT.format(cpu=12.5, rss=2e8, hits=98, misses=2,
                                               breaker=2), at=5.0)
    assert (sample.cpu_seconds, sample.rss_bytes) == (12.5, 2e8)
    assert (sample.cache_hits, sample.cache_misses) == (98.0, 2.0)
    assert sample.breakers == {'scriptohio_breaker_state{dependency="redis"}': 2.0}


def test_lag_p99_of_the_run_comes_from_the_monitors_histogram() -> None:
    """Probes before the run do not count: only the first-to-last difference does."""
    bus = EventBus()
    monitor = Monitor(bus=bus, sinks=[])
    for _ in range(500):  # before the run: slow probes
        bus.emit(EventLoopLag(0.2))
    before = parse_metrics(monitor.metrics.exposition()[0].decode(), at=0.0)
    for i in range(1000):
        # during the run: 1 % of probes at 14 ms, 13 ms of it waiting for a CPU; the rest
        # at 1.5 ms
        bus.emit(EventLoopLag(0.014, 0.013) if i % 100 == 0 else EventLoopLag(0.0015))
    after = parse_metrics(monitor.metrics.exposition()[0].decode(), at=60.0)
    monitor.close()
    assert lag_quantile([before, after], 0.99) == (0.002, 1000)
    assert lag_quantile([before, after], 0.995) == (0.015, 1000)
    assert lag_quantile([before, after], 0.995, own=True) == (0.002, 1000)
    summary = summarize_server([before, after])
    assert summary["event_loop_lag_p99_s"] == 0.002
    assert abs(summary["event_loop_cpu_wait_share"] - 10 * 0.013 / 60) < 1e-9
    assert lag_quantile([], 0.99) == (None, 0)


def test_a_malformed_games_file_names_the_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "games.csv"
    bad.write_text("season,week,season_type,home_team,away_team\n2025,x,regular,A,B\n")
    with pytest.raises(DataFormatError, match="line 2"):
        TargetCatalog.from_games_csv(bad)


def test_games_file_follows_scriptohio_data_dir(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "games.csv").write_text("id\n")
    monkeypatch.setenv("SCRIPTOHIO_DATA_DIR", str(tmp_path))
    assert default_games_csv() == str(tmp_path / "games.csv")
    monkeypatch.setenv("SCRIPTOHIO_DATA_DIR", str(tmp_path / "empty"))  # no games.csv there
    assert default_games_csv() != str(tmp_path / "empty" / "games.csv")
