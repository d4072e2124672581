"""Every reader a monitor, in Chromium: ``/verify`` and a recommendation's page check the
checkpoint, the tiles and the page's entries in the browser (``web/static/monitor/monitor.js``)
and say so; a changed tile is named as what failed; a second history served on the same origin
after the first is reported as a fork. Served with a witness policy (three witness processes,
quorum 2), the pages say how many witnesses cosigned; a changed cosignature, or a checkpoint
short of the quorum, is named as what failed. Without script, the pages say nothing of it."""

from __future__ import annotations

import base64
import urllib.request
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from tests.cli.test_witness_serve import NAMES, WITNESSED, policy_of
from tests.e2e.conftest import WAIT_SECONDS, Browser, free_port
from tests.e2e.test_screens import (
    DESKTOP,
    LANGUAGES,
    PHONE,
    at_width,
    axe_core,
    described,
    sized,
    violations,
    widths,
)
from tests.features.cycle import LEDGER, copy_of, ok
from tests.features.forked import assembly
from tests.served import Monitored, accept, checkpoint, monitored_ledger, refuse, served
from tests.tamper import Attacker
from tests.witnesses import init_witness, serving
from tlog.note import COSIGNATURE_V1, SignerKey, parse_verifier_key
from web.monitor import POLICY

__all__ = ["axe_core", "sized"]  # fixtures of tests.e2e.test_screens, used here too


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


# --- witnesses: three ``assembly witness serve`` processes, a quorum of two ---------------------


@dataclass(frozen=True)
class Witnessed:
    """A copy of the monitored ledger whose checkpoint three witness processes cosigned, the
    policy naming them (quorum 2) and their verifier keys by name."""

    folder: Path
    policy: str
    keys: dict[str, str]


@pytest.fixture(scope="module")
def witnessed(base: Monitored, tmp_path_factory: pytest.TempPathFactory) -> Witnessed:
    root = tmp_path_factory.mktemp("witnessed")
    folder = copy_of(base.folder, root / "ledger")
    origin = parse_verifier_key(base.vkey).name
    made = {name: root / name.rsplit("/", 1)[1] for name in NAMES}
    keys = {name: init_witness(made[name], name, origin, base.vkey) for name in NAMES}
    with ExitStack() as running:
        urls = {name: running.enter_context(serving(made[name])) for name in NAMES}
        policy = policy_of(keys, urls, quorum=2)
        (folder / "witnesses.policy").write_text(policy)
        done = ok(assembly(*WITNESSED, "--out", "checkpoint.txt", cwd=folder))
    assert "cosigned by 3 of 3 witnesses" in done.stderr, done.stderr
    return Witnessed(folder, policy, keys)


def test_with_a_quorum_of_two_of_three_witnesses_the_pages_say_their_cosignatures_were_checked(
    witnessed: Witnessed, browser: Browser, tmp_path: Path
) -> None:
    server = copy_of(witnessed.folder, tmp_path / "server")
    with served(server, witnesses=witnessed.policy) as url:
        said, done = outcome(browser, f"{url}/verify?lang=en")
        assert done == "checked", said
        assert said.endswith(" 3 of the 3 witnesses cosigned it (2 required)."), said
        said, done = outcome(browser, f"{url}/recommendations/1/1?lang=en")
        assert done == "checked", said
        assert "entries of this recommendation are in it." in said
        assert said.endswith(" 3 of the 3 witnesses cosigned it (2 required)."), said
        said, done = outcome(browser, f"{url}/recommendations/1/1?lang=nl")
        assert said.endswith(" 3 van de 3 getuigen hebben het medeondertekend (2 vereist)."), said
        said, done = outcome(browser, f"{url}/verify?lang=fr")
        assert said.endswith(" Contresignatures de témoins\u202f: 3 sur 3 (2 requises)."), said
        browser.screenshot("monitor-witnessed")


def change_a_cosignature(folder: Path, name: str) -> None:
    """Change one byte of the signature in the cosignature line ``name`` left, as stored."""
    attacker = Attacker(f"sqlite:///{folder / LEDGER}")
    try:
        with attacker.engine.connect() as conn:
            line = conn.execute(
                text("SELECT line FROM ledger_cosignatures WHERE line LIKE :name"),
                {"name": f"\u2014 {name} %"},
            ).scalar_one()
        head, signature = line.rstrip("\n").rsplit(" ", 1)
        changed = bytearray(base64.b64decode(signature))
        changed[-1] ^= 1
        new = f"{head} {base64.b64encode(bytes(changed)).decode()}\n"
        attacker.run("DROP TRIGGER IF EXISTS ledger_cosignatures_no_update")
        attacker.run(
            "UPDATE ledger_cosignatures SET line = :new WHERE line = :old", new=new, old=line
        )
    finally:
        attacker.close()


def test_a_cosignature_changed_on_the_server_is_reported_as_failed(
    witnessed: Witnessed, browser: Browser, tmp_path: Path
) -> None:
    changed = copy_of(witnessed.folder, tmp_path / "server")
    change_a_cosignature(changed, NAMES[0])  # two valid still meet the quorum: it is served
    with served(changed, witnesses=witnessed.policy) as url:
        for path in ("/verify?lang=en", "/recommendations/1/1?lang=en"):
            said, done = outcome(browser, url + path)
            assert done == "cosignature", said
            assert said == (
                "Checked in your browser, and it failed: a witness's cosignature on the checkpoint "
                "does not verify with its key; the checkpoint or the cosignature was changed."
            )
        browser.screenshot("monitor-cosignature-changed")


def test_a_checkpoint_short_of_the_quorum_is_reported_as_failed(
    witnessed: Witnessed, browser: Browser, tmp_path: Path
) -> None:
    # The policy requires all three, one of them a witness that never saw this log.
    absent = SignerKey("witness.example/w4", bytes([4]) * 32, COSIGNATURE_V1).verifier_key
    requiring = "".join(
        line for line in witnessed.policy.splitlines(keepends=True) if NAMES[2] not in line
    ).replace("quorum 2", f"witness {absent.name} {absent.text()} http://127.0.0.1:9\nquorum 3")
    with served(copy_of(witnessed.folder, tmp_path / "server"), witnesses=requiring) as url:
        said, done = outcome(browser, f"{url}/verify?lang=en")
        assert done == "witnesses", said
        assert said == (
            "Checked in your browser, and it failed: only 2 of the 3 witnesses required cosigned "
            "the checkpoint."
        )
        said, done = outcome(browser, f"{url}/recommendations/1/1?lang=fr")
        assert done == "witnesses", said
        assert said == (
            "Vérifié dans votre navigateur, et la vérification a échoué\u202f: il faut les "
            "contresignatures de 3 des témoins requis, et le point de contrôle n'en porte que 2."
        )
        browser.screenshot("monitor-short-of-quorum")


def test_verify_naming_its_witnesses_fits_a_phone_and_has_no_wcag_22_aa_violation(
    witnessed: Witnessed, sized: Browser, axe_core: Path, tmp_path: Path
) -> None:
    with served(copy_of(witnessed.folder, tmp_path / "server"), witnesses=witnessed.policy) as url:
        for lang in LANGUAGES:
            for width in (DESKTOP, PHONE):
                at_width(sized, width)
                _, done = outcome(sized, f"{url}/verify?lang={lang}")
                assert done == "checked"
                found = violations(sized, axe_core)
                assert not found, f"/verify in {lang} at {width} px:\n{described(found)}"
                document, window = widths(sized)
                assert document <= window, f"/verify in {lang} is {document} px wide"
        sized.screenshot("monitor-verify-witnesses-phone")
