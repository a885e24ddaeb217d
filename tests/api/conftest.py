"""An in-process app (ASGI transport, lifespan run) ready to answer, per test."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from scriptohio.api.app import create_app
from scriptohio.config import Settings

AppClient = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]
#: what every in-process app here runs with, unless a test says otherwise
_TEST_SETTINGS: dict[str, Any] = {"rate_limit": "10000/minute", "warm_cache": False,
                                  "open_admin": True}


@asynccontextmanager
async def _ready_client(app: Any, ready_within_s: float) -> AsyncIterator[httpx.AsyncClient]:
    """``app`` with its lifespan running, on the ASGI transport, once ``/ready`` says 200."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + ready_within_s
            while (await client.get("/ready")).status_code != 200:
                if loop.time() > deadline:
                    raise TimeoutError(f"app not ready in {ready_within_s:.0f} s")
                await asyncio.sleep(0.05)
            client.app = app  # type: ignore[attr-defined]
            yield client


@pytest.fixture()
def app_client(service_state: Path, data_dir: Path) -> AppClient:
    """``async with app_client(**settings) as client``: a ready app on the ASGI transport."""

    @asynccontextmanager
    async def make(**overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
        settings = Settings(data_dir=str(data_dir), state_dir=str(service_state),
                            **{**_TEST_SETTINGS, **overrides})
        async with _ready_client(create_app(settings), 60) as client:
            yield client

    return make


#: the small league of ``tiny_client``: ratings make every fake margin predictable
TINY_TEAMS = ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot"]
TINY_RATINGS = {team: 10.0 - 2.0 * i for i, team in enumerate(TINY_TEAMS)}


@pytest.fixture()
def tiny_client(tmp_path: Path) -> AppClient:
    """``async with tiny_client(**settings) as client``: the app on a six-team league
    (``scriptohio.testing``: 2023, weeks 1-4 played, 5-6 to come) with a fake predictor, so
    the test needs neither the shipped data nor a trained model."""
    from scriptohio.testing import DatasetBuilder, fake_context

    league = DatasetBuilder()
    for i, team in enumerate(TINY_TEAMS):
        league.team(team, "North" if i < 3 else "South")
    data = league.round_robin(2023, TINY_TEAMS, weeks_played=4, weeks=6).write(tmp_path / "data")

    @asynccontextmanager
    async def make(**overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
        settings = Settings(data_dir=str(data), state_dir=str(tmp_path / "state"),
                            **{**_TEST_SETTINGS, **overrides})
        app = create_app(settings,
                         build_context=lambda folder, _store: fake_context(folder, TINY_RATINGS))
        async with _ready_client(app, 60) as client:
            yield client

    return make
