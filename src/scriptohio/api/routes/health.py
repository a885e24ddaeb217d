"""Operations endpoints: liveness and readiness (exempt from rate limits)."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse

from scriptohio.api.dependencies import Draining, Holder

router = APIRouter(tags=["operations"])


@router.get("/health", summary="Liveness: always fast")
async def health(request: Request) -> JSONResponse:
    started: float = request.app.state.started_at
    return JSONResponse({"status": "ok", "uptime_s": round(time.time() - started, 3)})


@router.get(
    "/ready",
    summary="Readiness: 200 once data and default models are loaded, else 503 (also while "
    "draining after SIGTERM)",
    responses={503: {"description": "Still loading, or draining before a stop"}},
)
async def ready(holder: Holder, drain: Draining) -> JSONResponse:
    ready = holder.ready and not drain.draining
    body = {"ready": ready, "draining": drain.draining, **holder.readiness()}
    return JSONResponse(body, status_code=200 if ready else 503,
                        headers={} if ready else {"Retry-After": "1"})
