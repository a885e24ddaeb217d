"""Operations endpoints: never rate limited for an operator, closed to addresses outside."""

from __future__ import annotations

import httpx
import pytest

from scriptohio.api.middleware.ops_access import parse_networks
from scriptohio.errors import ValidationError
from tests.api.conftest import AppClient

OPS = ("/health", "/ready", "/metrics", "/v1/monitor/status", "/dashboard")


def _from(client: httpx.AsyncClient, address: str) -> httpx.AsyncClient:
    """A client of the same running app, calling from ``address``."""
    app = client.app  # type: ignore[attr-defined]
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://test")


async def test_an_operator_is_not_rate_limited_and_the_world_is_kept_out(
        tiny_client: AppClient) -> None:
    async with tiny_client(rate_limit="2/minute", open_admin=False) as client:
        for _ in range(3):  # over the user limit of two, from loopback
            assert (await client.get("/v1/teams/Alpha")).status_code in (200, 429)
        for _ in range(5):
            assert (await client.get("/v1/monitor/status")).status_code == 200
        async with _from(client, "10.1.2.3") as balancer:  # a private network: Prometheus
            for path in OPS:
                assert (await balancer.get(path)).status_code == 200, path
        async with _from(client, "203.0.113.9") as stranger:
            for path in OPS:
                refused = await stranger.get(path)
                assert refused.status_code == 403, path
                assert refused.headers["content-type"] == "application/problem+json"
            # the API itself is not an operations path
            assert (await stranger.get("/v1/teams/Alpha")).status_code == 200


async def test_the_operators_networks_are_configurable(tiny_client: AppClient) -> None:
    async with tiny_client(ops_allow="198.51.100.0/24") as client, \
            _from(client, "198.51.100.7") as operator, _from(client, "10.1.2.3") as other:
        assert (await operator.get("/metrics")).status_code == 200
        assert (await other.get("/metrics")).status_code == 403
    async with tiny_client(ops_allow="*") as client, _from(client, "203.0.113.9") as anyone:
        assert (await anyone.get("/v1/monitor/status")).status_code == 200


def test_a_bad_network_is_refused_with_its_name() -> None:
    with pytest.raises(ValidationError, match="SCRIPTOHIO_OPS_ALLOW"):
        parse_networks("10.0.0.0/8, not-an-address")
    assert parse_networks("*") is None
