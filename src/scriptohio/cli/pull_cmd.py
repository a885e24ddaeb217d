"""``scriptohio data pull``: CollegeFootballData.com into the data, through ingest.

Reads ``CFBD_API_KEY`` (required) and ``SCRIPTOHIO_CFBD_URL`` (``--api-url`` overrides it).
Progress goes to stderr, the result as JSON to stdout; a failed pull exits 1 and writes nothing.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from scriptohio.cli import context
from scriptohio.cli.output import emit_json, errors_to_exit
from scriptohio.errors import ValidationError

SEASON_TYPES = {"regular": ("regular",), "postseason": ("postseason",),
                "both": ("regular", "postseason")}
KEY_HELP = ("set CFBD_API_KEY to your CollegeFootballData.com API key"
            " (free at https://collegefootballdata.com/key)")


def parse_range(text: str, what: str) -> tuple[int, ...]:
    """``"10-15"`` -> ``(10, ..., 15)``; ``"12"`` -> ``(12,)``."""
    m = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?", text)
    if m is None:
        raise ValidationError(f"--{what} {text!r}: expected A-B or a single number")
    first, last = int(m[1]), int(m[2] or m[1])
    if last < first:
        raise ValidationError(f"--{what} {text!r}: the range runs backwards")
    return tuple(range(first, last + 1))


def api_key() -> str:
    key = os.environ.get("CFBD_API_KEY", "").strip()
    if not key:
        raise ValidationError(f"no API key: {KEY_HELP}")
    return key


@contextmanager
def request_progress(label: str) -> Iterator[Callable[[str], None]]:
    """A rich spinner on stderr counting the requests made; yields the per-request hook."""
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"),
                  TextColumn("{task.completed} requests"), TimeElapsedColumn(),
                  console=console, transient=not console.is_terminal) as progress:
        task = progress.add_task(label, total=None)

        def on_request(path: str) -> None:
            progress.update(task, advance=1, description=f"{label}: {path}")

        yield on_request


def register(data_app: typer.Typer) -> None:
    @data_app.command("pull")
    def pull(
        season: Annotated[int | None, typer.Option(help="Season to pull (update)")] = None,
        week: Annotated[int | None, typer.Option(help="One week")] = None,
        weeks: Annotated[str | None, typer.Option(help="Weeks A-B")] = None,
        season_type: Annotated[str | None, typer.Option(
            help="regular|postseason|both (default: both; regular with --week)")] = None,
        seasons: Annotated[str | None, typer.Option(
            help="Seasons A-B: first full download into an empty data directory")] = None,
        api_url: Annotated[str | None, typer.Option(
            help="CFBD base URL (default $SCRIPTOHIO_CFBD_URL or the public API)")] = None,
        timeout: Annotated[float, typer.Option(help="Seconds to wait for one answer")] = 30.0,
        no_advanced: Annotated[bool, typer.Option(
            "--no-advanced", help="Skip the advanced (PPA) stats")] = False,
    ) -> None:
        """Fetch games, scores, every provider's lines and team-game stats from
        CollegeFootballData.com and ingest them (validated, atomic, idempotent); JSON out."""
        from scriptohio.data.cfbd import DEFAULT_API_URL, CfbdClient, PullRequest, ValidatorStore
        from scriptohio.data.cfbd import pull as run_pull

        with errors_to_exit():
            if (season is None) == (seasons is None):
                raise ValidationError("give --season S (an update) or --seasons A-B"
                                      " (a first full download)")
            if week is not None and weeks is not None:
                raise ValidationError("give --week or --weeks, not both")
            if season_type is not None and season_type not in SEASON_TYPES:
                raise ValidationError(f"--season-type {season_type!r}: expected one of"
                                      f" {', '.join(SEASON_TYPES)}")
            if timeout <= 0:
                raise ValidationError("--timeout must be > 0")
            url = api_url or os.environ.get("SCRIPTOHIO_CFBD_URL") or DEFAULT_API_URL
            key = api_key()
            chosen = (week,) if week is not None else (
                parse_range(weeks, "weeks") if weeks is not None else None)
            types = SEASON_TYPES[season_type or ("regular" if week is not None else "both")]
            if seasons is not None:
                from scriptohio.data.cfbd.bootstrap import download_seasons

                target = Path(context.settings().data_dir or "data")
                years = parse_range(seasons, "seasons")
                with request_progress(f"CFBD {years[0]}-{years[-1]}") as hook:
                    client = CfbdClient(api_key=key, base_url=url, timeout_s=timeout,
                                        on_request=hook)
                    try:
                        summary = download_seasons(client, target, years,
                                                   advanced=not no_advanced)
                    finally:
                        client.close()
                emit_json(summary)
                return
            assert season is not None
            request = PullRequest(season, chosen, types, advanced=not no_advanced)
            store = context.open_store()
            validators = ValidatorStore.in_state_dir(store.path.parent)
            try:
                dataset = context.dataset(store)
                with request_progress(f"CFBD {request.describe()}") as hook:
                    client = CfbdClient(api_key=key, base_url=url, timeout_s=timeout,
                                        on_request=hook, validators=validators)
                    try:
                        result = run_pull(client, store, dataset, request)
                    finally:
                        client.close()
            finally:
                validators.close()
                store.close()
            emit_json(result.as_json())
