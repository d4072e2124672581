"""A server given a witness policy (``create_app(witnesses=...)``, ``assembly serve
--witnesses``): ``/verify`` names the witnesses and the quorum in words and hands their keys to
the readers' browsers, ``/monitor/keys`` lists them after the log's, and the tiles are served at
the latest checkpoint the quorum cosigned, the latest while none is."""

from __future__ import annotations

from html import unescape
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ledger.tree import add_cosignatures, checkpoint_at, latest_checkpoint
from tests.cli.test_proof_commands import grow
from tests.features.cycle import copy_of, ok
from tests.features.forked import assembly
from tests.web.conftest import Built, serving
from tlog.checkpoint import parse_checkpoint
from tlog.note import COSIGNATURE_V1, NoteSignature, SignerKey, parse_note
from web.context import Settings, opened

WITNESSES = [SignerKey(f"witness.example/w{n}", bytes([n]) * 32, COSIGNATURE_V1) for n in (1, 2, 3)]
POLICY = (
    "".join(
        f"witness {w.name} {w.verifier_key.text()} http://127.0.0.1:9/w{n}\n"
        for n, w in enumerate(WITNESSES, start=1)
    )
    + "quorum 2\n"
)
NOW = 1_770_000_000


def cosign(ledger: str, size: int, *witnesses: SignerKey) -> None:
    """Keep the cosignatures of ``witnesses`` on the checkpoint of ``size``."""
    with opened(Settings(ledger)) as book:
        text = parse_note(checkpoint_at(book.recorder, size).note).text
        lines = [
            NoteSignature(w.name, w.key_id, w.sign(text.encode(), timestamp=NOW)) for w in witnesses
        ]
        add_cosignatures(book.recorder, size, lines, [w.verifier_key for w in WITNESSES])


def size_of(note: bytes) -> int:
    return parse_checkpoint(parse_note(note).text).size


@pytest.fixture
def two_checkpoints(built: Built, tmp_path: Path) -> tuple[str, int, int]:
    """A copy of the page tests' ledger with a second checkpoint, one entry larger."""
    folder = copy_of(built.folder, tmp_path / "server")
    ledger = str(folder / Path(built.ledger).name)
    with opened(Settings(ledger)) as book:
        first = latest_checkpoint(book.recorder)
    assert first is not None
    grow(folder)
    ok(assembly("checkpoint", "--key", "log.key", "--out", "checkpoint.txt", cwd=folder))
    return ledger, first.size, first.size + 1


def test_the_tiles_are_served_at_the_latest_checkpoint_the_quorum_cosigned(
    two_checkpoints: tuple[str, int, int],
) -> None:
    ledger, older, newer = two_checkpoints
    witnessed = TestClient(serving(ledger, witnesses=POLICY))
    plain = TestClient(serving(ledger))
    cosign(ledger, newer, WITNESSES[0])  # one of the two required
    assert size_of(witnessed.get("/api/tiles/checkpoint").content) == newer  # none met it yet
    cosign(ledger, older, WITNESSES[0], WITNESSES[1])
    served = witnessed.get("/api/tiles/checkpoint").content
    assert size_of(served) == older
    cosigners = {line.name for line in parse_note(served).signatures}
    assert cosigners >= {WITNESSES[0].name, WITNESSES[1].name}
    assert size_of(witnessed.get("/api/checkpoint").content) == newer  # as issued, the latest
    assert size_of(plain.get("/api/tiles/checkpoint").content) == newer  # no policy: the latest
    cosign(ledger, newer, WITNESSES[2])
    assert size_of(witnessed.get("/api/tiles/checkpoint").content) == newer


def test_the_keys_the_script_asks_for_are_the_logs_then_the_witnesses(built: Built) -> None:
    listed = TestClient(serving(built.ledger, witnesses=POLICY)).get("/monitor/keys").text
    assert listed.splitlines() == [built.vkey, *(w.verifier_key.text() for w in WITNESSES)]
    assert TestClient(serving(built.ledger)).get("/monitor/keys").text == built.vkey + "\n"


SAID = {
    "en": "Each checkpoint must be cosigned by at least 2 of these 3 witnesses, who each vouch "
    "that the log showed them no other history; the check in your browser requires it:",
    "fr": "Chaque point de contrôle doit être contresigné par au moins 2 de ces 3 témoins, qui "
    "attestent chacun que le journal ne leur a montré aucune autre histoire\u202f; la vérification "
    "dans votre navigateur l'exige\u202f:",
    "nl": "Elk controlepunt moet medeondertekend zijn door minstens 2 van deze 3 getuigen, die "
    "elk verklaren dat het logboek hun geen andere geschiedenis toonde; de controle in uw "
    "browser vereist dat:",
}


@pytest.mark.parametrize("lang", sorted(SAID))
def test_verify_names_the_witnesses_and_the_quorum_in_words_then_their_keys(
    built: Built, lang: str
) -> None:
    page = unescape(
        TestClient(serving(built.ledger, witnesses=POLICY)).get(f"/verify?lang={lang}").text
    )
    said = page.index(SAID[lang])
    keys = [w.verifier_key.text() for w in WITNESSES]
    assert all(said < page.index(f'<pre class="key">{key}</pre>') for key in keys)
    # The command and its options, each whole on a line on a phone (``code.option``).
    for words in ("assembly verify-proof", "--witness", "--quorum 2"):
        assert f'<code class="option">{words}</code>' in page
    assert f'data-keys="{" ".join([built.vkey, *keys])}"' in page
    assert 'data-quorum="2"' in page and 'data-witnesses="3"' in page


def test_without_a_policy_verify_names_no_witness(built: Built) -> None:
    page = unescape(TestClient(serving(built.ledger)).get("/verify?lang=en").text)
    assert "witnesses, who each vouch" not in page
    assert f'data-keys="{built.vkey}"' in page and 'data-quorum="0"' in page


def test_a_recommendation_page_hands_the_quorum_and_leaves_the_keys_to_the_script(
    built: Built,
) -> None:
    page = TestClient(serving(built.ledger, witnesses=POLICY)).get("/recommendations/1/1").text
    assert 'data-keys=""' in page and 'data-quorum="2"' in page


def test_another_policy_gives_every_page_another_tag(built: Built) -> None:
    """A server started again with another policy, the ledger unchanged: a browser that kept
    ``/verify`` as the first server sent it must not be told it is still current."""
    before = TestClient(serving(built.ledger, witnesses=POLICY)).get("/verify?lang=en")
    tag = before.headers["ETag"]
    fewer = POLICY.replace("quorum 2", "quorum 3")
    for other in (serving(built.ledger, witnesses=fewer), serving(built.ledger)):
        again = TestClient(other).get("/verify?lang=en", headers={"If-None-Match": tag})
        assert again.status_code == 200
        assert again.headers["ETag"] != tag
    same = TestClient(serving(built.ledger, witnesses=POLICY))
    assert same.get("/verify?lang=en", headers={"If-None-Match": tag}).status_code == 304
