"""The FastAPI app factory: ``create_app(settings)``.

Start-up is instant: ``/health`` answers at once while data and models load in the
background; ``/ready`` turns 200 when they are loaded.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import ORJSONResponse

from scriptohio import __version__
from scriptohio.api import problems
from scriptohio.api.routes import health
from scriptohio.api.service import Service
from scriptohio.config import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app. Without ``settings`` they are read from the environment (uvicorn workers)."""
    settings = settings or Settings.from_env(os.environ)
    service = Service(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await service.start()
        try:
            yield
        finally:
            await service.stop()

    app = FastAPI(
        title="Script Ohio",
        version=__version__,
        description="Fast college football (NCAA FBS) analytics: predictions, ratings, "
        "matchups, lessons.",
        default_response_class=ORJSONResponse,
        lifespan=lifespan,
    )
    app.state.service = service
    problems.install(app)
    app.include_router(health.router)
    return app
