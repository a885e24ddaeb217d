"""``scriptohio capacity``: the model's arithmetic on fixed inputs, and the command's output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from scriptohio.errors import ValidationError
from scriptohio.loadtest.capacity import (
    CapacityInputs,
    capacity_report,
    load_inputs,
    offered_rps_per_user,
    plan_for,
    predict_measured,
)
from scriptohio.loadtest.personas import PERSONAS

ROOT = Path(__file__).resolve().parents[2]
_CLI = "from scriptohio.cli.main import main; main()"

#: Round numbers: a replica plans for 100 * 1 * 0.5 = 50 req/s; a user offers 0.5 req/s.
FIXED = {"offered_rps_per_user": 0.5, "per_core_rps": 100.0, "cores_per_replica": 1,
         "rss_per_replica_mb": 512.0, "redis_ops_per_request": 10.0,
         "redis_ops_per_shard": 1000.0, "target_utilization": 0.5, "spare_replicas": 1,
         "host_cores": 2}


def inputs(**changes: object) -> CapacityInputs:
    return CapacityInputs.from_mapping({**FIXED, **changes})


def test_replicas_cores_and_memory_scale_with_users_plus_the_spare() -> None:
    small, large = plan_for(1_000, inputs()), plan_for(10_000, inputs())
    assert (small.offered_rps, small.replicas, small.cores, small.memory_gb) == (500, 11, 11, 5.5)
    assert (large.offered_rps, large.replicas, large.cores) == (5_000, 101, 101)
    assert large.replicas - 1 == 10 * (small.replicas - 1)
    assert plan_for(1_000, inputs(cores_per_replica=2)).cores == 2 * 6  # 5 + 1 spare, 2 each


def test_redis_shards_round_up_and_never_fall_below_one() -> None:
    at = inputs(target_utilization=1.0)
    assert plan_for(1_000, at).redis_shards == 5      # 5,000 ops/s on 1,000 a shard
    assert plan_for(1_001, at).redis_shards == 6      # 5,005: one more shard, not 5.005
    assert plan_for(1, at).redis_shards == 1
    assert plan_for(1_000, inputs()).redis_shards == 10  # planned at 50 %: twice the shards


def test_offered_rate_per_user_is_the_persona_mix_closed_model() -> None:
    # 40 % think 7.5 s on average, 30 % 5 s, 30 % 1.25 s (no response time)
    expected = 0.4 / 7.5 + 0.3 / 5 + 0.3 / 1.25
    assert offered_rps_per_user(PERSONAS, response_s=0.0) == pytest.approx(expected)
    assert offered_rps_per_user(PERSONAS) < expected  # answers take time too


def test_prediction_on_one_box_stops_at_its_cores() -> None:
    runs = [{"users": 1000, "replicas": n, "answered_rps": 150.0, "p95_s": 2.0} for n in (1, 2, 3)]
    rows = predict_measured(runs, inputs())
    assert [r["predicted_rps"] for r in rows] == [100.0, 200.0, 200.0]  # 2 cores: 3 = 2
    assert [r["measured_over_predicted"] for r in rows] == [1.5, 0.75, 0.75]
    assert all(r["predicted_p95_over_1s"] and r["measured_p95_over_1s"] for r in rows)
    light = predict_measured([{"users": 10, "replicas": 1, "answered_rps": 5.0}], inputs())
    assert light[0]["predicted_rps"] == 5.0 and not light[0]["predicted_p95_over_1s"]


@pytest.mark.parametrize("change", [
    {"per_core_rps": 0}, {"per_core_rps": -5}, {"rss_per_replica_mb": "lots"},
    {"target_utilization": 1.5}, {"spare_replicas": -1}, {"host_cores": True},
    {"redis_ops_per_shard": float("inf")},
])
def test_bad_inputs_are_refused_by_name(change: dict[str, object]) -> None:
    with pytest.raises(ValidationError, match=next(iter(change))):
        inputs(**change)


def test_users_must_be_positive() -> None:
    with pytest.raises(ValidationError, match="users"):
        plan_for(0, inputs())


def test_missing_inputs_take_the_documented_defaults(tmp_path: Path) -> None:
    path = tmp_path / "inputs.json"
    path.write_text(json.dumps({"per_core_rps": 50}))
    model, runs = load_inputs(path)
    assert model.per_core_rps == 50 and model.target_utilization == 0.7 and runs == []
    assert capacity_report([10], model, runs)["plans"][0]["users"] == 10


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", _CLI, "capacity", *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)


def test_cli_json_from_an_inputs_file(tmp_path: Path) -> None:
    path = tmp_path / "inputs.json"
    path.write_text(json.dumps({**FIXED, "measured": {"topology": [
        {"users": 1000, "replicas": 3, "answered_rps": 150, "p95_s": 3.0, "failed": 0}]}}))
    done = cli("--users", "1000,10_000", "--inputs", str(path), "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert [(p["users"], p["replicas"], p["redis_shards"]) for p in report["plans"]] == [
        (1000, 11, 10), (10_000, 101, 100)]
    assert report["predicted_vs_measured"][0]["predicted_rps"] == 200.0


def test_cli_reads_the_shipped_measured_inputs_and_prints_a_table() -> None:
    done = cli()
    assert done.returncode == 0, done.stderr
    assert "1,000,000" in done.stdout and "Redis shards" in done.stdout
    assert "Predicted vs measured" in done.stdout
    shipped = json.loads(cli("--json").stdout)
    assert [p["users"] for p in shipped["plans"]] == [10_000, 100_000, 1_000_000]
    assert len(shipped["predicted_vs_measured"]) == 6


@pytest.mark.parametrize("args, message", [
    (("--users", "10k"), "--users"),
    (("--inputs", "/nonexistent/inputs.json"), "cannot read"),
])
def test_cli_bad_input_is_exit_2_with_one_line(args: tuple[str, ...], message: str) -> None:
    done = cli(*args)
    assert done.returncode == 2
    assert done.stderr.startswith("error:") and message in done.stderr
    assert done.stdout == ""
