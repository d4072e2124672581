"""The press report's web page in Chromium, as a journalist opens it on a desktop and a phone:
no wider than a phone's window, with a screenshot kept at both widths, in French, Dutch and
English."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Browser, Server
from web.i18n import LANGUAGES

WIDTHS = (1280, 390)


def opened_at(browser: Browser, server: Server, lang: str, width: int) -> tuple[int, int]:
    """The report on panel 1 opened at ``width``: the document's width and the window's."""
    browser.driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600},
    )
    browser.driver.get(f"{server.url}/panels/1/report?lang={lang}")
    found = browser.driver.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth];"
    )
    return int(found[0]), int(found[1])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_report_page_is_no_wider_than_a_phone_and_leaves_screenshots(
    browser: Browser, server: Server, lang: str
) -> None:
    try:
        for width in WIDTHS:
            document, window = opened_at(browser, server, lang, width)
            print(f"screenshot: {browser.screenshot(f'press-report-{lang}-{width}')}")
            assert window == width
            assert document <= window, f"the report in {lang} is {document} px wide at {width}"
    finally:
        browser.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
