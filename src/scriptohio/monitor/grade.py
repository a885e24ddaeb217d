"""The plan's Grade-A criteria, combined into a 0-100 score and a letter grade.

Pure functions: the monitor (live, over a sliding window, and its reports over the history)
and the load-test framework (over a whole run) both call :func:`grade`.

Criteria and their pass thresholds (from the performance plan):

===============  ==========  =========  ======  ============================================
criterion        pass when    A+ when    weight  partial credit
===============  ==========  =========  ======  ============================================
p95_latency_s    < 1.0 s                 30      falls linearly to 0 at 2.0 s
avg_latency_s    < 0.5 s                 15      falls linearly to 0 at 1.0 s
throughput_rps   > 100       > 200       20      proportional: value / threshold
success_rate     > 99.5 %    > 99.9 %    25      falls linearly to 0 at 95 %
cache_hit_rate   > 98 %                  10      falls linearly to 0 at 80 %
===============  ==========  =========  ======  ============================================

**Throughput depends on what was offered.** A service cannot complete more requests than its
callers send, so "> 100 req/s" only says something about the service when the load could have
exceeded that. The caller picks the throughput criterion:

* :data:`THROUGHPUT` (the absolute plan figure) for a load meant to saturate the service
  (the load tester's ``stress`` scenarios): the throughput is then its capacity;
* :func:`throughput_of_offered` when the offered rate is known (an open-model load test):
  it passes when the service completed more than 95 % of it (no A+ step: a service cannot do
  better than serve everything it was sent);
* :func:`reported_only` otherwise (closed-model runs not meant to saturate, and the live
  monitor, which sees only the demand that arrived): the value is shown, verdict
  ``"not graded"``, and its weight is left out.

**No data is not a failure.** A criterion without a value is reported ``"no data"`` and its
weight is left out of the score. When no graded criterion has data at all (an idle service, an
empty period, a run without requests) the result is :data:`NO_DATA`: score ``None``, grade
``"no data"`` -- not F.

The score is the weighted mean of the per-criterion credits (0..1) times 100, over the graded
criteria that have a value. Letter: **A+** when every graded criterion with data passes and
the A+ thresholds hold, **A** when every one passes, otherwise B (score >= 80), C (>= 70),
D (>= 60), F.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

#: The grade (and verdict) of something with nothing to judge.
NO_DATA = "no data"
NOT_GRADED = "not graded"
#: Share of the offered rate a service must complete to pass the throughput criterion.
DEFAULT_OFFERED_TOLERANCE = 0.95


@dataclass(frozen=True, slots=True)
class Criterion:
    name: str
    threshold: float | None  # None: reported only
    higher_is_better: bool
    weight: float
    zero_at: float  # value at which the partial credit reaches 0
    aplus: float | None = None
    unit: str = ""
    proportional: bool = False  # credit = value / threshold below the threshold
    note: str = ""  # shown with the verdict: what the threshold is measured against

    @property
    def graded(self) -> bool:
        return self.threshold is not None

    def credit(self, value: float) -> float:
        if self.passes(value):
            return 1.0
        assert self.threshold is not None
        if self.proportional:
            return max(0.0, min(1.0, value / self.threshold)) if self.threshold else 0.0
        span = abs(self.threshold - self.zero_at)
        return max(0.0, 1.0 - abs(value - self.threshold) / span)

    def passes(self, value: float) -> bool:
        assert self.threshold is not None
        return value > self.threshold if self.higher_is_better else value < self.threshold

    def passes_aplus(self, value: float) -> bool:
        if self.aplus is None:
            return self.passes(value)
        return value > self.aplus if self.higher_is_better else value < self.aplus


THROUGHPUT = Criterion("throughput_rps", 100.0, True, 20, zero_at=0.0, aplus=200.0,
                       unit="req/s", proportional=True)

DEFAULT_CRITERIA: tuple[Criterion, ...] = (
    Criterion("p95_latency_s", 1.0, False, 30, zero_at=2.0, unit="s"),
    Criterion("avg_latency_s", 0.5, False, 15, zero_at=1.0, unit="s"),
    THROUGHPUT,
    Criterion("success_rate", 0.995, True, 25, zero_at=0.95, aplus=0.999),
    Criterion("cache_hit_rate", 0.98, True, 10, zero_at=0.80),
)


def throughput_of_offered(
    offered_rps: float, tolerance: float = DEFAULT_OFFERED_TOLERANCE
) -> Criterion:
    """Throughput judged against the offered rate: passes above ``tolerance`` of it."""
    if offered_rps <= 0:
        raise ValueError(f"offered rate must be > 0, got {offered_rps}")
    return replace(THROUGHPUT, threshold=tolerance * offered_rps, aplus=None,
                   note=f"> {tolerance:.0%} of the offered {offered_rps:g} req/s")


def reported_only(criterion: Criterion, note: str) -> Criterion:
    """``criterion`` shown with its value but not graded (no threshold, no weight)."""
    return replace(criterion, threshold=None, aplus=None, note=note)


def with_criterion(
    replacement: Criterion, criteria: tuple[Criterion, ...] = DEFAULT_CRITERIA
) -> tuple[Criterion, ...]:
    """``criteria`` with the one of the same name swapped for ``replacement``."""
    return tuple(replacement if c.name == replacement.name else c for c in criteria)


#: The live monitor and its reports: throughput is shown, not graded (docs/monitor.md).
MONITOR_CRITERIA = with_criterion(reported_only(
    THROUGHPUT, "the demand that arrived, not the service's capacity"))


@dataclass(frozen=True, slots=True)
class Verdict:
    name: str
    value: float | None
    threshold: float | None
    passed: bool | None  # None = no data, or not graded
    credit: float | None
    note: str = ""

    @property
    def verdict(self) -> str:
        if self.threshold is None:
            return NOT_GRADED
        if self.passed is None:
            return NO_DATA
        return "pass" if self.passed else "fail"

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"value": self.value, "threshold": self.threshold,
                                  "verdict": self.verdict}
        if self.note:
            out["note"] = self.note
        return out


@dataclass(frozen=True, slots=True)
class GradeResult:
    score: float | None  # None when nothing could be graded
    grade: str  # "A+" ... "F", or "no data"
    verdicts: tuple[Verdict, ...] = field(default_factory=tuple)

    @property
    def passed(self) -> bool:
        """True when the grade is A or A+ (the CI gate; "no data" does not pass it)."""
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
        if value is None or not c.graded:
            verdicts.append(Verdict(c.name, value, c.threshold, None, None, c.note))
            continue
        credit = c.credit(value)
        passed = c.passes(value)
        all_pass &= passed
        all_aplus &= c.passes_aplus(value)
        weighted += credit * c.weight
        total_weight += c.weight
        verdicts.append(Verdict(c.name, value, c.threshold, passed, credit, c.note))
    if total_weight == 0:
        return GradeResult(None, NO_DATA, tuple(verdicts))
    score = 100.0 * weighted / total_weight
    if all_pass and all_aplus:
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


def grade_service(values: Mapping[str, float | None]) -> GradeResult:
    """The live monitor's grade of its flat values (a window, or a period's means).

    Every criterion describes answers, so with no requests there is nothing to grade (the
    cache may still be counting the warmer's lookups); throughput is reported, not graded
    (:data:`MONITOR_CRITERIA`)."""
    served = bool(values.get("requests"))
    return grade({c.name: values.get(c.name) if served else None for c in MONITOR_CRITERIA},
                 MONITOR_CRITERIA)
