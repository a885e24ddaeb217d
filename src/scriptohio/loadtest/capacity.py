"""Capacity planning past this box: replicas, cores, memory and Redis shards for N users.

A pure model (no I/O besides :func:`load_inputs`) from measured figures:

* ``offered_rps_per_user``: requests/s one concurrent user offers -- the persona mix's closed
  model, ``sum(share / (mean think + response))`` (:func:`offered_rps_per_user`); the normal
  scenario measured 35 req/s from 100 users (0.35), stress 327 from 1,000 (0.33, with ramp);
* ``per_core_rps``: answered req/s one core sustains *with P95 < 1 s* on the persona mix, on
  a warmed deployment (cache hits > 99 %);
* ``cores_per_replica``: a replica is one ``scriptohio serve`` worker, one event loop: 1 core;
* ``rss_per_replica_mb``: a warmed replica's RSS;
* ``redis_ops_per_request``: Redis commands per request (``bench/capacity_inputs.py``);
* ``redis_ops_per_shard``: what one Redis shard serves -- an *assumption* (single-threaded
  Redis does ~100k simple commands/s on one core; pipelining would raise it);
* ``target_utilization``: plan replicas and shards to run at this share of their capacity,
  the headroom that keeps P95 down when traffic bursts; ``spare_replicas``: N+k, so losing a
  host (or a rolling restart) leaves enough.

::

    replicas = ceil(users * offered / (per_core * cores_per_replica * utilization)) + spare
    shards   = ceil(users * offered * redis_ops_per_request / (ops_per_shard * utilization))

:func:`predict_measured` is the same model on one host of ``host_cores`` cores (replicas beyond
the cores add no capacity), set against the namespace runs copied into the inputs.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from scriptohio.errors import ValidationError
from scriptohio.loadtest.personas import PERSONAS, Persona

DEFAULT_USERS: tuple[int, ...] = (10_000, 100_000, 1_000_000)
#: Mean response time added to think time in the closed model (warmed answers take ms).
DEFAULT_RESPONSE_S = 0.05

#: Documented defaults; ``bench/capacity_inputs.py`` writes measured ones over them.
DEFAULT_INPUTS: dict[str, Any] = {
    "offered_rps_per_user": 0.3432,  # offered_rps_per_user(PERSONAS)
    # docs/results/loadtest-open500.md: the persona mix at 500 req/s (open model) answered at
    # P95 5.4 ms by one warmed replica, the box's 2 cores shared with Locust: 250 per core, a
    # floor (no higher rate was offered; loadtest-stress.md's 327 req/s at P95 24 ms is lower).
    "per_core_rps": 250.0,
    "cores_per_replica": 1,
    "rss_per_replica_mb": 721.0,  # docs/results/memory-per-answer.md, warmed replica
    "redis_ops_per_request": 4.0,
    "redis_ops_per_shard": 100_000.0,  # assumption, not measured here
    "target_utilization": 0.7,
    "spare_replicas": 1,
    "host_cores": 2,
    "measured": {
        "source": "docs/results/topology.md section 3 (Locust stress, namespace hosts sharing "
                  "this box's 2 cores; shared tier filled by a discarded run, hit 0.62-0.80)",
        "topology": [
            {"users": 1000, "replicas": 1, "answered_rps": 78, "p95_s": 7.5, "failed": 1790},
            {"users": 1000, "replicas": 2, "answered_rps": 113, "p95_s": 8.9, "failed": 1133},
            {"users": 1000, "replicas": 3, "answered_rps": 189, "p95_s": 3.7, "failed": 0},
            {"users": 2000, "replicas": 1, "answered_rps": 131, "p95_s": 8.5, "failed": 4640},
            {"users": 2000, "replicas": 2, "answered_rps": 166, "p95_s": 10.3, "failed": 708},
            {"users": 2000, "replicas": 3, "answered_rps": 173, "p95_s": 14.0, "failed": 4},
        ],
    },
}


@dataclass(frozen=True, slots=True)
class CapacityInputs:
    offered_rps_per_user: float
    per_core_rps: float
    cores_per_replica: int
    rss_per_replica_mb: float
    redis_ops_per_request: float
    redis_ops_per_shard: float
    target_utilization: float
    spare_replicas: int
    host_cores: int

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int | float) \
                    or not math.isfinite(value):
                raise ValidationError(f"capacity input {f.name} must be a number, not {value!r}")
            if value < 0 or (value == 0 and f.name != "spare_replicas"):
                raise ValidationError(f"capacity input {f.name} must be > 0, not {value!r}")
        if self.target_utilization > 1:
            raise ValidationError("capacity input target_utilization must be in (0, 1], "
                                  f"not {self.target_utilization!r}")

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> CapacityInputs:
        names = {f.name for f in fields(cls)}
        merged = {k: v for k, v in DEFAULT_INPUTS.items() if k in names}
        merged.update({k: v for k, v in raw.items() if k in names})
        return cls(**merged)


@dataclass(frozen=True, slots=True)
class Plan:
    users: int
    offered_rps: float
    replicas: int
    cores: int
    memory_gb: float
    redis_ops_per_s: float
    redis_shards: int

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def offered_rps_per_user(personas: Sequence[Persona] = PERSONAS,
                         response_s: float = DEFAULT_RESPONSE_S) -> float:
    """Requests/s one concurrent user of the mix offers: act, wait for the answer, think."""
    total = sum(p.weight for p in personas)
    return sum(p.weight / total / (sum(p.think_s) / 2 + response_s) for p in personas)


def plan_for(users: int, inputs: CapacityInputs) -> Plan:
    """Replicas, cores, memory and Redis shards that serve ``users`` concurrent users."""
    if isinstance(users, bool) or not isinstance(users, int) or users <= 0:
        raise ValidationError(f"users must be a positive whole number, not {users!r}")
    offered = users * inputs.offered_rps_per_user
    per_replica = inputs.per_core_rps * inputs.cores_per_replica * inputs.target_utilization
    replicas = math.ceil(offered / per_replica) + inputs.spare_replicas
    redis_ops = offered * inputs.redis_ops_per_request
    shards = max(1, math.ceil(redis_ops / (inputs.redis_ops_per_shard
                                           * inputs.target_utilization)))
    return Plan(users, round(offered, 1), replicas, replicas * inputs.cores_per_replica,
                round(replicas * inputs.rss_per_replica_mb / 1024, 1), round(redis_ops, 1),
                shards)


def predict_measured(runs: Sequence[Mapping[str, Any]],
                     inputs: CapacityInputs) -> list[dict[str, Any]]:
    """The model's answered req/s for each measured run on one ``host_cores`` box, beside it."""
    rows = []
    for run in runs:
        users, replicas = int(run["users"]), int(run["replicas"])
        cores = min(replicas * inputs.cores_per_replica, inputs.host_cores)
        offered = users * inputs.offered_rps_per_user
        predicted = min(offered, cores * inputs.per_core_rps)
        measured = float(run["answered_rps"])
        p95 = run.get("p95_s")
        rows.append({"users": users, "replicas": replicas, "predicted_rps": round(predicted, 1),
                     # offered beyond what the cores answer at P95 < 1 s: queues, P95 over 1 s
                     "predicted_p95_over_1s": offered > cores * inputs.per_core_rps,
                     "measured_p95_over_1s": None if p95 is None else float(p95) > 1.0,
                     "measured_rps": measured, "measured_over_predicted":
                     round(measured / predicted, 2), "measured_p95_s": run.get("p95_s"),
                     "measured_failed": run.get("failed")})
    return rows


def load_inputs(path: str | Path | None) -> tuple[CapacityInputs, list[dict[str, Any]]]:
    """Inputs (and the measured runs) from a JSON file; the defaults when ``path`` is None."""
    raw: Any = DEFAULT_INPUTS
    if path is not None:
        try:
            raw = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ValidationError(f"cannot read capacity inputs {path}: {exc}") from exc
        if not isinstance(raw, dict):
            raise ValidationError(f"capacity inputs {path} must be a JSON object")
    measured = raw.get("measured", {})
    runs = measured.get("topology", []) if isinstance(measured, dict) else []
    return CapacityInputs.from_mapping(raw), list(runs)


def capacity_report(users: Sequence[int], inputs: CapacityInputs,
                    runs: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """What ``scriptohio capacity --json`` prints."""
    return {"inputs": {f.name: getattr(inputs, f.name) for f in fields(inputs)},
            "plans": [plan_for(n, inputs).as_dict() for n in users],
            "predicted_vs_measured": predict_measured(runs, inputs)}
