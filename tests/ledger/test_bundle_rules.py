"""Every rule of the offline bundle verifier (``ledger.bundle.check_bundle``), each on its own.

The bundle is the 14-entry history of ``tests.forgery``, exported with a signed checkpoint. The
forger here is the log operator, who holds the log key: it can rewrite the files, recompute every
hash and sign a new checkpoint over the result, so each test leaves one rule alone to refuse the
bundle, and asserts that rule's whole sentence.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ledger import Signer
from ledger.bundle import (
    BUNDLE_FORMAT_STORED_BODIES as STORED_FORMAT,
)
from ledger.bundle import BadBundle, Examined, check_bundle, export_bundle, tree_head
from ledger.canonical import canonical_bytes, format_time
from ledger.entry import SignedEvent
from ledger.errors import VerificationFailed
from ledger.signers import ENROLLED, signer_stream
from ledger.tree import issue_checkpoint
from ledger.verify import BATCH
from tests.forgery import (
    CHARTER,
    CLERK,
    CLERKS,
    ENTRIES,
    LONE_SEQ,
    PANELS,
    POLICY,
    RETIRED,
    SECRETARIAT,
    Forgery,
    Row,
    failure,
    history,
    minute,
    rows_of,
)
from tlog.checkpoint import Checkpoint, format_checkpoint
from tlog.note import SignerKey, sign_note

ORIGIN = "test.assembly.example/ledger"
LOG_KEY = SignerKey(ORIGIN, bytes([9]) * 32)
OTHER_LOG_KEY = SignerKey(ORIGIN, bytes([10]) * 32)
PREV = (
    "prev is not the hash of the entry before: an entry was changed, removed, inserted or reordered"
)


def refusal(reason: str) -> str:
    return "^" + re.escape(f"The bundle does not verify: {reason}.") + "$"


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tuple[Any, ...]]]:
    where = tmp_path_factory.mktemp("bundle")
    ledger = history(str(where / "ledger.db"))
    issued = issue_checkpoint(ledger.recorder, LOG_KEY, origin=ORIGIN)
    export_bundle(ledger, issued, where / "bundle", files={})
    rows = rows_of(ledger)
    ledger.close()
    return where / "bundle", rows


class Bundle:
    """A copy of the exported bundle, its files changed as the log operator could."""

    def __init__(self, folder: Path, rows: list[tuple[Any, ...]]) -> None:
        self.folder = folder
        self.forgery = Forgery(rows)

    def check(self) -> Examined:
        return check_bundle(self.folder, [LOG_KEY.verifier_key], POLICY, workers=0)

    @property
    def entries(self) -> Path:
        return self.folder / "entries.jsonl"

    def lines(self) -> list[bytes]:
        return self.entries.read_bytes().splitlines(keepends=True)

    def write_lines(self, lines: list[bytes]) -> None:
        self.entries.write_bytes(b"".join(lines))

    def edit_line(self, seq: int, change: Callable[[dict[str, Any]], object]) -> None:
        """Change one line's members and write it back canonical, all else as it was."""
        lines = self.lines()
        entry = json.loads(lines[seq])
        change(entry)
        lines[seq] = canonical_bytes(entry) + b"\n"
        self.write_lines(lines)

    def write_forgery(self, *, seal: bool = True) -> None:
        """Write the forgery's rows as the lines and, with ``seal``, sign their tree head."""
        self.write_lines([line_of(row) for row in self.forgery.rows])
        if seal:
            self.seal(len(self.forgery))

    def seal(self, size: int, key: SignerKey = LOG_KEY) -> None:
        leaves = b"".join(row.hash for row in self.forgery.rows)
        checkpoint = Checkpoint(ORIGIN, size, tree_head(leaves, size))
        (self.folder / "checkpoint.txt").write_bytes(
            sign_note(format_checkpoint(checkpoint), [key])
        )
        label = {"format": "assembly-ledger/bundle@v1", "origin": ORIGIN, "size": size}
        self.write_json("bundle.json", label)

    def json(self, name: str) -> Any:
        return json.loads((self.folder / name).read_text())

    def write_json(self, name: str, value: object) -> None:
        (self.folder / name).write_text(json.dumps(value, indent=2) + "\n")


def line_of(row: Row, *, stored: bool = False) -> bytes:
    """An entry's line: its event as an object, or (``stored``) its body's stored bytes."""
    carried = (
        {"body": base64.b64encode(row.body or b"").decode()}
        if stored
        else {"event": json.loads(row.body or b"null")}
    )
    entry = {
        **carried,
        "hash": row.hash.hex(),
        "prev": row.prev.hex(),
        "recorded_at": row.recorded_at,
        "seq": row.seq,
        "sig": base64.b64encode(row.sig).decode(),
    }
    return canonical_bytes(entry) + b"\n"


@pytest.fixture
def bundle(exported: tuple[Path, list[tuple[Any, ...]]], tmp_path: Path) -> Bundle:
    folder, rows = exported
    shutil.copytree(folder, tmp_path / "bundle")
    return Bundle(tmp_path / "bundle", rows)


def test_the_honest_bundle_verifies_with_its_signers(bundle: Bundle) -> None:
    examined = bundle.check()

    assert (examined.checkpoint.size, examined.signers) == (ENTRIES, 5)
    assert examined.leaves == b"".join(row.hash for row in bundle.forgery.rows)


def test_the_forgers_own_lines_are_the_exported_lines(bundle: Bundle) -> None:
    assert [line_of(row) for row in bundle.forgery.rows] == bundle.lines()


# --- the checkpoint and the label ----------------------------------------------------------------


def test_a_checkpoint_signed_by_another_key_of_the_same_name_is_refused(bundle: Bundle) -> None:
    bundle.seal(ENTRIES, OTHER_LOG_KEY)

    reason = (
        "its checkpoint does not open with the verifier key: The note has no valid signature "
        "from a known key (it has 1 signature(s) from unknown keys)"
    )
    with pytest.raises(BadBundle, match=refusal(reason)):
        bundle.check()


@pytest.mark.parametrize("label", [{"format": "assembly-ledger/bundle@v0"}, ["bundle"]])
def test_a_label_that_does_not_name_the_format_is_refused(bundle: Bundle, label: object) -> None:
    bundle.write_json("bundle.json", label)

    reason = (
        "bundle.json does not name a format of bundle: assembly-ledger/bundle@v3, "
        "assembly-ledger/bundle@v1, assembly-ledger/bundle@v2"
    )
    with pytest.raises(BadBundle, match=refusal(reason)):
        bundle.check()


@pytest.mark.parametrize("member, value", [("origin", "elsewhere.example/log"), ("size", 13)])
def test_a_label_that_names_another_log_or_size_is_refused(
    bundle: Bundle, member: str, value: object
) -> None:
    bundle.write_json("bundle.json", {**bundle.json("bundle.json"), member: value})

    reason = "bundle.json names another origin or size than the checkpoint"
    with pytest.raises(BadBundle, match=refusal(reason)):
        bundle.check()


@pytest.mark.parametrize("name", ["checkpoint.txt", "bundle.json", "signers.json"])
def test_a_missing_file_is_refused_by_name(bundle: Bundle, name: str) -> None:
    (bundle.folder / name).unlink()

    reason = f"its {name} cannot be read (No such file or directory)"
    with pytest.raises(BadBundle, match=refusal(reason)):
        bundle.check()


def test_a_bundle_without_entries_is_refused(bundle: Bundle) -> None:
    bundle.entries.unlink()

    with pytest.raises(BadBundle, match=refusal("it has no entries.jsonl")):
        bundle.check()


@pytest.mark.parametrize("name", ["bundle.json", "signers.json"])
def test_a_file_that_is_not_json_is_refused(bundle: Bundle, name: str) -> None:
    (bundle.folder / name).write_text("{not json\n")

    with pytest.raises(BadBundle, match=refusal(f"its {name} is not JSON")):
        bundle.check()


# --- the entries against the checkpoint ----------------------------------------------------------


def test_entries_of_another_history_than_the_checkpoint_signs_are_refused(bundle: Bundle) -> None:
    # The secretariat's last event rewritten and re-signed by the secretariat, hashed again;
    # the checkpoint still signs the first history.
    last = ENTRIES - 1
    rewritten = bundle.forgery.sign(
        SECRETARIAT, PANELS, 4, payload={"n": 1}, occurred_at=minute(13)
    )
    bundle.forgery.replace_event(last, rewritten)
    bundle.forgery.rehash(last)
    bundle.write_forgery(seal=False)

    head = tree_head(b"".join(row.hash for row in bundle.forgery.rows), ENTRIES)
    reason = (
        f"the entries' tree head at size {ENTRIES} is {base64.b64encode(head).decode()}, "
        "not the root the checkpoint signs"
    )
    with pytest.raises(BadBundle, match=refusal(reason)):
        bundle.check()


def test_a_bundle_with_fewer_entries_than_its_checkpoint_is_refused(bundle: Bundle) -> None:
    bundle.write_lines(bundle.lines()[:-1])

    reason = (
        f"the bundle holds {ENTRIES - 1} entries, the checkpoint signs {ENTRIES}: "
        "entries are missing"
    )
    with pytest.raises(VerificationFailed, match=failure(ENTRIES - 1, reason)):
        bundle.check()


def test_a_bundle_with_entries_beyond_its_checkpoint_is_refused(bundle: Bundle) -> None:
    bundle.forgery.append(bundle.forgery.sign(SECRETARIAT, PANELS, 5, occurred_at=minute(14)))
    bundle.write_forgery(seal=False)

    reason = (
        f"the bundle holds {ENTRIES + 1} entries, the checkpoint signs {ENTRIES}: "
        "it holds entries beyond it"
    )
    with pytest.raises(VerificationFailed, match=failure(ENTRIES, reason)):
        bundle.check()


def test_a_signers_file_that_hides_a_revocation_is_refused(bundle: Bundle) -> None:
    signers = bundle.json("signers.json")
    for signer in signers:
        if signer["key_id"] == RETIRED.key_id:
            signer.update(revoked_seq=None, revoked_at=None, revocation_reason=None)
    bundle.write_json("signers.json", signers)

    reason = "signers.json does not list the signers that the entries enrol"
    with pytest.raises(BadBundle, match=refusal(reason)):
        bundle.check()


# --- the lines ---------------------------------------------------------------------------------


def test_a_last_line_cut_short_is_refused(bundle: Bundle) -> None:
    bundle.entries.write_bytes(bundle.entries.read_bytes()[:-1])

    reason = "the line is cut short (it has no final newline)"
    with pytest.raises(VerificationFailed, match=failure(ENTRIES - 1, reason)):
        bundle.check()


@pytest.mark.parametrize("text", [b"not json", b'{"seq":5.5}'], ids=["text", "a float"])
def test_a_line_that_is_not_a_json_entry_is_refused(bundle: Bundle, text: bytes) -> None:
    lines = bundle.lines()
    lines[5] = text + b"\n"
    bundle.write_lines(lines)

    with pytest.raises(VerificationFailed, match=failure(5, "the line is not a JSON entry")):
        bundle.check()


@pytest.mark.parametrize(
    "change",
    [lambda entry: entry.update(note="signed elsewhere"), lambda entry: entry.pop("hash")],
    ids=["a member too many", "a member missing"],
)
def test_a_line_without_exactly_the_members_of_an_entry_is_refused(
    bundle: Bundle, change: Callable[[dict[str, Any]], object]
) -> None:
    bundle.edit_line(5, change)

    reason = "the line does not hold exactly event, hash, prev, recorded_at, seq, sig"
    with pytest.raises(VerificationFailed, match=failure(5, reason)):
        bundle.check()


@pytest.mark.parametrize(
    "line", [b'["event","hash","prev","recorded_at","seq","sig"]', b"5.5", b'"entry"']
)
def test_a_line_that_is_json_but_not_an_object_is_refused(bundle: Bundle, line: bytes) -> None:
    lines = bundle.lines()
    lines[5] = line + b"\n"
    bundle.write_lines(lines)

    reason = "the line does not hold exactly event, hash, prev, recorded_at, seq, sig"
    with pytest.raises(VerificationFailed, match=failure(5, reason)):
        bundle.check()


def test_a_line_that_is_not_its_canonical_form_is_refused(bundle: Bundle) -> None:
    lines = bundle.lines()
    lines[5] = lines[5].replace(b'"seq":5,', b'"seq": 5,')
    bundle.write_lines(lines)

    reason = "the line is not in its RFC 8785 canonical form"
    with pytest.raises(VerificationFailed, match=failure(5, reason)):
        bundle.check()


@pytest.mark.parametrize("seq, claimed", [(5, 40), (1, True), (3, "3")])
def test_a_line_naming_another_seq_than_its_place_is_refused(
    bundle: Bundle, seq: int, claimed: object
) -> None:
    # Only the seq member is changed: the hash was made for the line's place.
    bundle.edit_line(seq, lambda entry: entry.update(seq=claimed))

    reason = f"line {seq + 1} holds seq {claimed!r}: an entry was removed or reordered"
    with pytest.raises(VerificationFailed, match=failure(seq, reason)):
        bundle.check()


def test_a_line_whose_event_is_not_an_object_is_refused(bundle: Bundle) -> None:
    bundle.edit_line(5, lambda entry: entry.update(event=json.dumps(entry["event"])))

    with pytest.raises(VerificationFailed, match=failure(5, "the entry's event is not an object")):
        bundle.check()


def test_a_line_whose_stream_is_not_a_uuid_is_refused_by_the_walk(bundle: Bundle) -> None:
    # The clerk signs its event again with a stream that is not a UUID; all re-hashed and sealed.
    fields = bundle.forgery.fields_of(bundle.forgery.sign(CLERK, CLERKS, 1, occurred_at=minute(5)))
    fields["stream"] = "clerks"
    signed = bundle.forgery.sign_fields(CLERK, fields)
    bundle.forgery.rows[5] = bundle.forgery.row_of(
        5, signed, prev=bundle.forgery[4].hash, recorded_at=bundle.forgery[5].recorded_at
    )
    bundle.forgery.relink(6)
    bundle.write_forgery()

    reason = "The event body has a field of the wrong form"
    with pytest.raises(VerificationFailed, match=failure(5, reason)):
        bundle.check()


@pytest.mark.parametrize(
    "member, spelling",
    [
        ("prev", lambda value: value.upper()),
        ("prev", lambda value: 7),
        ("hash", lambda value: value[:-2]),
        ("hash", lambda value: value[:-1] + "g"),
    ],
    ids=["upper case", "not text", "31 bytes", "not hex"],
)
def test_a_hash_in_another_spelling_than_lower_case_hex_is_refused(
    bundle: Bundle, member: str, spelling: Callable[[str], object]
) -> None:
    bundle.edit_line(5, lambda entry: entry.update({member: spelling(entry[member])}))

    reason = f"{member} is not a SHA-256 hash in hex"
    with pytest.raises(VerificationFailed, match=failure(5, reason)):
        bundle.check()


def _unused_bits_set(value: str) -> str:
    # 64 bytes of signature leave 4 unused bits in the last character before the padding.
    last = value[-3]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    return value[:-3] + alphabet[alphabet.index(last) | 1] + value[-2:]


@pytest.mark.parametrize(
    "spelling",
    [_unused_bits_set, lambda value: "*" + value[1:], lambda value: 7, lambda value: ""],
    ids=["unused bits set", "not base64", "not text", "empty"],
)
def test_a_signature_in_another_spelling_than_canonical_base64_is_refused(
    bundle: Bundle, spelling: Callable[[str], object]
) -> None:
    bundle.edit_line(5, lambda entry: entry.update(sig=spelling(entry["sig"])))

    with pytest.raises(VerificationFailed, match=failure(5, "sig is not canonical base64")):
        bundle.check()


def test_the_unused_bits_spelling_decodes_to_the_same_signature(bundle: Bundle) -> None:
    value = json.loads(bundle.lines()[5])["sig"]

    assert _unused_bits_set(value) != value
    assert base64.b64decode(_unused_bits_set(value)) == base64.b64decode(value)


# --- the rules of verify, in a bundle the log operator re-sealed ---------------------------------


def test_a_revoked_keys_entry_sealed_into_a_new_checkpoint_is_refused(bundle: Bundle) -> None:
    bundle.forgery.append(bundle.forgery.sign(RETIRED, uuid.uuid4(), 1, occurred_at=minute(6)))
    bundle.write_forgery()

    reason = f"Key {RETIRED.key_id} was revoked at {format_time(minute(7))} and may no longer sign"
    with pytest.raises(VerificationFailed, match=failure(ENTRIES, reason)):
        bundle.check()


def test_an_entry_taken_out_and_the_rest_sealed_again_is_refused(bundle: Bundle) -> None:
    bundle.forgery.remove(LONE_SEQ)
    bundle.forgery.rehash(LONE_SEQ)
    bundle.write_forgery()

    with pytest.raises(VerificationFailed, match=failure(LONE_SEQ, PREV)):
        bundle.check()


def test_the_signers_file_lists_each_key_with_its_role_validity_and_revocation(
    bundle: Bundle,
) -> None:
    assert bundle.check().signers == 5
    retired = next(s for s in bundle.json("signers.json") if s["key_id"] == RETIRED.key_id)

    assert retired == {
        "key_id": RETIRED.key_id,
        "public_key": RETIRED.public_key.b64,
        "role": "secretariat",
        "name": "Retired clerk",
        "valid_from": format_time(minute(4)),
        "valid_until": None,
        "enrolled_seq": 4,
        "revoked_seq": 7,
        "revoked_at": format_time(minute(7)),
        "revocation_reason": "Left the secretariat",
    }
    clerk = next(s for s in bundle.json("signers.json") if s["key_id"] == CLERK.key_id)
    assert (clerk["valid_from"], clerk["valid_until"]) == (
        format_time(minute(5)),
        format_time(minute(10)),
    )


@pytest.fixture(scope="module")
def long_bundle(tmp_path_factory: pytest.TempPathFactory) -> Bundle:
    """A bundle of one batch and a few entries more, sealed by the log key."""
    ledger = history(str(tmp_path_factory.mktemp("long") / "ledger.db"))
    issued = issue_checkpoint(ledger.recorder, LOG_KEY, origin=ORIGIN)
    folder = tmp_path_factory.mktemp("long") / "bundle"
    export_bundle(ledger, issued, folder, files={})
    long = Bundle(folder, rows_of(ledger))
    ledger.close()
    when = minute(14)
    for version in range(5, BATCH + 3 - ENTRIES + 5):
        long.forgery.append(long.forgery.sign(SECRETARIAT, PANELS, version, occurred_at=when))
    long.write_forgery()
    return long


def test_a_bundle_longer_than_one_batch_verifies(long_bundle: Bundle) -> None:
    assert long_bundle.check().checkpoint.size == BATCH + 3


def test_a_bad_line_after_the_first_batch_is_named(long_bundle: Bundle, tmp_path: Path) -> None:
    copy = Bundle(tmp_path / "bundle", [])
    shutil.copytree(long_bundle.folder, copy.folder)
    lines = copy.lines()
    lines[BATCH + 1] = lines[BATCH + 1].replace(b'"seq":', b'"seq": ')
    copy.write_lines(lines)

    reason = "the line is not in its RFC 8785 canonical form"
    with pytest.raises(VerificationFailed, match=failure(BATCH + 1, reason)):
        copy.check()


# --- bodies an earlier release stored in a form that is not canonical (format v2) -------------


def _legacy_fields(signer: Signer, key: Signer, *, role: str, at: float) -> dict[str, Any]:
    """An enrolment as the earlier release signed it: no ledger named in the body."""
    return {
        "type": ENROLLED,
        "schema": 1,
        "stream": str(signer_stream(key.key_id)),
        "version": 1,
        "occurred_at": format_time(minute(at)),
        "payload": {
            "public_key": key.public_key.b64,
            "role": role,
            "name": role.title(),
            "valid_from": format_time(minute(at)),
            "valid_until": None,
        },
        "signer": signer.key_id,
    }


@pytest.fixture
def legacy(tmp_path: Path) -> Bundle:
    """An earlier release's two entries, the second stored with a space, sealed by the log key."""
    chain = Forgery([])
    genesis = chain.sign_fields(CHARTER, _legacy_fields(CHARTER, CHARTER, role="charter", at=0))
    chain.append(genesis, recorded_at=format_time(minute(0)))
    fields = _legacy_fields(CHARTER, SECRETARIAT, role="secretariat", at=1)
    spaced = canonical_bytes(fields).replace(b'"payload":{', b'"payload": {')
    chain.append(SignedEvent(body=spaced, sig=CHARTER.sign(spaced), fields=fields))
    folder = tmp_path / "legacy"
    folder.mkdir()
    bundle = Bundle(folder, [])
    bundle.forgery = chain
    bundle.write_lines([line_of(chain[0]), line_of(chain[1], stored=True)])
    bundle.seal(2)
    bundle.write_json("bundle.json", {**bundle.json("bundle.json"), "format": STORED_FORMAT})
    signers = chain.verify().book.records.values()
    bundle.write_json("signers.json", [record.as_dict() for record in signers])
    return bundle


def edit_stored(bundle: Bundle, change: Callable[[dict[str, Any]], object]) -> None:
    bundle.edit_line(1, change)


def test_an_earlier_releases_body_travels_as_its_stored_bytes(legacy: Bundle) -> None:
    assert legacy.check().signers == 2


def test_a_stored_body_line_that_is_not_canonical_is_refused(legacy: Bundle) -> None:
    lines = legacy.lines()
    lines[1] = lines[1].replace(b'"seq":1,', b'"seq": 1,')
    legacy.write_lines(lines)

    reason = "the line is not in its RFC 8785 canonical form"
    with pytest.raises(VerificationFailed, match=failure(1, reason)):
        legacy.check()


def test_a_stored_body_line_naming_another_seq_is_refused(legacy: Bundle) -> None:
    edit_stored(legacy, lambda entry: entry.update(seq=5))

    reason = "line 2 holds seq 5: an entry was removed or reordered"
    with pytest.raises(VerificationFailed, match=failure(1, reason)):
        legacy.check()


def test_a_stored_body_in_another_spelling_than_canonical_base64_is_refused(
    legacy: Bundle,
) -> None:
    edit_stored(legacy, lambda entry: entry.update(body="*" + entry["body"][1:]))

    with pytest.raises(VerificationFailed, match=failure(1, "body is not canonical base64")):
        legacy.check()


def test_stored_bytes_that_are_not_an_event_body_are_refused(legacy: Bundle) -> None:
    edit_stored(legacy, lambda entry: entry.update(body=base64.b64encode(b"{ }").decode()))

    reason = "The event body does not have the fields of the entry format"
    with pytest.raises(VerificationFailed, match=failure(1, reason)):
        legacy.check()


def test_a_canonical_body_smuggled_as_stored_bytes_is_refused(legacy: Bundle) -> None:
    canonical = canonical_bytes(json.loads(legacy.forgery[1].body or b""))
    edit_stored(legacy, lambda entry: entry.update(body=base64.b64encode(canonical).decode()))

    reason = "a canonical body travels as an object, not as bytes"
    with pytest.raises(VerificationFailed, match=failure(1, reason)):
        legacy.check()


@pytest.mark.parametrize(
    "member, spelling, reason",
    [
        ("prev", lambda value: value.upper(), "prev is not a SHA-256 hash in hex"),
        ("hash", lambda value: value[:-2], "hash is not a SHA-256 hash in hex"),
        ("sig", lambda value: "*" + value[1:], "sig is not canonical base64"),
    ],
)
def test_a_stored_body_line_with_a_member_in_another_spelling_is_refused(
    legacy: Bundle, member: str, spelling: Callable[[str], object], reason: str
) -> None:
    edit_stored(legacy, lambda entry: entry.update({member: spelling(entry[member])}))

    with pytest.raises(VerificationFailed, match=failure(1, reason)):
        legacy.check()
