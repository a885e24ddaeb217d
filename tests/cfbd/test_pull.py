"""``data pull`` against a local CFBD: mapping, idempotence, and the awkward cases CFBD has
(renamed teams, unknown teams, games moved, scores corrected)."""

from __future__ import annotations

import logging

import pytest

from scriptohio.data.cfbd import CfbdClient, PullRequest, pull
from scriptohio.data.dataset import Dataset
from scriptohio.data.store import StateStore
from scriptohio.testing.cfbd_server import FakeCfbd
from tests.cfbd.conftest import API_KEY, view

WEEK9 = PullRequest(2025, (9,), ("regular",))


def _game_in_week(dataset: Dataset, week: int, *, scored: bool) -> int:
    g = dataset.games.cols
    for i in dataset.games.rows_for_week(2025, week):
        if (g["home_division"][i] == g["away_division"][i] == "fbs"
                and (g["home_points"][i] == g["home_points"][i]) == scored):
            return int(g["game_id"][i])
    raise AssertionError("no such game")


def test_a_week_we_have_round_trips_unchanged_and_adds_every_providers_lines(
        client: CfbdClient, store: StateStore, dataset: Dataset) -> None:
    result = pull(client, store, dataset, WEEK9)
    assert result.ingest is not None and not result.changed
    games = result.ingest.as_json()["games"]
    assert games == {"new": 0, "updated": 0, "unchanged": result.fetched["games"]}
    assert result.ingest.team_games_unchanged == result.fetched["team_games"] > 0
    assert result.ingest.lines_new == result.fetched["lines"] > 0
    assert store.data_version() == 0  # lines alone publish no data change
    gid = _game_in_week(dataset, 9, scored=True)
    providers = store.ingested_lines([gid])
    assert {p["provider"] for p in providers} == {"Bovada", "DraftKings", "ESPN Bet"}
    game = dataset.games.get(gid)
    assert game is not None and game.spread is not None
    assert sorted(float(str(p["spread"])) for p in providers)[1] == game.spread  # the median
    assert all(p["home_moneyline"] is not None and p["spread_open"] is not None
               for p in providers)


def test_new_results_are_ingested_and_a_repull_changes_nothing(
        dataset: Dataset, store: StateStore, client: CfbdClient,
        cfbd_server: FakeCfbd) -> None:
    gid = _game_in_week(dataset, 12, scored=False)
    cfbd_server.set_score(gid, 31, 24)
    first = pull(client, store, dataset, PullRequest(2025, (12,), ("regular",)))
    assert first.changed and first.ingest is not None
    assert first.ingest.games_updated == 1 and first.ingest.event is not None
    assert first.ingest.event.weeks == {(2025, "regular", 12)}
    after = view(dataset, store)
    game = after.games.get(gid)
    assert game is not None and (game.home_points, game.away_points) == (31, 24)

    version = store.data_version()
    again = pull(client, store, after, PullRequest(2025, (12,), ("regular",)))
    assert again.ingest is not None and not again.changed
    assert again.ingest.games_updated == again.ingest.games_new == 0
    assert again.ingest.lines_new == again.ingest.lines_updated == 0
    assert store.data_version() == version


def test_a_score_corrected_after_the_fact_is_updated(
        dataset: Dataset, store: StateStore, client: CfbdClient,
        cfbd_server: FakeCfbd) -> None:
    pull(client, store, dataset, WEEK9)
    gid = _game_in_week(dataset, 9, scored=True)
    old = dataset.games.get(gid)
    assert old is not None and old.home_points is not None and old.away_points is not None
    cfbd_server.set_score(gid, old.home_points + 7, old.away_points)
    result = pull(client, store, view(dataset, store), WEEK9)
    assert result.ingest is not None and result.ingest.games_updated == 1
    assert result.ingest.event is not None and result.ingest.event.game_ids == {gid}
    fixed = view(dataset, store).games.get(gid)
    assert fixed is not None and fixed.home_points == old.home_points + 7


def test_a_game_moved_to_another_week_invalidates_both_weeks(
        dataset: Dataset, store: StateStore, client: CfbdClient,
        cfbd_server: FakeCfbd) -> None:
    gid = _game_in_week(dataset, 12, scored=False)
    cfbd_server.move(gid, 14)
    result = pull(client, store, dataset, PullRequest(2025, (12, 13, 14), ("regular",)))
    assert result.ingest is not None and result.ingest.event is not None
    assert {(2025, "regular", 12), (2025, "regular", 14)} <= result.ingest.event.weeks
    moved = view(dataset, store).games.get(gid)
    assert moved is not None and moved.week == 14


def test_a_renamed_team_keeps_our_name_through_its_cfbd_id(
        dataset: Dataset, store: StateStore, client: CfbdClient,
        cfbd_server: FakeCfbd) -> None:
    gid = _game_in_week(dataset, 9, scored=True)
    g = dataset.games.cols
    i = dataset.games.row_of(gid)
    assert i is not None
    ours, team_id = str(g["home_team"][i]), int(g["home_id"][i])
    cfbd_server.rename(team_id, f"{ours} Renamed U")
    result = pull(client, store, dataset, WEEK9)
    assert result.renamed == {f"{ours} Renamed U": ours}
    assert result.ingest is not None and not result.changed and not result.skipped


def test_a_game_with_an_unknown_team_is_left_out_and_reported(
        dataset: Dataset, store: StateStore, client: CfbdClient,
        cfbd_server: FakeCfbd) -> None:
    gid = _game_in_week(dataset, 9, scored=True)
    i = dataset.games.row_of(gid)
    assert i is not None
    record = cfbd_server.game_json(i) | {
        "id": 999_000_001, "awayId": 987_654, "awayTeam": "Nowhere Tech",
        "homePoints": 45, "awayPoints": 3}
    cfbd_server.add_game(record)
    result = pull(client, store, dataset, WEEK9)
    assert result.skipped == [{"game_id": 999_000_001, "reason": "unknown team 'Nowhere Tech'",
                               "game": f"Nowhere Tech at {record['homeTeam']}"}]
    assert result.ingest is not None and result.ingest.games_unchanged == (
        result.fetched["games"] - 1)
    assert view(dataset, store).games.get(999_000_001) is None


def test_the_key_goes_in_the_header_and_never_into_logs_or_results(
        dataset: Dataset, store: StateStore, client: CfbdClient, cfbd_server: FakeCfbd,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    cfbd_server.fail("/lines", 503, retry_after="0")
    result = pull(client, store, dataset, WEEK9)
    assert set(cfbd_server.authorizations) == {f"Bearer {API_KEY}"}
    assert API_KEY not in caplog.text
    assert API_KEY not in str(result.as_json())
