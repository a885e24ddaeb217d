"""The feed behind ``GET /v1/changes``: one entry per data version that an ingest produced,
newest last, the last :data:`KEPT` of them (in memory: a restart starts an empty feed)."""

from __future__ import annotations

from collections import deque
from typing import Any

__all__ = ["KEPT", "ChangeFeed"]

KEPT = 200


class ChangeFeed:
    def __init__(self, kept: int = KEPT) -> None:
        self._entries: deque[dict[str, Any]] = deque(maxlen=kept)

    def record(self, entry: dict[str, Any]) -> None:
        self._entries.append(entry)

    def since(self, data_version: int, limit: int) -> list[dict[str, Any]]:
        """Entries of data versions after ``data_version``, oldest first, at most ``limit``."""
        return [e for e in self._entries if e["data_version"] > data_version][:limit]
