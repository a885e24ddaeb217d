"""Operations endpoints for operators only: exempt from user rate limits, not open to the world.

The paths of :data:`~scriptohio.api.open_paths.OPS_PATHS` (probes, ``/metrics``, the dashboard,
``/v1/monitor/*``) are never rate limited, so an operator or a scraper is not refused 429 by a
busy service. They answer only callers from the operators' networks (``SCRIPTOHIO_OPS_ALLOW``,
comma-separated addresses or CIDR ranges; default loopback and the private ranges, where a load
balancer and Prometheus sit; ``*`` lets anyone in) and administrators from anywhere (an admin
key, or loopback with ``--open-admin``); anyone else gets 403. The address is the one
:class:`~scriptohio.api.middleware.identity.IdentityMiddleware` found (proxies trusted only
when named).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

from scriptohio.api.identity import Identity
from scriptohio.api.open_paths import is_ops
from scriptohio.api.problems import problem
from scriptohio.errors import ValidationError

__all__ = ["OpsAccessMiddleware", "parse_networks"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(text: str) -> tuple[Network, ...] | None:
    """``"10.0.0.0/8, ::1"`` -> networks; ``"*"`` -> None (everyone)."""
    if text.strip() == "*":
        return None
    try:
        return tuple(ipaddress.ip_network(part.strip(), strict=False)
                     for part in text.split(",") if part.strip())
    except ValueError as exc:
        raise ValidationError(f"SCRIPTOHIO_OPS_ALLOW: {exc}") from exc


class OpsAccessMiddleware:
    def __init__(self, app: ASGIApp, *, allow: Iterable[Network] | None) -> None:
        self.app = app
        self.allow = None if allow is None else tuple(allow)

    def allowed(self, identity: Identity) -> bool:
        if self.allow is None or identity.is_admin:
            return True
        try:
            address = ipaddress.ip_address(identity.address)
        except ValueError:  # "unknown", a name: not an operator's address
            return identity.address == "localhost"
        return any(address in network for network in self.allow)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_ops(scope["path"]):
            await self.app(scope, receive, send)
            return
        identity: Identity = scope["state"]["identity"]
        if self.allowed(identity):
            await self.app(scope, receive, send)
            return
        await problem(403, "Forbidden", "operations endpoints answer the operators' networks "
                      "(SCRIPTOHIO_OPS_ALLOW) and administrators only")(scope, receive, send)
