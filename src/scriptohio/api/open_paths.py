"""The one table of open paths: reachable without credentials, never rate limited.

Operations (liveness, readiness, metrics, the dashboard, the monitor's status: :data:`OPS_PATHS`,
which :class:`~scriptohio.api.middleware.ops_access.OpsAccessMiddleware` keeps to operators'
addresses and administrators) and the API's own documentation
(Swagger UI with its assets under ``/docs/static/``, ReDoc, the OpenAPI document), and the
web app's stylesheet and script (``/app/static/``; the pages themselves are not open). A listed
path is open with everything under it (``/dashboard`` covers ``/dashboard/stream``), and
nothing else that merely starts with the same letters (``/docs-admin`` is not open).
:class:`~scriptohio.api.middleware.identity.IdentityMiddleware` and
:class:`~scriptohio.api.middleware.ratelimit.RateLimitMiddleware` both read it.
"""

from __future__ import annotations

#: Operations: a load balancer's probes, a Prometheus scrape, an operator's dashboard and status.
OPS_PATHS: tuple[str, ...] = ("/health", "/ready", "/metrics", "/dashboard", "/v1/monitor")
OPEN_PATHS: tuple[str, ...] = (
    *OPS_PATHS, "/docs", "/redoc", "/openapi.json", "/app/static",
)
_EXACT = frozenset(OPEN_PATHS)
_SUBTREES = tuple(f"{path}/" for path in OPEN_PATHS)
_OPS_EXACT = frozenset(OPS_PATHS)
_OPS_SUBTREES = tuple(f"{path}/" for path in OPS_PATHS)


def is_open(path: str) -> bool:
    """Is ``path`` (a request's path) one of :data:`OPEN_PATHS` or under one?"""
    return path in _EXACT or path.startswith(_SUBTREES)


def is_ops(path: str) -> bool:
    """Is ``path`` one of :data:`OPS_PATHS` or under one?"""
    return path in _OPS_EXACT or path.startswith(_OPS_SUBTREES)
