"""Model canaries through the real app (ASGI transport): sticky arms, the version in the
cache, fallback from a broken candidate with no failed request, and the admin endpoints.

The stable version is the tiny league's fake predictor; candidates are ``FakeModels``. The
canary's background tick is parked (an hour) and each test ticks by hand, so nothing waits on
the host's speed.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from scriptohio.api.app import create_app
from scriptohio.api.canary_router import CanaryRouter
from scriptohio.config import Settings
from scriptohio.testing import DatasetBuilder, FakeModels, fake_context
from tests.api.conftest import _TEST_SETTINGS, TINY_RATINGS, TINY_TEAMS, _ready_client

CanaryClient = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]
#: the candidate rates every team like the stable model but Alpha one point lower
CLOSE = {**TINY_RATINGS, "Alpha": TINY_RATINGS["Alpha"] - 1.0}
#: a candidate that disagrees by 20 points about Alpha
FAR = {**TINY_RATINGS, "Alpha": TINY_RATINGS["Alpha"] - 20.0}
GAMES = [(h, a) for h, a in itertools.permutations(TINY_TEAMS, 2)]


@pytest.fixture()
def canary_client(tmp_path: Path) -> CanaryClient:
    league = DatasetBuilder()
    for i, team in enumerate(TINY_TEAMS):
        league.team(team, "North" if i < 3 else "South")
    data = league.round_robin(2023, TINY_TEAMS, weeks_played=4, weeks=6).write(tmp_path / "data")

    @asynccontextmanager
    async def make(models: FakeModels, **overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
        settings = Settings(data_dir=str(data), state_dir=str(tmp_path / "state"),
                            **{**_TEST_SETTINGS, **overrides})
        app = create_app(settings, models=models,
                         build_context=lambda folder, _store: fake_context(folder, TINY_RATINGS))
        app.state.service.canary.tick_s = 3600.0  # the tests tick by hand
        async with _ready_client(app, 60) as client:
            yield client

    return make


def router_of(client: httpx.AsyncClient) -> CanaryRouter:
    router: CanaryRouter = client.app.state.service.canary  # type: ignore[attr-defined]
    return router


async def start(client: httpx.AsyncClient, version: str, **policy: Any) -> httpx.Response:
    return await client.post("/v1/admin/canary", json={"version": version, **policy})


async def predict(client: httpx.AsyncClient, user: str, home: str = "Alpha",
                  away: str = "Bravo", week: int = 5) -> httpx.Response:
    return await client.get("/v1/predict", params={"home": home, "away": away,
                                                   "season": 2023, "week": week},
                            headers={"X-User-Id": user})


async def test_a_caller_keeps_one_version_and_answers_are_not_mixed(
        canary_client: CanaryClient) -> None:
    async with canary_client(FakeModels({"v0002": CLOSE})) as client:
        r = await start(client, "v0002", stages=[0.5, 1.0], min_requests=10_000)
        assert r.status_code == 201, r.text
        versions: dict[str, set[str]] = {}
        margins: dict[str, set[float]] = {"v0002": set(), "fake": set()}
        for _ in range(3):
            for i in range(40):
                r = await predict(client, f"user-{i}")
                assert r.status_code == 200, r.text
                version = r.headers["x-model-version"]
                versions.setdefault(f"user-{i}", set()).add(version)
                margins[version].add(r.json()["prediction"]["margin"])
        assert all(len(v) == 1 for v in versions.values())  # sticky
        served = [next(iter(v)) for v in versions.values()]
        assert 0 < served.count("v0002") < len(served)
        # the stable answer is Alpha by 4.5 (2 rating points + 2.5 home field), the candidate's
        # one point less: each caller got its own version's answer every time, cache or not
        assert margins == {"fake": {4.5}, "v0002": {3.5}}


async def test_a_broken_candidate_fails_no_request_and_is_rolled_back(
        canary_client: CanaryClient) -> None:
    models = FakeModels({"v0002": None})  # every prediction of v0002 raises
    async with canary_client(models) as client:
        assert (await start(client, "v0002", stages=[1.0], max_errors=3)).status_code == 201
        statuses = [(await predict(client, f"user-{i}", h, a)).status_code
                    for i, (h, a) in enumerate(GAMES[:12])]
        assert statuses == [200] * 12  # every caller answered, by the stable version
        status = (await client.get("/v1/admin/canary")).json()["canary"]
        assert status["status"] == "aborted"
        assert status["reason"].startswith("3 failed canary predictions")
        r = await predict(client, "user-1", "Charlie", "Delta")
        assert r.status_code == 200 and r.headers["x-model-version"] == "fake"


async def test_a_repeated_question_asks_a_broken_candidate_again(
        canary_client: CanaryClient) -> None:
    """A fallback answer is not remembered as the candidate's: the same question, asked again
    by the same caller, goes to the candidate again and counts its failure again."""
    models = FakeModels({"v0002": None})
    async with canary_client(models) as client:
        assert (await start(client, "v0002", stages=[1.0], max_errors=4)).status_code == 201
        answers = [await predict(client, "the-same-user") for _ in range(4)]
        assert [r.status_code for r in answers] == [200] * 4
        assert all(r.headers["x-model-version"] == "fake" for r in answers)  # never mislabelled
        await router_of(client).tick()  # the abort the 4th failure asked for, done by now
        status = (await client.get("/v1/admin/canary")).json()["canary"]
        assert status["status"] == "aborted"
        assert status["reason"].startswith("4 failed canary predictions")


async def test_a_corrupt_artifact_in_the_registry_fails_no_request(
        canary_client: CanaryClient, tmp_path: Path) -> None:
    """No FakeModels here: the candidate is a real registry directory whose artifact is
    garbage (its metadata says it was trained on today's features)."""
    from scriptohio.features import FEATURE_NAMES
    from scriptohio.models.bundle import feature_hash

    version = tmp_path / "state" / "models" / "v0002"
    version.mkdir(parents=True)
    (version / "meta.json").write_text(
        f'{{"version": "v0002", "feature_hash": "{feature_hash(FEATURE_NAMES)}"}}')
    (version / "suite.joblib.zst").write_bytes(b"\x28\xb5\x2f\xfd not a model")
    async with canary_client(None) as client:
        assert (await start(client, "v0002", stages=[0.5, 1.0])).status_code == 201
        statuses = [(await predict(client, f"user-{i}", h, a)).status_code
                    for i, (h, a) in enumerate(GAMES)]
        assert statuses == [200] * len(GAMES)
        status = (await client.get("/v1/admin/canary")).json()["canary"]
        assert status["status"] == "aborted", status
        # each worker loads a new candidate at once: this one is aborted when it fails to
        # load, or by its failed predictions if callers came first (they got stable answers)
        reason = status["reason"]
        assert (("v0002 does not load" in reason and "cannot read model artifact" in reason)
                or reason.startswith("5 failed canary predictions")), reason


async def test_diverging_candidate_is_rolled_back_on_the_tick(
        canary_client: CanaryClient) -> None:
    async with canary_client(FakeModels({"v0002": FAR})) as client:
        r = await start(client, "v0002", stages=[1.0], min_requests=1000)
        assert r.status_code == 201
        for i, (home, away) in enumerate(GAMES):
            assert (await predict(client, f"u{i}", home, away)).status_code == 200
        await router_of(client).settle()  # the comparisons with the stable answers
        state = await router_of(client).tick()
        assert state is not None and state.status == "aborted"
        assert state.reason is not None and "margin difference" in state.reason
        # Alpha's games differ by 20 points, the others not at all: 10 of 30 games
        assert state.canary_total.margin_diff_max == pytest.approx(20.0)
        metrics = (await client.get("/metrics")).text
        assert "scriptohio_canary_margin_divergence_points_bucket" in metrics


async def test_promoted_through_every_stage_then_serving_the_candidate(
        canary_client: CanaryClient) -> None:
    models = FakeModels({"v0002": CLOSE})
    async with canary_client(models) as client:
        r = await start(client, "v0002", stage_s=0, min_requests=3)
        assert r.status_code == 201 and r.json()["canary"]["share"] == 0.10
        shares = []
        for _ in range(4):
            for i in range(100):  # at 10 %, about 10 callers in the canary: 3 are enough
                assert (await predict(client, f"user-{i}")).status_code == 200
            state = await router_of(client).tick()
            assert state is not None
            shares.append(state.share)
        assert shares == [0.25, 0.50, 1.00, 0.0]
        assert state is not None and state.status == "promoted" and models.default == "v0002"
        r = await predict(client, "anyone")
        assert r.json()["prediction"]["margin"] == 3.5  # the candidate's answer, for all
        status = (await client.get("/v1/monitor/status")).json()["canary"]
        assert status["status"] == "promoted"
        assert [t["event"] for t in status["timeline"]] == [
            "start", "advance", "advance", "advance", "promote"]


async def test_admin_endpoints_refuse_bad_requests_as_problems(
        canary_client: CanaryClient) -> None:
    async with canary_client(FakeModels({"v0002": CLOSE}, incompatible=["v0003"])) as client:
        assert (await client.get("/v1/admin/canary")).json() == {"canary": None}
        cases = [
            (await start(client, "v0009"), 404, "no model version 'v0009'"),
            (await start(client, "v0003"), 409, "other features"),
            (await start(client, "fake"), 409, "already the stable"),
            (await start(client, "v0002", stages=[0.5]), 422, "last stage"),
            (await start(client, "v0002", stages=[2.0, 1.0]), 422, "increasing"),
            (await client.post("/v1/admin/canary/promote"), 409, "no canary is running"),
            (await client.post("/v1/admin/canary/abort"), 409, "no canary is running"),
        ]
        for response, status, detail in cases:
            assert response.status_code == status, response.text
            assert response.headers["content-type"] == "application/problem+json"
            assert detail in response.json()["detail"]
        assert (await start(client, "v0002")).status_code == 201
        again = await start(client, "v0002")
        assert again.status_code == 409 and "already running" in again.json()["detail"]
        aborted = await client.post("/v1/admin/canary/abort", json={"reason": "test"})
        assert aborted.status_code == 200
        assert aborted.json()["canary"]["status"] == "aborted"


async def test_admin_endpoints_need_an_admin(canary_client: CanaryClient) -> None:
    async with canary_client(FakeModels({"v0002": CLOSE}), open_admin=False) as client:
        r = await start(client, "v0002")
        assert r.status_code == 403
        assert r.headers["content-type"] == "application/problem+json"


async def test_played_games_grade_both_versions_on_the_score(
        canary_client: CanaryClient) -> None:
    async with canary_client(FakeModels({"v0002": FAR})) as client:
        assert (await start(client, "v0002", stages=[1.0], min_requests=1000,
                            max_margin_diff=100.0, max_win_prob_diff=1.0)).status_code == 201
        for i, (home, away) in enumerate(GAMES):
            r = await predict(client, f"u{i}", home, away, week=2)
            assert r.status_code == 200 and r.headers["x-model-version"] == "v0002"
        await router_of(client).settle()
        state = await router_of(client).tick()
        assert state is not None and state.running, state and state.reason
        total = state.summary()["total"]["canary"]
        assert 0 < total["graded"] < len(GAMES)  # the pairs that played in week 2
        assert total["mae"] is not None and total["stable_mae"] is not None
        assert total["mae"] != total["stable_mae"]  # FAR rates Alpha 20 points lower
