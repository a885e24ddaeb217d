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


@pytest.fixture()
def app_client(service_state: Path, data_dir: Path) -> AppClient:
    """``async with app_client(**settings) as client``: a ready app on the ASGI transport."""

    @asynccontextmanager
    async def make(**overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
        settings = Settings(data_dir=str(data_dir), state_dir=str(service_state),
                            **{"rate_limit": "10000/minute", "warm_cache": False, **overrides})
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                for _ in range(600):
                    if (await client.get("/ready")).status_code == 200:
                        break
                    await asyncio.sleep(0.1)
                else:
                    raise TimeoutError("app not ready in 60 s")
                client.app = app  # type: ignore[attr-defined]
                yield client

    return make
