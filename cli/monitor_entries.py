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
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from typing import Any

from pydantic_core import from_json

from ledger.errors import VerificationFailed
from ledger.policy import RolePolicy
from ledger.verify import BATCH, Reached, verify_rows
from tlog.merkle import leaf_hash

_HEAD = b'{"event":'
_TAIL = b',"prev":"'
_TAIL_FORM = re.compile(
    rb',"prev":"([0-9a-f]{64})","recorded_at":"([0-9T:.Z-]+)","seq":(0|[1-9][0-9]{0,18}),'
    rb'"sig":"([A-Za-z0-9+/]+={0,2})"}\Z'
)
Row = tuple[Any, ...]
Fields = dict[str, Any]  # an entry's event body, parsed
Part = tuple[list[bytes], list[Row], list[Fields], VerificationFailed | None]  # a bundle, read
AHEAD = 8  # bundles read ahead of the walk


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
    """The bytes of the entries walked, in seq order, their leaves, and the first that failed,
    if any, else where the walk ended."""

    entries: list[bytes]
    leaves: list[bytes]  # of the entries whose rows were read, in seq order
    failure: VerificationFailed | None
    reached: Reached | None = None


def rows_of(first: int, bundle: Sequence[bytes]) -> Part:
    """The bundle of entries from seq ``first``, its rows and bodies, and the first that is no
    entry."""
    rows: list[Row] = []
    events: list[Fields] = []
    for offset, data in enumerate(bundle):
        try:
            row, event = entry_row(first + offset, data)
        except VerificationFailed as failure:
            return list(bundle), rows, events, failure
        rows.append(row)
        events.append(event)
    return list(bundle), rows, events, None


def parsed_parts(bundles: Iterable[list[bytes]], parser: Executor, *, first: int) -> Iterator[Part]:
    """``rows_of`` each bundle in turn, the first from seq ``first``, read by ``parser`` a few
    bundles ahead."""
    pending: deque[Future[Part]] = deque()
    for bundle in bundles:
        pending.append(parser.submit(rows_of, first, bundle))
        first += len(bundle)
        if len(pending) > AHEAD:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def check_entries(
    parts: Iterator[Part],
    policy: RolePolicy,
    *,
    workers: int,
    checked: Callable[[list[Row], list[Fields]], None],
    start: Reached | None = None,
) -> Checked:
    """Run every check of ``assembly verify`` over the entries, in seq order, as they arrive
    (``workers`` signature-checking processes), from ``start`` (where the walk of the entries
    before them ended) or entry 0, and hand each batch the walk has checked to ``checked`` with
    the bodies of its rows (a batch's signatures may still be checking: a failure is said at
    the end).

    On the first failure the rest of ``parts`` is still read, so that the evidence can prove
    an entry in the whole tree."""
    entries: list[bytes] = []
    leaves: list[bytes] = []

    def batches() -> Iterator[list[Row]]:
        rows: list[Row] = []
        events: list[Fields] = []
        for bundle, parsed, bodies, failure in parts:
            entries.extend(bundle)
            rows.extend(parsed)
            events.extend(bodies)
            leaves.extend(row[5] for row in parsed)
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
        entries.extend(data for bundle, _, _, _ in parts for data in bundle)
        return Checked(entries, leaves, failure)
    return Checked(entries, leaves, None, walked.reached)
