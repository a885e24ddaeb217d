"""How every command prints: JSON on stdout, errors on stderr with a non-zero exit code."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import orjson
import typer

from scriptohio.errors import CallerError, ScriptOhioError

T = TypeVar("T")

#: exit code for bad input (file, argument); 1 is for everything else
EXIT_BAD_INPUT = 2


def emit_json(value: Any) -> None:
    sys.stdout.write(orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_SERIALIZE_NUMPY
                                  | orjson.OPT_NON_STR_KEYS).decode() + "\n")


def fail(message: str, code: int = EXIT_BAD_INPUT) -> typer.Exit:
    sys.stderr.write(f"error: {message}\n")
    return typer.Exit(code)


@contextmanager
def errors_to_exit() -> Iterator[None]:
    """Turn our errors into a one-line message on stderr and an exit code."""
    try:
        yield
    except CallerError as exc:
        raise fail(str(exc), EXIT_BAD_INPUT) from None
    except ScriptOhioError as exc:
        raise fail(str(exc), 1) from None


def run(fn: Callable[[], T]) -> T:
    with errors_to_exit():
        return fn()
