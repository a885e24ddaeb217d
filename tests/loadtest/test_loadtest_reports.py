"""Reports (JSON, Markdown, HTML with plots), the timeline, server figures and compare."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scriptohio.loadtest.cli import loadtest_app
from scriptohio.loadtest.compare import compare, comparison_markdown
from scriptohio.loadtest.report import write_reports
from scriptohio.loadtest.results import RunResult, build_result

from .crafted import raw_run


def test_reports_are_written_with_the_run_numbers_inside(tmp_path: Path) -> None:
    result = build_result(raw_run(per_second=150, latency_s=0.123))
    files = write_reports(result, tmp_path / "r")
    assert set(files) == {"json", "markdown", "html"}
    loaded = RunResult.load(files["json"])
    assert loaded.summary["requests"] == 1500
    assert loaded.summary["latency_s"]["p95"] == pytest.approx(0.123, rel=1e-3)
    assert loaded.grade == result.grade
    md = Path(files["markdown"]).read_text()
    assert "| all | 123.0 | 123.0 | 123.0 | 123.0 | 123.0 | 123.0 |" in md
    assert "| at peak users (no ramp) | 123.0 |" in md
    assert "requests: 1500, throughput 150.0 req/s" in md
    assert "`/v1/predict` | 750 |" in md
    html = Path(files["html"]).read_text()
    assert html.count("data:image/png;base64,") == 6
    for plot in ("latency", "throughput", "users", "errors", "cpu", "memory"):
        assert f'alt="{plot}"' in html


def test_timeline_has_one_row_per_second_with_users_and_server_figures() -> None:
    result = build_result(raw_run(seconds=5, per_second=40, latency_s=0.01))
    rows = result.timeline
    assert [r["t"] for r in rows] == [0, 1, 2, 3, 4]
    assert [r["requests"] for r in rows] == [40] * 5
    assert [r["users"] for r in rows] == [10, 20, 30, 40, 50]
    assert result.summary["latency_at_peak_s"]["count"] == 40  # only the second at 50 users
    assert rows[2]["p95"] == pytest.approx(0.01, rel=1e-3)
    assert rows[1]["cpu_percent"] == pytest.approx(50.0)  # 0.5 CPU-s per s
    server = result.summary["server"]
    assert server["cache_hit_ratio"] == pytest.approx(0.9)
    assert server["rss_bytes_max"] == pytest.approx(105e6)
    assert server["pools"] == {'scriptohio_pool_workers{pool="predict"}': 4.0}
    assert server["breakers_seen"] == ['scriptohio_breaker_state{dependency="redis"}']


def test_compare_says_which_run_is_better(tmp_path: Path) -> None:
    a = build_result(raw_run(per_second=100, latency_s=0.2))
    b = build_result(raw_run(per_second=150, latency_s=0.1))
    table = compare(a, b)
    assert table["metrics"]["throughput_rps"]["b_better"] is True
    assert table["metrics"]["latency_p95_s"]["change"] == pytest.approx(-0.5, rel=1e-2)
    assert table["metrics"]["latency_p95_s"]["b_better"] is True
    assert "| latency_p95_s |" in comparison_markdown(table)


def test_compare_command_reads_two_json_reports(tmp_path: Path) -> None:
    a, b = str(tmp_path / "a.json"), str(tmp_path / "b.json")
    Path(a).write_text(json.dumps(build_result(raw_run(per_second=100)).to_dict()))
    Path(b).write_text(json.dumps(build_result(raw_run(per_second=120)).to_dict()))
    out = CliRunner().invoke(loadtest_app, ["compare", a, b])
    assert out.exit_code == 0, out.output
    table = json.loads(out.stdout)
    assert table["metrics"]["requests"] == {"a": 1000.0, "b": 1200.0, "change": 0.2,
                                            "b_better": True}
    missing = CliRunner().invoke(loadtest_app, ["compare", a, str(tmp_path / "nope.json")])
    assert missing.exit_code == 2
