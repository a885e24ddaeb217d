"""``scriptohio loadtest``: a typer sub-app the main CLI mounts with ``add_typer``.

::

    scriptohio loadtest --host URL --scenario NAME [--users N] [--duration D] [--report DIR]
                        [--workers N] [--spawn-server] [--rate R] [--scale S] [--think-scale T]
    scriptohio loadtest compare A.json B.json

Prints the run's summary and grade as JSON on stdout; exit code 0 only when the Grade-A
criteria pass, 1 when they fail, 2 for bad arguments or a run that could not happen.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from scriptohio.errors import CallerError, ScriptOhioError

loadtest_app = typer.Typer(
    name="loadtest", help="Run a load test; exit 0 only if the Grade-A criteria pass.",
    invoke_without_command=True, no_args_is_help=False, add_completion=False)


HostOpt = Annotated[str | None, typer.Option(help="Service base URL, e.g. http://127.0.0.1:8000")]
ScenarioOpt = Annotated[str, typer.Option(help="normal|peak|stress|stress-2000|endurance|spike")]
UsersOpt = Annotated[int | None, typer.Option(help="Peak users (rescales the scenario)")]
DurationOpt = Annotated[float | None, typer.Option(help="Run length, s (rescales the scenario)")]
ReportOpt = Annotated[Path | None, typer.Option(help="Directory for JSON/Markdown/HTML reports")]
WorkersOpt = Annotated[int, typer.Option(help="Local Locust worker processes (0 = one process)")]
SpawnOpt = Annotated[bool, typer.Option("--spawn-server",
                                        help="Start `scriptohio serve` on a free port first")]
RateOpt = Annotated[float | None, typer.Option(help="Open model: fixed arrival rate, requests/s")]
ScaleOpt = Annotated[float, typer.Option(help="Duration scale when --duration is not given")]
ThinkOpt = Annotated[float, typer.Option(help="Multiplies persona think times")]
MarkdownOpt = Annotated[bool, typer.Option("--markdown", help="Markdown table instead of JSON")]


@loadtest_app.callback()
def run(
    ctx: typer.Context,
    host: HostOpt = None,
    scenario: ScenarioOpt = "normal",
    users: UsersOpt = None,
    duration: DurationOpt = None,
    report: ReportOpt = None,
    workers: WorkersOpt = 0,
    spawn_server: SpawnOpt = False,
    rate: RateOpt = None,
    scale: ScaleOpt = 1.0,
    think_scale: ThinkOpt = 1.0,
) -> None:
    """Run a load test (unless a subcommand such as ``compare`` was given)."""
    if ctx.invoked_subcommand is not None:
        return
    from scriptohio.loadtest.runner import run_loadtest

    try:
        result = run_loadtest(host, scenario, users=users, duration=duration, report_dir=report,
                              workers=workers, spawn_server=spawn_server, arrival_rate=rate,
                              scale=scale, think_scale=think_scale)
    except CallerError as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        raise typer.Exit(2) from exc
    except ScriptOhioError as exc:
        typer.echo(f"load test could not run: {exc.detail}", err=True)
        raise typer.Exit(2) from exc
    out = {"summary": {k: v for k, v in result.summary.items() if k != "server"},
           "server": result.summary["server"], "grade": result.grade,
           "reports": result.report_files}
    sys.stdout.write(json.dumps(out, indent=2) + "\n")
    raise typer.Exit(0 if result.passed else 1)


@loadtest_app.command("compare")
def compare_cmd(
    a: Annotated[Path, typer.Argument(help="Baseline run's loadtest.json")],
    b: Annotated[Path, typer.Argument(help="Candidate run's loadtest.json")],
    markdown: MarkdownOpt = False,
) -> None:
    """Compare two runs metric by metric (B against A)."""
    from scriptohio.loadtest.compare import compare, comparison_markdown

    for path in (a, b):
        if not path.is_file():
            typer.echo(f"error: {path}: no such file", err=True)
            raise typer.Exit(2)
    try:
        table = compare(a, b)
    except (KeyError, ValueError) as exc:
        typer.echo(f"error: not a load-test result: {exc}", err=True)
        raise typer.Exit(2) from exc
    sys.stdout.write(comparison_markdown(table) if markdown else json.dumps(table, indent=2) + "\n")
