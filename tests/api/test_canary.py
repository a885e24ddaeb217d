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
from scriptohio.api.canary import CanaryRouter
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
