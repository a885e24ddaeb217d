"""Conditional pulls: ETags kept, ``If-None-Match`` sent, a 304 answered from what was kept."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from scriptohio.data.cfbd import CfbdClient, PullRequest, ValidatorStore, pull
from scriptohio.data.cfbd.validators import VALIDATORS_FILE, request_key
from scriptohio.data.dataset import Dataset
from scriptohio.data.store import StateStore
from scriptohio.errors import UpstreamError
from scriptohio.testing.cfbd_server import FakeCfbd
from tests.cfbd.conftest import API_KEY, view

WEEK12 = PullRequest(2025, (12,), ("regular",))


@pytest.fixture()
def validators(state_dir: Path) -> Iterator[ValidatorStore]:
    v = ValidatorStore.in_state_dir(state_dir)
    yield v
    v.close()


@pytest.fixture()
def conditional(cfbd_server: FakeCfbd, validators: ValidatorStore) -> Iterator[CfbdClient]:
    c = CfbdClient(api_key=API_KEY, base_url=cfbd_server.url, timeout_s=5.0,
                   validators=validators)
    yield c
    c.close()


def _unscored_game(dataset: Dataset, week: int) -> int:
    g = dataset.games.cols
    for i in dataset.games.rows_for_week(2025, week):
        if g["home_division"][i] == g["away_division"][i] == "fbs" \
                and g["home_points"][i] != g["home_points"][i]:
            return int(g["game_id"][i])
    raise AssertionError("no unscored game")


def test_an_unchanged_week_is_all_304s_with_the_same_records(
        conditional: CfbdClient, cfbd_server: FakeCfbd) -> None:
    first = conditional.games(2025, "regular", 12)
    lines = conditional.lines(2025, "regular", 12)
    assert conditional.not_modified == 0 and len(first) > 0 and len(lines) > 0
    again = conditional.games(2025, "regular", 12)
    lines_again = conditional.lines(2025, "regular", 12)
    assert conditional.not_modified == cfbd_server.not_modified == 2
    assert again == first and lines_again == lines  # the same records, read from what was kept


def test_a_repull_of_an_unchanged_week_changes_nothing_and_a_new_score_gets_through(
        dataset: Dataset, store: StateStore, conditional: CfbdClient,
        cfbd_server: FakeCfbd) -> None:
    first = pull(conditional, store, dataset, WEEK12)
    assert first.not_modified == 0 and first.ingest is not None
    version = store.data_version()
    after = view(dataset, store)
    same = pull(conditional, store, after, WEEK12)
    assert same.not_modified == same.requests > 0
    assert not same.changed and store.data_version() == version
    assert same.fetched == first.fetched

    gid = _unscored_game(dataset, 12)
    cfbd_server.set_score(gid, 27, 20)
    moved = pull(conditional, store, view(dataset, store), WEEK12)
    # the games and lines answers carry the score, so they changed; box scores did not
    assert 0 < moved.not_modified < moved.requests
    assert moved.changed and moved.ingest is not None and moved.ingest.games_updated == 1
    game = view(dataset, store).games.get(gid)
    assert game is not None and (game.home_points, game.away_points) == (27, 20)


def test_a_server_without_etags_gets_plain_requests(
        dataset: Dataset, validators: ValidatorStore) -> None:
    with FakeCfbd(dataset, api_key=API_KEY, etags=False) as server:
        client = CfbdClient(api_key=API_KEY, base_url=server.url, validators=validators)
        try:
            client.games(2025, "regular", 9)
            client.games(2025, "regular", 9)
        finally:
            client.close()
        assert client.not_modified == server.not_modified == 0
        key = server.url + request_key("/games", {"year": 2025, "week": 9,
                                                  "season_type": "regular"})
        assert validators.get(key) is None  # nothing to send back


def test_an_unreadable_kept_answer_fails_clearly_once_then_the_pull_works(
        conditional: CfbdClient, validators: ValidatorStore) -> None:
    first = conditional.talent(2024)
    key = conditional.base_url.rstrip("/") + request_key("/talent", {"year": 2024})
    kept = validators.get(key)
    assert kept is not None
    validators.put(key, kept[0], b'[{"not": "a talent record"}]')
    with pytest.raises(UpstreamError, match="kept answer for a 304 is unreadable"):
        conditional.talent(2024)
    assert validators.get(key) is None  # forgotten: the next request asks plainly
    assert conditional.talent(2024) == first


def test_the_validator_file_is_the_owners_only(
        conditional: CfbdClient, state_dir: Path) -> None:
    conditional.talent(2024)
    mode = stat.S_IMODE((state_dir / VALIDATORS_FILE).stat().st_mode)
    assert mode == 0o600
