"""Proof files anyone can check without the database: inclusion receipts and consistency proofs.

An inclusion receipt is a C2SP tlog-proof (``c2sp.org/tlog-proof@v1``): the entry's index (its
seq), the RFC 9162 inclusion proof, and the log's signed checkpoint, verbatim. Its ``extra``
line carries the entry's canonical bytes (base64), the "data necessary to reconstruct the record
hash" of the specification: the checker hashes them into the leaf, so the receipt shows what was
logged (the signed event, its seq, its time) and proves that it was.

A consistency proof has no C2SP text form; it is a small JSON document naming its format
(``CONSISTENCY_FORMAT``), both signed checkpoints as issued (the old one and the new one) and the
RFC 9162 proof between them, in base64. The checker opens both checkpoints with the log's
verifier key, checks that they name the same origin, and verifies the proof.

Both are checked by ``check``, which needs only the file and the verifier key(s).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from tlog.bounded import MAX_DEPTH, MAX_PROOF_BYTES, deeper_than, read_bounded
from tlog.checkpoint import Checkpoint, cosigned_by, open_checkpoint
from tlog.errors import TlogError
from tlog.merkle import leaf_hash, verify_consistency, verify_inclusion
from tlog.note import NoteError, VerifierKey, parse_note

TLOG_PROOF = "c2sp.org/tlog-proof@v1"
CONSISTENCY_FORMAT = "assembly-ledger/consistency-proof@v1"


class BadProof(TlogError):
    """A proof file that does not prove what it claims, or cannot be read."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    def sentence(self) -> str:
        return f"The proof does not hold: {self.reason}."


@dataclass(frozen=True)
class Inclusion:
    """An inclusion receipt: entry ``index``'s bytes, its proof, and the signed checkpoint."""

    index: int
    entry: bytes  # the entry's canonical bytes
    proof: Sequence[bytes]
    checkpoint: bytes  # the signed note, as issued


@dataclass(frozen=True)
class Consistency:
    """A consistency proof between two signed checkpoints of one log."""

    old_checkpoint: bytes
    new_checkpoint: bytes
    proof: Sequence[bytes]


@dataclass(frozen=True)
class Checked:
    """What a proof showed: the checkpoint it ends at, and the entry (inclusion only)."""

    checkpoint: Checkpoint
    old: Checkpoint | None = None  # consistency: the checkpoint it starts at
    entry: dict[str, Any] | None = None  # inclusion: the entry, parsed from its bytes
    cosigned: tuple[str, ...] = ()  # the witnesses asked for whose cosignature holds


def format_inclusion(receipt: Inclusion) -> bytes:
    """The receipt as C2SP tlog-proof text."""
    lines = [
        TLOG_PROOF,
        f"extra {base64.b64encode(receipt.entry).decode()}",
        f"index {receipt.index}",
        *(base64.b64encode(hashed).decode() for hashed in receipt.proof),
        "",
    ]
    return "\n".join(lines).encode() + b"\n" + receipt.checkpoint


def parse_inclusion(data: bytes) -> Inclusion:
    """Read a C2SP tlog-proof; raise BadProof naming what is wrong."""
    head, blank, checkpoint = data.partition(b"\n\n")
    if not blank:
        raise BadProof("the receipt has no blank line before its checkpoint")
    lines = head.decode("utf-8", errors="replace").split("\n")
    if lines[0] != TLOG_PROOF:
        raise BadProof(f"the first line is not {TLOG_PROOF}")
    rest = lines[1:]
    entry = b""
    if rest and rest[0].startswith("extra "):
        entry = _b64(rest.pop(0)[len("extra ") :], "the extra data")
    if not entry:
        raise BadProof("the receipt carries no entry bytes (its extra line)")
    if not rest or not rest[0].startswith("index "):
        raise BadProof("the index line is missing")
    index = _decimal(rest.pop(0)[len("index ") :], "the index")
    proof = [_b64(line, "a proof line") for line in rest]
    return Inclusion(index, entry, proof, checkpoint)


def format_consistency(proof: Consistency) -> bytes:
    """The consistency proof as a JSON document."""
    document = {
        "format": CONSISTENCY_FORMAT,
        "old_checkpoint": proof.old_checkpoint.decode(),
        "new_checkpoint": proof.new_checkpoint.decode(),
        "proof": [base64.b64encode(hashed).decode() for hashed in proof.proof],
    }
    return (json.dumps(document, indent=2) + "\n").encode()


def parse_consistency(data: bytes) -> Consistency:
    """Read a consistency proof document; raise BadProof naming what is wrong."""
    if deeper_than(data):
        raise BadProof(f"the document nests deeper than {MAX_DEPTH} levels; no proof does")
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise BadProof("the file is neither a tlog-proof receipt nor a JSON document") from None
    if not isinstance(document, dict) or document.get("format") != CONSISTENCY_FORMAT:
        raise BadProof(f"the document's format is not {CONSISTENCY_FORMAT}")
    try:
        old, new, hashes = (document[k] for k in ("old_checkpoint", "new_checkpoint", "proof"))
    except KeyError as missing:
        raise BadProof(f"the document has no {missing.args[0]}") from None
    if not (isinstance(old, str) and isinstance(new, str) and isinstance(hashes, list)):
        raise BadProof("the document's checkpoints or proof have the wrong form")
    proof = [_b64(item, "a proof hash") if isinstance(item, str) else b"" for item in hashes]
    return Consistency(old.encode(), new.encode(), proof)


def read_proof(path: Path) -> bytes:
    """The bytes of a receipt or proof file, refused unread past ``MAX_PROOF_BYTES``.
    Raises OSError as ``open`` does."""
    data = read_bounded(path, MAX_PROOF_BYTES)
    if data is None:
        raise BadProof(
            f"{path} is larger than {MAX_PROOF_BYTES // 1024} KiB, far larger than any receipt "
            "or proof; it was refused before being read whole"
        )
    return data


def check(
    data: bytes,
    keys: Iterable[VerifierKey],
    *,
    witnesses: Sequence[VerifierKey] = (),
    quorum: int = 0,
) -> Checked:
    """Check a receipt or a consistency proof against the log's verifier key(s), and that at
    least ``quorum`` of ``witnesses`` cosigned the checkpoint it ends at."""
    known = list(keys)
    if data.startswith(TLOG_PROOF.encode()):
        receipt = parse_inclusion(data)
        checked, note = check_inclusion(receipt, known), receipt.checkpoint
    else:
        proof = parse_consistency(data)
        checked, note = check_consistency(proof, known), proof.new_checkpoint
    cosigned = cosigned_by(checked.checkpoint, parse_note(note).signatures, witnesses)
    if len(cosigned) < quorum:
        names = ", ".join(key.name for key in cosigned) or "none"
        raise BadProof(
            f"{len(cosigned)} of the {quorum} witness cosignatures required hold (by: {names})"
        )
    return replace(checked, cosigned=tuple(key.name for key in cosigned))


def check_inclusion(receipt: Inclusion, keys: Sequence[VerifierKey]) -> Checked:
    """The entry is leaf ``index`` of the tree the signed checkpoint commits to."""
    checkpoint = _open(receipt.checkpoint, keys, "the checkpoint")
    entry = _entry(receipt.entry)
    if entry.get("seq") != receipt.index:
        raise BadProof(
            f"the entry's seq is {entry.get('seq')}, the receipt's index {receipt.index}"
        )
    if receipt.index >= checkpoint.size:
        raise BadProof(f"entry {receipt.index} is beyond the checkpoint's size {checkpoint.size}")
    leaf = leaf_hash(receipt.entry)
    if not verify_inclusion(
        leaf, receipt.index, checkpoint.size, receipt.proof, checkpoint.root_hash
    ):
        raise BadProof(
            f"entry {receipt.index} is not in the tree of size {checkpoint.size} "
            "the checkpoint signs (the inclusion proof fails)"
        )
    return Checked(checkpoint, entry=entry)


def check_consistency(proof: Consistency, keys: Sequence[VerifierKey]) -> Checked:
    """The new checkpoint's tree extends the old one's."""
    old = _open(proof.old_checkpoint, keys, "the old checkpoint")
    new = _open(proof.new_checkpoint, keys, "the new checkpoint")
    if old.origin != new.origin:
        raise BadProof(f"the checkpoints are of two logs ({old.origin} and {new.origin})")
    if old.size > new.size:
        raise BadProof(f"the old checkpoint ({old.size}) is larger than the new ({new.size})")
    if old.size == new.size:
        if old.root_hash != new.root_hash or proof.proof:
            raise BadProof(f"two different trees were signed at size {old.size}: a fork")
        return Checked(new, old=old)
    if old.size == 0:  # every tree extends the empty one; the proof must be empty
        if proof.proof:
            raise BadProof("a proof from the empty tree must be empty")
        return Checked(new, old=old)
    if not verify_consistency(old.size, new.size, old.root_hash, new.root_hash, proof.proof):
        raise BadProof(
            f"the tree of size {new.size} does not extend the tree of size {old.size}: "
            "history was rewritten, or the proof is wrong"
        )
    return Checked(new, old=old)


def _open(note: bytes, keys: Sequence[VerifierKey], what: str) -> Checkpoint:
    try:
        checkpoint, _ = open_checkpoint(note, keys)
    except NoteError as exc:
        reason = exc.sentence().rstrip(".")  # BadProof ends the whole sentence itself
        raise BadProof(f"{what} does not open with the verifier key: {reason}") from None
    return checkpoint


def _entry(data: bytes) -> dict[str, Any]:
    if deeper_than(data):
        raise BadProof(f"the entry bytes nest deeper than {MAX_DEPTH} levels; no entry does")
    try:
        entry = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise BadProof("the entry bytes are not an entry (not JSON)") from None
    if not isinstance(entry, dict) or not isinstance(entry.get("event"), dict):
        raise BadProof("the entry bytes are not an entry")
    return entry


def _b64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise BadProof(f"{what} is not base64") from None


def _decimal(text: str, what: str) -> int:
    if not text.isascii() or not text.isdigit() or (len(text) > 1 and text[0] == "0"):
        raise BadProof(f"{what} is not a decimal number")
    return int(text)
