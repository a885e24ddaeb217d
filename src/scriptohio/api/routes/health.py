"""Operations endpoints: liveness and readiness (exempt from rate limits)."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse

router = APIRouter(tags=["operations"])


@router.get("/health", summary="Liveness: always fast")
async def health(request: Request) -> JSONResponse:
    service = request.app.state.service
    return JSONResponse({"status": "ok", "uptime_s": round(time.time() - service.started_at, 3)})


@router.get(
    "/ready",
    summary="Readiness: 200 once data and default models are loaded, else 503",
    responses={503: {"description": "Still loading (problem+json)"}},
)
async def ready(request: Request) -> JSONResponse:
    service = request.app.state.service
    body = {"ready": service.ready, **service.readiness()}
    return JSONResponse(body, status_code=200 if service.ready else 503,
                          headers={} if service.ready else {"Retry-After": "1"})
