"""The monitor's entries: read from the log's bytes, re-verified as ``assembly verify`` verifies
the database, and folded into every recommendation's status with the project's own fold.

An entry's bytes in a tile bundle are ``ledger.canonical.entry_bytes``:
``{"event":BODY,"prev":"HEX","recorded_at":"TIME","seq":N,"sig":"BASE64"}``, the body as stored.
They are cut into the row ``ledger.verify.verify_rows`` walks; the walk recomputes the entry's
hash from the parts, so a cut that did not give back the very bytes fails there.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from ledger.errors import VerificationFailed
from ledger.history import history_before
from ledger.policy import RolePolicy
from ledger.verify import BATCH, Report, default_workers, verify_rows
from projections.status import Status, fold, recorded_body
from tlog.merkle import leaf_hash

_HEAD = b'{"event":'
_TAIL = b',"prev":"'
Row = tuple[Any, ...]


def entry_row(seq: int, data: bytes) -> Row:
    """Entry ``seq``'s bytes as the verifier's row: (seq, position, prev, sig, recorded_at,
    hash, body, stream, version, type); raise VerificationFailed if they are no entry."""
    cut = data.rfind(_TAIL)
    try:
        if not data.startswith(_HEAD) or cut < 0:
            raise ValueError
        body = data[len(_HEAD) : cut]
        tail = json.loads(b"{" + data[cut + 1 :])
        event = json.loads(body)
        prev = bytes.fromhex(tail["prev"])
        sig = base64.b64decode(tail["sig"], validate=True)
        stored_seq, recorded_at = tail["seq"], tail["recorded_at"]
        stream = uuid.UUID(str(event.get("stream")))
        if not isinstance(stored_seq, int) or not isinstance(recorded_at, str):
            raise ValueError
    except (ValueError, KeyError, TypeError, AttributeError, binascii.Error):
        raise VerificationFailed(seq, "its bytes in the tiles are not an entry") from None
    digest = leaf_hash(data)
    return (stored_seq, seq, prev, sig, recorded_at, digest, body, stream, event.get("version"),
            event.get("type"))  # fmt: skip


def entry_rows(entries: Sequence[bytes]) -> list[Row]:
    """Every entry's row, in seq order."""
    return [entry_row(seq, data) for seq, data in enumerate(entries)]


def verify_entries(
    rows: Sequence[Row], policy: RolePolicy, *, workers: int | None = None
) -> Report:
    """Run every check of ``assembly verify`` over the entries' rows, in seq order; raise
    VerificationFailed at the first bad seq."""
    batches = (rows[start : start + BATCH] for start in range(0, len(rows), BATCH))
    chosen = default_workers(len(rows)) if workers is None else workers
    return verify_rows(batches, policy, workers=chosen).report


def folded(rows: Sequence[Row]) -> Status:
    """Every recommendation's status after the verified entries' rows, by the project's own
    fold (``projections.status``), history recorded after the fact judged as the ledger does."""
    state = Status()
    if not rows:
        return state
    history = history_before(json.loads(rows[0][6]), rows[0][4])
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        events = [
            found
            for row in batch
            if (found := recorded_body(row[1], row[4], row[6], history_before=history)) is not None
        ]
        state = replace(fold(state, events), seq=batch[-1][1])
    return state
