"""Bundles: the ledger up to a signed checkpoint, as files anyone can check
(docs/design.md 3.4, 3.5; the format: docs/format.md 18).

A bundle is a folder::

    bundle.json      format, origin and size (a label: the checkpoint is what counts)
    checkpoint.txt   the log's signed checkpoint (C2SP tlog-checkpoint note), verbatim as served
    entries.jsonl    one line per entry, seq 0 to size - 1: the RFC 8785 canonical object
                     {"event", "hash", "prev", "recorded_at", "seq", "sig"}; without "hash" it is
                     the entry whose leaf hash SHA-256(0x00 || bytes) is "hash" (ledger.canonical).
                     Format v2 only: an entry whose event body an earlier release stored in a form
                     that is not canonical carries its stored bytes, base64, as "body" instead of
                     "event", since no object spells them (the entry's bytes embed them as stored)
    signers.json     every key the entries enrol, with role, validity and revocation
    schemas/         a JSON Schema per event type and schema version (TYPE.vN.json)
    policy.json      format v3: the rules the entries were checked with, as data (ledger.rules)
    manifest.txt     format v3: every other file's SHA-256, signed with the log key
                     (ledger.manifest); older formats have none, and nothing covers their README,
                     schemas or any other file

``check_bundle`` re-derives everything from those files: each line is canonical, and the entries
pass the same in-order checks and signature checks as ``assembly verify`` (``ledger.verify``);
their RFC 9162 tree head at the checkpoint's size is the signed root; the checkpoint opens with
the verifier key; in format v3 the log key signed the manifest of every file, and the rules the
bundle carries are the verifier's own. A verifier remembers, per origin, the last checkpoint it
accepted (and its leaf hashes, to say where two histories part); a smaller checkpoint, or
entries whose tree at the remembered size has another root (a rollback, a fork), is refused
with a self-contained report written next to the state file.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ledger.bounded import MAX_LINE_BYTES, read_line
from ledger.bundle_files import (
    BUNDLE_FILE,
    BUNDLE_FORMAT,
    BUNDLE_FORMAT_COVERED,
    BUNDLE_FORMAT_STORED_BODIES,
    CHECKPOINT_FILE,
    ENTRIES_FILE,
    MANIFEST_FILE,
    OLDER_FORMATS,
    POLICY_FILE,
    SCHEMAS_DIR,
    SIGNERS_FILE,
    BadBundle,
    BundleSetupError,
    read_document,
    read_json,
    write_json,
)
from ledger.canonical import canonical_bytes, check_canonical
from ledger.entry import Entry, parse_body
from ledger.errors import AppendRefused, CanonicalizationError, VerificationFailed
from ledger.history import after_the_fact, history_before
from ledger.ledger import Ledger
from ledger.manifest import check_digest, check_manifest, sign_manifest
from ledger.policy import RolePolicy
from ledger.rules import policy_data, policy_of
from ledger.signers import ENROLLED, REVOKED, SignerBook, SignerRecord
from ledger.tree import Issued
from ledger.verify import BATCH, default_workers, verify_rows
from tlog.bounded import MAX_DEPTH, deeper_than
from tlog.checkpoint import Checkpoint, open_checkpoint, parse_checkpoint
from tlog.merkle import EMPTY_ROOT, node_hash
from tlog.note import NoteError, SignerKey, VerifierKey, parse_note

__all__ = [
    "BUNDLE_FILE",
    "BUNDLE_FORMAT",
    "BUNDLE_FORMAT_COVERED",
    "BUNDLE_FORMAT_STORED_BODIES",
    "CHECKPOINT_FILE",
    "ENTRIES_FILE",
    "SIGNERS_FILE",
    "BadBundle",
    "BundleSetupError",
    "Examined",
    "History",
    "bundle_history",
    "check_bundle",
    "export_bundle",
    "schema_file",
    "tree_head",
]
ENTRY_FIELDS = frozenset({"event", "hash", "prev", "recorded_at", "seq", "sig"})
STORED_BODY_FIELDS = ENTRY_FIELDS - {"event"} | {"body"}
Row = tuple[Any, ...]


@dataclass(frozen=True)
class Examined:
    """A bundle that verified on its own: its checkpoint, the entries' leaf hashes, its signers."""

    checkpoint: Checkpoint
    note: bytes
    leaves: bytes  # 32 bytes per entry, in seq order
    signers: int
    lines: Path
    format: str = BUNDLE_FORMAT
    covered: int | None = None  # files the manifest lists; None: an older format, none covered

    def leaf(self, seq: int) -> bytes:
        return self.leaves[32 * seq : 32 * seq + 32]


# --- writing -------------------------------------------------------------------------------------


def schema_file(event_type: str, schema: int) -> str:
    """The path, inside a bundle, of the JSON Schema of one event type at one schema version."""
    return f"{SCHEMAS_DIR}/{event_type}.v{schema}.json"


def export_bundle(
    ledger: Ledger,
    issued: Issued,
    folder: Path,
    *,
    files: Mapping[str, bytes],
    log_key: SignerKey | None = None,
) -> int:
    """Write the bundle of the checkpoint ``issued`` into ``folder`` (which must not exist, or be
    empty) with the extra ``files`` (a README, schemas); return the number of signers.

    With the ``log_key`` that signed the checkpoint, the bundle is format v3: its rules as data
    and the manifest of every file, signed. Without it, the format of earlier releases, which
    covers only the entries and the signers: kept so that a bundle as they wrote it can be made
    again (the command line always signs).

    Everything goes into a temporary folder beside it, renamed at the end: a folder of that name
    is a complete bundle or nothing.
    """
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise BundleSetupError(f"{folder} already exists; export into a new folder.")
    if log_key is not None:
        try:
            open_checkpoint(issued.note, [log_key.verifier_key])
        except NoteError:
            raise BundleSetupError(
                f"The key given did not sign the checkpoint of {issued.origin}: give the log key "
                "(role log) that signs its checkpoints."
            ) from None
    folder.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(
        tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".partial", dir=folder.parent)
    )
    try:
        signers = _write_contents(ledger, issued, partial, files, covered=log_key is not None)
        if log_key is not None:
            sign_manifest(partial, log_key)
        os.replace(partial, folder)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return len(signers)


def _write_contents(
    ledger: Ledger, issued: Issued, partial: Path, files: Mapping[str, bytes], *, covered: bool
) -> list[SignerRecord]:
    book = SignerBook(ledger.policy)
    frontier = _Frontier()
    stored_bodies = False
    with (partial / ENTRIES_FILE).open("wb") as out:
        for entry in ledger.entries():
            if entry.seq >= issued.size:
                break
            fields = entry.event
            line = _line(entry, fields)
            stored_bodies = stored_bodies or line.startswith(b'{"body":')
            out.write(line + b"\n")
            frontier.append(entry.hash)
            if fields["type"] in (ENROLLED, REVOKED):
                book.learn(entry.seq, fields)
    if frontier.size != issued.size or frontier.root() != _opened_root(issued.note):
        raise BadBundle(
            f"the ledger's first {issued.size} entries do not reproduce the tree head its "
            "checkpoint signs; run the ledger's own verification"
        )
    (partial / CHECKPOINT_FILE).write_bytes(issued.note)
    signers = sorted(book.records.values(), key=lambda record: record.enrolled_seq)
    write_json(partial / SIGNERS_FILE, [record.as_dict() for record in signers])
    older = BUNDLE_FORMAT_STORED_BODIES if stored_bodies else BUNDLE_FORMAT
    label = {
        "format": BUNDLE_FORMAT_COVERED if covered else older,
        "origin": issued.origin,
        "size": issued.size,
    }
    write_json(partial / BUNDLE_FILE, label)
    if covered:
        write_json(partial / POLICY_FILE, policy_data(ledger.policy))
    for name, data in {**_LEDGER_SCHEMAS, **files}.items():
        path = partial / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return signers


def _line(entry: Entry, fields: dict[str, Any]) -> bytes:
    """An entry's line: its event as an object, or, for a body stored in a form that is not
    canonical (by an earlier release), its stored bytes as they are."""
    rest = {
        "hash": entry.hash.hex(),
        "prev": entry.prev.hex(),
        "recorded_at": entry.recorded_at,
        "seq": entry.seq,
        "sig": base64.b64encode(entry.sig).decode(),
    }
    try:
        check_canonical(entry.body, fields)
    except CanonicalizationError:
        return canonical_bytes({"body": base64.b64encode(entry.body).decode(), **rest})
    line = canonical_bytes({"event": fields, **rest})
    if not line.startswith(b'{"event":' + entry.body + b',"hash":'):
        raise AssertionError(f"entry {entry.seq}'s body does not survive a round trip")
    return line


def _opened_root(note: bytes) -> bytes:
    return parse_checkpoint(parse_note(note).text).root_hash


def _schema(title: str, properties: dict[str, Any]) -> bytes:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": title,
        "type": "object",
        "properties": properties,
        "required": sorted(properties),
        "additionalProperties": False,
    }
    return (json.dumps(schema, indent=2, sort_keys=True) + "\n").encode()


_TIME = {"type": "string", "format": "date-time"}
_LEDGER_SCHEMAS = {
    schema_file(ENROLLED, 1): _schema(
        "A key enrolled with a role and a validity window (the ledger's own event)",
        {
            "public_key": {"type": "string", "description": "Ed25519, 32 bytes, base64"},
            "role": {"type": "string"},
            "name": {"type": "string", "description": "who holds the key (an office)"},
            "valid_from": _TIME,
            "valid_until": {"anyOf": [_TIME, {"type": "null"}]},
        },
    ),
    schema_file(REVOKED, 1): _schema(
        "A key revoked from its place in the ledger on (the ledger's own event)",
        {"key_id": {"type": "string"}, "reason": {"type": "string"}},
    ),
}


# --- checking ------------------------------------------------------------------------------------


def check_bundle(
    folder: Path,
    keys: Sequence[VerifierKey],
    policy: RolePolicy,
    *,
    workers: int | None = None,
) -> Examined:
    """Verify a bundle from its files alone; raise VerificationFailed (naming the first bad seq)
    or BadBundle; return what it holds.

    In format v3 the log key (one of ``keys``) must have signed the manifest of every file, and
    the rules the bundle carries must be those of ``policy``; the entries are then checked with
    the rules the bundle carries. An older format is checked as its release did (the entries,
    the signers and the checkpoint), and said to be older: nothing covers its other files
    (unless a manifest is there: then it is checked, whatever the label says).
    """
    note = read_document(folder, CHECKPOINT_FILE)
    try:
        checkpoint, _ = open_checkpoint(note, keys)
    except NoteError as exc:
        raise BadBundle(
            f"its checkpoint does not open with the verifier key: {exc.sentence().rstrip('.')}"
        ) from None
    label = _check_label(folder, checkpoint)
    covered: dict[str, str] | None = None
    # A manifest beside an older label is checked too: a label cannot take the cover off.
    if label == BUNDLE_FORMAT_COVERED or (folder / MANIFEST_FILE).exists():
        covered = check_manifest(folder, keys, later=[ENTRIES_FILE])
        policy = _carried_policy(folder, policy)
    lines = folder / ENTRIES_FILE
    if not lines.is_file():
        raise BadBundle(f"it has no {ENTRIES_FILE}")
    leaves, book = _walk(lines, checkpoint.size, policy, workers)
    if covered is not None:
        check_digest(folder, ENTRIES_FILE, covered[ENTRIES_FILE])
    head = _Frontier.of(leaves, checkpoint.size)
    if head != checkpoint.root_hash:
        raise BadBundle(
            f"the entries' tree head at size {checkpoint.size} is "
            f"{base64.b64encode(head).decode()}, not the root the checkpoint signs"
        )
    signers = sorted(book.records.values(), key=lambda record: record.enrolled_seq)
    if read_json(folder, SIGNERS_FILE) != [record.as_dict() for record in signers]:
        raise BadBundle(f"{SIGNERS_FILE} does not list the signers that the entries enrol")
    files = None if covered is None else len(covered)
    return Examined(checkpoint, note, leaves, len(signers), lines, label, files)


def _check_label(folder: Path, checkpoint: Checkpoint) -> str:
    """The bundle's format, once ``bundle.json`` agrees with the checkpoint."""
    label = read_json(folder, BUNDLE_FILE)
    known = (BUNDLE_FORMAT_COVERED, *OLDER_FORMATS)
    if not isinstance(label, dict) or label.get("format") not in known:
        raise BadBundle(f"{BUNDLE_FILE} does not name a format of bundle: {', '.join(known)}")
    if (label.get("origin"), label.get("size")) != (checkpoint.origin, checkpoint.size):
        raise BadBundle(f"{BUNDLE_FILE} names another origin or size than the checkpoint")
    if label["format"] == BUNDLE_FORMAT_COVERED and set(label) != {"format", "origin", "size"}:
        raise BadBundle(f"{BUNDLE_FILE} holds members other than format, origin and size")
    return str(label["format"])


def _carried_policy(folder: Path, policy: RolePolicy) -> RolePolicy:
    """The rules the bundle carries, once they are found to be the verifier's own."""
    carried = read_json(folder, POLICY_FILE)
    if carried != policy_data(policy):
        raise BadBundle(
            f"its {POLICY_FILE} holds other rules than the ones this verifier applies to format "
            f"{BUNDLE_FORMAT_COVERED}: a bundle cannot change the rules it is checked by"
        )
    return policy_of(carried)


def _walk(
    lines: Path, size: int, policy: RolePolicy, workers: int | None
) -> tuple[bytes, SignerBook]:
    """Run ``ledger.verify``'s checks over the bundle's lines; return leaf hashes and signers."""
    leaves = bytearray()

    def batches() -> Iterator[list[Row]]:
        for rows in _rows(lines):
            leaves.extend(b"".join(row[5] for row in rows))
            yield rows

    chosen = default_workers(size) if workers is None else workers
    walked = verify_rows(batches(), policy, workers=chosen)
    entries = walked.report.entries
    if entries != size:
        problem = "entries are missing" if entries < size else "it holds entries beyond it"
        raise VerificationFailed(
            min(entries, size),
            f"the bundle holds {entries} entries, the checkpoint signs {size}: {problem}",
        )
    return bytes(leaves), walked.book


def _rows(lines: Path) -> Iterator[list[Row]]:
    """The lines as the verifier's rows, a batch at a time; a line that cannot be read raises
    VerificationFailed after the rows before it were handed over."""
    rows: list[Row] = []
    with lines.open("rb") as handle:
        for seq, line in enumerate(iter(lambda: read_line(handle), b"")):
            try:
                rows.append(_row(seq, line))
            except VerificationFailed:
                if rows:
                    yield rows
                raise
            if len(rows) == BATCH:
                yield rows
                rows = []
    if rows:
        yield rows


def _row(seq: int, line: bytes) -> Row:
    """One line as ``ledger.verify``'s row: (seq, position, prev, sig, recorded_at, hash, body,
    stream, version, type); what the walk checks (hash, prev, body form) is left to it."""
    if len(line) > MAX_LINE_BYTES:
        raise VerificationFailed(
            seq,
            f"the line is longer than {MAX_LINE_BYTES} bytes, more than any entry under the "
            "64 KiB cap takes; it was refused before being read whole",
        )
    if not line.endswith(b"\n"):
        raise VerificationFailed(seq, "the line is cut short (it has no final newline)")
    data = line[:-1]
    if deeper_than(data):
        raise VerificationFailed(
            seq, f"the line nests deeper than {MAX_DEPTH} levels, deeper than any entry"
        )
    try:
        entry = json.loads(data)
        canonical = canonical_bytes(entry) if isinstance(entry, dict) else None
    except (ValueError, CanonicalizationError):
        raise VerificationFailed(seq, "the line is not a JSON entry") from None
    if isinstance(entry, dict) and set(entry) == STORED_BODY_FIELDS:
        return _stored_body_row(seq, entry, canonical == data)
    if not isinstance(entry, dict) or set(entry) != ENTRY_FIELDS:
        raise VerificationFailed(
            seq, f"the line does not hold exactly {', '.join(sorted(ENTRY_FIELDS))}"
        )
    if canonical != data:
        raise VerificationFailed(seq, "the line is not in its RFC 8785 canonical form")
    if type(entry["seq"]) is not int or entry["seq"] != seq:
        raise VerificationFailed(
            seq, f"line {seq + 1} holds seq {entry['seq']!r}: an entry was removed or reordered"
        )
    event = entry["event"]
    if not isinstance(event, dict):
        raise VerificationFailed(seq, "the entry's event is not an object")
    body = canonical_bytes(event)
    try:
        stream = uuid.UUID(str(event.get("stream")))
    except ValueError:
        stream = uuid.UUID(int=0)  # the walk refuses the body's stream itself
    prev, digest = _hex(seq, entry["prev"], "prev"), _hex(seq, entry["hash"], "hash")
    sig = _base64(seq, entry["sig"])
    version, topic = event.get("version"), event.get("type")
    return (seq, seq, prev, sig, entry["recorded_at"], digest, body, stream, version, topic)


def _stored_body_row(seq: int, entry: dict[str, Any], canonical: bool) -> Row:
    """A line that carries an event body as stored: only a body that is not canonical may travel
    so (the walk then judges it as ``assembly verify`` does: a v1 body is noted, a v2 body fails).
    """
    if not canonical:
        raise VerificationFailed(seq, "the line is not in its RFC 8785 canonical form")
    if type(entry["seq"]) is not int or entry["seq"] != seq:
        raise VerificationFailed(
            seq, f"line {seq + 1} holds seq {entry['seq']!r}: an entry was removed or reordered"
        )
    body = _base64(seq, entry["body"], "body")
    try:
        event = parse_body(body, canonical=False)
    except AppendRefused as exc:
        raise VerificationFailed(seq, exc.sentence().rstrip(".")) from None
    try:
        check_canonical(body, event)
    except CanonicalizationError:
        pass
    else:
        raise VerificationFailed(seq, "a canonical body travels as an object, not as bytes")
    prev, digest = _hex(seq, entry["prev"], "prev"), _hex(seq, entry["hash"], "hash")
    sig = _base64(seq, entry["sig"], "sig")
    stream = uuid.UUID(event["stream"])
    return (seq, seq, prev, sig, entry["recorded_at"], digest, body, stream, event["version"],
            event["type"])  # fmt: skip


def _hex(seq: int, value: object, name: str) -> bytes:
    try:
        raw = bytes.fromhex(value) if isinstance(value, str) else b""
    except ValueError:
        raw = b""
    if len(raw) != 32 or raw.hex() != value:  # one spelling only: the entry's bytes use it
        raise VerificationFailed(seq, f"{name} is not a SHA-256 hash in hex")
    return raw


def _base64(seq: int, value: object, name: str = "sig") -> bytes:
    try:
        raw = base64.b64decode(value if isinstance(value, str) else "?", validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if not raw or base64.b64encode(raw).decode() != value:  # unused bits set: another spelling
        raise VerificationFailed(seq, f"{name} is not canonical base64")
    return raw


class _Frontier:
    """The RFC 9162 tree head of a growing list of leaves in O(log n) memory: the hashes of its
    complete subtrees, largest first (``ledger.merkle.root`` is the reference it is tested on)."""

    def __init__(self) -> None:
        self.size = 0
        self.stack: list[bytes] = []

    @classmethod
    def of(cls, leaves: bytes, size: int) -> bytes:
        """The tree head of the first ``size`` of the concatenated leaf hashes."""
        frontier = cls()
        for start in range(0, 32 * size, 32):
            frontier.append(leaves[start : start + 32])
        return frontier.root()

    def append(self, leaf: bytes) -> None:
        self.stack.append(leaf)
        index = self.size
        while index & 1:  # each trailing 1 bit closes a subtree
            right = self.stack.pop()
            self.stack.append(node_hash(self.stack.pop(), right))
            index >>= 1
        self.size += 1

    def root(self) -> bytes:
        if not self.stack:
            return EMPTY_ROOT
        hashed = self.stack[-1]
        for left in reversed(self.stack[:-1]):
            hashed = node_hash(left, hashed)
        return hashed


@dataclass(frozen=True)
class History:
    """What of a bundle is history recorded after the fact (``ledger.history``): entries dated
    before ``start``, the day the ledger began, on a ledger opened to record a past cycle."""

    start: date
    seqs: tuple[int, ...]

    def sentence(self) -> str:
        """The bundle's history in one sentence (none: no entry is)."""
        if not self.seqs:
            return f"No entry is dated before the ledger began on {self.start}."
        first, last = self.seqs[0], self.seqs[-1]
        return (
            f"{len(self.seqs)} entries (seq {first} to {last}) are dated before the ledger began "
            f"on {self.start}: history recorded after the fact, dated by their authors, not "
            "seen by the ledger as it happened."
        )


def bundle_history(folder: Path) -> History | None:
    """Which entries of the bundle in ``folder`` are history recorded after the fact, or None
    when its ledger records none (read after ``check_bundle``; only entry 0 is read then)."""
    lines = (folder / ENTRIES_FILE).open("rb")
    with lines:
        first = lines.readline()
        if not first:
            return None
        genesis = json.loads(first)
        start = history_before(genesis.get("event", {}), str(genesis.get("recorded_at", "")))
        if start is None:
            return None
        seqs = []
        for line in lines:
            entry = json.loads(line)
            occurred_at = entry.get("event", {}).get("occurred_at")
            if isinstance(occurred_at, str) and after_the_fact(occurred_at, start):
                seqs.append(int(entry["seq"]))
    return History(start, tuple(seqs))


def tree_head(leaves: bytes, size: int) -> bytes:
    """MTH of the first ``size`` leaves of concatenated 32-byte leaf hashes."""
    return _Frontier.of(leaves, size)
