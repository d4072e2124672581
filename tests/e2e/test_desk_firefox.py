"""The offices' desk in headless Firefox too (issue 17: "works in current Chromium and
Firefox"): its scripts pass their integrity check and run under the desk's policy, the page
opens a passphrase-protected key file as the command line wrote it (PBKDF2 and AES in
WebCrypto), refuses a wrong passphrase, and signs with Ed25519 what the ledger's own code
verifies. Firefox is driven over WebDriver BiDi (``tests.e2e.firefox``); the whole flow, with
the submission, runs in Chromium (``test_desk_browser``)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger import Signer
from ledger.canonical import BOUND_BODY
from ledger.keys import verify_signature
from tests.conftest import IN_CI
from tests.e2e.conftest import WAIT_SECONDS
from tests.e2e.firefox import Firefox, firefox, firefox_problem
from tests.features.cycle import copy_of, shared_template
from tests.served import served

PASSPHRASE = "Rue de la Loi 16, bureau 3 é 🔑"


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Firefox, str]]:
    problem = firefox_problem()
    if problem is not None:
        if IN_CI:
            pytest.fail(f"CI=true requires Firefox for the desk's tests: {problem}")
        pytest.skip(problem)
    folder = copy_of(
        shared_template(tmp_path_factory).seated, tmp_path_factory.mktemp("desk") / "assembly"
    )
    with served(folder) as url, firefox(WAIT_SECONDS) as browser:
        yield browser, url


def opened(browser: Firefox, text: str, passphrase: str) -> dict[str, str]:
    script = (
        f"assemblyDesk.key.openKey({json.dumps(text)}, {json.dumps(passphrase)})"
        ".then(k => JSON.stringify({keyId: k.keyId, publicKey: k.publicKey}))"
        ".catch(e => JSON.stringify({error: e.reason || String(e)}))"
    )
    return dict(json.loads(browser.evaluate(script)))


def test_the_desk_runs_in_firefox_and_signs_what_the_ledger_verifies(
    desk: tuple[Firefox, str], tmp_path: Path
) -> None:
    browser, url = desk
    browser.open(f"{url}/desk?lang=fr")
    browser.wait_for(
        "document.getElementById('desk').dataset.ready === 'true'",
        "the desk's scripts did not run (integrity, policy or a script error)",
    )
    assert browser.evaluate("document.documentElement.lang") == "fr"

    signer = Signer.generate()
    signer.save(tmp_path / "office.key", passphrase=PASSPHRASE.encode())
    text = (tmp_path / "office.key").read_text()
    assert opened(browser, text, PASSPHRASE) == {
        "keyId": signer.key_id,
        "publicKey": signer.public_key.b64,
    }
    assert opened(browser, text, PASSPHRASE + "x") == {"error": "wrong-passphrase"}
    assert opened(browser, text, "") == {"error": "passphrase-needed"}

    # A body that names its ledger, as every body the desk prepares does (what it is signed
    # under depends on that: docs/format.md).
    body = BOUND_BODY + b'"0000","type":"assembly.government.responded"}'
    signature = browser.evaluate(
        f"assemblyDesk.key.openKey({json.dumps(text)}, {json.dumps(PASSPHRASE)})"
        ".then(k => assemblyDesk.key.sign("
        f"k.privateKey, new TextEncoder().encode({json.dumps(body.decode())})))"
        ".then(s => btoa(String.fromCharCode(...s)))"
    )
    raw = base64.b64decode(signature)
    public = base64.b64decode(signer.public_key.b64)
    assert verify_signature(public, raw, body)
    assert not verify_signature(public, raw, body + b" ")
