"""Open data in a real browser: the board printed from Chromium keeps its content and drops its
navigation, forms and download links; the CSV link downloads the rows the board shows.

Screenshots of the print view go to the test artifacts (``test-artifacts/screenshots/``).
"""

from __future__ import annotations

import base64
import csv
import time
from io import BytesIO, StringIO

import pytest

from tests.e2e.conftest import WAIT_SECONDS, Browser, Server

pytestmark = pytest.mark.usefixtures("chromium")  # skip (or fail under CI) before building


def printed_text(browser: Browser) -> str:
    """The open page printed to PDF by Chromium (A4), as text."""
    from pypdf import PdfReader

    pdf = browser.driver.execute_cdp_cmd(
        "Page.printToPDF", {"paperWidth": 8.27, "paperHeight": 11.69, "printBackground": True}
    )
    reader = PdfReader(BytesIO(base64.b64decode(pdf["data"])))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


@pytest.mark.parametrize("path", ["/recommendations?lang=fr", "/recommendations/1/1?lang=fr"])
def test_a_page_printed_from_chromium_keeps_its_content_without_navigation_or_forms(
    browser: Browser, server: Server, path: str
) -> None:
    from selenium.webdriver.common.by import By

    driver = browser.driver
    driver.get(server.url + path)
    heading = driver.find_element(By.TAG_NAME, "h1").text
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        for selector in ("header nav", "form", ".feeds", "details.fold"):
            for element in driver.find_elements(By.CSS_SELECTOR, selector):
                assert not element.is_displayed(), selector
        name = "board" if path.startswith("/recommendations?") else "1-1"
        browser.screenshot(f"print-{name}")
        text = printed_text(browser)
    finally:  # the browser is shared by the session's tests
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert " ".join(heading.split()) in text  # spaces as printed_text writes them
    assert "Lire le registre tel qu'il était" not in text  # the time-travel form
    assert "Télécharger cette vue" not in text
    assert "flux Atom" not in text


def test_the_csv_link_of_the_board_downloads_the_rows_it_shows(
    browser: Browser, server: Server
) -> None:
    from selenium.webdriver.common.by import By

    driver = browser.driver
    driver.get(server.url + "/recommendations?lang=en&overdue=1")
    shown = [link.text for link in driver.find_elements(By.CSS_SELECTOR, "tbody th[scope=row] a")]
    driver.find_element(By.LINK_TEXT, "Spreadsheet (CSV)").click()
    deadline = time.monotonic() + WAIT_SECONDS
    while not (found := list(browser.downloads.glob("*.csv"))) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert found, "no CSV downloaded"
    rows = list(csv.reader(StringIO(found[0].read_text(encoding="utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == shown
