"""Typed requests and responses that flow through the orchestrator.

A :class:`AgentRequest` names its agent by ``type`` (the routing key) and carries who asks, how
urgent it is and until when an answer is useful. A :class:`AgentResponse` carries either a result
or an error, plus the time spent in each stage so the monitor can attribute latency.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

# A per-process prefix plus a counter is unique enough and far cheaper than uuid4 per request.
_ID_PREFIX = os.urandom(4).hex()
_ids = itertools.count(1)


def new_request_id() -> str:
    """A process-unique request id."""
    return f"{_ID_PREFIX}-{next(_ids)}"


@dataclass(frozen=True, slots=True)
class AgentRequest:
    """One unit of work for an agent.

    ``priority``: higher runs first within a pool (aging keeps low priority from starving).
    ``deadline``: absolute time on the orchestrator's clock (``time.monotonic`` by default)
    after which the answer is useless; such requests are dropped before they run.
    """

    type: str
    payload: Mapping[str, Any] = field(default_factory=dict)
    action: str = ""
    user_id: str = "anonymous"
    role: str = "casual"
    priority: int = 0
    deadline: float | None = None
    id: str = field(default_factory=new_request_id)

    def coalesce_key(self) -> Hashable:
        """Identity of the work: identical keys may share one execution.

        The user id is left out on purpose (same question, same answer); the role stays in
        because roles can change the answer (data scientists get explanations).
        """
        try:
            items: Hashable = tuple(sorted(self.payload.items()))
            hash(items)
        except TypeError:  # unhashable payload values: fall back to canonical JSON
            items = orjson.dumps(self.payload, option=orjson.OPT_SORT_KEYS, default=str)
        return (self.type, self.action, self.role, items)


@dataclass(frozen=True, slots=True)
class AgentResult:
    """Optional richer return value of a handler: reports how the cache served it."""

    value: Any
    cache: str | None = None  # "hit-l1" | "hit-l2" | "hit-shared" | "miss" | "stale"
    cache_s: float = 0.0


# AgentResponse and StageTimings are built once per request on the hot path; frozen dataclasses
# pay an object.__setattr__ per field (about 3 µs here for both), so they are plain slotted
# dataclasses. Treat them as read-only.


@dataclass(slots=True)
class StageTimings:
    """Seconds spent per stage of one request."""

    queue_wait_s: float = 0.0
    execution_s: float = 0.0
    cache_s: float = 0.0
    total_s: float = 0.0


@dataclass(slots=True)
class AgentResponse:
    """The answer to one request: ``result`` or ``error`` (never both)."""

    request_id: str
    request_type: str
    result: Any = None
    error: BaseException | None = None
    timings: StageTimings = field(default_factory=StageTimings)
    cache: str | None = None
    coalesced: bool = False
    attempts: int = 1

    @property
    def ok(self) -> bool:
        return self.error is None

    def unwrap(self) -> Any:
        """The result, or raise the error (for callers that prefer exceptions)."""
        if self.error is not None:
            raise self.error
        return self.result
