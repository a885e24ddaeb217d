"""Who is asking: user id and role, from headers (open mode) or a hashed API key (key mode).

Open mode (default): ``X-User-Id`` (else the client address) and ``X-Role``.
Key mode: ``Authorization: Bearer <key>``; keys are stored as SHA-256 hashes with the user id
and role they carry, in ``<state_dir>/keys.sqlite`` (``scriptohio keys create``).
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from scriptohio.data.store import open_sqlite
from scriptohio.errors import ValidationError

ROLES = ("casual", "data_scientist", "production", "admin")
USER_ROLES = ("casual", "data_scientist", "production")
DEFAULT_ROLE = "casual"
MAX_USER_ID = 128
#: orchestrator priority per role: production calls are short and latency-bound
ROLE_PRIORITY = {"production": 2, "data_scientist": 1, "casual": 1}


@dataclass(frozen=True, slots=True)
class Identity:
    user_id: str
    role: str
    authenticated: bool = False
    loopback: bool = False

    @property
    def is_admin(self) -> bool:
        return self.role == "admin" or (not self.authenticated and self.loopback)


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


class KeyStore:
    """API keys (hashed) with the user id and role each one carries."""

    FILENAME = "keys.sqlite"

    def __init__(self, state_dir: Path) -> None:
        self._conn = open_sqlite(Path(state_dir) / self.FILENAME)
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS api_keys (key_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL,"
            " role TEXT NOT NULL, created_at REAL NOT NULL)")
        self._cache: dict[str, Identity | None] = {}

    def create(self, user_id: str, role: str) -> str:
        """A new key for ``user_id`` with ``role``; only its hash is kept."""
        if role not in ROLES:
            raise ValidationError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        check_user_id(user_id)
        key = "so_" + secrets.token_urlsafe(24)
        self._conn.execute("INSERT INTO api_keys VALUES (?, ?, ?, ?)",
                           (hash_key(key), user_id, role, time.time()))
        return key

    def lookup(self, key: str) -> Identity | None:
        digest = hash_key(key)
        if digest in self._cache:
            return self._cache[digest]
        row = self._conn.execute("SELECT user_id, role FROM api_keys WHERE key_hash = ?",
                                 (digest,)).fetchone()
        found = None if row is None else Identity(row[0], row[1], authenticated=True)
        if found is not None:
            self._cache[digest] = found
        return found

    def close(self) -> None:
        self._conn.close()
