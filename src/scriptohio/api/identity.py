"""Who is asking: user id and role, from headers (open mode) or a hashed API key (key mode).

Open mode (default): ``X-User-Id`` (else the client address) and ``X-Role``.
Key mode: ``Authorization: Bearer <key>``; keys are stored as SHA-256 hashes with the user id
and role they carry (``scriptohio keys create``), in ``<state_dir>/keys.sqlite``, or in the
service's Redis when it has one, so that every replica knows every key
(:func:`open_key_store` chooses).
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from scriptohio.breaker import CircuitBreaker
from scriptohio.data.redis_state import RedisState
from scriptohio.data.store import ensure_schema, open_sqlite
from scriptohio.errors import NotFoundError, ValidationError

ROLES = ("casual", "data_scientist", "production", "admin")
USER_ROLES = ("casual", "data_scientist", "production")
DEFAULT_ROLE = "casual"
MAX_USER_ID = 128
#: orchestrator priority per role: production calls are short and latency-bound
ROLE_PRIORITY = {"production": 2, "data_scientist": 1, "casual": 1}


@dataclass(frozen=True, slots=True)
class Identity:
    """Who is asking. ``address`` is the client's (after trusted proxies only);
    ``local_admin``: an open-mode caller from loopback on a service started with
    ``--open-admin`` (never by default)."""

    user_id: str
    role: str
    authenticated: bool = False
    local_admin: bool = False
    address: str = "unknown"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin" or (not self.authenticated and self.local_admin)


def check_role(role: str) -> str:
    if role not in USER_ROLES:
        raise ValidationError(f"X-Role must be one of {', '.join(USER_ROLES)}, not {role!r}")
    return role


def check_user_id(user_id: str) -> str:
    if not user_id or len(user_id) > MAX_USER_ID or not user_id.isprintable():
        raise ValidationError(f"X-User-Id must be 1-{MAX_USER_ID} printable characters")
    return user_id


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


#: a revoked or rotated key stops working in a running service within this many seconds
KEY_CACHE_TTL_S = 2.0


class KeyRecords(Protocol):
    """Where key hashes are kept: SQLite in the state directory, or the service's Redis."""

    def insert(self, key_hash: str, user_id: str, role: str, created_at: float) -> None: ...

    def rows(self) -> list[tuple[str, str, str, float, float | None]]:
        """``(hash, user_id, role, created_at, revoked_at)`` of every key, oldest first."""

    def hashes_starting(self, prefix: str) -> list[str]: ...

    def revoke(self, key_hash: str, at: float) -> None:
        """Mark revoked (the first revocation time stays)."""

    def live(self, key_hash: str) -> tuple[str, str, float | None] | None:
        """``(user_id, role, revoked_at)`` of a stored key, None if unknown."""

    def close(self) -> None: ...


class SqliteKeyRecords:
    """Keys in ``<state_dir>/keys.sqlite``: every process of one host reads the same file."""

    FILENAME = "keys.sqlite"

    def __init__(self, state_dir: Path) -> None:
        self._conn = open_sqlite(Path(state_dir) / self.FILENAME)
        # revoked_at: stores made before keys could be revoked lack it
        ensure_schema(self._conn, "CREATE TABLE IF NOT EXISTS api_keys (key_hash TEXT PRIMARY KEY,"
                      " user_id TEXT NOT NULL, role TEXT NOT NULL, created_at REAL NOT NULL)",
                      "api_keys", {"revoked_at": "REAL"})

    def insert(self, key_hash: str, user_id: str, role: str, created_at: float) -> None:
        self._conn.execute("INSERT INTO api_keys VALUES (?, ?, ?, ?, NULL)",
                           (key_hash, user_id, role, created_at))

    def rows(self) -> list[tuple[str, str, str, float, float | None]]:
        return [tuple(r) for r in self._conn.execute(
            "SELECT key_hash, user_id, role, created_at, revoked_at FROM api_keys "
            "ORDER BY created_at").fetchall()]

    def hashes_starting(self, prefix: str) -> list[str]:
        rows = self._conn.execute("SELECT key_hash FROM api_keys WHERE key_hash LIKE ?",
                                  (prefix + "%",)).fetchall()
        return [str(r[0]) for r in rows]

    def revoke(self, key_hash: str, at: float) -> None:
        self._conn.execute("UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) "
                           "WHERE key_hash = ?", (at, key_hash))

    def live(self, key_hash: str) -> tuple[str, str, float | None] | None:
        row = self._conn.execute("SELECT user_id, role, revoked_at FROM api_keys WHERE "
                                 "key_hash = ?", (key_hash,)).fetchone()
        return None if row is None else (str(row[0]), str(row[1]), row[2])

    def close(self) -> None:
        self._conn.close()


class RedisKeyRecords:
    """Keys in the service's Redis, so every replica knows every key and sees a revocation:
    ``{ns}:keys:k:{hash}`` (a hash: user, role, created, revoked) and ``{ns}:keys:all`` (the
    hashes by creation time, for ``list``). No expiry: a key lives until it is revoked."""

    def __init__(self, url: str, *, namespace: str,
                 breaker: CircuitBreaker | None = None) -> None:
        self._redis = RedisState(url, namespace=f"{namespace}:keys", what="key store",
                                 breaker=breaker)
        self._all = self._redis.key("all")

    def _k(self, key_hash: str) -> str:
        return self._redis.key("k", key_hash)

    def insert(self, key_hash: str, user_id: str, role: str, created_at: float) -> None:
        def write(r: Any) -> None:
            pipe = r.pipeline(transaction=True)
            pipe.hset(self._k(key_hash), mapping={"user_id": user_id, "role": role,
                                                  "created_at": repr(created_at)})
            pipe.zadd(self._all, {key_hash: created_at})
            pipe.execute()

        self._redis.call(write)

    def rows(self) -> list[tuple[str, str, str, float, float | None]]:
        def read(r: Any) -> list[tuple[str, dict[bytes, bytes]]]:
            hashes = [h.decode() if isinstance(h, bytes) else str(h)
                      for h in r.zrange(self._all, 0, -1)]
            pipe = r.pipeline(transaction=False)
            for key_hash in hashes:
                pipe.hgetall(self._k(key_hash))
            return list(zip(hashes, pipe.execute(), strict=True))

        out = []
        for key_hash, fields in self._redis.call(read):
            if fields:
                revoked = fields.get(b"revoked_at")
                out.append((key_hash, fields[b"user_id"].decode(), fields[b"role"].decode(),
                            float(fields[b"created_at"]),
                            None if revoked is None else float(revoked)))
        return out

    def hashes_starting(self, prefix: str) -> list[str]:
        return [h for h, *_ in self.rows() if h.startswith(prefix)]

    def revoke(self, key_hash: str, at: float) -> None:
        self._redis.call(lambda r: r.hsetnx(self._k(key_hash), "revoked_at", repr(at)))

    def live(self, key_hash: str) -> tuple[str, str, float | None] | None:
        fields: list[Any] = self._redis.call(lambda r: r.hmget(self._k(key_hash), "user_id",
                                                               "role", "revoked_at"))
        user, role, revoked = fields
        if user is None or role is None:
            return None
        return user.decode(), role.decode(), None if revoked is None else float(revoked)

    def close(self) -> None:
        self._redis.close()


class KeyStore:
    """API keys (hashed) with the user id and role each one carries, in ``records``
    (:func:`open_key_store` chooses them; a state directory means SQLite there).

    Each key has a public id (``k_`` + the start of its hash) to list, revoke or rotate it
    by; the key itself is shown once, at creation. Lookups are cached for
    ``KEY_CACHE_TTL_S`` only, so a revocation from another process (``scriptohio keys
    revoke``, or another replica sharing the Redis) reaches a running service within seconds.
    """

    FILENAME = SqliteKeyRecords.FILENAME

    def __init__(self, records: KeyRecords | Path, *,
                 clock: Callable[[], float] = time.monotonic,
                 cache_ttl_s: float = KEY_CACHE_TTL_S) -> None:
        self._records: KeyRecords = (SqliteKeyRecords(records) if isinstance(records, Path)
                                     else records)
        self._clock = clock
        self._ttl = cache_ttl_s
        self._cache: dict[str, tuple[float, Identity | None]] = {}

    @staticmethod
    def key_id(key_hash: str) -> str:
        """The public id of a key: ``k_`` + the first 12 hex digits of its hash."""
        return "k_" + key_hash[:12]

    def create(self, user_id: str, role: str) -> str:
        """A new key for ``user_id`` with ``role``; only its hash is kept."""
        if role not in ROLES:
            raise ValidationError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        check_user_id(user_id)
        key = "so_" + secrets.token_urlsafe(24)
        self._records.insert(hash_key(key), user_id, role, time.time())
        return key

    def list(self) -> list[dict[str, object]]:
        """Every key's id, user, role, creation and revocation time (never the key)."""
        return [{"id": self.key_id(h), "user_id": u, "role": r, "created_at": c,
                 "revoked_at": v, "active": v is None} for h, u, r, c, v in self._records.rows()]

    def _hash_of(self, key_id: str) -> str:
        if not key_id.startswith("k_") or len(key_id) != 14:
            raise ValidationError(f"a key id looks like k_ and 12 hex digits, not {key_id!r}")
        found = self._records.hashes_starting(key_id[2:])
        if not found:
            raise NotFoundError(f"no key with id {key_id!r}")
        return found[0]

    def revoke(self, key_id: str) -> dict[str, object]:
        """Revoke a key by its id (idempotent); it stops working within the cache TTL."""
        digest = self._hash_of(key_id)
        self._records.revoke(digest, time.time())
        self._cache.pop(digest, None)
        return next(k for k in self.list() if k["id"] == key_id)

    def rotate(self, key_id: str) -> str:
        """A new key for the same user and role; the old one is revoked."""
        digest = self._hash_of(key_id)
        found = self._records.live(digest)
        assert found is not None  # _hash_of found it
        user_id, role, revoked_at = found
        if revoked_at is not None:
            raise ValidationError(f"key {key_id} is revoked; create a new one instead")
        key = self.create(user_id, role)
        self.revoke(key_id)
        return key

    def lookup(self, key: str) -> Identity | None:
        """The identity a live key carries; None for an unknown or revoked key.
        ServiceError if the records cannot be read (Redis down): 503, not 401."""
        digest = hash_key(key)
        now = self._clock()
        cached = self._cache.get(digest)
        if cached is not None and now - cached[0] < self._ttl:
            return cached[1]
        row = self._records.live(digest)
        found = (None if row is None or row[2] is not None
                 else Identity(row[0], row[1], authenticated=True))
        if len(self._cache) > 10_000:  # guessed keys must not grow it without bound
            self._cache.clear()
        self._cache[digest] = (now, found)
        return found

    def close(self) -> None:
        self._records.close()


def open_key_store(state_dir: Path, redis_url: str | None = None, *, namespace: str,
                   breaker: CircuitBreaker | None = None) -> KeyStore:
    """The one place the key records are chosen: the service's Redis when it has one (every
    replica shares them), else SQLite in ``state_dir``."""
    if redis_url:
        return KeyStore(RedisKeyRecords(redis_url, namespace=namespace, breaker=breaker))
    return KeyStore(Path(state_dir))
