"""The monitor's entries: read from the log's bytes and re-verified as ``assembly verify``
verifies the database.

An entry's bytes in a tile bundle are ``ledger.canonical.entry_bytes``:
``{"event":BODY,"prev":"HEX","recorded_at":"TIME","seq":N,"sig":"BASE64"}``, the body as stored.
They are cut into the row ``ledger.verify.verify_rows`` walks; the walk recomputes the entry's
hash from the parts, so a cut that did not give back the very bytes fails there.
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from typing import Any

from pydantic_core import from_json

from ledger.errors import VerificationFailed
from ledger.keys import first_bad_signature, key_id_of
from ledger.policy import RolePolicy
from ledger.signers import ENROLLED
from ledger.verify import BATCH, Alone, Reached, alone, verify_rows
from tlog.merkle import MemoryNodes, leaf_hash
from tlog.tiles import Bundle, decode_bundle

_HEAD = b'{"event":'
_TAIL = b',"prev":"'
_TAIL_FORM = re.compile(
    rb',"prev":"([0-9a-f]{64})","recorded_at":"([0-9T:.Z-]+)","seq":(0|[1-9][0-9]{0,18}),'
    rb'"sig":"([A-Za-z0-9+/]+={0,2})"}\Z'
)
Row = tuple[Any, ...]
Fields = dict[str, Any]  # an entry's event body, parsed
# A bundle, read: its rows, their bodies parsed, and the first entry that is no entry
Part = tuple[list[Row], list[Fields], VerificationFailed | None]
# Bundles read ahead of the walk: enough that the workers have work while the walk folds a
# batch, or writes the rows the fold is done with (tens of ms each, benchmarks/monitor.py).
AHEAD = 32
Keys = dict[str, bytes]  # key id -> an Ed25519 public key an entry enrolled under it


def entry_row(seq: int, data: bytes) -> tuple[Row, Fields]:
    """Entry ``seq``'s bytes as the verifier's row: (seq, position, prev, sig, recorded_at,
    hash, body, stream, version, type), and its body parsed, which the status fold reads (the
    walk parses the body again, its own way); raise VerificationFailed if they are no entry."""
    cut = data.rfind(_TAIL)
    try:
        if not data.startswith(_HEAD) or cut < 0:
            raise ValueError
        body = data[len(_HEAD) : cut]
        event = from_json(body)
        tail = _TAIL_FORM.match(data, cut)
        if tail is not None:  # the stored form of every field: read without a JSON parser
            prev, recorded_at = bytes.fromhex(tail[1].decode()), tail[2].decode()
            stored_seq, sig = int(tail[3]), base64.b64decode(tail[4], validate=True)
        else:
            fields = from_json(b"{" + data[cut + 1 :])
            prev = bytes.fromhex(fields["prev"])
            sig = base64.b64decode(fields["sig"], validate=True)
            stored_seq, recorded_at = fields["seq"], fields["recorded_at"]
        stream = uuid.UUID(str(event.get("stream")))
        if not isinstance(stored_seq, int) or not isinstance(recorded_at, str):
            raise ValueError
    except (ValueError, KeyError, TypeError, AttributeError, binascii.Error):
        raise VerificationFailed(seq, "its bytes in the tiles are not an entry") from None
    digest = leaf_hash(data)
    return (stored_seq, seq, prev, sig, recorded_at, digest, body, stream, event.get("version"),
            event.get("type")), event  # fmt: skip


@dataclass
class Checked:
    """The first entry walked that failed, if any, else where the walk ended. Neither the
    entries (their file is, ``cli.monitor_state.EntriesFile``) nor their leaves (the tree is)
    are kept here."""

    failure: VerificationFailed | None
    reached: Reached | None = None


def rows_of(first: int, bundle: bytes) -> Part:
    """The rows and bodies of the entries from seq ``first`` in ``bundle`` (the tiles' bundle
    encoding), and the first that is no entry."""
    rows: list[Row] = []
    events: list[Fields] = []
    for offset, data in enumerate(decode_bundle(bundle)):
        try:
            row, event = entry_row(first + offset, data)
        except VerificationFailed as failure:
            return rows, events, failure
        rows.append(row)
        events.append(event)
    return rows, events, None


def checked_alone(first: int, bundle: bytes, keys: Keys) -> Part:
    """``rows_of``, and each row's checks that need no other entry (``ledger.verify.alone``),
    its signature too when ``keys`` (or an enrolment earlier in the bundle) has its signer's
    key: the work of a worker process, so that the walk makes only the checks of order. Each
    row carries them as its 11th element; the walk takes a signature's answer only when the
    signer it admits has the key it was checked with. The bundle itself is not sent back."""
    return unpacked(checked_apart(first, bundle, keys))


Sent = tuple[list[Row], VerificationFailed | None]  # what a worker sends back of a bundle


def checked_apart(first: int, bundle: bytes, keys: Keys) -> Sent:
    """``checked_alone`` as a worker process sends it back (``unpacked`` reads it): each
    row's checks as plain values, without the body parsed, which costs more to send and read
    back than to parse again. The bundle comes whole (the tiles' bundle encoding), and is cut
    into its entries here: one value to send, not one per entry."""
    known = dict(keys)
    checked: list[Row] = []
    for offset, data in enumerate(decode_bundle(bundle)):
        seq = first + offset
        row = _checked_row(seq, data)
        if row is None:  # the entry fails a check: read as the walk in this process reads it
            try:
                read, _ = entry_row(seq, data)
            except VerificationFailed as failure:
                return checked, failure
            stored_seq, seq, prev, sig, recorded_at, digest, body, stream, version, topic = read
            name = str(stream)
            done = alone(seq, prev, sig, recorded_at, digest, body, name, version, topic)
            row = (
                (stored_seq, seq, prev, sig, recorded_at, digest, body, name, version, topic),
                done,
            )
        (stored_seq, seq, prev, sig, recorded_at, digest, body, name, version, topic), done = row
        fields = done.fields
        signed_by, holds = None, False
        if fields is not None:
            if fields["type"] == ENROLLED:  # learnt to check the signatures after it
                _learn(known, fields)
            signed_by = known.get(fields["signer"])
            if signed_by is not None:
                holds = first_bad_signature([(seq, signed_by, sig, body)]) is None
        checked.append((stored_seq, seq, prev, sig, recorded_at, digest, body, name, version,
                        topic, fields is not None, done.problem, signed_by, holds))  # fmt: skip
    return checked, None


# The end of an event body in its canonical form: its stream, type and version, its last keys.
_BODY_END = re.compile(
    rb'"stream":"([^"\\]*)","type":"([^"\\]*)","version":(0|[1-9][0-9]{0,18})}\Z'
)


def _checked_row(seq: int, data: bytes) -> tuple[Row, Alone] | None:
    """Entry ``seq``'s row (``entry_row``) and its checks that need no other (``alone``), read
    without parsing its body first (``alone`` parses it): its stream, type and version are read
    from the body's canonical end, and ``alone`` checks them against the body parsed. None
    when any check fails, or the entry is not in that form: ``entry_row`` and ``alone`` then
    say what fails, as they would."""
    cut = data.rfind(_TAIL)
    if cut < 0 or not data.startswith(_HEAD):
        return None
    tail = _TAIL_FORM.match(data, cut)
    body = data[len(_HEAD) : cut]
    end = _BODY_END.match(body, max(0, body.rfind(b'"stream":"')))
    if tail is None or end is None:
        return None
    try:
        prev, sig = bytes.fromhex(tail[1].decode()), base64.b64decode(tail[4], validate=True)
        name, topic = end[1].decode(), end[2].decode()
    except (ValueError, binascii.Error):
        return None
    recorded_at, version, digest = tail[2].decode(), int(end[3]), leaf_hash(data)
    # The bytes are the entry's canonical bytes of these parts (entry_bytes) when its stored
    # seq is this one and its signature's base64 is the one base64 writes: the form matched
    # above writes prev, the time and the seq as entry_bytes does, and a time that is not a
    # timestamp fails first. Its hash is then theirs, and is not made a second time.
    canonical = int(tail[3]) == seq and base64.b64encode(sig) == tail[4]
    done = alone(seq, prev, sig, recorded_at, digest, body, name, version, topic,
                 of_its_bytes=canonical)  # fmt: skip
    if done.fields is None:
        return None
    return (int(tail[3]), seq, prev, sig, recorded_at, digest, body, name, version, topic), done


def unpacked(sent: Sent) -> Part:
    """A worker's rows (``checked_apart``) as the walk reads them, each body parsed again
    (the same value the worker's checks parsed from the same bytes)."""
    checked, failure = sent
    rows: list[Row] = []
    bodies: list[Fields] = []
    for row in checked:
        *columns, parsed, problem, signed_by, holds = row
        fields = from_json(columns[6])
        rows.append((*columns, Alone(columns[1], fields if parsed else None, problem, signed_by,
                                     holds)))  # fmt: skip
        bodies.append(fields)
    return rows, bodies, failure


def enrolled_keys(events: Iterable[Fields], keys: Keys) -> None:
    """Add to ``keys`` the public keys the enrolments among ``events`` name."""
    for event in events:
        if isinstance(event, dict) and event.get("type") == ENROLLED:
            _learn(keys, event)


def _learn(keys: Keys, fields: Fields) -> None:
    payload = fields.get("payload")
    text = payload.get("public_key") if isinstance(payload, dict) else None
    if not isinstance(text, str):
        return
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return
    keys[key_id_of(raw)] = raw


_ENROLMENT = b'"type":"' + ENROLLED.encode() + b'"'  # as a canonical body names its type


def _enrolled_in(bundle: bytes, keys: Keys) -> None:
    """Add to ``keys`` those that the enrolments in ``bundle`` name, as the bundle is handed to
    a worker, so that the workers given the bundles after it check their signatures: learnt
    only once the walk took the bundle, the keys of a log's first enrolments reached none of
    the bundles read ahead, whose signatures this process then checked itself. An enrolment
    not in the canonical form is learnt when the walk takes it."""
    if _ENROLMENT not in bundle:  # most bundles: not cut into entries here
        return
    for data in decode_bundle(bundle):
        if _ENROLMENT in data:
            try:
                event = from_json(data[len(_HEAD) : data.rfind(_TAIL)])
            except ValueError:
                continue  # not an entry: the walk says so
            enrolled_keys([event], keys)


def parsed_parts(
    bundles: Iterable[Bundle],
    parser: Executor,
    *,
    first: int,
    alone: bool = False,
    start: Reached | None = None,
) -> Iterator[Part]:
    """``rows_of`` each bundle in turn, the first from seq ``first``, read by ``parser`` a few
    bundles ahead; with ``alone`` (``parser``: worker processes), ``checked_alone``, told the
    signers' keys enrolled before ``start`` (where the walk of the entries before ``first``
    ended) and in the bundles read so far."""
    pending: deque[Future[Any]] = deque()
    keys: Keys = {} if start is None else {r.key_id: r.public_key for r in start.signers}

    def taken() -> Part:
        future = pending.popleft()
        if not alone:
            part: Part = future.result()
            return part
        rows, events, failure = unpacked(future.result())
        enrolled_keys(events, keys)
        return rows, events, failure

    for bundle, size in bundles:
        work: Future[Any] = parser.submit(checked_apart, first, bundle, dict(keys)) if alone \
            else parser.submit(rows_of, first, bundle)  # fmt: skip
        if alone:
            _enrolled_in(bundle, keys)
        pending.append(work)
        first += size
        if len(pending) > AHEAD:
            yield taken()
    while pending:
        yield taken()


def check_entries(
    parts: Iterator[Part],
    policy: RolePolicy,
    *,
    workers: int,
    checked: Callable[[list[Row], list[Fields]], None],
    tree: MemoryNodes,
    start: Reached | None = None,
) -> Checked:
    """Run every check of ``assembly verify`` over the entries, in seq order, as they arrive
    (``workers`` signature-checking processes), from ``start`` (where the walk of the entries
    before them ended) or entry 0, and hand each batch the walk has checked to ``checked`` with
    the bodies of its rows (a batch's signatures may still be checking: a failure is said at
    the end). ``tree``, the tree of the entries before them, grows by the leaves of the rows
    read as they come.

    On the first failure the rest of ``parts`` is still read, so that the evidence can prove
    an entry in the whole tree."""

    def batches() -> Iterator[list[Row]]:
        rows: list[Row] = []
        events: list[Fields] = []
        for parsed, bodies, failure in parts:
            rows.extend(parsed)
            events.extend(bodies)
            tree.extend(row[5] for row in parsed)
            if failure is not None:
                yield rows  # the rows before it are checked first, as verify_rows asks
                raise failure
            if len(rows) >= BATCH:
                yield rows
                checked(rows, events)  # resumed once the walk has checked them
                rows, events = [], []
        if rows:
            yield rows
            checked(rows, events)

    try:
        walked = verify_rows(batches(), policy, workers=workers, start=start)
    except VerificationFailed as failure:
        for _ in parts:  # read to the end: the entries after it are written as they pass
            pass
        return Checked(failure)
    return Checked(None, walked.reached)
