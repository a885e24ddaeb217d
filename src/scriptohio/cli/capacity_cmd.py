"""``capacity``: replicas, cores, memory and Redis shards for N concurrent users (a table, or
JSON with ``--json``), and the model against the measured namespace runs."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from scriptohio.cli.output import emit_json, errors_to_exit
from scriptohio.errors import ValidationError

DEFAULT_INPUTS_FILE = Path("docs/results/capacity-inputs.json")


def parse_users(text: str) -> list[int]:
    try:
        users = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise ValidationError(f"--users must be comma-separated whole numbers, not {text!r}") \
            from None
    if not users:
        raise ValidationError("--users needs at least one number")
    return users


def _tables(report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    inputs = report["inputs"]
    console = Console(width=None if sys.stdout.isatty() else 120)
    plans = Table(title=f"Capacity at P95 < 1 s: {inputs['per_core_rps']:g} req/s per core, "
                        f"{inputs['offered_rps_per_user']:g} req/s per user, planned at "
                        f"{inputs['target_utilization']:.0%} utilization, "
                        f"+{inputs['spare_replicas']} spare")
    for name in ("users", "offered req/s", "replicas", "cores", "memory (GB)",
                 "Redis ops/s", "Redis shards"):
        plans.add_column(name, justify="right")
    for p in report["plans"]:
        plans.add_row(f"{p['users']:,}", f"{p['offered_rps']:,.0f}", f"{p['replicas']:,}",
                      f"{p['cores']:,}", f"{p['memory_gb']:,.1f}", f"{p['redis_ops_per_s']:,.0f}",
                      f"{p['redis_shards']:,}")
    console.print(plans)
    if report["predicted_vs_measured"]:
        check = Table(title=f"Predicted vs measured on one {inputs['host_cores']}-core box "
                            "(namespace hosts share its cores)")
        for name in ("users", "replicas", "predicted req/s", "measured 2xx/s",
                     "measured / predicted", "P95 > 1 s: predicted", "measured P95 (s)",
                     "measured failed"):
            check.add_column(name, justify="right")
        for r in report["predicted_vs_measured"]:
            check.add_row(f"{r['users']:,}", str(r["replicas"]), f"{r['predicted_rps']:,.0f}",
                          f"{r['measured_rps']:,.0f}", f"{r['measured_over_predicted']:.2f}",
                          "yes" if r["predicted_p95_over_1s"] else "no",
                          str(r["measured_p95_s"]), str(r["measured_failed"]))
        console.print(check)


def register(app: typer.Typer) -> None:
    @app.command("capacity")
    def capacity(
        users: Annotated[str, typer.Option(help="Concurrent users, comma-separated")] =
            "10000,100000,1000000",
        inputs: Annotated[Path | None, typer.Option(
            help=f"Measured figures (JSON; default {DEFAULT_INPUTS_FILE} if present, else "
                 "the documented defaults)")] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    ) -> None:
        """Replicas, cores, memory and Redis shards that serve N concurrent users."""
        from scriptohio.loadtest.capacity import capacity_report, load_inputs

        with errors_to_exit():
            counts = parse_users(users)
            path = inputs if inputs is not None else (
                DEFAULT_INPUTS_FILE if DEFAULT_INPUTS_FILE.is_file() else None)
            model, runs = load_inputs(path)
            report = capacity_report(counts, model, runs)
        if as_json:
            emit_json(report)
        else:
            _tables(report)
