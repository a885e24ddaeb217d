"""The failure matrix: 429, 500, timeouts, malformed and partial answers, a refused key.

Every failure ends in one :class:`UpstreamError` naming the endpoint and what happened, and
nothing is written: no games, no lines, no data-change event. Waits are recorded by an
injected ``sleep``, never slept.
"""

from __future__ import annotations

import pytest

from scriptohio.data.cfbd import CfbdClient, PullRequest, RetryPolicy, pull
from scriptohio.data.dataset import Dataset
from scriptohio.data.store import StateStore
from scriptohio.errors import UpstreamError
from scriptohio.testing.cfbd_server import FakeCfbd
from tests.cfbd.conftest import API_KEY, Sleeps

WEEK12 = PullRequest(2025, (12,), ("regular",))


def _nothing_written(store: StateStore) -> None:
    assert store.data_version() == 0
    assert store.ingested_games() == [] and store.ingested_lines() == []
    assert store.ingested_team_games() == []


def test_429_then_success_waits_as_retry_after_says(
        client: CfbdClient, store: StateStore, dataset: Dataset, cfbd_server: FakeCfbd,
        sleeps: Sleeps) -> None:
    cfbd_server.fail("/games", 429, times=2, retry_after="7")
    result = pull(client, store, dataset, WEEK12)
    assert result.retries == 2 and sleeps == [7.0, 7.0]
    assert result.fetched["games"] > 0 and result.ingest is not None


def test_429_without_retry_after_backs_off_exponentially(
        client: CfbdClient, store: StateStore, dataset: Dataset, cfbd_server: FakeCfbd,
        sleeps: Sleeps) -> None:
    cfbd_server.fail("/lines", 429, times=3)
    pull(client, store, dataset, WEEK12)
    assert sleeps == [0.5, 1.0, 2.0]


def test_a_retry_after_too_long_to_wait_fails_at_once(
        client: CfbdClient, store: StateStore, dataset: Dataset, cfbd_server: FakeCfbd,
        sleeps: Sleeps) -> None:
    cfbd_server.fail("/games", 429, retry_after="3600")
    with pytest.raises(UpstreamError, match=r"CFBD /games .*HTTP 429"):
        pull(client, store, dataset, WEEK12)
    assert sleeps == []
    _nothing_written(store)


def test_500_every_time_fails_clearly_and_writes_nothing(
        client: CfbdClient, store: StateStore, dataset: Dataset, cfbd_server: FakeCfbd,
        sleeps: Sleeps) -> None:
    cfbd_server.fail("/games/teams", 500, times=4)
    with pytest.raises(UpstreamError) as err:
        pull(client, store, dataset, PullRequest(2025, (9,), ("regular",)))
    assert "CFBD /games/teams (year=2025, week=9, season_type=regular): HTTP 500 after 4" \
        " attempts; nothing was written" in str(err.value)
    assert len(sleeps) == 3
    _nothing_written(store)  # /games and /lines had answered: still nothing is written


# The timeout is generous next to an ordinary answer and the delay far beyond it, so a loaded
# machine cannot turn an ordinary answer into a timeout nor the slow one into an answer.
TIMEOUT_S, SLOW_S = 2.0, 8.0


def test_a_slow_answer_is_retried(dataset: Dataset, store: StateStore,
                                  cfbd_server: FakeCfbd, sleeps: Sleeps) -> None:
    cfbd_server.slow("/games", SLOW_S)
    client = CfbdClient(api_key=API_KEY, base_url=cfbd_server.url, timeout_s=TIMEOUT_S,
                        sleep=sleeps)
    result = pull(client, store, dataset, WEEK12)
    assert result.retries >= 1 and result.ingest is not None and result.ingest.changed is False
    assert cfbd_server.pending_faults() == 0


def test_no_answer_in_time_fails_and_writes_nothing(dataset: Dataset, store: StateStore,
                                                    cfbd_server: FakeCfbd,
                                                    sleeps: Sleeps) -> None:
    cfbd_server.slow("/lines", SLOW_S, times=2)
    client = CfbdClient(api_key=API_KEY, base_url=cfbd_server.url, timeout_s=TIMEOUT_S,
                        policy=RetryPolicy(attempts=2), sleep=sleeps)
    with pytest.raises(UpstreamError, match=r"CFBD /lines .*no answer within 2 s after 2"):
        pull(client, store, dataset, WEEK12)
    _nothing_written(store)


@pytest.mark.parametrize("body", [
    b'[{"id": 401, "season": 20',  # cut off mid-answer
    b'<html>502 Bad Gateway</html>',  # a proxy's page
    b'[{"id": 401752800, "season": 2025, "week": 12}]',  # valid JSON, required fields missing
    b'{"message": "not a list"}',
])
def test_malformed_or_partial_answers_fail_and_write_nothing(
        client: CfbdClient, store: StateStore, dataset: Dataset, cfbd_server: FakeCfbd,
        body: bytes) -> None:
    cfbd_server.malformed("/games", body)
    with pytest.raises(UpstreamError, match=r"CFBD /games .*malformed answer"):
        pull(client, store, dataset, WEEK12)
    _nothing_written(store)


def test_a_refused_key_says_which_variable_to_fix(dataset: Dataset, store: StateStore,
                                                  cfbd_server: FakeCfbd) -> None:
    client = CfbdClient(api_key="wrong-key", base_url=cfbd_server.url)
    with pytest.raises(UpstreamError, match="API key was refused; check CFBD_API_KEY") as err:
        pull(client, store, dataset, WEEK12)
    assert "wrong-key" not in str(err.value)
    _nothing_written(store)


def test_nothing_listening_fails_clearly(dataset: Dataset, store: StateStore,
                                         sleeps: Sleeps) -> None:
    from tests.servers import free_port

    url = f"http://127.0.0.1:{free_port()}"
    client = CfbdClient(api_key=API_KEY, base_url=url, policy=RetryPolicy(attempts=2),
                        sleep=sleeps)
    with pytest.raises(UpstreamError, match=f"cannot connect to {url}"):
        pull(client, store, dataset, WEEK12)
    _nothing_written(store)
