"""The offices' desk in headless Chromium (issue 17): a government clerk opens a passphrase-
protected key file in the page and answers a recommendation in French, and the public page
shows the answer and ``assembly verify`` passes; a wrong passphrase, a commission key on the
government's form, a revoked key and a justification too short are each a sentence in the
page, with the ledger unchanged; no request the browser makes carries the key (recorded
through the DevTools protocol's performance log, and by the server itself); a script changed
on the way does not run.

The desk writes, so it runs on a private copy of the small assembly, served in this process
(uvicorn in a thread) so that a test can serve a changed script through the app's dependency.
"""

from __future__ import annotations

import base64
import json
import os
import random
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from ledger import Signer, load_signer
from tests.conftest import IN_CI
from tests.e2e.conftest import (
    ARTIFACTS,
    CHROMEDRIVER,
    CHROMIUM,
    WAIT_SECONDS,
    Browser,
    browser_problem,
    free_port,
)
from tests.features.cycle import (
    COMMISSION,
    GOVERNMENT,
    LEDGER,
    answer,
    answers_csv,
    as_secretariat,
    copy_of,
    entries,
    last_events,
    shared_template,
)
from tests.runner import assembly
from web import create_app
from web.desk import served_scripts

PASSPHRASE = "Rue de la Loi 16, bureau 3"
CLERK_KEY = "clerk.key"  # the government's key, saved again with a passphrase
REVOKED_KEY = "former.key"  # a government key revoked when its minister left
WHY = (
    "Le budget régional de cette législature ne permet pas de financer cette mesure ; "
    "le gouvernement préfère renforcer les primes existantes, dont l'évaluation est prévue "
    "en 2026, avant de créer un nouveau dispositif."
)


@dataclass
class Desk:
    """The served copy of the assembly, what the server received, and the browser."""

    url: str
    folder: Path
    app: Any
    driver: Any
    received: list[tuple[str, bytes]]  # every request's path and query, then its body
    devtools: list[dict[str, Any]] = field(default_factory=list)

    def record(self) -> None:
        """Keep every request the browser made since the last call (the log drains)."""
        for item in self.driver.get_log("performance"):
            message = json.loads(item["message"])["message"]
            if message["method"] != "Network.requestWillBeSent":
                continue
            params = message["params"]
            request = params["request"]
            if request.get("hasPostData") and "postData" not in request:
                request = {**request, "postData": self.post_data(params["requestId"])}
            self.devtools.append(request)

    def post_data(self, request_id: str) -> str:
        """A request's body as DevTools holds it; a file the page sends whole (a spreadsheet)
        it does not hold, and the server's own record (``received``) has its bytes."""
        from selenium.common.exceptions import WebDriverException

        try:
            found = self.driver.execute_cdp_cmd(
                "Network.getRequestPostData", {"requestId": request_id}
            )
        except WebDriverException as exc:
            if "No post data available" not in str(exc):
                raise
            return ""
        return str(found["postData"])


def recording(app: Any, received: list[tuple[str, bytes]]) -> Callable[..., Any]:
    """``app``, recording every request's target and body as the server receives them."""

    async def recorded(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        chunks: list[bytes] = []

        async def listen() -> Any:
            message = await receive()
            chunks.append(message.get("body", b""))
            return message

        try:
            await app(scope, listen, send)
        finally:
            target = scope["path"] + "?" + scope.get("query_string", b"").decode()
            received.append((target, b"".join(chunks)))

    return recorded


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    problem = browser_problem()
    if problem is not None:
        if IN_CI:
            pytest.fail(f"CI=true requires the browser of the end-to-end tests: {problem}")
        pytest.skip(problem)
    import uvicorn
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    template = shared_template(tmp_path_factory)
    folder = copy_of(template.seated, tmp_path_factory.mktemp("desk") / "assembly")
    load_signer(folder / GOVERNMENT).save(folder / CLERK_KEY, passphrase=PASSPHRASE.encode())
    revoked_key(folder)
    log_key(folder)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = create_app(str(folder / LEDGER), public_url=url)
    received: list[tuple[str, bytes]] = []
    config = uvicorn.Config(
        recording(app, received), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + WAIT_SECONDS
    while not server.started:  # uvicorn says when it listens; nothing to await across threads
        assert time.monotonic() < deadline, "the desk's server did not start"
        time.sleep(0.05)

    os.environ["SE_OFFLINE"] = "true"
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    try:
        yield Desk(url, folder, app, driver, received)
    finally:
        driver.quit()
        server.should_exit = True
        thread.join(timeout=10)


def revoked_key(folder: Path) -> None:
    """A former minister's government key, enrolled then revoked (``REVOKED_KEY``)."""
    new = ("keys", "new", "--key", REVOKED_KEY)
    enrol = ("keys", "enrol", f"{REVOKED_KEY}.pub", "--role", "government", "--name", "Former")
    for args in (new, (*enrol, "--valid-from", "2025-01-01", "--key", "charter.key")):
        done = assembly(*args, cwd=folder)
        assert done.code == 0, done.stderr
    key_id = load_signer(folder / REVOKED_KEY).key_id
    revoke = ("keys", "revoke", key_id, "--reason", "The minister left.", "--key", "charter.key")
    done = assembly(*revoke, cwd=folder)
    assert done.code == 0, done.stderr


def log_key(folder: Path) -> None:
    """The log operator's key, which signs checkpoints."""
    enrol = ("keys", "enrol", "log.key.pub", "--role", "log", "--name", "Log operator")
    for args in (("keys", "new", "--key", "log.key"), (*enrol, "--key", "charter.key")):
        done = assembly(*args, cwd=folder)
        assert done.code == 0, done.stderr


def wait_for(desk: Desk, condition: Callable[[Any], Any], what: str) -> None:
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        WebDriverWait(desk.driver, WAIT_SECONDS).until(condition)
    except TimeoutException:
        shot = ARTIFACTS / "screenshots"
        shot.mkdir(parents=True, exist_ok=True)
        desk.driver.save_screenshot(str(shot / "desk-failure.png"))
        pytest.fail(f"after {WAIT_SECONDS} s, {what}")


def screenshot(desk: Desk, name: str) -> None:
    """The whole page as ``<name>.png`` among the test artifacts (as the other browser tests)."""
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    Browser(desk.driver, folder, folder).screenshot(name)


def by_id(desk: Desk, name: str) -> Any:
    from selenium.webdriver.common.by import By

    return desk.driver.find_element(By.ID, name)


def shown(desk: Desk, name: str) -> str:
    """The text of the element ``name`` once it is shown."""
    wait_for(
        desk, lambda d: by_id(desk, name).is_displayed() and by_id(desk, name).text, f"no #{name}"
    )
    return str(by_id(desk, name).text)


def open_desk(desk: Desk, lang: str = "fr") -> None:
    desk.driver.get(f"{desk.url}/desk?lang={lang}")
    wait_for(desk, lambda d: by_id(desk, "desk").get_attribute("data-ready") == "true", "no desk")


def open_key(desk: Desk, name: str, passphrase: str = "") -> None:
    by_id(desk, "key-file").send_keys(str(desk.folder / name))
    by_id(desk, "passphrase").send_keys(passphrase)
    by_id(desk, "open-key").click()
    wait_for(
        desk,
        lambda d: by_id(desk, "key-status").text or by_id(desk, "key-error").is_displayed(),
        "the key was neither opened nor refused",
    )


def fill_answer(desk: Desk, ref: str, position: str, justification: str) -> None:
    from selenium.webdriver.support.ui import Select

    Select(by_id(desk, "respond-recommendation")).select_by_value(ref)
    Select(by_id(desk, "respond-position")).select_by_value(position)
    area = by_id(desk, "respond-justification")
    area.clear()
    area.send_keys(justification)
    by_id(desk, "form-respond").find_element("css selector", "button[type=submit]").click()


def key_material(folder: Path, names: tuple[str, ...]) -> list[str]:
    """Every form of the keys' private bytes a request could carry."""
    found: list[str] = [PASSPHRASE]
    for name in names:
        text = (folder / name).read_text()
        found.append(text)
        found += [line for line in text.splitlines() if line and not line.startswith("-----")]
    for name in (GOVERNMENT, COMMISSION, REVOKED_KEY):
        seed = load_signer(folder / name).seed
        encoded = base64.b64encode(seed).decode()
        url_safe = base64.urlsafe_b64encode(seed).decode()
        found += [
            seed.hex(),
            seed.hex().upper(),
            encoded,
            encoded.rstrip("="),
            url_safe.rstrip("="),
        ]
    return found


def check_no_key_material(desk: Desk) -> None:
    desk.record()
    secrets = key_material(desk.folder, (GOVERNMENT, COMMISSION, CLERK_KEY, REVOKED_KEY))
    sent = [json.dumps(request) for request in desk.devtools]
    sent += [target + body.decode("utf-8", "replace") for target, body in desk.received]
    assert desk.devtools and desk.received
    for secret in secrets:
        for request in sent:
            assert secret not in request, "a request carries key material"


def test_a_wrong_passphrase_a_commission_key_a_revoked_key_and_a_short_justification_are_refused(
    desk: Desk,
) -> None:
    before = entries(desk.folder)
    open_desk(desk)
    open_key(desk, CLERK_KEY, "not the passphrase")
    assert "phrase secrète n'ouvre pas" in shown(desk, "key-error")
    assert not by_id(desk, "key-status").text

    open_key(desk, COMMISSION)
    assert by_id(desk, "key-status").text
    fill_answer(desk, "1/3", "rejected", WHY)
    assert "commission" in shown(desk, "respond-form-error")
    assert "commission" in shown(desk, "key-error")

    open_key(desk, REVOKED_KEY)
    fill_answer(desk, "1/3", "rejected", WHY)
    assert "revoked" in shown(desk, "key-error")

    open_key(desk, CLERK_KEY, PASSPHRASE)
    assert not by_id(desk, "key-error").is_displayed()
    fill_answer(desk, "1/3", "rejected", "Trop cher.")
    assert "at least 200 characters" in shown(desk, "respond-justification-error")
    assert by_id(desk, "respond-justification").get_attribute("aria-invalid") == "true"
    assert entries(desk.folder) == before
    check_no_key_material(desk)


def test_a_clerk_answers_a_recommendation_in_french_and_the_public_page_shows_it(
    desk: Desk,
) -> None:
    from selenium.webdriver.common.by import By

    before = entries(desk.folder)
    open_desk(desk)
    open_key(desk, CLERK_KEY, PASSPHRASE)
    assert "Rue" not in by_id(desk, "passphrase").get_attribute("value")  # cleared once used
    fill_answer(desk, "1/2", "rejected", WHY)
    dues = shown(desk, "respond-dues")  # the chosen recommendation's, in the page's language
    assert "Échéance 1\u202f: le 1er août 2025. Échéance 2\u202f: le 1er mai 2026." in dues
    headline = shown(desk, "confirm-events")
    screenshot(desk, "desk-01-what-is-signed")
    assert "La réponse du gouvernement à la recommandation 1/2" in headline
    assert "rejetée" in headline
    by_id(desk, "sign").click()
    written = shown(desk, "receipt-entries")
    screenshot(desk, "desk-02-receipt")
    assert f"Écrit à l'entrée {before}." in written
    assert f"/api/proofs/{before}" in written  # no checkpoint covers it yet: where it will be
    assert entries(desk.folder) == before + 1
    desk.driver.find_element(By.PARTIAL_LINK_TEXT, "recommandation 1/2").click()
    wait_for(desk, lambda d: "/recommendations/1/2" in d.current_url, "no public page")
    position = desk.driver.find_element(By.CSS_SELECTOR, "td.axis-position").text
    assert position == "rejetée"
    desk.record()
    posted = [request.get("postData", "") for request in desk.devtools]
    assert any('"step":"respond"' in body for body in posted)  # the preparation, recorded
    assert any('"batches"' in body and '"sig"' in body for body in posted)  # the submission
    verified = assembly("verify", "--ledger", str(desk.folder / LEDGER), cwd=desk.folder)
    assert verified.code == 0, verified.stderr
    check_no_key_material(desk)


def test_the_desk_policy_forbids_inline_script_and_any_other_origin(desk: Desk) -> None:
    import urllib.request

    with urllib.request.urlopen(f"{desk.url}/desk", timeout=WAIT_SECONDS) as answer:
        policy = answer.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'" and directives["connect-src"] == "'self'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_a_script_changed_on_the_way_fails_its_integrity_check_and_the_desk_does_not_run(
    desk: Desk,
) -> None:
    from web.desk import scripts

    changed = dict(scripts())
    changed["key.js"] = changed["key.js"].replace(b'"use strict";', b'"use strict"; /* x */', 1)
    desk.app.dependency_overrides[served_scripts] = lambda: changed
    try:
        desk.driver.get(f"{desk.url}/desk?lang=en")
        wait_for(
            desk,
            lambda d: any("integrity" in entry["message"] for entry in d.get_log("browser")),
            "no integrity failure reported",
        )
        assert by_id(desk, "desk").get_attribute("data-ready") is None
        assert not by_id(desk, "desk").is_displayed()
    finally:
        desk.app.dependency_overrides.clear()


# The key file reader (web/static/desk/der.js, key.js), run in the page

OPEN_KEY = """
const done = arguments[arguments.length - 1];
assemblyDesk.key.openKey(arguments[0], arguments[1])
  .then((key) => done({keyId: key.keyId, publicKey: key.publicKey}))
  .catch((e) => done({error: e.reason || String(e)}));
"""
REASONS = {"not-a-key", "passphrase-needed", "wrong-passphrase", "unsupported"}


def opened_in_page(desk: Desk, text: str, passphrase: str = "") -> dict[str, str]:
    return dict(desk.driver.execute_async_script(OPEN_KEY, text, passphrase))


@pytest.mark.parametrize(
    "passphrase", ["", "x", "Rue de la Loi 16", "é à ü 🔑 ", "p" * 300, "\\\"'<>"]
)
def test_the_page_reads_a_key_file_as_the_command_line_reads_it(
    desk: Desk, tmp_path: Path, passphrase: str
) -> None:
    open_desk(desk, "en")
    signer = Signer.generate()
    signer.save(tmp_path / "office.key", passphrase=passphrase.encode() or None)
    found = opened_in_page(desk, (tmp_path / "office.key").read_text(), passphrase)
    assert found == {"keyId": signer.key_id, "publicKey": signer.public_key.b64}


def test_the_page_reads_what_openssl_writes_with_pbkdf2_and_aes_and_refuses_scrypt(
    desk: Desk, tmp_path: Path
) -> None:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("no openssl to write the other forms")
    signer = Signer.generate()
    signer.save(tmp_path / "plain.key")
    forms = {
        "sha1-aes128": ("-v2", "aes-128-cbc", "-v2prf", "hmacWithSHA1"),
        "sha512-aes256": ("-v2", "aes-256-cbc", "-v2prf", "hmacWithSHA512"),
        "sha256-aes192": ("-v2", "aes-192-cbc", "-v2prf", "hmacWithSHA256"),  # Firefox only
        "scrypt": ("-scrypt",),
    }
    open_desk(desk, "en")
    for name, options in forms.items():
        out = tmp_path / f"{name}.key"
        subprocess.run(
            [openssl, "pkcs8", "-topk8", "-in", str(tmp_path / "plain.key"), "-out", str(out),
             "-passout", "pass:secret", *options],
            check=True,
        )  # fmt: skip
        found = opened_in_page(desk, out.read_text(), "secret")
        if name in ("scrypt", "sha256-aes192"):
            assert found == {"error": "unsupported"}, (name, found)
        else:
            assert found.get("keyId") == signer.key_id, (name, found)
    assert opened_in_page(desk, (tmp_path / "sha1-aes128.key").read_text(), "") == {
        "error": "passphrase-needed"
    }


def test_a_damaged_key_file_is_a_reason_for_a_sentence_never_a_crash(
    desk: Desk, tmp_path: Path
) -> None:
    signer = Signer.generate()
    signer.save(tmp_path / "plain.key")
    signer.save(tmp_path / "locked.key", passphrase=b"secret")
    open_desk(desk, "en")
    damaged: list[tuple[str, str]] = [("", ""), ("not a key", ""), (signer.public_key.b64, "")]
    randomly = random.Random(17)
    for name, passphrase in (("plain.key", ""), ("locked.key", "secret")):
        text = (tmp_path / name).read_text()
        lines = text.splitlines()
        der = bytearray(base64.b64decode("".join(lines[1:-1])))
        damaged.append(("\n".join(lines[:-1]), passphrase))  # no END line
        damaged.append((text.replace("PRIVATE KEY", "PUBLIC KEY"), passphrase))
        for _ in range(40):
            changed = bytearray(der)
            if randomly.random() < 0.5:
                changed[randomly.randrange(len(changed))] ^= 1 << randomly.randrange(8)
            else:
                changed = changed[: randomly.randrange(len(changed))]
            body = base64.encodebytes(bytes(changed)).decode()
            damaged.append((f"{lines[0]}\n{body}{lines[-1]}\n", passphrase))
    for text, passphrase in damaged:
        found = opened_in_page(desk, text, passphrase)
        assert found.get("error") in REASONS or len(found.get("keyId", "")) == 32, found


FAITHFUL = {"panel": 1, "number": 2, "review": 1, "position": "rejected", "justification": "Car."}


@pytest.mark.parametrize(
    ("changed", "faithful"),
    [
        ({}, True),
        ({"number": 3}, False),
        ({"position": "accepted"}, False),
        ({"review": 2}, False),
        ({"justification": "Autre."}, False),
    ],
)  # fmt: skip
def test_the_page_signs_nothing_the_server_prepared_about_something_else(
    desk: Desk, changed: dict[str, Any], faithful: bool
) -> None:
    open_desk(desk, "en")
    form = {"recommendation": "1/2", "review": "1", "position": "rejected",
            "justification": " Car. ", "planned_measures": ""}  # fmt: skip
    found = desk.driver.execute_script(
        "return assemblyDesk.saysWhatTheFormSays(arguments[0], {payload: arguments[1]});",
        form,
        {**FAITHFUL, **changed},
    )
    assert found is faithful


def test_the_receipt_offers_the_inclusion_proof_once_a_checkpoint_covers_the_entry(
    desk: Desk, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    desk.driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)}
    )
    seq = entries(desk.folder)
    open_desk(desk)
    open_key(desk, CLERK_KEY, PASSPHRASE)
    fill_answer(desk, "1/1", "accepted", "")
    shown(desk, "confirm-events")
    by_id(desk, "sign").click()
    assert f"/api/proofs/{seq}" in shown(desk, "receipt-entries")  # not covered yet
    checkpoint = ("checkpoint", "--ledger", str(desk.folder / LEDGER), "--key", "log.key")
    done = assembly(*checkpoint, "--out", str(tmp_path / "checkpoint.txt"), cwd=desk.folder)
    assert done.code == 0, done.stderr
    desk.driver.find_element(By.CSS_SELECTOR, "button.desk-look-again").click()
    proof = (By.LINK_TEXT, "Sa preuve d'inclusion")
    wait_for(desk, lambda d: d.find_elements(*proof), "no link to the proof once covered")
    desk.driver.find_element(*proof).click()
    receipt = tmp_path / f"entry-{seq}.tlog-proof"
    wait_for(desk, lambda _: receipt.exists(), f"no {receipt.name} was downloaded")
    vkey = tmp_path / "log.vkey"
    printed = assembly("vkey", "--ledger", str(desk.folder / LEDGER), cwd=desk.folder)
    vkey.write_text(printed.stdout.strip() + "\n", encoding="utf-8")
    checked = assembly("verify-proof", str(receipt), "--vkey", str(vkey), cwd=desk.folder)
    assert checked.code == 0, checked.stderr
    assert "the inclusion proof holds" in checked.stdout


# A spreadsheet of answers on the desk (issue 17, part 3)

BULK_FIRST = 5  # the recommendations 1/5 to 1/64 the secretariat adds for the bulk test
BULK_ROWS = 60
BAD_ROWS = {11: {"position": "maybe"}, 41: {"position": "rejected", "justification": "Trop."}}


def sixty_recommendations(folder: Path) -> None:
    """Recommendations 1/5 to 1/64, adopted and handed over, imported by the secretariat."""
    header = "panel;number;portfolio;vote;text_fr;date;handed_over\n"
    lines = [
        f"1;{n};climate;V-1;Mesure {n} du plan climat.;2025-04-24;2025-05-01\n"
        for n in range(BULK_FIRST, BULK_FIRST + BULK_ROWS)
    ]
    (folder / "recs.csv").write_text(header + "".join(lines), encoding="utf-8")
    done = as_secretariat(folder, "import", "recommendations", "recs.csv")
    assert done.code == 0, done.stderr


def sixty_answers(path: Path, bad: dict[int, dict[str, str]]) -> Path:
    """Sixty answers accepted, one per recommendation, but the rows ``bad`` changes (by the
    spreadsheet's row number: the header is row 1)."""
    rows = [answer(f"1/{n}") for n in range(BULK_FIRST, BULK_FIRST + BULK_ROWS)]
    for row, cells in bad.items():
        rows[row - 2] = {**rows[row - 2], **cells}
    return answers_csv(path, rows)


def check_sheet(desk: Desk, path: Path) -> None:
    from selenium.webdriver.support.ui import Select

    details = desk.driver.find_element("xpath", "//form[@id='form-bulk']/ancestor::details")
    if details.get_attribute("open") is None:
        details.find_element("tag name", "summary").click()
    Select(by_id(desk, "bulk-kind")).select_by_value("answers")
    by_id(desk, "bulk-file").send_keys(str(path))
    by_id(desk, "form-bulk").find_element("css selector", "button[type=submit]").click()


def test_a_spreadsheet_of_sixty_answers_with_two_bad_rows_then_corrected_is_written_whole(
    desk: Desk, tmp_path: Path
) -> None:
    sixty_recommendations(desk.folder)
    before = entries(desk.folder)
    open_desk(desk)
    open_key(desk, CLERK_KEY, PASSPHRASE)
    check_sheet(desk, sixty_answers(tmp_path / "réponses.csv", BAD_ROWS))
    caption = shown(desk, "bulk-problems-caption")
    screenshot(desk, "desk-03-bulk-bad-rows")
    assert caption.startswith("2 lignes ne peuvent pas être écrites")
    table = by_id(desk, "bulk-problems").find_elements("css selector", "tbody tr")
    cells = [[cell.text for cell in row.find_elements("tag name", "td")] for row in table]
    assert [row[0] for row in cells] == ["11", "41"]
    assert cells[0][1] == "C (position)" and "maybe" in cells[0][2]
    assert "at least 200 characters" in cells[1][2]
    assert not by_id(desk, "confirm").is_displayed()
    assert entries(desk.folder) == before

    submitted = len([t for t, _ in desk.received if t.startswith("/api/submissions")])
    check_sheet(desk, sixty_answers(tmp_path / "réponses-corrigées.csv", {}))
    summary = shown(desk, "confirm-events")
    assert "60 réponses à signer, 0 inchangées." in summary
    assert not by_id(desk, "bulk-problems").is_displayed()
    assert by_id(desk, "sign").text == "Tout signer et envoyer"
    by_id(desk, "sign").click()
    wait_for(
        desk,
        lambda d: len(d.find_elements("css selector", "#receipt-entries .desk-written")) == 60,
        "no receipt of the sixty entries",
    )
    assert entries(desk.folder) == before + BULK_ROWS
    posts = [body for target, body in desk.received if target.startswith("/api/submissions")]
    [one] = posts[submitted:]  # one submission: one transaction, all or nothing
    batches = json.loads(one)["batches"]
    assert sum(len(batch["events"]) for batch in batches) == BULK_ROWS
    written = last_events(desk.folder, BULK_ROWS)
    assert [(e["number"], e["position"]) for e in written] == [
        (n, "accepted") for n in range(BULK_FIRST, BULK_FIRST + BULK_ROWS)
    ]
    verified = assembly("verify", "--ledger", str(desk.folder / LEDGER), cwd=desk.folder)
    assert verified.code == 0, verified.stderr
    check_no_key_material(desk)


def test_the_french_rule_lines_put_a_space_before_the_colon(desk: Desk) -> None:
    open_desk(desk)
    rules = by_id(desk, "form-respond").find_element("tag name", "ul").text
    assert "acceptée\u202f: " in rules and "acceptée:" not in rules
