"""What a canary compares: per-arm counters that merge across workers, and who is in it.

:class:`ArmStats` holds only sums and fixed-bucket latency counts, so the deltas of every
worker and replica add up in the shared canary store (a mean or a P95 of merged buckets is
the same whichever worker reported which request). ``divergence`` and ``graded`` are paired
readings: for a request the canary answered, the stable version's answer to the same question
is looked up too, and the two are compared (and, for a played game, both graded on its score).

:func:`in_canary` is the sticky assignment: a caller's identity hashed with the canary's id
into one of 10,000 buckets; buckets below ``share × 10,000`` get the candidate. A caller in
the canary at 10 % stays in it at 25, 50 and 100 % (the threshold only grows), and a new
canary (a new id) draws a new sample of callers.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields
from typing import Any

__all__ = ["BUCKETS", "LATENCY_BOUNDS", "ArmStats", "bucket_of", "in_canary"]

BUCKETS = 10_000
#: latency bucket upper bounds in seconds (the last bucket is everything above)
LATENCY_BOUNDS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


def bucket_of(canary_id: str, user_id: str) -> int:
    """The caller's bucket (0..9999) in this canary: stable across processes and hosts."""
    digest = hashlib.blake2b(f"{canary_id}\x00{user_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % BUCKETS


def in_canary(canary_id: str, user_id: str, share: float) -> bool:
    """True if the caller is served by the candidate at ``share`` (0..1) of traffic."""
    return bucket_of(canary_id, user_id) < round(share * BUCKETS)


@dataclass
class ArmStats:
    """One arm's (stable or canary) readings over one stage; ``+`` merges two."""

    requests: int = 0
    errors: int = 0
    latency: list[int] = field(default_factory=lambda: [0] * (len(LATENCY_BOUNDS) + 1))
    compared: int = 0
    margin_diff_sum: float = 0.0
    margin_diff_max: float = 0.0
    prob_diff_sum: float = 0.0
    prob_diff_max: float = 0.0
    graded: int = 0
    abs_error_sum: float = 0.0
    stable_abs_error_sum: float = 0.0

    def record(self, seconds: float, *, ok: bool) -> None:
        self.requests += 1
        self.errors += 0 if ok else 1
        self.latency[_bucket(seconds)] += 1

    def compare(self, margin_diff: float, prob_diff: float) -> None:
        self.compared += 1
        self.margin_diff_sum += margin_diff
        self.prob_diff_sum += prob_diff
        self.margin_diff_max = max(self.margin_diff_max, margin_diff)
        self.prob_diff_max = max(self.prob_diff_max, prob_diff)

    def grade(self, abs_error: float, stable_abs_error: float) -> None:
        self.graded += 1
        self.abs_error_sum += abs_error
        self.stable_abs_error_sum += stable_abs_error

    @property
    def empty(self) -> bool:
        return self.requests == 0 and self.compared == 0 and self.graded == 0

    @property
    def error_ratio(self) -> float:
        return self.errors / self.requests if self.requests else 0.0

    @property
    def mean_margin_diff(self) -> float:
        return self.margin_diff_sum / self.compared if self.compared else 0.0

    @property
    def mean_prob_diff(self) -> float:
        return self.prob_diff_sum / self.compared if self.compared else 0.0

    @property
    def mae(self) -> float | None:
        return self.abs_error_sum / self.graded if self.graded else None

    @property
    def stable_mae(self) -> float | None:
        return self.stable_abs_error_sum / self.graded if self.graded else None

    def p95(self) -> float | None:
        """Upper bound of the bucket holding the 95th percentile (None without requests)."""
        total = sum(self.latency)
        if not total:
            return None
        seen = 0
        for i, count in enumerate(self.latency):
            seen += count
            if seen >= 0.95 * total:
                return LATENCY_BOUNDS[i] if i < len(LATENCY_BOUNDS) else float("inf")
        return float("inf")  # pragma: no cover - the loop always reaches the total

    def __add__(self, other: ArmStats) -> ArmStats:
        return ArmStats(
            requests=self.requests + other.requests, errors=self.errors + other.errors,
            latency=[a + b for a, b in zip(self.latency, other.latency, strict=True)],
            compared=self.compared + other.compared,
            margin_diff_sum=self.margin_diff_sum + other.margin_diff_sum,
            margin_diff_max=max(self.margin_diff_max, other.margin_diff_max),
            prob_diff_sum=self.prob_diff_sum + other.prob_diff_sum,
            prob_diff_max=max(self.prob_diff_max, other.prob_diff_max),
            graded=self.graded + other.graded,
            abs_error_sum=self.abs_error_sum + other.abs_error_sum,
            stable_abs_error_sum=self.stable_abs_error_sum + other.stable_abs_error_sum)

    def as_json(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> ArmStats:
        if not data:
            return cls()
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def summary(self) -> dict[str, Any]:
        """What status pages show: counts, ratios, P95 and the comparisons."""
        p95 = self.p95()
        return {"requests": self.requests, "errors": self.errors,
                "error_ratio": round(self.error_ratio, 4),
                "p95_s": None if p95 is None or p95 == float("inf") else p95,
                "compared": self.compared,
                "mean_margin_diff": round(self.mean_margin_diff, 3),
                "max_margin_diff": round(self.margin_diff_max, 3),
                "mean_win_prob_diff": round(self.mean_prob_diff, 4),
                "max_win_prob_diff": round(self.prob_diff_max, 4),
                "graded": self.graded,
                "mae": None if self.mae is None else round(self.mae, 3),
                "stable_mae": None if self.stable_mae is None else round(self.stable_mae, 3)}


def _bucket(seconds: float) -> int:
    for i, bound in enumerate(LATENCY_BOUNDS):
        if seconds <= bound:
            return i
    return len(LATENCY_BOUNDS)
