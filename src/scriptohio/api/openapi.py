"""The OpenAPI document with the bounds the data sets: ``season`` and ``week`` parameters
carry the loaded seasons' range, so what the schema allows is what the routes accept.

FastAPI builds the document once from the routes' static bounds (1869-2100, 0-25); the
routes then refuse seasons outside the data with 422. :func:`install` replaces ``app.openapi``
with a version that narrows those bounds to the served context, rebuilt per data version.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from scriptohio.api.context_holder import ContextHolder

__all__ = ["install"]


def install(app: FastAPI, holder: ContextHolder) -> None:
    """Serve the data's season and week bounds in ``app``'s OpenAPI document."""
    build = app.openapi
    cache: dict[int, dict[str, Any]] = {}

    def openapi() -> dict[str, Any]:
        ctx = holder.current()
        if ctx is None:
            return build()
        found = cache.get(ctx.data_version)
        if found is None:
            bounds = {"season": ctx.season_range(), "week": ctx.week_range()}
            found = cache[ctx.data_version] = _bounded(build(), bounds)
        return found

    app.openapi = openapi  # type: ignore[method-assign]


def _bounded(schema: dict[str, Any], bounds: dict[str, tuple[int, int]]) -> dict[str, Any]:
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            for param in operation.get("parameters", []):
                if param.get("name") not in bounds:
                    continue
                lo, hi = bounds[param["name"]]
                target = param.get("schema", {})
                for option in target.get("anyOf", [target]):
                    if option.get("type") == "integer":
                        option["minimum"], option["maximum"] = lo, hi
    return schema
