"""The API key store's contract against both record stores: SQLite in the state directory and
Redis (a private redis-server of the test's own); with Redis down a lookup is a 503-class
error, never "no such key"."""

from __future__ import annotations

from pathlib import Path

import pytest

from scriptohio.api.identity import KeyStore, open_key_store
from scriptohio.errors import NotFoundError, ServiceError, ValidationError
from tests.conftest import PrivateRedis


def _open(state: Path, url: str | None) -> KeyStore:
    return open_key_store(state, url, namespace="contract")


def test_keys_are_created_listed_looked_up_revoked_and_rotated(
        tmp_path: Path, store_redis_url: str | None) -> None:
    store = _open(tmp_path, store_redis_url)
    key = store.create("erin", "data_scientist")
    other = store.create("finn", "admin")
    found = store.lookup(key)
    assert found is not None and (found.user_id, found.role) == ("erin", "data_scientist")
    assert found.authenticated and store.lookup("so_nope") is None
    listed = store.list()
    assert [k["user_id"] for k in listed] == ["erin", "finn"] and all(k["active"] for k in listed)
    assert key not in str(listed)
    erin_id = str(listed[0]["id"])

    # another process (the CLI, another replica) sees what this one wrote
    second = _open(tmp_path, store_redis_url)
    assert second.lookup(other) is not None
    rotated = second.rotate(erin_id)
    assert second.lookup(key) is None and second.lookup(rotated) is not None
    with pytest.raises(ValidationError, match="revoked"):
        second.rotate(erin_id)
    revoked = second.revoke(erin_id)  # idempotent
    assert revoked["active"] is False
    with pytest.raises(NotFoundError):
        second.revoke("k_000000000000")
    assert [k["active"] for k in store.list()] == [False, True, True]
    store.close()
    second.close()


def test_a_key_lookup_with_redis_down_is_a_service_error(
        tmp_path: Path, private_redis: PrivateRedis) -> None:
    store = open_key_store(tmp_path, private_redis.url, namespace="down")
    key = store.create("gail", "casual")
    private_redis.stop()
    fresh = open_key_store(tmp_path, private_redis.url, namespace="down")  # nothing cached
    for _ in range(4):  # before the breaker opens and after
        with pytest.raises(ServiceError, match="key store"):
            fresh.lookup(key)
    store.close()
    fresh.close()
