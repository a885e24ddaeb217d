"""/docs (Swagger UI) and /redoc (ReDoc) work offline: every asset comes from this service."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from tests.api.conftest import AppClient
from tests.browser import chromium
from tests.servers import running_service

if TYPE_CHECKING:
    from playwright.sync_api import Page, Route

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
CONTENT_TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png",
                 ".json": "application/json"}
CSP_REFUSAL = "violates the following Content Security Policy directive"


class _References(HTMLParser):
    """Every URL a page's markup loads: ``src``, ``href``, ReDoc's ``spec-url``."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [v for k, v in attrs if k in ("src", "href", "spec-url") and v]


def references(html: str) -> list[str]:
    parser = _References()
    parser.feed(html)
    # Swagger UI's start-up script names the OpenAPI document as ``url: '...'``
    return parser.urls + re.findall(r"\burl: '([^']+)'", html)


async def test_docs_pages_load_only_assets_this_service_serves(app_client: AppClient) -> None:
    # Key mode and a limit of 2 per minute: a visitor without a key, fetching each page with
    # its assets twice, gets every one (the docs are open paths, exempt from rate limits).
    async with app_client(auth="keys", rate_limit="2/minute") as client:
        for _ in range(2):
            for page in ("/docs", "/redoc"):
                r = await client.get(page)
                assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
                assert "default-src 'self'" in r.headers["content-security-policy"]
                assert "://" not in r.text  # no absolute URL at all: nothing from elsewhere
                urls = references(r.text)
                kinds = {Path(urlsplit(u).path).suffix for u in urls}
                assert {".js", ".json", ".png"} <= kinds, urls
                for url in urls:
                    assert url.startswith("/") and not url.startswith("//"), url
                    asset = await client.get(url)
                    assert asset.status_code == 200, url
                    expected = CONTENT_TYPES[Path(urlsplit(url).path).suffix]
                    assert asset.headers["content-type"].startswith(expected), url
                    assert len(asset.content) > 1000, url
        missing = await client.get("/docs/static/swagger-ui.js.map")
        assert missing.status_code == 404
        assert missing.headers["content-type"] == "application/problem+json"
        metrics = (await client.get("/metrics")).text
    # measured under the route's template, not once per file nor as <unmatched>
    assert 'route="/docs/static/{name}"' in metrics and 'route="/docs"' in metrics


def _open_offline(page: Page, url: str, left: list[str], errors: list[str]) -> None:
    """Load ``url`` with every request that would leave this machine aborted and recorded."""

    def only_loopback(route: Route) -> None:
        if urlsplit(route.request.url).hostname in LOOPBACK:
            route.continue_()
        else:
            left.append(route.request.url)
            route.abort()

    page.route("**/*", only_loopback)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    response = page.goto(url)
    assert response is not None and response.status == 200


def test_docs_and_redoc_render_in_chromium_with_the_network_blocked(
    service_state: Path, tmp_path: Path
) -> None:
    with running_service(service_state, {"SCRIPTOHIO_WARM_CACHE": "0"}) as base, \
            chromium() as browser:
        left: list[str] = []
        swagger_errors: list[str] = []
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        _open_offline(page, f"{base}/docs", left, swagger_errors)
        title = page.wait_for_selector(".swagger-ui .info .title", timeout=30_000)
        assert title is not None and "Script Ohio" in title.inner_text()
        predict = page.wait_for_selector('.opblock-summary-path[data-path="/v1/predict"]')
        assert predict is not None and predict.is_visible()
        operations = page.locator(".opblock").count()
        shot = tmp_path / "docs-offline.png"
        page.screenshot(path=str(shot))
        page.close()

        redoc_errors: list[str] = []
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        _open_offline(page, f"{base}/redoc", left, redoc_errors)
        heading = page.wait_for_selector("h1:has-text('Script Ohio')", timeout=30_000)
        assert heading is not None and heading.is_visible()
        assert page.locator("span", has_text=re.compile(r"^/v1/predict$")).count() >= 1
        page.fill("input[placeholder='Search...']", "predict")  # search runs in a worker
        results = page.wait_for_selector('[data-role="search:results"]', timeout=10_000)
        assert results is not None and "Predict one game" in results.inner_text()
        page.close()

    assert left == []  # not one request tried to leave the machine
    assert swagger_errors == []
    # ReDoc shows Redocly's logo from Redocly's CDN; the page's policy refuses it, it hides
    assert [e for e in redoc_errors if CSP_REFUSAL not in e] == []
    assert operations >= 20
    assert shot.stat().st_size > 10_000
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(shot, ARTIFACTS / "docs-offline.png")
