"""Who is asking: user id and role, from headers (open mode) or a hashed API key (key mode).

Open mode (default): ``X-User-Id`` (else the client address) and ``X-Role``.
Key mode: ``Authorization: Bearer <key>``; keys are stored as SHA-256 hashes with the user id
and role they carry, in ``<state_dir>/keys.sqlite`` (``scriptohio keys create``).
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from scriptohio.data.store import open_sqlite
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


class KeyStore:
    """API keys (hashed) with the user id and role each one carries.

    Each key has a public id (``k_`` + the start of its hash) to list, revoke or rotate it
    by; the key itself is shown once, at creation. Lookups are cached for
    ``KEY_CACHE_TTL_S`` only, so a revocation from another process (``scriptohio keys
    revoke``) reaches a running service within seconds.
    """

    FILENAME = "keys.sqlite"

    def __init__(self, state_dir: Path, *, clock: Callable[[], float] = time.monotonic,
                 cache_ttl_s: float = KEY_CACHE_TTL_S) -> None:
        self._conn = open_sqlite(Path(state_dir) / self.FILENAME)
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS api_keys (key_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL,"
            " role TEXT NOT NULL, created_at REAL NOT NULL)")
        columns = {row[1] for row in self._conn.execute("PRAGMA table_info(api_keys)")}
        if "revoked_at" not in columns:  # stores made before keys could be revoked
            self._conn.execute("ALTER TABLE api_keys ADD COLUMN revoked_at REAL")
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
        self._conn.execute("INSERT INTO api_keys VALUES (?, ?, ?, ?, NULL)",
                           (hash_key(key), user_id, role, time.time()))
        return key

    def list(self) -> list[dict[str, object]]:
        """Every key's id, user, role, creation and revocation time (never the key)."""
        rows = self._conn.execute(
            "SELECT key_hash, user_id, role, created_at, revoked_at FROM api_keys "
            "ORDER BY created_at").fetchall()
        return [{"id": self.key_id(h), "user_id": u, "role": r, "created_at": c,
                 "revoked_at": v, "active": v is None} for h, u, r, c, v in rows]

    def _hash_of(self, key_id: str) -> str:
        if not key_id.startswith("k_") or len(key_id) != 14:
            raise ValidationError(f"a key id looks like k_ and 12 hex digits, not {key_id!r}")
        rows = self._conn.execute("SELECT key_hash FROM api_keys WHERE key_hash LIKE ?",
                                  (key_id[2:] + "%",)).fetchall()
        if not rows:
            raise NotFoundError(f"no key with id {key_id!r}")
        return str(rows[0][0])

    def revoke(self, key_id: str) -> dict[str, object]:
        """Revoke a key by its id (idempotent); it stops working within the cache TTL."""
        digest = self._hash_of(key_id)
        self._conn.execute("UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) "
                           "WHERE key_hash = ?", (time.time(), digest))
        self._cache.pop(digest, None)
        return next(k for k in self.list() if k["id"] == key_id)

    def rotate(self, key_id: str) -> str:
        """A new key for the same user and role; the old one is revoked."""
        digest = self._hash_of(key_id)
        row = self._conn.execute("SELECT user_id, role, revoked_at FROM api_keys WHERE "
                                 "key_hash = ?", (digest,)).fetchone()
        if row[2] is not None:
            raise ValidationError(f"key {key_id} is revoked; create a new one instead")
        key = self.create(row[0], row[1])
        self.revoke(key_id)
        return key

    def lookup(self, key: str) -> Identity | None:
        """The identity a live key carries; None for an unknown or revoked key."""
        digest = hash_key(key)
        now = self._clock()
        cached = self._cache.get(digest)
        if cached is not None and now - cached[0] < self._ttl:
            return cached[1]
        row = self._conn.execute(
            "SELECT user_id, role FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL",
            (digest,)).fetchone()
        found = None if row is None else Identity(row[0], row[1], authenticated=True)
        if len(self._cache) > 10_000:  # guessed keys must not grow it without bound
            self._cache.clear()
        self._cache[digest] = (now, found)
        return found

    def close(self) -> None:
        self._conn.close()
