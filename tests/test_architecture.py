"""Imports flow one way (import-linter contract in pyproject.toml); the public CLI exists."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

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
