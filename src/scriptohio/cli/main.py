"""Root of the ``scriptohio`` command: sub-commands are registered from their own modules."""

from __future__ import annotations

import logging
import os
import signal
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from scriptohio.cli import (
    canary_cmds,
    capacity_cmd,
    context,
    models_cmds,
    ops_cmds,
    projection_cmds,
    pull_cmd,
)
from scriptohio.cli.output import emit_json, errors_to_exit
from scriptohio.errors import ValidationError

app = typer.Typer(
    name="scriptohio",
    help="Script Ohio: fast college football analytics (predictions, ratings, lessons).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
data_app = typer.Typer(help="Inspect the loaded data; pull new data from CFBD.",
                       no_args_is_help=True)
teams_app = typer.Typer(help="Team names: resolve aliases and misspellings.", no_args_is_help=True)
app.add_typer(data_app, name="data")
app.add_typer(teams_app, name="teams")


@data_app.command("summary")
def data_summary() -> None:
    """JSON: per season, games / scored games / games with a spread."""
    from scriptohio.data.summary import data_summary as summarize

    with errors_to_exit():
        emit_json(summarize(context.dataset()))


@data_app.command("where")
def data_where() -> None:
    """JSON: the data directory in use; without one, exit 2 saying how to get data."""
    with errors_to_exit():
        emit_json({"data_dir": str(context.data_dir())})


@teams_app.command("resolve")
def teams_resolve(name: Annotated[str, typer.Argument(help="A team name, alias or typo")]) -> None:
    """JSON on stdout: {"query", "team"} (a corrected typo adds "corrected": true), exit 0;
    or {"query", "candidates": [...]} for an ambiguous name, and for an unknown one with
    "suggestions" too: both are bad input, explained on stderr, exit 2."""
    from scriptohio.data.csvfile import read_table
    from scriptohio.data.schema import GAMES
    from scriptohio.data.teams import TeamResolver

    with errors_to_exit():
        cols = read_table(context.data_dir() / "games.csv", GAMES)
        names = set(cols["home_team"].tolist()) | set(cols["away_team"].tolist())
        resolution = TeamResolver(sorted(names)).resolve(name)
        emit_json(resolution.as_json())
        resolution.require()


@app.command("ingest")
def ingest(
    games: Annotated[Path, typer.Argument(help="Rows in the games.csv schema")],
    team_games: Annotated[
        Path | None, typer.Argument(help="Optional rows in the team_games schema (.csv or .csv.gz)")
    ] = None,
) -> None:
    """Add or update game results (atomic, idempotent); prints what changed as JSON."""
    from scriptohio.data.ingest import ingest_files

    with errors_to_exit():
        store = context.open_store()
        try:
            result = ingest_files(store, context.dataset(store), games, team_games)
        finally:
            store.close()
        emit_json(result.as_json())


@app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind")] = None,
    port: Annotated[int | None, typer.Option(help="TCP port")] = None,
    workers: Annotated[int | None, typer.Option(
        help="Worker processes, forked after the data and models are loaded (they share them)")]
    = None,
    redis_url: Annotated[str | None, typer.Option(help="Shared cache tier (redis://...)")] = None,
    max_header_bytes: Annotated[int | None, typer.Option(
        help="Request line + headers larger than this get 431")] = None,
    max_headers: Annotated[int | None, typer.Option(
        help="More request headers than this get 431")] = None,
    header_timeout: Annotated[float | None, typer.Option(
        help="Seconds a request's headers may take to arrive (then 408)")] = None,
    body_timeout: Annotated[float | None, typer.Option(
        help="Seconds a request's body may take after its headers (then 408)")] = None,
    keep_alive: Annotated[float | None, typer.Option(
        help="Seconds an idle keep-alive connection stays open")] = None,
    backlog: Annotated[int | None, typer.Option(help="Listen queue length")] = None,
    max_connections: Annotated[int | None, typer.Option(
        help="Open connections beyond this get 503")] = None,
    forwarded_allow_ips: Annotated[str | None, typer.Option(
        help="Proxies whose X-Forwarded-For is trusted (comma-separated; default: none)")]
    = None,
    open_admin: Annotated[bool, typer.Option(
        "--open-admin", help="Open mode: callers on loopback may use the admin endpoints")]
    = False,
    drain: Annotated[float | None, typer.Option(
        help="Seconds between SIGTERM (readiness 503 at once) and the stop, still answering")]
    = None,
    loop: Annotated[str | None, typer.Option(
        help="Event loop: uvloop (default; SCRIPTOHIO_LOOP) or asyncio (accepts every waiting "
             "connection at once: for many keep-alive clients with no balancer in front)")]
    = None,
) -> None:
    """Run the HTTP service (uvicorn with httptools, on uvloop by default, with HTTP limits)."""
    import dataclasses

    import uvicorn

    from scriptohio.api.server_protocol import (
        GuardedHttpToolsProtocol,
        HttpLimits,
        event_loop_for,
    )

    with errors_to_exit():
        settings = context.settings().override(host=host, port=port, workers=workers,
                                               redis_url=redis_url,
                                               open_admin=True if open_admin else None,
                                               drain_s=drain)
        if settings.drain_s < 0:
            raise ValidationError("--drain must be >= 0 seconds")
        context.data_dir()  # no data: say how to get some now, not in a worker's traceback
        trusted = forwarded_allow_ips or os.environ.get("SCRIPTOHIO_FORWARDED_ALLOW_IPS") or ""
        try:
            limits = HttpLimits.from_env(os.environ)
            event_loop = event_loop_for(loop or os.environ.get("SCRIPTOHIO_LOOP"))
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc
        flags: dict[str, Any] = {"max_header_bytes": max_header_bytes, "max_headers": max_headers,
                 "header_timeout_s": header_timeout, "body_timeout_s": body_timeout,
                 "keep_alive_s": keep_alive, "backlog": backlog,
                 "max_connections": max_connections}
        bad = [name for name, value in flags.items() if value is not None and value <= 0]
        if bad:
            raise ValidationError(f"must be > 0: {', '.join(bad)}")
        limits = dataclasses.replace(limits, **{k: v for k, v in flags.items()
                                                if v is not None})
        os.environ.update(settings.to_env())
        os.environ.update(limits.to_env())  # worker processes read their limits from here
        GuardedHttpToolsProtocol.limits = limits
        if settings.workers > 1:  # one metrics registry across the worker processes
            from scriptohio.data.paths import state_dir

            # before prometheus_client is first imported: it picks its kind of values then,
            # and the workers are forked from this process, with what it has imported
            metrics_dir = state_dir(settings.state_dir) / "prometheus"
            os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
            from scriptohio.monitor.metrics import prepare_multiprocess_dir

            prepare_multiprocess_dir(metrics_dir)
        # uvicorn re-raises the SIGTERM it has handled once it has shut down gracefully: a
        # drained stop is a clean exit (0), not a death by signal
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s "
                            + ("[%(process)d] " if settings.workers > 1 else "")
                            + "%(name)s: %(message)s")
        options: dict[str, Any] = {
            "loop": event_loop,
            "http": GuardedHttpToolsProtocol,
            "backlog": limits.backlog,
            "timeout_keep_alive": max(1, round(limits.keep_alive_s)),
            "limit_concurrency": limits.max_connections,
            # X-Forwarded-For only from the proxies named: none by default (uvicorn would
            # otherwise trust any loopback peer, and a local caller could pick its address)
            "proxy_headers": bool(trusted),
            "forwarded_allow_ips": trusted or None,
            "access_log": False,
            "log_level": "info",
        }
        if settings.workers > 1:  # load once, fork the workers: they share what was loaded
            from scriptohio.api.prefork import serve_preforked

            raise typer.Exit(serve_preforked(settings, options))
        uvicorn.run("scriptohio.api.app:create_app", factory=True, host=settings.host,
                    port=settings.port, **options)


models_cmds.register(app)
canary_cmds.register(app)
pull_cmd.register(data_app)
ops_cmds.register(app)
projection_cmds.register(app)
capacity_cmd.register(app)


def main() -> None:
    app()

if __name__ == "__main__":
    main()
