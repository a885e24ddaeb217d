"""Imports flow one way (import-linter contracts in pyproject.toml) and never in a circle; the
public CLI exists."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def test_layers_contract_holds() -> None:
    exe = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    result = subprocess.run([exe], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "KEPT" in result.stdout


def test_cli_help_lists_the_contract_commands() -> None:
    result = subprocess.run([sys.executable, "-m", "scriptohio.cli.main", "--help"],
                            capture_output=True, text=True, check=True)
    for command in ("serve", "data", "teams", "ingest"):
        assert command in result.stdout


# -- import cycles ------------------------------------------------------------------------------
#
# "Import circles: 0", counted on grimp's graph (the one import-linter builds). grimp reads every
# import statement, those under ``if TYPE_CHECKING:`` and inside functions included
# (``exclude_type_checking_imports`` defaults to False); the self-test below pins that.

def import_cycles(package: str, *, without: frozenset[str] = frozenset()) -> list[list[str]]:
    """The import cycles of ``package`` (its strongly connected components of more than one
    module, or a module importing itself), after removing the modules in ``without``."""
    import grimp

    graph = grimp.build_graph(package, include_external_packages=False, cache_dir=None)
    nodes = sorted(graph.modules - without)
    edges = {m: sorted(graph.find_modules_directly_imported_by(m) - without) for m in nodes}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(module: str) -> None:  # Tarjan's algorithm
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in edges[module]:
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1 or module in edges[module]:
                cycles.append(sorted(component))

    for module in nodes:
        if module not in index:
            visit(module)
    return cycles


def test_no_import_cycles() -> None:
    """Import circles: 0, TYPE_CHECKING and function-level imports counted."""
    assert import_cycles("scriptohio") == []


def test_cycles_through_type_checking_and_function_imports_are_counted(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "cyclepkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from cyclepkg import b\n")
    (package / "b.py").write_text("from typing import TYPE_CHECKING\n"
                                  "if TYPE_CHECKING:\n    from cyclepkg import a\n")
    (package / "c.py").write_text("def f():\n    from cyclepkg import d\n")
    (package / "d.py").write_text("import cyclepkg.c\n")
    (package / "e.py").write_text("from cyclepkg import a\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert import_cycles("cyclepkg") == [["cyclepkg.a", "cyclepkg.b"], ["cyclepkg.c", "cyclepkg.d"]]
    assert import_cycles("cyclepkg", without=frozenset({"cyclepkg.b"})) == [
        ["cyclepkg.c", "cyclepkg.d"]]
