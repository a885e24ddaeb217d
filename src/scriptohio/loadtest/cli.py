"""``scriptohio loadtest``: a typer sub-app the main CLI mounts with ``add_typer``.

::

    scriptohio loadtest --host URL --scenario NAME [--users N] [--duration D] [--report DIR]
                        [--workers N] [--spawn-server] [--rate R] [--scale S] [--think-scale T]
                        [--remote-workers K --master-bind ADDR --master-port P]
                        [--retry-after/--no-retry-after]
    scriptohio loadtest worker --spec worker-spec.json --master-host ADDR [--master-port P]
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
from scriptohio.loadtest.duration import parse_duration

loadtest_app = typer.Typer(
    name="loadtest", help="Run a load test; exit 0 only if the Grade-A criteria pass.",
    invoke_without_command=True, no_args_is_help=False, add_completion=False)


HostOpt = Annotated[str | None, typer.Option(help="Service base URL, e.g. http://127.0.0.1:8000")]
ScenarioOpt = Annotated[str, typer.Option(help="normal|peak|stress|stress-2000|endurance|spike")]
UsersOpt = Annotated[int | None, typer.Option(help="Peak users (rescales the scenario)")]
DurationOpt = Annotated[str | None, typer.Option(
    metavar="D", help="Run length (rescales the scenario): seconds, or 30s, 5m, 1h, 1h30m, 500ms")]
ReportOpt = Annotated[Path | None, typer.Option(help="Directory for JSON/Markdown/HTML reports")]
WorkersOpt = Annotated[int, typer.Option(help="Local Locust worker processes (0 = one process)")]
SpawnOpt = Annotated[bool, typer.Option("--spawn-server",
                                        help="Start `scriptohio serve` on a free port first")]
RateOpt = Annotated[float | None, typer.Option(help="Open model: fixed arrival rate, requests/s")]
ScaleOpt = Annotated[float, typer.Option(help="Duration scale when --duration is not given")]
ThinkOpt = Annotated[float, typer.Option(help="Multiplies persona think times")]
RemoteOpt = Annotated[int, typer.Option(
    help="Workers started by hand on other hosts (`scriptohio loadtest worker`)")]
BindOpt = Annotated[str, typer.Option(
    help="Address the master listens on for workers (0.0.0.0 for other hosts)")]
PortOpt = Annotated[int | None, typer.Option(
    help="Master port (default 5557 with remote workers, else a free port)")]
SpecOutOpt = Annotated[Path | None, typer.Option(
    help="Where to write the spec remote workers read (default REPORT/worker-spec.json)")]
RetryOpt = Annotated[bool, typer.Option(
    "--retry-after/--no-retry-after",
    help="Users wait out a 503/429 with Retry-After and retry (3 attempts, waits <= 5 s); "
         "retried refusals are reported apart")]
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
    remote_workers: RemoteOpt = 0,
    master_bind: BindOpt = "127.0.0.1",
    master_port: PortOpt = None,
    worker_spec: SpecOutOpt = None,
    retry_after: RetryOpt = True,
) -> None:
    """Run a load test (unless a subcommand such as ``compare`` was given)."""
    if ctx.invoked_subcommand is not None:
        return
    from scriptohio.loadtest.runner import run_loadtest

    try:
        seconds = None if duration is None else parse_duration(duration)
        result = run_loadtest(host, scenario, users=users, duration=seconds, report_dir=report,
                              workers=workers, spawn_server=spawn_server, arrival_rate=rate,
                              scale=scale, think_scale=think_scale,
                              remote_workers=remote_workers, master_bind_host=master_bind,
                              master_port=master_port, worker_spec_path=worker_spec,
                              retry_after=retry_after)
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


@loadtest_app.command("worker")
def worker_cmd(
    spec: Annotated[Path, typer.Option(help="The spec the master wrote (worker-spec.json)")],
    master_host: Annotated[str, typer.Option(help="The master's address")] = "127.0.0.1",
    master_port: Annotated[int, typer.Option(help="The master's port")] = 5557,
) -> None:
    """Join a master started with --remote-workers, generate load until it stops."""
    import dataclasses
    import subprocess
    import tempfile

    from scriptohio.loadtest.spec import LoadTestSpec, default_games_csv

    if not spec.is_file():
        typer.echo(f"error: {spec}: no such file", err=True)
        raise typer.Exit(2)
    try:
        loaded = LoadTestSpec.from_json(spec.read_text(encoding="utf-8"))
    except (ValueError, TypeError, AttributeError) as exc:  # bad JSON, fields or shape
        typer.echo(f"error: {spec}: not a load-test spec: {exc}", err=True)
        raise typer.Exit(2) from exc
    if not Path(loaded.games_csv).is_file():  # the master's path: find this host's copy
        loaded = dataclasses.replace(loaded, games_csv=default_games_csv())
    if not Path(loaded.games_csv).is_file():
        typer.echo("error: no games.csv on this host (set SCRIPTOHIO_DATA_DIR)", err=True)
        raise typer.Exit(2)
    with tempfile.TemporaryDirectory(prefix="scriptohio-worker-") as tmp:
        local = Path(tmp) / "spec.json"
        local.write_text(loaded.to_json(), encoding="utf-8")
        # A child process: Locust needs gevent's monkey-patching, which must not leak here.
        done = subprocess.run([sys.executable, "-m", "scriptohio.loadtest.engine", "--worker",
                               "--master-host", master_host, "--master-port", str(master_port),
                               "--spec", str(local)], check=False)
    raise typer.Exit(done.returncode)
