"""A reader's way through the public pages in headless Chromium, on the real server: the board
filtered to the overdue with its form, a recommendation opened from it and read in Dutch, and
an inclusion proof downloaded from its audit trail and checked with ``assembly verify-proof``.

Each step leaves a screenshot among the test artifacts (``test-artifacts/screenshots/``).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import WAIT_SECONDS, Browser, Server, checkout_env
from tests.web.conftest import Built
from tlog.receipt import format_inclusion, parse_inclusion

pytestmark = pytest.mark.usefixtures("chromium")  # skip (or fail under CI) before building


def wait_for(browser: Browser, condition: Callable[[Any], Any], what: str) -> None:
    """Wait until ``condition(driver)`` holds, or fail saying what did not happen."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        WebDriverWait(browser.driver, WAIT_SECONDS).until(condition)
    except TimeoutException:
        pytest.fail(f"after {WAIT_SECONDS} s, {what} (at {browser.driver.current_url})")


def listed(browser: Browser) -> list[str]:
    """The references the board's table lists, in order."""
    from selenium.webdriver.common.by import By

    links = browser.driver.find_elements(By.CSS_SELECTOR, "table tbody th[scope=row] a")
    return [link.text for link in links]


def test_a_reader_filters_the_board_to_the_overdue_and_reads_a_recommendation_in_dutch(
    browser: Browser, server: Server
) -> None:
    from selenium.webdriver.common.by import By

    driver = browser.driver
    driver.get(server.url + "/")
    driver.find_element(By.LINK_TEXT, "Recommendations").click()
    wait_for(
        browser, lambda d: d.find_element(By.TAG_NAME, "h1").text == "Recommendations", "no board"
    )
    assert listed(browser) == ["1/1", "1/2", "1/3", "1/4"]
    browser.screenshot("01-board")

    overdue = driver.find_element(By.ID, "overdue")
    assert not overdue.is_displayed()  # the filters fold away until the reader opens them
    driver.find_element(By.CSS_SELECTOR, "details.filters-fold > summary").click()
    assert overdue.get_attribute("type") == "checkbox" and not overdue.is_selected()
    driver.find_element(By.CSS_SELECTOR, "label[for=overdue]").click()
    assert overdue.is_selected()
    driver.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]").click()
    wait_for(browser, lambda d: "overdue=1" in d.current_url, "the filter form was not sent")
    assert driver.find_element(By.ID, "overdue").is_selected()
    assert listed(browser) == ["1/1", "1/2", "1/3"]  # 1/4 was never handed over: nothing is due
    browser.screenshot("02-board-overdue")

    driver.find_element(By.LINK_TEXT, "1/1").click()
    wait_for(
        browser,
        lambda d: d.current_url.startswith(server.url + "/recommendations/1/1"),
        "1/1 not opened",
    )
    assert driver.find_element(By.TAG_NAME, "h1").text.startswith("Recommendation 1/1")
    assert driver.find_element(By.CSS_SELECTOR, "td.axis-position").text == "accepted"
    browser.screenshot("03-recommendation-en")

    driver.find_element(By.CSS_SELECTOR, "nav.languages a[hreflang=nl]").click()
    wait_for(
        browser,
        lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "nl",
        "no Dutch page",
    )
    assert driver.find_element(By.TAG_NAME, "h1").text.startswith("Aanbeveling 1/1")
    headings = [h.text for h in driver.find_elements(By.TAG_NAME, "h2")]
    assert {"Waar ze staat", "Audittrail"} <= set(headings)
    axis = driver.find_element(By.CSS_SELECTOR, "td.axis-position")
    assert axis.find_element(By.XPATH, "../th").text == "Standpunt van de regering"
    assert axis.text == "aanvaard"
    links = driver.find_elements(By.CSS_SELECTOR, "table.trail a[href^='/api/proofs/']")
    assert links and all(link.text.startswith("inclusiebewijs") for link in links)
    browser.screenshot("04-recommendation-nl")


def test_the_inclusion_proof_downloaded_from_a_recommendation_page_verifies_with_the_log_key(
    browser: Browser, server: Server, built: Built, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    driver = browser.driver
    seq = built.answer_seq
    driver.get(server.url + "/recommendations/1/1?lang=nl")
    link = driver.find_element(By.CSS_SELECTOR, f"tr#entry-{seq} a[href='/api/proofs/{seq}']")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", link)
    link.click()
    receipt = browser.downloads / f"entry-{seq}.tlog-proof"
    try:
        wait_for(browser, lambda _: receipt.exists(), f"no {receipt.name} was downloaded")
    except pytest.fail.Exception:
        status, body = server.get(f"/api/proofs/{seq}")
        pytest.fail(
            f"the page links to /api/proofs/{seq}, but the browser downloaded no receipt; "
            f"GET /api/proofs/{seq} answers {status}: {body[:300]!r}"
        )
    browser.screenshot("05-proof-downloaded")

    vkey = tmp_path / "log.vkey"
    vkey.write_text(built.vkey + "\n", encoding="utf-8")
    checked = verify_proof(receipt, vkey)
    assert checked.returncode == 0, f"exit {checked.returncode}: {checked.stderr}"
    assert f"Entry {seq} (assembly.government.responded" in checked.stdout
    assert "the inclusion proof holds" in checked.stdout

    # The same receipt with the answer's position changed: the log's key no longer vouches for it.
    receipt_read = parse_inclusion(receipt.read_bytes())
    changed = receipt_read.entry.replace(b'"accepted"', b'"rejected"', 1)
    assert changed != receipt_read.entry
    tampered = tmp_path / "tampered.tlog-proof"
    tampered.write_bytes(format_inclusion(replace(receipt_read, entry=changed)))
    refused = verify_proof(tampered, vkey)
    assert refused.returncode != 0
    assert "The proof does not hold" in refused.stderr


def verify_proof(receipt: Path, vkey: Path) -> subprocess.CompletedProcess[str]:
    """``assembly verify-proof RECEIPT --vkey VKEY`` as a reader runs it."""
    command = [sys.executable, "-m", "cli", "verify-proof", str(receipt), "--vkey", str(vkey)]
    return subprocess.run(
        command, env=checkout_env(), capture_output=True, text=True, timeout=60, check=False
    )
