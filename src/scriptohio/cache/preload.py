"""Predictive preloading: learn which keys follow which, and guess the next ones.

:class:`SuccessorModel` is pure bookkeeping. Per session it remembers the previous key; each
access adds one to ``counts[previous][key]`` after multiplying that row by ``decay``, so old
habits fade. A row keeps at most ``max_successors`` entries (the weakest is dropped). The
probability of a successor is its share of the row. The manager decides what to do with the
predictions (budget, saturation, single flight) and measures precision and coverage.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PreloadConfig:
    """Learning and budget knobs."""

    decay: float = 0.9
    max_successors: int = 8
    max_sources: int = 50_000
    max_sessions: int = 10_000
    threshold: float = 0.3
    max_predictions: int = 3
    max_concurrent: int = 4


DEFAULT_PRELOAD = PreloadConfig()


class SuccessorModel:
    """Decayed successor counts per key; bounded in sources, sessions and successors."""

    def __init__(self, config: PreloadConfig = DEFAULT_PRELOAD) -> None:
        self.config = config
        self._rows: OrderedDict[str, dict[str, float]] = OrderedDict()
        self._last: OrderedDict[str, str] = OrderedDict()

    def observe(self, key: str, session: str = "") -> None:
        """Record that ``session`` accessed ``key`` (after whatever it accessed before)."""
        cfg = self.config
        prev = self._last.pop(session, None)
        self._last[session] = key
        if len(self._last) > cfg.max_sessions:
            self._last.popitem(last=False)
        if prev is None or prev == key:
            return
        row = self._rows.pop(prev, None)
        if row is None:
            row = {}
        self._rows[prev] = row
        if len(self._rows) > cfg.max_sources:
            self._rows.popitem(last=False)
        for k in row:
            row[k] *= cfg.decay
        row[key] = row.get(key, 0.0) + 1.0
        if len(row) > cfg.max_successors:
            del row[min(row, key=row.__getitem__)]

    def predict(self, key: str) -> list[tuple[str, float]]:
        """Likely successors of ``key`` above the threshold, most probable first."""
        row = self._rows.get(key)
        if not row:
            return []
        total = sum(row.values())
        ranked = sorted(((k, c / total) for k, c in row.items()), key=lambda kv: -kv[1])
        cfg = self.config
        return [(k, p) for k, p in ranked[: cfg.max_predictions] if p >= cfg.threshold]
