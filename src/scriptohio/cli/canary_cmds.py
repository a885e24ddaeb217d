"""``scriptohio models canary start|status|promote|abort``: model canaries by hand.

They act on the state directory's canary store (or Redis with ``SCRIPTOHIO_REDIS_URL``), the
one every running worker and replica follows, within a tick (a second). ``start`` compares the
candidate with the registry's default (``LATEST``): train it with ``scriptohio train
--candidate`` so it does not become the default before it has been through the canary.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from scriptohio.cli import context
from scriptohio.cli.output import emit_json, errors_to_exit

if TYPE_CHECKING:
    from scriptohio.models.canary_control import CanaryControl

models_app = typer.Typer(help="Model versions: canaries of newly trained ones.",
                         no_args_is_help=True)
canary_app = typer.Typer(help="Serve a new model version to a growing share of callers, "
                         "compared live with the stable one.", no_args_is_help=True)
models_app.add_typer(canary_app, name="canary")


def _control() -> CanaryControl:
    from scriptohio.data.paths import state_dir
    from scriptohio.models.canary_control import CanaryControl
    from scriptohio.models.canary_store import open_canary_store
    from scriptohio.models.registry import ModelRegistry

    settings = context.settings()
    sdir = state_dir(settings.state_dir)
    return CanaryControl(open_canary_store(sdir, settings.redis_url,
                                           namespace=settings.cache_namespace),
                         ModelRegistry(sdir))


@canary_app.command("start")
def start(
    version: Annotated[str, typer.Argument(help="Candidate model version, e.g. v0002")],
    stages: Annotated[str | None, typer.Option(help="Shares, e.g. 0.1,0.25,0.5,1")] = None,
    stage_s: Annotated[float | None, typer.Option(help="Least seconds per stage")] = None,
    min_requests: Annotated[int | None, typer.Option(
        help="Least canary requests per stage")] = None,
) -> None:
    """Start a canary of VERSION against the default version."""
    from scriptohio.errors import ValidationError
    from scriptohio.models.canary import DEFAULT_POLICY, CanaryPolicy

    with errors_to_exit():
        values = DEFAULT_POLICY.as_json()
        try:
            if stages is not None:
                values["stages"] = [float(s) for s in stages.split(",") if s.strip()]
            if stage_s is not None:
                values["stage_s"] = stage_s
            if min_requests is not None:
                values["min_requests"] = min_requests
            policy = CanaryPolicy.from_json(values)
        except ValueError as exc:
            raise ValidationError(f"bad canary policy: {exc}") from exc
        emit_json(_control().start(version, policy=policy, by="cli").summary())


@canary_app.command("status")
def status() -> None:
    """The current (or last) canary: stage, share, comparison, timeline."""
    with errors_to_exit():
        state = _control().read()
        emit_json({"canary": None if state is None else state.summary()})


@canary_app.command("promote")
def promote() -> None:
    """Make the running canary's version the default now (workers reload within a tick)."""
    with errors_to_exit():
        emit_json(_control().promote("promoted by cli").summary())


@canary_app.command("abort")
def abort(reason: Annotated[str, typer.Option(help="Why")] = "aborted by operator") -> None:
    """Abort the running canary: every caller goes back to the stable version."""
    with errors_to_exit():
        emit_json(_control().abort(f"{reason} (cli)").summary())


def register(app: typer.Typer) -> None:
    app.add_typer(models_app, name="models")
