"""``cache replay``, ``report``, ``keys create`` and the mounted ``loadtest`` sub-app."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from scriptohio.cli import context
from scriptohio.cli.output import emit_json, errors_to_exit
from scriptohio.data.paths import state_dir

if TYPE_CHECKING:
    from scriptohio.api.identity import KeyStore


def register(app: typer.Typer) -> None:
    from scriptohio.loadtest.cli import loadtest_app

    cache_app = typer.Typer(help="Cache tools.", no_args_is_help=True)
    keys_app = typer.Typer(help="API keys for key mode (SCRIPTOHIO_AUTH=keys).",
                           no_args_is_help=True)
    app.add_typer(cache_app, name="cache")
    app.add_typer(keys_app, name="keys")
    app.add_typer(loadtest_app, name="loadtest")

    @cache_app.command("replay")
    def replay(
        trace: Annotated[Path, typer.Argument(help="KEY or KEY SIZE per line; .zst/.gz/.xz ok")],
        capacity: Annotated[int, typer.Option(help="Capacity in entries")],
        policy: Annotated[str, typer.Option(help="default|lru")] = "default",
    ) -> None:
        """Replay a trace through the cache policy; prints hits and hit ratio as JSON."""
        from scriptohio.cache.replay import replay as run

        with errors_to_exit():
            emit_json(run(trace, capacity, policy))

    @app.command("report")
    def report(
        period: Annotated[str, typer.Option(help="daily|weekly|monthly")] = "daily",
        format: Annotated[str, typer.Option("--format", help="md|html")] = "md",
        out: Annotated[Path, typer.Option(help="Output directory")] = Path("reports"),
    ) -> None:
        """Performance report from the stored metrics history, with plots."""
        from scriptohio.monitor.report import build_report

        with errors_to_exit():
            sdir = state_dir(context.settings().state_dir)
            path = build_report(sdir, period, format, out)
            emit_json({"report": str(path)})

    @keys_app.command("create")
    def create_key(
        user: Annotated[str, typer.Option(help="User id the key carries")],
        role: Annotated[str, typer.Option(help="casual|data_scientist|production|admin")],
    ) -> None:
        """Create an API key (printed once; only its hash is stored)."""
        with errors_to_exit():
            store = _key_store()
            try:
                emit_json({"key": store.create(user, role), "user_id": user, "role": role})
            finally:
                store.close()

    @keys_app.command("list")
    def list_keys() -> None:
        """Every key's id, user, role and whether it is revoked (never the key itself)."""
        with errors_to_exit():
            store = _key_store()
            try:
                emit_json(store.list())
            finally:
                store.close()

    @keys_app.command("revoke")
    def revoke_key(key_id: Annotated[str, typer.Argument(help="k_... from keys list")]) -> None:
        """Revoke a key: a running service refuses it within seconds."""
        with errors_to_exit():
            store = _key_store()
            try:
                emit_json(store.revoke(key_id))
            finally:
                store.close()

    @keys_app.command("rotate")
    def rotate_key(key_id: Annotated[str, typer.Argument(help="k_... from keys list")]) -> None:
        """A new key for the same user and role (printed once); the old one is revoked."""
        with errors_to_exit():
            store = _key_store()
            try:
                emit_json({"key": store.rotate(key_id), "revoked": key_id})
            finally:
                store.close()


def _key_store() -> KeyStore:
    """The key records the service reads: its Redis when it has one, else the state dir."""
    from scriptohio.api.identity import open_key_store

    settings = context.settings()
    return open_key_store(state_dir(settings.state_dir), settings.redis_url,
                          namespace=settings.cache_namespace)
