"""Every public page as a reader sees it, in French, Dutch and English, on a desktop (1280 px)
and on a phone (390 px): a screenshot of each kept among the test artifacts, nothing of the page
wider than a phone's window, and no WCAG 2.2 AA violation that axe-core finds.

The screenshots are ``test-artifacts/screenshots/screen-PAGE-LANG-WIDTH.png`` (see
``tests/e2e/conftest.py``); each test prints where it wrote them. axe-core is injected through
axe-selenium-python by WebDriver (the pages' CSP allows no script of theirs; the engine runs as
the browser's automation), in the release ``scripts/install-browser`` unpacks: the copy
axe-selenium-python ships is axe-core 3.1, which knows no WCAG 2.1 A or 2.2 AA rule.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import IN_CI
from tests.e2e.conftest import ROOT, Browser, Server

pytestmark = pytest.mark.usefixtures("chromium")  # skip (or fail under CI) before building

PAGES = {
    "overview": "/",
    "panel": "/panels/1",
    "portfolios": "/portfolios",
    "board": "/recommendations",
    "recommendation": "/recommendations/1/1",
    "portfolio": "/portfolios/housing",
    "overdue": "/overdue",
    "verify": "/verify",
    "report": "/panels/1/report",
    "desk": "/desk",
}
LANGUAGES = ("fr", "nl", "en")
DESKTOP, PHONE = 1280, 390
HEIGHT = 900
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_CORE_VERSION = "4.14.1"  # as scripts/install-browser fetches it
AXE_CORE = Path(
    os.environ.get(
        "ASSEMBLY_AXE_CORE", ROOT / ".axe-core" / AXE_CORE_VERSION / "package" / "axe.min.js"
    )
)


@pytest.fixture(scope="session")
def axe_core() -> Path:
    """The axe-core script (skip without it, fail under CI)."""
    if not AXE_CORE.is_file():
        problem = f"no {AXE_CORE}: run scripts/install-browser"
        if IN_CI:
            pytest.fail(f"CI=true requires axe-core for the accessibility tests: {problem}")
        pytest.skip(problem)
    return AXE_CORE


@pytest.fixture
def sized(browser: Browser) -> Iterator[Browser]:
    """The browser, its window width set by each test (``at_width``), reset after it."""
    yield browser
    browser.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def at_width(browser: Browser, width: int) -> None:
    """Lay pages out as a ``width``-pixel window does (not as a mobile viewport, whose layout
    grows to fit a wide page and so could not show that the page is too wide)."""
    metrics = {"width": width, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False}
    browser.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)


def opened(browser: Browser, server: Server, path: str, lang: str) -> None:
    """Open ``path`` in ``lang`` and check the page is the one asked for, in its language."""
    from selenium.webdriver.common.by import By

    browser.driver.get(f"{server.url}{path}?lang={lang}")
    assert browser.driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang
    assert browser.driver.find_elements(By.TAG_NAME, "h1"), f"{path} has no heading"


def widths(browser: Browser) -> tuple[int, int]:
    """How wide the document is, and the window."""
    found = browser.driver.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth];"
    )
    return int(found[0]), int(found[1])


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", PAGES)
def test_each_page_is_no_wider_than_a_phone_and_leaves_a_screenshot_at_both_widths(
    sized: Browser, server: Server, name: str, lang: str
) -> None:
    for width in (DESKTOP, PHONE):
        at_width(sized, width)
        opened(sized, server, PAGES[name], lang)
        shot = sized.screenshot(f"screen-{name}-{lang}-{width}")
        print(f"screenshot: {shot}")
        document, window = widths(sized)
        assert window == width
        if width == PHONE:
            assert document <= window, f"{PAGES[name]} in {lang} is {document} px wide ({shot})"


def violations(browser: Browser, script: Path) -> list[dict[str, Any]]:
    """What axe-core (``script``) finds against WCAG 2.2 A and AA on the page open."""
    from axe_selenium_python import Axe

    axe = Axe(browser.driver, script_url=str(script))
    axe.inject()
    options = {"runOnly": {"type": "tag", "values": WCAG_22_AA}, "resultTypes": ["violations"]}
    found: list[dict[str, Any]] = axe.run(options=json.dumps(options))["violations"]
    return found


def described(found: list[dict[str, Any]]) -> str:
    """Each violation's rule, what it asks, and the first elements that break it."""
    lines = []
    for rule in found:
        targets = [", ".join(node["target"]) for node in rule["nodes"][:3]]
        lines.append(f"{rule['id']} ({rule['impact']}): {rule['help']} at {targets}")
    return "\n".join(lines)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", PAGES)
def test_axe_core_finds_no_wcag_22_aa_violation_on_each_page_in_each_language(
    sized: Browser, server: Server, axe_core: Path, name: str, lang: str
) -> None:
    for width in (DESKTOP, PHONE):
        at_width(sized, width)
        opened(sized, server, PAGES[name], lang)
        found = violations(sized, axe_core)
        assert not found, f"{PAGES[name]} in {lang} at {width} px:\n{described(found)}"


@pytest.mark.parametrize(("lang", "colon"), [("fr", "\u202f: "), ("nl", ": "), ("en", ": ")])
def test_a_phone_s_card_labels_put_their_colon_as_the_page_s_language_does(
    sized: Browser, server: Server, lang: str, colon: str
) -> None:
    """On a phone a table's rows become cards, each cell led by its column's name and a colon
    (style.css): French puts a narrow no-break space before it, as the rest of the page does."""
    at_width(sized, 390)
    opened(sized, server, "/recommendations/1/1", lang)
    before = sized.driver.execute_script(
        "const cell = document.querySelector('table.cards td[data-label]');"
        "return [cell.dataset.label, getComputedStyle(cell, '::before').content];"
    )
    assert before[1] == f'"{before[0]}{colon}"'
