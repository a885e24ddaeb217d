"""Identity that cannot be spoofed: proxy headers only from trusted proxies, a limit per client
address in open mode, admin on loopback only when asked for, failed keys limited per address."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.api.conftest import AppClient
from tests.servers import running_service


async def test_loopback_is_no_admin_unless_the_service_says_so(tiny_client: AppClient) -> None:
    async with tiny_client(open_admin=False) as client:
        r = await client.post("/v1/admin/reload")
        assert r.status_code == 403
    async with tiny_client(open_admin=True) as client:
        r = await client.post("/v1/admin/invalidate", json={"all": True})
        assert r.status_code == 200


async def test_rotating_user_ids_does_not_multiply_the_limit(tiny_client: AppClient) -> None:
    async with tiny_client(rate_limit="5/minute") as client:
        codes = [(await client.get("/v1/rankings", headers={"X-User-Id": f"u{i}"})).status_code
                 for i in range(8)]
        assert codes == [200] * 5 + [429] * 3
        refused = await client.get("/v1/rankings", headers={"X-User-Id": "u99"})
        assert "address" in refused.json()["detail"]



async def test_anonymous_and_named_requests_of_one_address_share_its_budget(
        tiny_client: AppClient) -> None:
    async with tiny_client(rate_limit="5/minute") as client:
        anonymous = [(await client.get("/v1/rankings")).status_code for _ in range(3)]
        named = [(await client.get("/v1/rankings", headers={"X-User-Id": f"n{i}"})).status_code
                 for i in range(4)]
        assert anonymous == [200] * 3 and named == [200, 200, 429, 429]
        assert (await client.get("/v1/rankings")).status_code == 429


async def test_failed_keys_are_limited_per_address(tiny_client: AppClient) -> None:
    async with tiny_client(auth="keys") as client:
        codes = [(await client.get("/v1/rankings", headers={"Authorization": f"Bearer so_{i}"}
                                   )).status_code for i in range(25)]
        assert codes[:20] == [401] * 20 and set(codes[20:]) == {429}


def test_forwarded_for_is_trusted_only_from_named_proxies(service_state: Path) -> None:
    env = {"SCRIPTOHIO_WARM_CACHE": "0", "SCRIPTOHIO_RATE_LIMIT": "3/minute"}

    def codes(url: str) -> list[int]:
        return [httpx.get(url + "/v1/learn/lessons",
                          headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code
                for i in range(5)]

    with running_service(service_state, env) as url:
        assert codes(url) == [200, 200, 200, 429, 429]  # one address: the socket's
    with running_service(service_state, env, args=("--forwarded-allow-ips", "127.0.0.1")
                         ) as url:
        assert codes(url) == [200] * 5  # five addresses, as the trusted proxy says
