"""Daily, weekly and monthly reports: files exist, carry the numbers, the trend and the plots."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scriptohio.errors import ValidationError
from scriptohio.monitor import HistoryStore, build_report
from scriptohio.monitor.history import DAY_S

NOW = 1_800_000_000.0


def _fill(state_dir: Path, *, start: float, hours: int, p95: float, stage_inference: float,
          hit: float) -> None:
    store = HistoryStore(state_dir, clock=lambda: NOW)
    for h in range(hours):
        for m in range(0, 60, 10):  # one sample every 10 minutes
            at = start + h * 3600 + m * 60
            store.record({
                "requests": 9000.0, "p95_latency_s": p95, "p50_latency_s": p95 / 3,
                "p99_latency_s": p95 * 1.5,
                "avg_latency_s": p95 / 2, "throughput_rps": 150.0, "error_rate": 0.001,
                "success_rate": 0.999, "cache_hit_rate": hit, "system_cpu": 0.4,
                "process_cpu": 0.2, "system_memory": 0.5, "loop_lag_s": 0.003,
                "stage_inference_s": stage_inference, "stage_cache_s": 0.002,
                "alerts_firing": 1.0 if hit < 0.95 else 0.0,
            }, at=at)
    store.close()


@pytest.fixture
def history(tmp_path: Path) -> Path:
    state = tmp_path / "state"
    # Previous day: fast. Current day: P95 doubled, inference dominating, colder cache.
    _fill(state, start=NOW - 2 * DAY_S, hours=24, p95=0.4, stage_inference=0.01, hit=0.99)
    _fill(state, start=NOW - DAY_S, hours=24, p95=0.8, stage_inference=0.3, hit=0.85)
    return state


def test_daily_markdown_report_has_numbers_trends_bottlenecks_and_plots(
    history: Path, tmp_path: Path
) -> None:
    out = tmp_path / "reports"
    path = build_report(history, "daily", "md", out, now=NOW)
    text = path.read_text()
    assert path.exists() and path.suffix == ".md"
    assert "| P95 latency (ms) | 800.00 | 800.00 | 400.00 | +100.0% |" in text
    assert "| Cache hit rate (%) | 85.00 |" in text
    assert "| Alerts firing (mean count) | 1.00 | 1.00 | 0.00 | n/a |" in text
    assert "inference" in text and "batch predictions" in text
    assert "P95 latency moved +100%" in text
    assert re.search(r"\*\*Grade [A-F]\+?\*\*, score \d+\.\d", text)
    assert "**Grade B**" in text  # everything passes but the cold cache
    assert "| cache_hit_rate | 0.85 | 0.98 | fail |" in text
    assert "| success_rate | 0.999 | 0.995 | pass |" in text
    assert "| throughput_rps | 150 | n/a | not graded |" in text  # demand, not capacity
    images = re.findall(r"!\[[^\]]*\]\(([^)]+\.png)\)", text)
    assert {"latency", "throughput", "cache"} <= {Path(i).stem.rsplit("-", 1)[1] for i in images}
    for image in images:
        png = out / image
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000


def test_weekly_html_report(history: Path, tmp_path: Path) -> None:
    path = build_report(history, "weekly", "html", tmp_path / "out", now=NOW)
    text = path.read_text()
    assert text.startswith("<!doctype html>")
    assert "<td>P95 latency (ms)</td><td>600.00</td>" in text  # mean over both days
    assert '<img src="report-weekly-' in text


def test_monthly_report_compares_with_the_month_before(history: Path, tmp_path: Path) -> None:
    # A day 45 days back (the previous month, kept in the hourly tier) was faster still.
    _fill(history, start=NOW - 45 * DAY_S, hours=24, p95=0.2, stage_inference=0.01, hit=0.99)
    path = build_report(history, "monthly", "md", tmp_path / "out", now=NOW)
    text = path.read_text()
    assert path.name.startswith("report-monthly-")
    assert "Script Ohio monthly performance report" in text
    assert "| P95 latency (ms) | 600.00 | 800.00 | 200.00 | +200.0% |" in text


def test_report_on_an_empty_history_says_so(tmp_path: Path) -> None:
    path = build_report(tmp_path / "empty", "daily", "md", tmp_path / "out", now=NOW)
    text = path.read_text()
    assert "| P95 latency (ms) | n/a | n/a | n/a | n/a |" in text
    assert "None found." in text
    assert "**Grade: no data**, no requests were answered in this period." in text
    assert "| p95_latency_s | n/a | 1 | no data |" in text


def test_an_idle_period_has_no_grade_rather_than_f(tmp_path: Path) -> None:
    """A service that answered nothing all day: resource samples, empty request windows."""
    store = HistoryStore(tmp_path / "state", clock=lambda: NOW)
    for i in range(100):
        store.record({"requests": 0.0, "throughput_rps": 0.0, "system_cpu": 0.05,
                      "cache_hit_rate": 0.0}, at=NOW - DAY_S + 600 * i)
    store.close()
    text = build_report(tmp_path / "state", "daily", "md", tmp_path / "out", now=NOW).read_text()
    assert "**Grade: no data**" in text
    assert "Grade F" not in text


def test_bad_period_or_format_is_a_caller_error(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="period"):
        build_report(tmp_path, "quarterly", "md", tmp_path)
    with pytest.raises(ValidationError, match="format"):
        build_report(tmp_path, "daily", "pdf", tmp_path)
