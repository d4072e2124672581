"""Signed notes and their keys (``ledger/note.py``), against Go's ``sumdb/note`` example."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from ledger.keys import Signer
from tlog import note
from tlog.note import (
    COSIGNATURE_V1,
    ED25519,
    AmbiguousKey,
    InvalidNoteSignature,
    MalformedKey,
    MalformedNote,
    NoteError,
    NoteSignature,
    SignedNote,
    SignerKey,
    UnverifiedNote,
    VerifierKey,
    format_note,
    name_problem,
    open_note,
    parse_note,
    parse_signer_key,
    parse_verifier_key,
    sign_note,
)

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
GO: dict[str, Any] = json.loads((VECTORS / "go-note-example.json").read_text(encoding="utf-8"))
SEED = bytes(range(32))


def _message(case: dict[str, Any]) -> bytes:
    head = bytes.fromhex(case["message_hex"])
    repeated = bytes.fromhex(case.get("repeat_hex", ""))
    count: int = case.get("repeat", 0)
    return head + repeated * count


def _peter() -> VerifierKey:
    return parse_verifier_key(GO["verifier_key"])


def _enoch() -> VerifierKey:
    return parse_verifier_key(GO["second_verifier_key"])


names = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp")), min_size=1
).filter(lambda name: name_problem(name) is None)
raw_keys = st.binary(min_size=32, max_size=32)
types = st.sampled_from([ED25519, COSIGNATURE_V1])
texts = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")) | st.just("\n")).map(
    lambda text: text + "\n"
)


# --- Go's sumdb/note example -----------------------------------------------------------------


def test_the_go_signer_key_gives_the_go_verifier_key() -> None:
    signer = parse_signer_key(GO["signer_key"])

    assert signer.name == GO["key_name"]
    assert f"{signer.key_id:08x}" == GO["key_hash"]
    assert signer.verifier_key.text() == GO["verifier_key"]
    assert signer.text() == GO["signer_key"]
    assert _peter() == signer.verifier_key


def test_signing_the_go_example_text_gives_the_go_signed_note_byte_for_byte() -> None:
    signer = parse_signer_key(GO["signer_key"])

    assert sign_note(GO["text"], [signer]) == GO["signed_note"].encode()


def test_the_go_signed_note_opens_with_the_go_verifier_key() -> None:
    opened = open_note(GO["signed_note"].encode(), [_peter()])

    assert opened.text == GO["text"]
    assert [(s.name, f"{s.key_id:08x}") for s in opened.verified] == [("PeterNeumann", "c74f20a3")]
    assert opened.unverified == ()


def test_the_doubly_signed_go_note_verifies_both_keys_or_ignores_the_unknown_one() -> None:
    message = GO["doubly_signed_note"].encode()

    both = open_note(message, [_peter(), _enoch()])
    only_peter = open_note(message, [_peter()])

    assert [s.name for s in both.verified] == ["PeterNeumann", "EnochRoot"]
    assert [s.name for s in only_peter.verified] == ["PeterNeumann"]
    assert [(s.name, f"{s.key_id:08x}") for s in only_peter.unverified] == [
        ("EnochRoot", GO["second_key_hash"])
    ]


def test_the_go_signed_note_does_not_open_with_only_another_key() -> None:
    with pytest.raises(UnverifiedNote, match=r"\(it has 1 signature\(s\) from unknown keys\)\.$"):
        open_note(GO["signed_note"].encode(), [_enoch()])


def test_resigning_the_go_note_appends_the_new_signature_after_the_existing_one() -> None:
    existing = parse_note(GO["signed_note"].encode()).signatures
    enoch_root = SignerKey("EnochRoot", SEED)

    message = sign_note(GO["text"], [enoch_root], existing=existing)

    assert message.startswith(GO["signed_note"].encode())
    assert len(open_note(message, [_peter(), enoch_root.verifier_key]).verified) == 2


def test_signing_again_with_a_key_replaces_its_existing_signature() -> None:
    # Go's TestSign: a stale signature of the same key is dropped, not kept beside the new one.
    signer = parse_signer_key(GO["signer_key"])
    stale = NoteSignature("PeterNeumann", 0xC74F20A3, b"BADSIGN")

    assert sign_note(GO["text"], [signer], existing=[stale]) == GO["signed_note"].encode()


@pytest.mark.parametrize("case", GO["bad_keys"], ids=lambda case: case["name"])
def test_the_go_bad_verifier_keys_are_refused(case: dict[str, str]) -> None:
    with pytest.raises(MalformedKey, match=case["match"]):
        parse_verifier_key(case["key"])


def test_every_truncation_and_every_one_byte_increment_of_the_go_verifier_key_is_refused() -> None:
    # Go's TestNewVerifier manglings.
    key = GO["verifier_key"]
    manglings = [key[i:j] for i in range(len(key)) for j in range(i + 1, len(key) + 1)]
    manglings += [key[:i] + chr(ord(key[i]) + 1) + key[i + 1 :] for i in range(len(key))]
    for mangled in manglings:
        if mangled != key:
            with pytest.raises(MalformedKey):
                parse_verifier_key(mangled)


def test_every_truncation_and_every_one_byte_increment_of_the_go_signer_key_is_refused() -> None:
    # Go's TestNewSigner manglings.
    key = GO["signer_key"]
    manglings = [key[i:j] for i in range(len(key)) for j in range(i + 1, len(key) + 1)]
    manglings += [key[:i] + chr(ord(key[i]) + 1) + key[i + 1 :] for i in range(len(key))]
    for mangled in manglings:
        if mangled != key:
            with pytest.raises(MalformedKey):
                parse_signer_key(mangled)


@pytest.mark.parametrize("case", GO["cases"], ids=lambda case: case["name"])
def test_the_go_malformed_or_badly_signed_notes_are_refused(case: dict[str, Any]) -> None:
    known = [] if "known" in case else [_peter()]

    with pytest.raises(getattr(note, case["error"]), match=case["match"]):
        open_note(_message(case), known)


def test_repeated_signatures_are_listed_once_as_go_does() -> None:
    case = GO["duplicates"]

    opened = open_note(_message(case), [_peter()])

    assert [f"{s.name}+{s.key_id:08x}" for s in opened.verified] == case["verified"]
    unverified = [
        base64.b64encode(s.key_id.to_bytes(4, "big") + s.signature).decode()
        for s in opened.unverified
    ]
    assert unverified == case["unverified_base64"]


# --- keys ------------------------------------------------------------------------------------


def test_a_verifier_key_can_be_made_from_a_ledger_signer_public_key() -> None:
    ledger_signer = Signer.from_seed(SEED)

    key = VerifierKey("assembly.example/log", ledger_signer.public_key.raw)

    assert key == SignerKey("assembly.example/log", SEED).verifier_key
    assert parse_verifier_key(key.text()) == key


def test_the_same_key_has_different_ids_as_a_note_key_and_as_a_cosigner_key() -> None:
    plain = SignerKey("witness.example/w1", SEED)
    cosigner = SignerKey("witness.example/w1", SEED, COSIGNATURE_V1)

    assert plain.key_id != cosigner.key_id
    assert plain.verifier_key.public_key == cosigner.verifier_key.public_key


def test_a_key_name_with_a_plus_or_a_space_is_refused() -> None:
    with pytest.raises(MalformedKey, match=r"the name 'a\+b' contains a space or a plus"):
        VerifierKey("a+b", SEED)
    with pytest.raises(MalformedKey, match="contains a space or a plus"):
        VerifierKey("a\u00a0b", SEED)
    with pytest.raises(MalformedKey, match="the name is empty"):
        VerifierKey("", SEED)


def test_a_verifier_key_with_a_hash_that_is_not_its_key_id_is_refused() -> None:
    text = VerifierKey("log.example", SEED).text()
    name, key_hash, material = text.split("+", 2)
    wrong = f"{name}+{int(key_hash, 16) ^ 1:08x}+{material}"

    with pytest.raises(MalformedKey, match="is not its key id"):
        parse_verifier_key(wrong)


def test_a_signer_key_error_never_quotes_the_secret() -> None:
    text = SignerKey("log.example", SEED).text()

    with pytest.raises(MalformedKey) as raised:
        parse_signer_key(text[:-2])

    assert text[-20:-2] not in str(raised.value)
    assert (
        str(raised.value)
        == "The signer key is malformed: the key material is not canonical base64."
    )


def test_a_verifier_key_with_uppercase_hex_parses_as_go_reads_it() -> None:
    text = GO["verifier_key"].replace("c74f20a3", "C74F20A3")

    assert parse_verifier_key(text) == _peter()


def test_a_signer_key_of_a_cosigner_needs_a_timestamp() -> None:
    cosigner = SignerKey("witness.example/w1", SEED, COSIGNATURE_V1)

    with pytest.raises(NoteError, match="signs with a timestamp"):
        sign_note("text\n", [cosigner])


def test_a_verifier_key_of_the_wrong_length_is_refused() -> None:
    material = base64.b64encode(bytes([ED25519]) + bytes(31)).decode()

    with pytest.raises(MalformedKey, match="an Ed25519 key has 32 bytes, not 31"):
        parse_verifier_key(f"log.example+00000000+{material}")


def test_an_unsupported_signature_type_is_refused() -> None:
    with pytest.raises(MalformedKey, match="signature type 0x02 is not Ed25519"):
        VerifierKey("log.example", SEED, 0x02)


# --- notes -----------------------------------------------------------------------------------


def test_a_text_without_a_final_newline_cannot_be_signed() -> None:
    with pytest.raises(MalformedNote, match="the text does not end with a newline"):
        sign_note("abc", [SignerKey("log.example", SEED)])


def test_a_text_with_a_control_character_cannot_be_signed() -> None:
    with pytest.raises(MalformedNote, match="control character other than newline"):
        sign_note("a\tb\n", [SignerKey("log.example", SEED)])


def test_a_note_without_signatures_cannot_be_formatted() -> None:
    with pytest.raises(MalformedNote, match="it has 0 signatures, not 1 to 100"):
        format_note(SignedNote("text\n", ()))


def test_a_text_that_ends_with_an_empty_line_keeps_it() -> None:
    signer = SignerKey("log.example", SEED)

    opened = open_note(sign_note("Note\n\n", [signer]), [signer.verifier_key])

    assert opened.text == "Note\n\n"


def test_two_different_known_keys_with_one_name_and_id_are_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    signer = SignerKey("log.example", SEED)
    message = sign_note("text\n", [signer])
    monkeypatch.setattr(note, "key_id", lambda *_: 7)

    with pytest.raises(AmbiguousKey, match=r"log.example\+00000007; keep only one"):
        open_note(
            message, [VerifierKey("log.example", SEED), VerifierKey("log.example", bytes(32))]
        )


def test_the_same_known_key_given_twice_is_not_ambiguous() -> None:
    signer = SignerKey("log.example", SEED)

    opened = open_note(sign_note("text\n", [signer]), [signer.verifier_key] * 2)

    assert len(opened.verified) == 1


def test_a_second_bad_signature_from_a_known_key_rejects_the_note() -> None:
    # The spec: every signature from a known key is verified (Go checks only the first).
    signer = SignerKey("log.example", SEED)
    good = parse_note(sign_note("text\n", [signer])).signatures[0]
    bad = NoteSignature(good.name, good.key_id, bytes(64))
    message = format_note(SignedNote("text\n", (good, bad)))

    with pytest.raises(InvalidNoteSignature, match=r"key log.example\+[0-9a-f]{8} does not verify"):
        open_note(message, [signer.verifier_key])


def test_a_non_canonical_base64_signature_is_refused() -> None:
    line = GO["signed_note"].encode()
    # 'M' and 'N' differ only in the padding bits of the last base64 group.
    sloppy = line.replace(b"JnAM=", b"JnAN=")

    with pytest.raises(MalformedNote, match="signature of PeterNeumann is not base64"):
        open_note(sloppy, [_peter()])


# --- properties ------------------------------------------------------------------------------


@given(names, raw_keys, types)
def test_a_verifier_key_round_trips_through_its_text(name: str, raw: bytes, kind: int) -> None:
    key = VerifierKey(name, raw, kind)

    assert parse_verifier_key(key.text()) == key


@given(names, raw_keys, types)
def test_a_signer_key_round_trips_through_its_text(name: str, seed: bytes, kind: int) -> None:
    key = SignerKey(name, seed, kind)

    assert parse_signer_key(key.text()) == key


@given(names, raw_keys)
def test_a_verifier_key_whose_base64_holds_a_plus_parses(name: str, raw: bytes) -> None:
    key = VerifierKey(name, raw)
    assume("+" in key.text().split("+", 2)[2])

    assert parse_verifier_key(key.text()) == key


@given(texts, st.lists(names, min_size=1, max_size=4, unique=True))
def test_a_signed_note_round_trips_and_opens(text: str, signer_names: list[str]) -> None:
    signers = [SignerKey(name, SEED) for name in signer_names]

    message = sign_note(text, signers)

    assert format_note(parse_note(message)) == message
    opened = open_note(message, [signer.verifier_key for signer in signers])
    assert opened.text == text
    assert [s.name for s in opened.verified] == signer_names


@given(texts, st.data())
def test_changing_any_one_byte_of_a_signed_note_fails_verification(
    text: str, data: st.DataObject
) -> None:
    signer = SignerKey("log.example", SEED)
    message = bytearray(sign_note(text, [signer]))
    index = data.draw(st.integers(0, len(message) - 1))
    value = data.draw(st.integers(0, 255).filter(lambda byte: byte != message[index]))
    message[index] = value

    with pytest.raises(NoteError):
        open_note(bytes(message), [signer.verifier_key])


@given(texts, st.data())
def test_changing_any_one_byte_of_the_signature_fails_verification(
    text: str, data: st.DataObject
) -> None:
    signer = SignerKey("log.example", SEED)
    (signature,) = parse_note(sign_note(text, [signer])).signatures
    raw = bytearray(signature.signature)
    index = data.draw(st.integers(0, len(raw) - 1))
    raw[index] ^= data.draw(st.integers(1, 255))
    message = format_note(
        SignedNote(text, (NoteSignature(signature.name, signature.key_id, bytes(raw)),))
    )

    with pytest.raises(InvalidNoteSignature):
        open_note(message, [signer.verifier_key])
