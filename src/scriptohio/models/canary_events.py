"""Events a canary emits on the :class:`~scriptohio.events.EventBus`; the monitor subscribes
(per-version series on ``/metrics``, the canary section of the status and the dashboard).

Labels stay bounded: a model version and an arm (``stable`` or ``canary``), never a caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["CanaryChanged", "CanaryCompared", "ModelServed"]


@dataclass(frozen=True, slots=True)
class ModelServed:
    """One prediction request answered while a canary was known to this worker.

    ``outcome``: ``ok``; ``error`` (the service failed the request); ``fallback`` (the
    candidate failed and the stable version answered instead: the caller saw no error).
    """

    model_version: str
    arm: str
    outcome: str
    seconds: float


@dataclass(frozen=True, slots=True)
class CanaryCompared:
    """The candidate's and the stable version's answers to one question, compared."""

    candidate: str
    margin_diff: float  # |candidate margin - stable margin|, points
    win_prob_diff: float  # |candidate home win prob - stable home win prob|


@dataclass(frozen=True, slots=True)
class CanaryChanged:
    """The canary this worker follows moved: started, advanced, promoted or aborted
    (``summary`` is :meth:`~scriptohio.models.canary.CanaryState.summary`)."""

    summary: dict[str, Any]
