"""Checkpoints and v1 cosignatures (``ledger/checkpoint.py``), against the C2SP examples."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from hypothesis import given
from hypothesis import strategies as st

from tlog import checkpoint as checkpoints
from tlog.checkpoint import (
    MAX_SIZE,
    Checkpoint,
    Cosignature,
    MalformedCheckpoint,
    MalformedCosignature,
    cosign,
    format_checkpoint,
    open_checkpoint,
    parse_checkpoint,
    parse_cosignature,
    verify_cosignature,
)
from tlog.note import (
    COSIGNATURE_V1,
    InvalidNoteSignature,
    MalformedKey,
    NoteError,
    NoteSignature,
    SignerKey,
    UnverifiedNote,
    open_note,
    parse_note,
    parse_verifier_key,
    sign_note,
    signed_message,
)

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
C2SP: dict[str, Any] = json.loads((VECTORS / "c2sp-examples.json").read_text(encoding="utf-8"))
TD: dict[str, Any] = json.loads(
    (VECTORS / "transparency-dev-cosignature.json").read_text(encoding="utf-8")
)
LOG = SignerKey("example.com/behind-the-sofa", bytes(range(32)))
WITNESS = SignerKey("witness.example.com/w1", bytes(range(1, 33)), COSIGNATURE_V1)
EXAMPLE = Checkpoint("example.com/behind-the-sofa", 20852163, bytes(range(32)))


def _c2sp(name: str) -> dict[str, Any]:
    cases: list[dict[str, Any]] = [case for case in C2SP["cases"] if case["name"] == name]
    (case,) = cases
    return case


def _with_message(cases: list[dict[str, Any]]) -> list[Any]:
    return [pytest.param(case, id=case["name"]) for case in cases if "message" in case]


# --- C2SP examples ---------------------------------------------------------------------------


@pytest.mark.parametrize("case", _with_message(C2SP["cases"]))
def test_a_c2sp_example_note_splits_into_its_text_and_signatures(case: dict[str, Any]) -> None:
    parsed = parse_note(case["message"].encode())

    assert parsed.text == case["text"]
    assert [(s.name, f"{s.key_id:08x}", len(s.signature)) for s in parsed.signatures] == [
        (s["name"], s["key_id"], s["signature_bytes"]) for s in case["signatures"]
    ]


@pytest.mark.parametrize("case", _with_message(C2SP["cases"]))
def test_a_c2sp_example_note_is_unverified_without_its_keys(case: dict[str, Any]) -> None:
    # The specifications publish no keys for their examples: with none known, nothing verifies.
    with pytest.raises(UnverifiedNote, match="no valid signature from a known key"):
        open_note(case["message"].encode(), [])


def test_the_c2sp_checkpoint_example_reads_and_formats_back_byte_for_byte() -> None:
    case = _c2sp("tlog-checkpoint-example")
    expected = case["checkpoint"]

    read = parse_checkpoint(case["text"])

    assert (read.origin, read.size, read.root_hash.hex(), list(read.extensions)) == (
        expected["origin"],
        expected["size"],
        expected["root_hash"],
        expected["extensions"],
    )
    assert format_checkpoint(read) == case["text"]


@pytest.mark.parametrize("case", _with_message(C2SP["cases"]))
def test_the_cosignature_lines_of_the_c2sp_examples_carry_their_timestamps(
    case: dict[str, Any],
) -> None:
    parsed = parse_note(case["message"].encode()).signatures
    for signature, expected in zip(parsed, case["signatures"], strict=True):
        if "timestamp" in expected:
            assert parse_cosignature(signature).timestamp == expected["timestamp"]
        elif "error" in expected:
            with pytest.raises(getattr(checkpoints, expected["error"]), match=expected["match"]):
                parse_cosignature(signature)


def test_the_cosigned_message_is_the_c2sp_example_byte_for_byte() -> None:
    case = _c2sp("tlog-cosignature-signed-message")

    message = signed_message(COSIGNATURE_V1, case["text"].encode(), timestamp=case["timestamp"])

    assert message == case["signed_message"].encode()


def test_a_cosignature_is_an_ed25519_signature_of_the_c2sp_signed_message() -> None:
    case = _c2sp("tlog-cosignature-signed-message")
    read = parse_checkpoint(case["text"])

    made = cosign(read, WITNESS, timestamp=case["timestamp"])

    Ed25519PublicKey.from_public_bytes(WITNESS.verifier_key.public_key).verify(
        made.signature, case["signed_message"].encode()
    )


# --- transparency-dev vectors ----------------------------------------------------------------


@pytest.mark.parametrize("case", TD["keys"], ids=lambda case: case["name"])
def test_the_transparency_dev_verifier_keys_parse(case: dict[str, Any]) -> None:
    key = parse_verifier_key(case["key"])

    assert (key.name, key.signature_type, f"{key.key_id:08x}") == (
        case["key_name"],
        case["signature_type"],
        case["key_id"],
    )
    assert key.text() == case["key"]


@pytest.mark.parametrize("case", TD["bad_keys"], ids=lambda case: case["name"])
def test_the_transparency_dev_bad_verifier_keys_are_refused(case: dict[str, Any]) -> None:
    with pytest.raises(MalformedKey, match=case["match"]):
        parse_verifier_key(case["key"])


@pytest.mark.parametrize("case", TD["cases"], ids=lambda case: case["name"])
def test_the_transparency_dev_cosignature_timestamps(case: dict[str, Any]) -> None:
    raw = base64.b64decode(case["base64"])
    signature = NoteSignature("witness", int.from_bytes(raw[:4], "big"), raw[4:])
    if "error" in case:
        with pytest.raises(getattr(checkpoints, case["error"]), match=case["match"]):
            parse_cosignature(signature)
    else:
        cosignature = parse_cosignature(signature)
        assert (f"{cosignature.key_id:08x}", cosignature.timestamp) == (
            case["key_id"],
            case["timestamp"],
        )


# --- cosigning -------------------------------------------------------------------------------


def test_a_witness_cosignature_verifies_with_the_witness_key() -> None:
    made = cosign(EXAMPLE, WITNESS, timestamp=1679315147)

    verify_cosignature(EXAMPLE, made, WITNESS.verifier_key)
    assert made.timestamp == 1679315147


def test_a_cosignature_with_another_timestamp_does_not_verify() -> None:
    made = cosign(EXAMPLE, WITNESS, timestamp=1679315147)
    moved = Cosignature(made.name, made.key_id, made.timestamp + 1, made.signature)

    with pytest.raises(InvalidNoteSignature, match=r"witness.example.com/w1\+[0-9a-f]{8}"):
        verify_cosignature(EXAMPLE, moved, WITNESS.verifier_key)


def test_a_cosignature_covers_the_extension_lines() -> None:
    extended = Checkpoint(EXAMPLE.origin, EXAMPLE.size, EXAMPLE.root_hash, ("ext one",))
    made = cosign(extended, WITNESS, timestamp=1)
    other = Checkpoint(EXAMPLE.origin, EXAMPLE.size, EXAMPLE.root_hash, ("ext two",))

    with pytest.raises(InvalidNoteSignature):
        verify_cosignature(other, made, WITNESS.verifier_key)


def test_a_cosignature_by_another_key_is_refused_by_name() -> None:
    made = cosign(EXAMPLE, WITNESS, timestamp=1)
    other = SignerKey("witness.example.com/w2", bytes(32), COSIGNATURE_V1)

    expected = (
        "The cosignature of witness.example.com/w1 is malformed: it is not by the key "
        f"witness.example.com/w2+{other.key_id:08x}."
    )
    with pytest.raises(MalformedCosignature, match="^" + re.escape(expected) + "$"):
        verify_cosignature(EXAMPLE, made, other.verifier_key)


def test_a_note_key_cannot_cosign() -> None:
    with pytest.raises(MalformedCosignature, match="the cosigner key is not of type 0x04"):
        cosign(EXAMPLE, LOG, timestamp=1)


def test_a_note_key_cannot_verify_a_cosignature() -> None:
    made = cosign(EXAMPLE, WITNESS, timestamp=1)
    note_key = SignerKey(WITNESS.name, WITNESS.seed).verifier_key

    expected = (
        "The cosignature of witness.example.com/w1 is malformed: the verifier key is not of "
        "type 0x04."
    )
    with pytest.raises(MalformedCosignature, match="^" + re.escape(expected) + "$"):
        verify_cosignature(EXAMPLE, made, note_key)


def test_a_cosignature_timestamp_above_2_63_minus_1_is_refused() -> None:
    with pytest.raises(NoteError, match=r"timestamp lies in 0..2\^63-1, not 9223372036854775808"):
        cosign(EXAMPLE, WITNESS, timestamp=2**63)


def test_a_log_signed_and_witness_cosigned_checkpoint_opens_with_both_keys() -> None:
    text = format_checkpoint(EXAMPLE)
    logged = parse_note(sign_note(text, [LOG])).signatures
    cosigned = sign_note(text, [WITNESS], timestamp=1679315147, existing=logged)

    read, opened = open_checkpoint(cosigned, [LOG.verifier_key, WITNESS.verifier_key])

    assert read == EXAMPLE
    assert [s.name for s in opened.verified] == [LOG.name, WITNESS.name]
    assert parse_cosignature(opened.verified[1]).timestamp == 1679315147


def test_a_cosignature_does_not_verify_as_a_plain_note_signature() -> None:
    text = format_checkpoint(EXAMPLE)
    cosigned = sign_note(text, [WITNESS], timestamp=1)
    plain = SignerKey(WITNESS.name, WITNESS.seed).verifier_key

    with pytest.raises(UnverifiedNote):
        open_note(cosigned, [plain])


# --- checkpoint syntax -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("log\n7\n" + "A" * 43 + "=", "does not end with a newline"),
        ("log\n7\n", "it has 2 lines, fewer than origin, size and root"),
        ("log\n007\n" + "A" * 43 + "=\n", "'007' is not a decimal without leading zeros"),
        ("log\n+7\n" + "A" * 43 + "=\n", "'\\+7' is not a decimal"),
        ("log\n\u0667\n" + "A" * 43 + "=\n", "is not a decimal"),
        ("log\n\n" + "A" * 43 + "=\n", "'' is not a decimal"),
        ("log\n7\n" + "A" * 40 + "\n", "the root hash has 30 bytes, not 32"),
        ("log\n7\n" + "A" * 42 + "B=\n", "is not canonical base64"),
        ("log\n7\n" + "A" * 42 + "*=\n", "is not base64"),
        ("\n7\n" + "A" * 43 + "=\n", "the origin is empty"),
        ("log\n7\n" + "A" * 43 + "=\n\n", "an extension line is empty"),
        (f"log\n{MAX_SIZE + 1}\n" + "A" * 43 + "=\n", r"is not in 0..2\^64-1"),
    ],
)
def test_a_malformed_checkpoint_is_refused(text: str, match: str) -> None:
    with pytest.raises(MalformedCheckpoint, match=match):
        parse_checkpoint(text)


def test_an_empty_tree_has_size_zero() -> None:
    read = parse_checkpoint("log\n0\n" + "A" * 43 + "=\n")

    assert read.size == 0


origins = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1)


@given(
    origins,
    st.integers(0, MAX_SIZE),
    st.binary(min_size=32, max_size=32),
    st.lists(origins, max_size=3),
)
def test_a_checkpoint_round_trips_through_its_text(
    origin: str, size: int, root: bytes, extensions: list[str]
) -> None:
    made = Checkpoint(origin, size, root, tuple(extensions))

    assert parse_checkpoint(format_checkpoint(made)) == made


@given(st.integers(0, 2**63 - 1))
def test_a_cosignature_round_trips_through_its_note_signature(timestamp: int) -> None:
    made = cosign(EXAMPLE, WITNESS, timestamp=timestamp)

    assert parse_cosignature(made.note_signature()) == made
    verify_cosignature(EXAMPLE, made, WITNESS.verifier_key)
