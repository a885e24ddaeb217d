"""Plain JSON responses (answers that are not cached go out this way)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from starlette.responses import Response

__all__ = ["JSON", "json_response"]

JSON = "application/json"


def json_response(body: Any, *, status: int = 200, headers: Mapping[str, str] | None = None
                  ) -> Response:
    return Response(orjson.dumps(body, option=orjson.OPT_SERIALIZE_NUMPY), status_code=status,
                    media_type=JSON, headers=dict(headers or {}))
