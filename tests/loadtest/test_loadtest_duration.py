"""``--duration`` as Locust and k6 users write it; bad values are usage errors (exit code 2)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from scriptohio.errors import ValidationError
from scriptohio.loadtest.cli import loadtest_app
from scriptohio.loadtest.duration import parse_duration


@pytest.mark.parametrize(("text", "seconds"), [
    ("90", 90.0), ("2.5", 2.5), ("30s", 30.0), ("5m", 300.0), ("1h", 3600.0),
    ("1h30m", 5400.0), ("3h30m10s", 12610.0), ("2m30s", 150.0), ("1.5h", 5400.0),
    ("500ms", 0.5), ("1m500ms", 60.5), ("10S", 10.0), (" 45s ", 45.0),
])
def test_accepted_forms(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", [
    "", "s", "5x", "1d", "-3", "5m1h", "1m30", "30 s", "1h 30m", ".5s", "1e3", "5mm", "inf",
])
def test_anything_else_names_the_accepted_forms(text: str) -> None:
    with pytest.raises(ValidationError, match=r"30s, 5m, 1h, 1h30m"):
        parse_duration(text)


@pytest.mark.parametrize("text", ["0", "0s", "0h0m"])
def test_a_duration_must_be_positive(text: str) -> None:
    with pytest.raises(ValidationError, match="more than 0"):
        parse_duration(text)


@pytest.mark.parametrize("text", ["5x", "0", "1h-5m"])
def test_the_cli_rejects_a_bad_duration_with_exit_code_2(text: str) -> None:
    # the host is never contacted: the value is checked before anything starts
    result = CliRunner().invoke(loadtest_app, ["--host", "http://127.0.0.1:9", "--duration", text])
    assert result.exit_code == 2, result.output
    assert "duration" in result.stderr
    assert "30s, 5m, 1h, 1h30m" in result.stderr
    assert result.stdout == ""
