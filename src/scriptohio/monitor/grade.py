"""The plan's Grade-A criteria, combined into a 0-100 score and a letter grade.

Pure functions: the monitor (live, over a sliding window) and the load-test framework (over a
whole run) both call :func:`grade`.

Criteria and their pass thresholds (from the performance plan):

===============  ==========  =========  ======  ============================================
criterion        pass when    A+ when    weight  partial credit
===============  ==========  =========  ======  ============================================
p95_latency_s    < 1.0 s                 30      falls linearly to 0 at 2.0 s
avg_latency_s    < 0.5 s                 15      falls linearly to 0 at 1.0 s
throughput_rps   > 100       > 200       20      proportional: value / 100
success_rate     > 99.5 %    > 99.9 %    25      falls linearly to 0 at 95 %
cache_hit_rate   > 98 %                  10      falls linearly to 0 at 80 %
===============  ==========  =========  ======  ============================================

The score is the weighted mean of the per-criterion credits (0..1) times 100, over the
criteria that have a value (a criterion without data is reported as ``"no data"`` and its
weight is left out). Letter: **A+** when every criterion with data passes and the A+ thresholds
hold, **A** when every criterion passes, otherwise B (score >= 80), C (>= 70), D (>= 60), F.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Criterion:
    name: str
    threshold: float
    higher_is_better: bool
    weight: float
    zero_at: float  # value at which the partial credit reaches 0
    aplus: float | None = None
    unit: str = ""

    def credit(self, value: float) -> float:
        if self.passes(value):
            return 1.0
        if self.higher_is_better and self.name == "throughput_rps":
            return max(0.0, min(1.0, value / self.threshold))
        span = abs(self.threshold - self.zero_at)
        return max(0.0, 1.0 - abs(value - self.threshold) / span)

    def passes(self, value: float) -> bool:
        return value > self.threshold if self.higher_is_better else value < self.threshold

    def passes_aplus(self, value: float) -> bool:
        if self.aplus is None:
            return self.passes(value)
        return value > self.aplus if self.higher_is_better else value < self.aplus


DEFAULT_CRITERIA: tuple[Criterion, ...] = (
    Criterion("p95_latency_s", 1.0, False, 30, zero_at=2.0, unit="s"),
    Criterion("avg_latency_s", 0.5, False, 15, zero_at=1.0, unit="s"),
    Criterion("throughput_rps", 100.0, True, 20, zero_at=0.0, aplus=200.0, unit="req/s"),
    Criterion("success_rate", 0.995, True, 25, zero_at=0.95, aplus=0.999),
    Criterion("cache_hit_rate", 0.98, True, 10, zero_at=0.80),
)


@dataclass(frozen=True, slots=True)
class Verdict:
    name: str
    value: float | None
    threshold: float
    passed: bool | None  # None = no data
    credit: float | None

    def as_dict(self) -> dict[str, object]:
        return {
            "value": self.value,
            "threshold": self.threshold,
            "verdict": "no data" if self.passed is None else ("pass" if self.passed else "fail"),
        }


@dataclass(frozen=True, slots=True)
class GradeResult:
    score: float
    grade: str
    verdicts: tuple[Verdict, ...] = field(default_factory=tuple)

    @property
    def passed(self) -> bool:
        """True when the grade is A or A+ (the CI gate)."""
        return self.grade in ("A", "A+")

    def criteria(self) -> dict[str, dict[str, object]]:
        return {v.name: v.as_dict() for v in self.verdicts}


def grade(
    values: Mapping[str, float | None],
    criteria: tuple[Criterion, ...] = DEFAULT_CRITERIA,
) -> GradeResult:
    """Score ``values`` (criterion name -> measured value or None) against ``criteria``."""
    verdicts: list[Verdict] = []
    weighted = 0.0
    total_weight = 0.0
    all_pass = True
    all_aplus = True
    for c in criteria:
        value = values.get(c.name)
        if value is None:
            verdicts.append(Verdict(c.name, None, c.threshold, None, None))
            continue
        credit = c.credit(value)
        passed = c.passes(value)
        all_pass &= passed
        all_aplus &= c.passes_aplus(value)
        weighted += credit * c.weight
        total_weight += c.weight
        verdicts.append(Verdict(c.name, value, c.threshold, passed, credit))
    score = 100.0 * weighted / total_weight if total_weight else 0.0
    if total_weight == 0:
        letter = "F"
    elif all_pass and all_aplus:
        letter = "A+"
    elif all_pass:
        letter = "A"
    elif score >= 80:
        letter = "B"
    elif score >= 70:
        letter = "C"
    elif score >= 60:
        letter = "D"
    else:
        letter = "F"
    return GradeResult(round(score, 2), letter, tuple(verdicts))
