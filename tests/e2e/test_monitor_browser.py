"""Every reader a monitor, in Chromium: ``/verify`` and a recommendation's page check the
checkpoint, the tiles and the page's entries in the browser (``web/static/monitor/monitor.js``)
and say so; a changed tile is named as what failed; a second history served on the same origin
after the first is reported as a fork. Without script, the pages say nothing of it."""

from __future__ import annotations

import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import WAIT_SECONDS, Browser, free_port
from tests.features.cycle import LEDGER, copy_of
from tests.served import Monitored, accept, checkpoint, monitored_ledger, refuse, served
from tests.tamper import Attacker
from web.monitor import POLICY


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Monitored:
    return monitored_ledger(tmp_path_factory, tmp_path_factory.mktemp("base") / "ledger")


def outcome(browser: Browser, url: str) -> tuple[str, str]:
    """Open ``url``; return what the monitor's line says once it is done, and its outcome."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver: Any = browser.driver
    driver.get(url)
    line = driver.find_element(By.ID, "monitor")
    WebDriverWait(driver, WAIT_SECONDS).until(lambda _: line.get_attribute("data-outcome"))
    return line.text, str(line.get_attribute("data-outcome"))


def test_the_verify_and_recommendation_pages_say_checked_in_your_browser(
    base: Monitored, browser: Browser, tmp_path: Path
) -> None:
    with served(copy_of(base.folder, tmp_path / "server")) as url:
        said, done = outcome(browser, f"{url}/verify?lang=en")
        assert done == "checked", said
        assert said.startswith("Checked in your browser: the log's key signs the checkpoint of ")
        said, done = outcome(browser, f"{url}/recommendations/1/1?lang=en")
        assert done == "checked", said
        assert "entries of this recommendation are in it." in said
        assert "It extends the checkpoint of" in said  # the one /verify showed this browser
        said, done = outcome(browser, f"{url}/recommendations/1/1?lang=fr")
        assert said.startswith("Vérifié dans votre navigateur")
        browser.screenshot("monitor-recommendation-checked")


def test_the_pages_carrying_the_monitor_let_only_their_own_pinned_script_run(
    base: Monitored, tmp_path: Path
) -> None:
    with served(copy_of(base.folder, tmp_path / "server")) as url:
        with urllib.request.urlopen(f"{url}/verify", timeout=WAIT_SECONDS) as answer:
            page = answer.read().decode()
            policy = answer.headers["Content-Security-Policy"]
        with urllib.request.urlopen(f"{url}/recommendations", timeout=WAIT_SECONDS) as answer:
            board_policy = answer.headers["Content-Security-Policy"]
    assert policy == POLICY and "script-src 'self'" in policy and "unsafe" not in policy
    assert "script-src 'none'" in board_policy  # the other pages run no script
    assert 'src="/monitor/static/monitor.js" integrity="sha384-' in page
    assert '<p class="monitor" id="monitor" role="status" aria-live="polite" hidden' in page


def change_a_tile(folder: Path) -> None:
    """Change one leaf hash of the level 0 tile, as the server stores and serves it."""
    attacker = Attacker(f"sqlite:///{folder / LEDGER}")
    try:
        attacker.run("DROP TRIGGER IF EXISTS ledger_tree_no_update")
        attacker.run("UPDATE ledger_tree SET hash = :h WHERE level = 0 AND idx = 3", h=bytes(32))
    finally:
        attacker.close()


def test_with_one_tile_changed_on_the_server_the_pages_say_what_failed(
    base: Monitored, browser: Browser, tmp_path: Path
) -> None:
    changed = copy_of(base.folder, tmp_path / "server")
    change_a_tile(changed)
    with served(changed) as url:
        for path in ("/verify?lang=en", "/recommendations/1/1?lang=en"):
            said, done = outcome(browser, url + path)
            assert done == "tile", said
            assert said == (
                "Checked in your browser, and it failed: the log's tiles do not give the root its "
                f"checkpoint of {said.split(' of ')[1].split()[0]} entries signs; a tile was "
                "changed."
            )
        browser.screenshot("monitor-tile-changed")


def test_a_second_history_served_after_the_first_is_reported_as_a_fork(
    base: Monitored, browser: Browser, tmp_path: Path
) -> None:
    honest = copy_of(base.folder, tmp_path / "honest")
    forked = copy_of(base.folder, tmp_path / "forked")
    refuse(honest, "1/2")
    checkpoint(honest)
    accept(forked, "1/2")
    refuse(forked, "1/3")
    checkpoint(forked)
    port = free_port()  # one origin: the browser keeps the last checkpoint it saw per origin
    with served(honest, port) as url:
        said, done = outcome(browser, f"{url}/verify?lang=en")
        assert done == "checked", said
    with served(forked, port) as url:
        said, done = outcome(browser, f"{url}/recommendations/1/2?lang=en")
    assert done == "fork", said
    assert said.startswith("Checked in your browser, and it failed: the log forked. Its checkpoint")
    assert "two histories signed by one key." in said
    browser.screenshot("monitor-fork")
