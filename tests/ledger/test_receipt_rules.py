"""Every rule of the proof-file checker (``ledger.receipt``), each caught on its own.

Receipts and consistency proofs are made over the 14-entry history of ``tests.forgery``, signed
with the log key, the way ``assembly checkpoint`` and ``assembly receipt`` make them; each test
changes one thing as a log operator (who holds the log key) or a forger of the file could, and
asserts the whole sentence of the refusal.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pytest

from ledger.canonical import entry_bytes
from tests.forgery import ENTRIES, PANELS, SECRETARIAT, Forgery, Row, minute
from tlog.checkpoint import Checkpoint, cosign, format_checkpoint, parse_checkpoint
from tlog.merkle import MemoryNodes, consistency_proof, inclusion_proof, root
from tlog.note import COSIGNATURE_V1, SignerKey, parse_note, sign_note
from tlog.receipt import (
    BadProof,
    Consistency,
    Inclusion,
    check,
    format_consistency,
    format_inclusion,
)

ORIGIN = "test.assembly.example/ledger"
OTHER_ORIGIN = "staging.assembly.example/ledger"
LOG_KEY = SignerKey(ORIGIN, bytes([9]) * 32)
STRANGER_KEY = SignerKey(ORIGIN, bytes([10]) * 32)
OTHER_LOG_KEY = SignerKey(OTHER_ORIGIN, bytes([11]) * 32)
WITNESSES = [SignerKey(f"witness{n}.example", bytes([20 + n]) * 32, COSIGNATURE_V1) for n in (1, 2)]
KEYS = [LOG_KEY.verifier_key]


def refusal(reason: str) -> str:
    return "^" + re.escape(f"The proof does not hold: {reason}.") + "$"


def not_opened(what: str) -> str:
    return (
        f"{what} does not open with the verifier key: The note has no valid signature from a "
        "known key (it has 1 signature(s) from unknown keys)"
    )


def bytes_of(row: Row) -> bytes:
    assert row.body is not None
    return entry_bytes(
        seq=row.seq, prev=row.prev, body=row.body, sig=row.sig, recorded_at=row.recorded_at
    )


def nodes_of(forged: Forgery) -> MemoryNodes:
    return MemoryNodes(row.hash for row in forged.rows)


def signed_checkpoint(
    forged: Forgery, size: int, *, key: SignerKey = LOG_KEY, origin: str = ORIGIN
) -> bytes:
    head = Checkpoint(origin, size, root(size, nodes_of(forged)))
    return sign_note(format_checkpoint(head), [key])


def receipt(forged: Forgery, seq: int, size: int = ENTRIES, **changes: Any) -> bytes:
    made = Inclusion(
        index=seq,
        entry=bytes_of(forged[seq]),
        proof=inclusion_proof(seq, size, nodes_of(forged)),
        checkpoint=signed_checkpoint(forged, size),
    )
    return format_inclusion(replace(made, **changes))


def proof(forged: Forgery, old: int, new: int = ENTRIES, **changes: Any) -> bytes:
    made = Consistency(
        old_checkpoint=signed_checkpoint(forged, old),
        new_checkpoint=signed_checkpoint(forged, new),
        proof=consistency_proof(old, new, nodes_of(forged)) if old else [],
    )
    return format_consistency(replace(made, **changes))


def cosigned(note: bytes, witnesses: Sequence[SignerKey]) -> bytes:
    head = parse_checkpoint(parse_note(note).text)
    lines = [cosign(head, key, timestamp=1767600000).note_signature().line() for key in witnesses]
    return note + "".join(lines).encode()


# --- receipts ----------------------------------------------------------------------------------


def test_an_honest_receipt_shows_its_entry(forged: Forgery) -> None:
    checked = check(receipt(forged, 5), KEYS)

    assert checked.checkpoint.size == ENTRIES
    assert checked.entry is not None and checked.entry["seq"] == 5
    assert checked.entry["event"]["signer"] == forged[5].fields["signer"]


def test_a_receipt_whose_checkpoint_another_key_signed_is_refused(forged: Forgery) -> None:
    data = receipt(forged, 5, checkpoint=signed_checkpoint(forged, ENTRIES, key=STRANGER_KEY))

    with pytest.raises(BadProof, match=refusal(not_opened("the checkpoint"))):
        check(data, KEYS)


def test_a_receipt_for_a_rewritten_entry_is_refused(forged: Forgery) -> None:
    # The secretariat re-signs entry 9 with another payload; the receipt carries those bytes.
    honest_proof = inclusion_proof(9, ENTRIES, nodes_of(forged))
    checkpoint = signed_checkpoint(forged, ENTRIES)
    forged.replace_event(
        9, forged.sign(SECRETARIAT, PANELS, 2, payload={"number": 7}, occurred_at=minute(9))
    )
    data = format_inclusion(Inclusion(9, bytes_of(forged[9]), honest_proof, checkpoint))

    reason = (
        f"entry 9 is not in the tree of size {ENTRIES} the checkpoint signs (the inclusion "
        "proof fails)"
    )
    with pytest.raises(BadProof, match=refusal(reason)):
        check(data, KEYS)


def test_a_receipt_whose_entry_names_another_seq_than_its_index_is_refused(
    forged: Forgery,
) -> None:
    data = receipt(forged, 6, entry=bytes_of(forged[5]))

    with pytest.raises(BadProof, match=refusal("the entry's seq is 5, the receipt's index 6")):
        check(data, KEYS)


def test_a_receipt_for_an_entry_beyond_its_checkpoint_is_refused(forged: Forgery) -> None:
    checkpoint = signed_checkpoint(forged, ENTRIES - 1)
    data = receipt(forged, ENTRIES - 1, checkpoint=checkpoint)

    reason = f"entry {ENTRIES - 1} is beyond the checkpoint's size {ENTRIES - 1}"
    with pytest.raises(BadProof, match=refusal(reason)):
        check(data, KEYS)


@pytest.mark.parametrize(
    "entry, reason",
    [
        (b"{not json", "the entry bytes are not an entry (not JSON)"),
        (b"\xff\xfe", "the entry bytes are not an entry (not JSON)"),
        (b'{"seq":5}', "the entry bytes are not an entry"),
        (b'["event"]', "the entry bytes are not an entry"),
    ],
)
def test_a_receipt_whose_bytes_are_not_an_entry_is_refused(
    forged: Forgery, entry: bytes, reason: str
) -> None:
    with pytest.raises(BadProof, match=refusal(reason)):
        check(receipt(forged, 5, entry=entry), KEYS)


NO_ENTRY = "the receipt carries no entry bytes (its extra line)"
NOT_DECIMAL = "the index is not a decimal number"


@pytest.mark.parametrize(
    "pattern, replacement, reason",
    [
        (rb"(?s)\n\n.*", b"\n", "the receipt has no blank line before its checkpoint"),
        (rb"@v1\n", b"@v10\n", "the first line is not c2sp.org/tlog-proof@v1"),
        (rb"extra [^\n]*\n", b"", NO_ENTRY),
        (rb"extra [^\n]*\n", b"extra \n", NO_ENTRY),
        (rb"extra [^\n]*\n", b"extra *\n", "the extra data is not base64"),
        (rb"index 5\n", b"", "the index line is missing"),
        (rb"index 5\n", b"index 05\n", NOT_DECIMAL),
        (rb"index 5\n", b"index -5\n", NOT_DECIMAL),
        (rb"index 5\n", "index \u0665\n".encode(), NOT_DECIMAL),
        (rb"index 5\n", b"index 5\n*\n", "a proof line is not base64"),
        (rb"index 5\n", b"index 5\n\xff\n", "a proof line is not base64"),
    ],
    ids=[
        "no blank line",
        "another format",
        "no extra line",
        "empty extra",
        "extra not base64",
        "no index",
        "leading zero",
        "negative",
        "arabic digit",
        "proof not base64",
        "proof not utf-8",
    ],
)
def test_a_receipt_that_cannot_be_read_is_refused(
    forged: Forgery, pattern: bytes, replacement: bytes, reason: str
) -> None:
    data = re.sub(pattern, replacement, receipt(forged, 5), count=1)

    with pytest.raises(BadProof, match=refusal(reason)):
        check(data, KEYS)


def test_a_receipt_at_index_zero_reads(forged: Forgery) -> None:
    checked = check(receipt(forged, 0), KEYS)

    assert checked.entry is not None and checked.entry["seq"] == 0


# --- consistency proofs --------------------------------------------------------------------------


@pytest.mark.parametrize("old", [0, 1, 5, 8, ENTRIES])
def test_an_honest_consistency_proof_holds(forged: Forgery, old: int) -> None:
    checked = check(proof(forged, old), KEYS)

    assert checked.old is not None
    assert (checked.old.size, checked.checkpoint.size) == (old, ENTRIES)


@pytest.mark.parametrize("which", ["old_checkpoint", "new_checkpoint"])
def test_a_consistency_proof_with_a_checkpoint_another_key_signed_is_refused(
    forged: Forgery, which: str
) -> None:
    size = 5 if which == "old_checkpoint" else ENTRIES
    data = proof(forged, 5, **{which: signed_checkpoint(forged, size, key=STRANGER_KEY)})

    what = "the old checkpoint" if which == "old_checkpoint" else "the new checkpoint"
    with pytest.raises(BadProof, match=refusal(not_opened(what))):
        check(data, KEYS)


def test_a_consistency_proof_between_two_logs_is_refused(forged: Forgery) -> None:
    other = signed_checkpoint(forged, 5, key=OTHER_LOG_KEY, origin=OTHER_ORIGIN)
    data = proof(forged, 5, old_checkpoint=other)

    reason = f"the checkpoints are of two logs ({OTHER_ORIGIN} and {ORIGIN})"
    with pytest.raises(BadProof, match=refusal(reason)):
        check(data, [*KEYS, OTHER_LOG_KEY.verifier_key])


def test_a_consistency_proof_from_a_larger_tree_is_refused(forged: Forgery) -> None:
    data = proof(
        forged,
        5,
        old_checkpoint=signed_checkpoint(forged, ENTRIES),
        new_checkpoint=signed_checkpoint(forged, 10),
    )

    reason = f"the old checkpoint ({ENTRIES}) is larger than the new (10)"
    with pytest.raises(BadProof, match=refusal(reason)):
        check(data, KEYS)


def rewritten(forged: Forgery) -> Forgery:
    """The same log with entry 9 rewritten by its author and everything after re-linked."""
    fork = Forgery([])
    fork.rows = list(forged.rows)
    fork.replace_event(
        9, fork.sign(SECRETARIAT, PANELS, 2, payload={"number": 7}, occurred_at=minute(9))
    )
    fork.relink(9)
    return fork


@pytest.mark.parametrize("extra", [False, True], ids=["two roots", "a proof between equals"])
def test_two_trees_signed_at_one_size_are_refused_as_a_fork(forged: Forgery, extra: bool) -> None:
    fork = rewritten(forged)
    hashes = [fork[0].hash] if extra else []
    old = signed_checkpoint(forged, ENTRIES)
    new = signed_checkpoint(fork if not extra else forged, ENTRIES)
    data = proof(forged, ENTRIES, old_checkpoint=old, new_checkpoint=new, proof=hashes)

    reason = f"two different trees were signed at size {ENTRIES}: a fork"
    with pytest.raises(BadProof, match=refusal(reason)):
        check(data, KEYS)


def test_a_proof_from_the_empty_tree_that_is_not_empty_is_refused(forged: Forgery) -> None:
    data = proof(forged, 0, proof=[forged[0].hash])

    with pytest.raises(BadProof, match=refusal("a proof from the empty tree must be empty")):
        check(data, KEYS)


def test_a_rewritten_history_signed_by_the_log_is_refused(forged: Forgery) -> None:
    fork = rewritten(forged)
    old = signed_checkpoint(forged, 12)
    data = proof(fork, 12, old_checkpoint=old)

    reason = (
        f"the tree of size {ENTRIES} does not extend the tree of size 12: history was "
        "rewritten, or the proof is wrong"
    )
    with pytest.raises(BadProof, match=refusal(reason)):
        check(data, KEYS)


@pytest.mark.parametrize(
    "document, reason",
    [
        (b"not json", "the file is neither a tlog-proof receipt nor a JSON document"),
        (b"\xff", "the file is neither a tlog-proof receipt nor a JSON document"),
        (b"[]", "the document's format is not assembly-ledger/consistency-proof@v1"),
        (b'{"format": "x"}', "the document's format is not assembly-ledger/consistency-proof@v1"),
    ],
)
def test_a_consistency_document_that_cannot_be_read_is_refused(
    document: bytes, reason: str
) -> None:
    with pytest.raises(BadProof, match=refusal(reason)):
        check(document, KEYS)


WRONG_FORM = "the document's checkpoints or proof have the wrong form"


@pytest.mark.parametrize(
    "change, reason",
    [
        (lambda doc: doc.pop("proof"), "the document has no proof"),
        (lambda doc: doc.pop("old_checkpoint"), "the document has no old_checkpoint"),
        (lambda doc: doc.update(proof="AAAA"), WRONG_FORM),
        (lambda doc: doc.update(old_checkpoint=5), WRONG_FORM),
        (lambda doc: doc.update(new_checkpoint=None), WRONG_FORM),
        (lambda doc: doc["proof"].append("*"), "a proof hash is not base64"),
    ],
    ids=["no proof", "no old", "proof not a list", "old not text", "new not text", "not base64"],
)
def test_a_consistency_document_of_the_wrong_shape_is_refused(
    forged: Forgery, change: Any, reason: str
) -> None:
    document = json.loads(proof(forged, 5))
    change(document)

    with pytest.raises(BadProof, match=refusal(reason)):
        check(json.dumps(document).encode(), KEYS)


def test_a_consistency_proof_with_a_hash_that_is_not_text_is_refused(forged: Forgery) -> None:
    document = json.loads(proof(forged, 5))
    document["proof"][0] = 7

    reason = (
        f"the tree of size {ENTRIES} does not extend the tree of size 5: history was "
        "rewritten, or the proof is wrong"
    )
    with pytest.raises(BadProof, match=refusal(reason)):
        check(json.dumps(document).encode(), KEYS)


# --- witnesses -----------------------------------------------------------------------------------


def test_a_quorum_of_witness_cosignatures_is_named(forged: Forgery) -> None:
    note = cosigned(signed_checkpoint(forged, ENTRIES), WITNESSES)
    witnesses = [key.verifier_key for key in WITNESSES]

    checked = check(receipt(forged, 5, checkpoint=note), KEYS, witnesses=witnesses, quorum=2)

    assert checked.cosigned == ("witness1.example", "witness2.example")


@pytest.mark.parametrize("signed_by, held", [(WITNESSES[:1], "witness1.example"), ([], "none")])
def test_too_few_witness_cosignatures_are_refused(
    forged: Forgery, signed_by: list[SignerKey], held: str
) -> None:
    note = cosigned(signed_checkpoint(forged, ENTRIES), signed_by)
    witnesses = [key.verifier_key for key in WITNESSES]

    reason = f"{len(signed_by)} of the 2 witness cosignatures required hold (by: {held})"
    with pytest.raises(BadProof, match=refusal(reason)):
        check(receipt(forged, 5, checkpoint=note), KEYS, witnesses=witnesses, quorum=2)


def test_a_consistency_proof_counts_the_cosignatures_of_its_new_checkpoint(
    forged: Forgery,
) -> None:
    witnesses = [key.verifier_key for key in WITNESSES]
    old = cosigned(signed_checkpoint(forged, 5), WITNESSES)
    data = proof(forged, 5, old_checkpoint=old)

    reason = "0 of the 1 witness cosignatures required hold (by: none)"
    with pytest.raises(BadProof, match=refusal(reason)):
        check(data, KEYS, witnesses=witnesses, quorum=1)


def test_a_receipt_line_of_base64_decodes_to_the_entry(forged: Forgery) -> None:
    data = receipt(forged, 5)

    extra = data.split(b"\n")[1].split(b" ")[1]
    assert base64.b64decode(extra) == bytes_of(forged[5])


def test_a_witness_cosignature_given_twice_counts_once(forged: Forgery) -> None:
    note = cosigned(signed_checkpoint(forged, ENTRIES), [WITNESSES[0], WITNESSES[0]])
    witnesses = [key.verifier_key for key in WITNESSES]

    reason = "1 of the 2 witness cosignatures required hold (by: witness1.example)"
    with pytest.raises(BadProof, match=refusal(reason)):
        check(receipt(forged, 5, checkpoint=note), KEYS, witnesses=witnesses, quorum=2)


def test_a_witness_cosignature_of_another_checkpoint_does_not_count(forged: Forgery) -> None:
    other = cosigned(signed_checkpoint(forged, 5), WITNESSES)
    lines = parse_note(other).signatures[1:]  # the witnesses' lines, made for size 5
    note = signed_checkpoint(forged, ENTRIES) + "".join(line.line() for line in lines).encode()
    witnesses = [key.verifier_key for key in WITNESSES]

    reason = "0 of the 1 witness cosignatures required hold (by: none)"
    with pytest.raises(BadProof, match=refusal(reason)):
        check(receipt(forged, 5, checkpoint=note), KEYS, witnesses=witnesses, quorum=1)


def test_a_refusal_names_every_witness_whose_cosignature_holds(forged: Forgery) -> None:
    note = cosigned(signed_checkpoint(forged, ENTRIES), WITNESSES)
    witnesses = [key.verifier_key for key in WITNESSES]

    reason = (
        "2 of the 3 witness cosignatures required hold (by: witness1.example, witness2.example)"
    )
    with pytest.raises(BadProof, match=refusal(reason)):
        check(receipt(forged, 5, checkpoint=note), KEYS, witnesses=witnesses, quorum=3)


def test_a_witnesses_good_cosignature_counts_after_a_bad_one(forged: Forgery) -> None:
    stale = parse_note(cosigned(signed_checkpoint(forged, 5), WITNESSES[:1])).signatures[1]
    fresh = parse_note(cosigned(signed_checkpoint(forged, ENTRIES), WITNESSES[:1])).signatures[1]
    note = signed_checkpoint(forged, ENTRIES) + (stale.line() + fresh.line()).encode()
    witnesses = [WITNESSES[0].verifier_key]

    checked = check(receipt(forged, 5, checkpoint=note), KEYS, witnesses=witnesses, quorum=1)

    assert checked.cosigned == ("witness1.example",)
