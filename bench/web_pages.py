"""Benchmark: the web app's pages against the JSON endpoints they read.

1. Server time, warm, inside the server (the ASGI app called directly with a prepared scope,
   every middleware included): each page's median against the matching ``/v1`` endpoint's in
   the same run (goal: a warm page <= 2 ms median).
2. First contentful paint of each page in headless Chromium (Debian's ``chromium`` driven by
   Playwright) against ``scriptohio serve`` on loopback, from the browser's performance
   timings: the median of first visits (a fresh browser context each, nothing cached; goal
   <= 300 ms) and of repeat visits (one tab, the stylesheet and script in its cache).
3. The bytes of the app's own JS + CSS, gzip-compressed (goal < 150 KB).
4. Accessibility: axe-core (the copy ``axe-playwright-python`` bundles) on every page at
   desktop (1280 px) and phone (390 px) width, violations counted by impact.

Writes ``docs/results/web-pages.md``; ``--screenshots`` also saves each page at desktop
(1280 px) and phone (390 px) width in ``docs/results/web/``. Needs a trained model
(``scriptohio train``).
"""

from __future__ import annotations

import asyncio
import gzip
import os
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.servers import running_service  # noqa: E402

from scriptohio.api.app import create_app  # noqa: E402
from scriptohio.config import Settings  # noqa: E402
from scriptohio.web.assets import ASSETS  # noqa: E402

N = int(os.environ.get("BENCH_N", "2000"))
LOADS = int(os.environ.get("BENCH_LOADS", "7"))
RESULTS = ROOT / "docs" / "results" / "web-pages.md"
SHOTS = ROOT / "docs" / "results" / "web"

#: (name, page, the JSON endpoint with the answer it reads, POST body for the endpoint)
PAGES: list[tuple[str, str, str, bytes | None]] = [
    ("home", "/app", "/v1/games", None),
    ("game (played)", "/app/game?home=Ohio%20State&away=Michigan&season=2024&week=14",
     "/v1/predict?home=Ohio%20State&away=Michigan&season=2024&week=14", None),
    ("game (scheduled)", "/app/game?home=Ohio%20State&away=Penn%20State&season=2025&week=10",
     "/v1/predict?home=Ohio%20State&away=Penn%20State&season=2025&week=10", None),
    ("team", "/app/teams/Ohio%20State", "/v1/teams/Ohio%20State", None),
    ("rankings", "/app/rankings", "/v1/rankings", None),
    ("rankings (SEC, Elo)", "/app/rankings?method=elo&conference=SEC",
     "/v1/rankings?method=elo&conference=SEC", None),
    ("matchup", "/app/matchup?home=Ohio%20State&away=Penn%20State",
     "/v1/matchup?home=Ohio%20State&away=Penn%20State", None),
    ("learn", "/app/learn", "/v1/learn/path", None),
    ("lesson", "/app/learn/lessons/epa-and-success-rate",
     "/v1/learn/lessons/epa-and-success-rate", None),
    ("ask", "/app/ask?q=who+won+ohio+state+vs+michigan+in+2024", "/v1/ask",
     b'{"query": "who won ohio state vs michigan in 2024"}'),
    ("compare", "/app/compare?teams=Ohio%20State&teams=Oregon&teams=Indiana",
     "/v1/compare?teams=Ohio%20State&teams=Oregon&teams=Indiana", None),
    # a season's 17 week slates against one of them
    ("evaluation", "/app/evaluation?season=2024&role=data_scientist",
     "/v1/games?season=2024&week=10", None),
]
SCREENSHOT_EXTRA = [("teams", "/app/teams"), ("concept", "/app/learn/concepts/epa"),
                    ("not-found", "/app/teams/banana")]


def _scope(url: str, method: str = "GET", body: bool = False) -> dict[str, Any]:
    parts = urlsplit(url)
    headers = [(b"host", b"bench"), (b"x-user-id", b"bench"), (b"accept-encoding", b"gzip")]
    if body:
        headers.append((b"content-type", b"application/json"))
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
            "scheme": "http", "path": unquote(parts.path), "raw_path": parts.path.encode(),
            "query_string": parts.query.encode(), "root_path": "", "headers": headers,
            "client": ("127.0.0.1", 1234), "server": ("127.0.0.1", 8000)}


def _settings() -> Settings:
    extra: dict[str, Any] = {}
    for key, name in (("state_dir", "SCRIPTOHIO_STATE_DIR"), ("data_dir", "SCRIPTOHIO_DATA_DIR")):
        if os.environ.get(name):
            extra[key] = os.environ[name]
    return Settings(rate_limit="100000000/minute", warm_cache=False, **extra)


async def server_times() -> dict[str, tuple[float, float]]:
    """name → (page median s, JSON median s), each warm, alternating in one run."""
    app = create_app(_settings())
    async with app.router.lifespan_context(app):
        while not app.state.service.holder.ready:
            await asyncio.sleep(0.1)
        status: list[int] = []

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])

        async def call(url: str, body: bytes | None) -> float:
            async def receive() -> dict[str, Any]:
                return {"type": "http.request", "body": body or b"", "more_body": False}

            scope = _scope(url, "POST" if body else "GET", body is not None)
            t = time.perf_counter()
            await app(scope, receive, send)  # type: ignore[arg-type]
            return time.perf_counter() - t

        out = {}
        for name, page, api, body in PAGES:
            for _ in range(3):  # warm: fill the cache, the memo and the rendered page
                await call(page, None)
                await call(api, body)
            pages, apis = [], []
            for _ in range(N):
                pages.append(await call(page, None))
                apis.append(await call(api, body))
            assert set(status) == {200}, (name, set(status))
            out[name] = (statistics.median(pages), statistics.median(apis))
        return out


def browser_timings(screenshots: bool
                    ) -> tuple[dict[str, tuple[float, float]], dict[str, list[str]]]:
    """name → median first contentful paint (ms) of (first visits, repeat visits); name → the
    axe-core violations (``width: rule (impact)``) at both widths."""
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "apt-get install -y chromium"
    env = {"SCRIPTOHIO_RATE_LIMIT": "100000000/minute", "SCRIPTOHIO_WARM_CACHE": "0"}
    state = Path(os.environ.get("SCRIPTOHIO_STATE_DIR") or ROOT / "var")
    with running_service(state, env, wait_ready=True, timeout=120, cwd=ROOT) as base:
        out: dict[str, tuple[float, float]] = {}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium,
                                        args=["--headless", "--no-sandbox", "--disable-gpu"])
            for name, page_url, _, _ in PAGES:
                httpx.get(base + page_url)  # warm the server's answer
                first = []
                for _ in range(LOADS):
                    context = browser.new_context(viewport={"width": 1280, "height": 900})
                    page = context.new_page()
                    page.goto(base + page_url, wait_until="load")
                    first.append(_paint(page))
                    context.close()
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                page = context.new_page()
                page.goto(base + page_url, wait_until="load")
                repeat = []
                for _ in range(LOADS):
                    page.goto(base + page_url, wait_until="load")
                    repeat.append(_paint(page))
                context.close()
                out[name] = (statistics.median(first), statistics.median(repeat))
            axe = Axe()
            violations: dict[str, list[str]] = {}
            for width in (1280, 390):
                context = browser.new_context(viewport={"width": width, "height": 900})
                page = context.new_page()
                for name, page_url in [(n, u) for n, u, _, _ in PAGES] + SCREENSHOT_EXTRA:
                    page.goto(base + page_url, wait_until="load")
                    found = axe.run(page).response["violations"]
                    violations.setdefault(name, []).extend(
                        f"{width} px: {v['id']} ({v['impact']}, {len(v['nodes'])} nodes)"
                        for v in found)
                context.close()
            if screenshots:
                SHOTS.mkdir(parents=True, exist_ok=True)
                shots = [(n, u) for n, u, _, _ in PAGES] + SCREENSHOT_EXTRA
                for width, label in ((1280, "desktop"), (390, "phone")):
                    context = browser.new_context(viewport={"width": width, "height": 900})
                    page = context.new_page()
                    for name, page_url in shots:
                        page.goto(base + page_url, wait_until="load")
                        slug = name.replace(" ", "-").replace("(", "").replace(")", "")
                        slug = slug.replace(",", "")
                        # the whole page, but the longest (a week's slate) cut at 2,400 px
                        tall = min(2400, int(page.evaluate("document.body.scrollHeight")))
                        page.screenshot(path=str(SHOTS / f"{slug}-{label}.png"), full_page=True,
                                        clip={"x": 0, "y": 0, "width": width, "height": tall})
                    context.close()
            browser.close()
        return out, violations


def _paint(page: Any) -> float:
    """This document's first contentful paint (ms from navigation start)."""
    return float(page.evaluate(
        "() => new Promise(done => { const e = performance.getEntriesByName("
        "'first-contentful-paint')[0]; if (e) return done(e.startTime); new "
        "PerformanceObserver(l => done(l.getEntries()[0].startTime)).observe("
        "{type: 'paint', buffered: true}); })"))


def asset_sizes() -> dict[str, tuple[int, int]]:
    return {name: (len(body), len(gzip.compress(body, 9)))
            for name, (body, _, _) in ASSETS.items() if name.endswith((".js", ".css"))}


def main() -> int:
    screenshots = "--screenshots" in sys.argv
    server = asyncio.run(server_times())
    paints, violations = browser_timings(screenshots)
    sizes = asset_sizes()
    raw_total = sum(r for r, _ in sizes.values())
    gz_total = sum(g for _, g in sizes.values())
    lines = ["# Web pages: server time, first paint, asset size", "",
             f"`python bench/web_pages.py` (N={N} warm calls per page and endpoint, alternating "
             f"in one run; first contentful paint on loopback: median of {LOADS} first visits, "
             f"each in a fresh Chromium context, and of {LOADS} repeat visits in one tab). "
             "Goals: warm page <= 2 ms median server time, FCP <= 300 ms, JS + CSS < 150 KB "
             "compressed.", "",
             "| page | page server time (median) | JSON endpoint (median) | page / JSON | "
             "first paint, first visit | first paint, repeat visit |",
             "|---|---:|---:|---:|---:|---:|"]
    worst_page = max(p for p, _ in server.values())
    worst_fcp = max(first for first, _ in paints.values())
    worst_repeat = max(repeat for _, repeat in paints.values())
    for name, page, api, _ in PAGES:
        p, a = server[name]
        lines.append(f"| {name} (`{page}` vs `{api}`) | {p * 1e3:.3f} ms | {a * 1e3:.3f} ms | "
                     f"{p / a:.1f}x | {paints[name][0]:.0f} ms | {paints[name][1]:.0f} ms |")
    lines += ["", "| asset | bytes | gzip bytes |", "|---|---:|---:|"]
    lines += [f"| {name} | {raw} | {gz} |" for name, (raw, gz) in sizes.items()]
    lines += [f"| **JS + CSS** | {raw_total} | {gz_total} ({gz_total / 1024:.1f} KB) |", "",
              f"- slowest warm page: {worst_page * 1e3:.3f} ms median, goal <= 2 ms: "
              f"{'PASS' if worst_page <= 2e-3 else 'FAIL'}",
              f"- slowest first contentful paint, first visit: {worst_fcp:.0f} ms, goal <= 300 ms: "
              f"{'PASS' if worst_fcp <= 300 else 'FAIL'} (repeat visit: {worst_repeat:.0f} ms)",
              f"- JS + CSS compressed: {gz_total / 1024:.1f} KB, goal < 150 KB: "
              f"{'PASS' if gz_total < 150 * 1024 else 'FAIL'}", ""]
    serious = sum(1 for found in violations.values() for v in found
                  if "(serious" in v or "(critical" in v)
    lines += ["## Accessibility (axe-core, every page at 1280 px and 390 px)", "",
              "| page | violations |", "|---|---|"]
    lines += [f"| {name} | {'; '.join(found) or 'none'} |" for name, found in violations.items()]
    lines += ["", f"- serious or critical violations: {serious} "
              f"({'PASS' if serious == 0 else 'FAIL'}; the goal is 0)", ""]
    load = os.getloadavg()[0]
    lines += [f"Machine: {os.cpu_count()} CPUs, load average {load:.1f} when the run ended "
              "(a shared machine; figures move with it).", ""]
    text = "\n".join(lines)
    print(text)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
