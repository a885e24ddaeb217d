"""The web app in a real browser: headless Chromium (Debian's, driven by Playwright) against
``scriptohio serve`` on a loopback port. Every page renders with data and without console
errors, at desktop and phone width; links, the ask box (with and without script) and lesson
completion work; axe-core finds no serious or critical accessibility violation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.browser import chromium
from tests.servers import running_service

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

PAGES = ["/app", "/app/game?home=Ohio%20State&away=Michigan&season=2024&week=14",
         "/app/game?home=Ohio%20State&away=Penn%20State&season=2025&week=10",
         "/app/teams/Ohio%20State", "/app/teams", "/app/rankings",
         "/app/rankings?method=elo&conference=SEC",
         "/app/matchup?home=Ohio%20State&away=Penn%20State", "/app/learn",
         "/app/learn/lessons/epa-and-success-rate", "/app/learn/concepts/epa",
         "/app/ask?q=who+won+ohio+state+vs+michigan+in+2024", "/app?role=data_scientist",
         "/app/game?home=Ohio%20State&away=Michigan&season=2024&week=14&role=data_scientist",
         "/app/evaluation?season=2024&role=data_scientist",
         "/app/compare?teams=Ohio%20State&teams=Oregon&teams=Indiana"]
WIDTHS = {"desktop": 1280, "phone": 390}
SERIOUS = ("serious", "critical")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, trained_state: Path,
           data_dir: Path) -> Iterator[str]:
    state = tmp_path_factory.mktemp("web-service")
    (state / "models").symlink_to(trained_state / "models", target_is_directory=True)
    env = {"SCRIPTOHIO_DATA_DIR": str(data_dir), "SCRIPTOHIO_RATE_LIMIT": "100000/minute",
           "SCRIPTOHIO_WARM_CACHE": "0"}
    with running_service(state, env, wait_ready=True, timeout=120) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as found:
        yield found


class Watched:
    """A page with its console errors and uncaught exceptions recorded."""

    def __init__(self, browser: Browser, width: int = 1280, *, script: bool = True) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": 900},
                                           java_script_enabled=script)
        self.page: Page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error"
                     else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def close(self) -> None:
        self.context.close()


def serious_violations(page: Page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page).response["violations"]
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
            for v in found if v["impact"] in SERIOUS]


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_renders_with_no_console_error_and_no_serious_axe_violation(
        server: str, browser: Browser, width: str) -> None:
    watched = Watched(browser, WIDTHS[width])
    problems: dict[str, list[str]] = {}
    try:
        for url in PAGES:
            response = watched.page.goto(server + url, wait_until="load")
            assert response is not None and response.status == 200, url
            heading = watched.page.locator("h1").first.inner_text()
            assert heading.strip(), url
            assert watched.page.locator("main table, main svg, main ol, main ul, main .summary, "
                                        "main .answer").count() > 0, url
            found = serious_violations(watched.page)
            if found:
                problems[url] = found
        assert not watched.errors
        assert not problems
    finally:
        watched.close()


def test_the_game_page_chart_and_the_team_trend_are_drawn(server: str, browser: Browser
                                                          ) -> None:
    watched = Watched(browser)
    try:
        page = watched.page
        page.goto(server + "/app/game?home=Ohio%20State&away=Michigan&season=2024&week=14")
        bars = page.locator("svg.bars rect")
        assert bars.count() >= 5
        box = bars.first.bounding_box()
        assert box is not None and box["width"] > 1 and box["height"] > 5  # styled, visible
        page.goto(server + "/app/teams/Ohio%20State")
        line = page.locator("svg.lines polyline.actual").bounding_box()
        assert line is not None and line["width"] > 100
        assert not watched.errors
    finally:
        watched.close()


def test_links_lead_to_pages_with_data(server: str, browser: Browser) -> None:
    watched = Watched(browser)
    try:
        page = watched.page
        page.goto(server + "/app")
        first_game = page.locator("table.games tbody th a").first
        name = first_game.inner_text()
        first_game.click()
        page.wait_for_url("**/app/game?**")
        assert page.locator("h1").inner_text().replace(" vs ", " at ") == name.replace(
            " vs ", " at ")
        page.locator("h1 a").last.click()  # the home team's page
        page.wait_for_url("**/app/teams/**")
        assert page.locator("table.games tbody tr").count() >= 10
        page.get_by_role("link", name="Rankings", exact=True).click()
        page.wait_for_url("**/app/rankings")
        page.select_option("#method", "elo")
        page.select_option("#conference", "SEC")
        page.get_by_role("button", name="Show").click()
        page.wait_for_url("**method=elo**")
        assert "conference=SEC" in page.url
        assert page.locator("table.rankings tbody tr").count() == 16
        page.get_by_role("link", name="Data scientist").click()
        page.wait_for_url("**role=data_scientist**")
        assert page.get_by_role("columnheader", name="Efficiency").count() == 1
        assert "conference=SEC" in page.url  # the switch keeps the page's address
        assert not watched.errors
    finally:
        watched.close()


@pytest.mark.parametrize("script", [True, False], ids=["with script", "without script"])
def test_the_ask_box_answers(server: str, browser: Browser, script: bool) -> None:
    watched = Watched(browser, script=script)
    try:
        page = watched.page
        page.goto(server + "/app/rankings")
        page.get_by_label("Ask anything").fill("who won ohio state vs michigan in 2024")
        page.keyboard.press("Enter")
        if script:  # answered in place, the page stays
            answer = page.locator("#ask-answer")
            answer.get_by_text("Michigan beat Ohio State 13-10").wait_for()
            assert page.url.endswith("/app/rankings")
            answer.get_by_role("link", name="The game").click()
        else:  # the form's GET
            page.wait_for_url("**/app/ask?q=who+won+ohio+state+vs+michigan+in+2024")
            page.get_by_text("Michigan beat Ohio State 13-10").first.wait_for()
            page.locator("main").get_by_role("link", name="The game").click()
        page.wait_for_url("**/app/game?**")
        assert "Michigan 13" in page.locator(".scoreline").inner_text()
        assert not watched.errors
    finally:
        watched.close()


def test_a_lesson_can_be_completed(server: str, browser: Browser) -> None:
    watched = Watched(browser)
    try:
        page = watched.page
        page.goto(server + "/app/learn")
        before = page.locator("progress").get_attribute("value")
        page.locator("ol.lessons").get_by_role("link", name="Reading a Script Ohio answer").click()
        page.get_by_role("button", name="Mark this lesson complete").click()
        page.wait_for_url("**completed=1")
        assert "You have completed this lesson" in page.get_by_role("status").inner_text()
        page.get_by_role("link", name="Learn", exact=True).first.click()
        assert int(page.locator("progress").get_attribute("value") or 0) == int(
            before or 0) + 1
        assert "done ✓" in page.locator("ol.lessons li").first.inner_text()
        assert not watched.errors
    finally:
        watched.close()


def test_keyboard_reaches_content_and_navigation(server: str, browser: Browser) -> None:
    watched = Watched(browser)
    try:
        page = watched.page
        page.goto(server + "/app/rankings")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Skip to content"
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
        # from the top, the nav links come in order and a link is followed with Enter
        page.goto(server + "/app/rankings")
        labels = []
        for _ in range(6):
            page.keyboard.press("Tab")
            labels.append(page.evaluate("document.activeElement.textContent.trim()"))
        assert labels[1:6] == ["Script Ohio", "This week", "Rankings", "Teams", "Compare"]
        page.keyboard.press("Enter")
        page.wait_for_url("**/app/compare")
        assert not watched.errors
    finally:
        watched.close()


def test_error_pages_are_friendly_in_the_browser(server: str, browser: Browser) -> None:
    watched = Watched(browser)
    try:
        page = watched.page
        response = page.goto(server + "/app/teams/banana")
        assert response is not None and response.status == 404
        assert page.locator("h1").inner_text() == "Unknown team"
        assert serious_violations(page) == []
        response = page.goto(server + "/app/teams/Ohio%20State?season=1900")
        assert response is not None and response.status == 422
        assert "between 2004 and 2025" in page.locator("main").inner_text()
        # the only console messages are the browser's own notes of the two HTTP errors
        assert all("status of 4" in e for e in watched.errors) and len(watched.errors) == 2
    finally:
        watched.close()
