"""Errors as ``application/problem+json`` (RFC 9457): ``{type, title, status, detail}``.

Every :class:`~scriptohio.errors.ScriptOhioError` maps to its status; request validation errors
become 422 naming the parameter; anything unexpected is a 500 without a stack trace.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from scriptohio.errors import (
    AmbiguousError,
    RateLimitedError,
    ScriptOhioError,
    ServiceError,
)

log = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://scriptohio.dev/problems/"


def problem(status: int, title: str, detail: str, **extra: Any) -> Response:
    body: dict[str, Any] = {
        "type": TYPE_BASE + title.lower().replace(" ", "-"),
        "title": title,
        "status": status,
        "detail": detail,
    }
    headers: dict[str, str] = {}
    retry_after = extra.pop("retry_after", None)
    if retry_after is not None:
        headers["Retry-After"] = str(max(1, math.ceil(float(retry_after))))
    body.update({k: v for k, v in extra.items() if v is not None})
    return Response(orjson.dumps(body), status_code=status, media_type=PROBLEM_JSON,
                    headers=headers)


def problem_for(exc: ScriptOhioError) -> Response:
    extra: dict[str, Any] = {}
    for name in ("suggestions", "valid_ids"):  # unknown team, lesson, concept
        value = getattr(exc, name, None)
        if value is not None:
            extra[name] = list(value)
    if isinstance(exc, AmbiguousError):
        extra["candidates"] = exc.candidates
    valid_range = getattr(exc, "valid_range", None)  # out of range, or a week not played
    if valid_range is not None:
        extra["valid_range"] = list(valid_range)
    if isinstance(exc, RateLimitedError | ServiceError):
        extra["retry_after"] = exc.retry_after
    return problem(exc.status, exc.title, exc.detail, **extra)


#: the first item of a validation error's ``loc``: the part of the request it is in
_SOURCES = ("query", "body", "path", "header", "cookie")


def install(app: FastAPI) -> None:
    """Register the exception handlers on ``app``."""

    async def on_domain_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, ScriptOhioError)
        return problem_for(exc)

    async def on_validation(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        errors = []
        for err in exc.errors():
            loc = tuple(err.get("loc", ()))
            if loc and loc[0] in _SOURCES:  # where it came from, not its name: a body field
                loc = loc[1:]               # may itself be called "query" (/v1/ask's is)
            where = ".".join(str(p) for p in loc) or "body"
            errors.append({"parameter": where, "message": err.get("msg", "invalid")})
        detail = "; ".join(f"{e['parameter']}: {e['message']}" for e in errors) or "invalid"
        return problem(422, "Invalid input", detail, errors=errors)

    async def on_http(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        titles = {404: "Not found", 405: "Method not allowed", 413: "Payload too large"}
        response = problem(exc.status_code, titles.get(exc.status_code, "HTTP error"),
                           str(exc.detail))
        for name, value in (exc.headers or {}).items():  # e.g. 405's Allow
            response.headers[name] = value
        return response

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem(500, "Internal error", "the service failed to answer; this is our fault")

    app.add_exception_handler(ScriptOhioError, on_domain_error)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_unexpected)
