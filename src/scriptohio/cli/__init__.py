"""The ``scriptohio`` command line (typer). Entry point: :func:`main`."""

from scriptohio.cli.main import main

__all__ = ["main"]
