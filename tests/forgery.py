"""Forging entries as an insider would: signed with enrolled keys, hashed, the chain re-linked.

``history`` writes a small ledger through the real append path, with every kind of signer the
rules know (a key with a validity window, a revoked key, a role that may not write everything).
``Forgery`` holds that ledger as the verifier reads it (``ledger.verify.verify_rows``' rows:
seq, event position, prev, sig, recorded_at, hash, body, stream, version, type) and changes it
in memory the way someone with the database and some of the keys could: each tamper test
re-signs, re-hashes and re-links just enough that one rule alone is left to catch it.
Signatures and hashes come from the project's own helpers (``sign_events``, ``Signer.sign``,
``entry_hash``), so a change of the signing context or of the entry bytes reaches the forger too.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import astuple, dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from domain.roles import ROLE_GRANTS
from ledger import Head, Ledger, NewEvent, RolePolicy, Signer, sign_events
from ledger.canonical import canonical_bytes, entry_hash, format_time, parse_time
from ledger.entry import SignedEvent, parse_body
from ledger.verify import Walked, verify_rows
from tests.conftest import Clock

POLICY = RolePolicy(ROLE_GRANTS)
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
CHARTER, SECRETARIAT, GOVERNMENT, CLERK, RETIRED = (
    Signer.from_seed(bytes([n]) * 32) for n in (1, 2, 3, 4, 5)
)
STRANGER = Signer.from_seed(bytes([8]) * 32)
PANELS = uuid.UUID("00000000-0000-4000-8000-0000000000a1")
CLERKS = uuid.UUID("00000000-0000-4000-8000-0000000000a2")
RETIREES = uuid.UUID("00000000-0000-4000-8000-0000000000a3")
ANSWERS = uuid.UUID("00000000-0000-4000-8000-0000000000a4")
LONE = uuid.UUID("00000000-0000-4000-8000-0000000000a5")
CONVENED = "assembly.panel.convened"
RESPONDED = "assembly.government.responded"
ENTRIES = 14
LONE_SEQ = 12  # the only entry of its stream


def minute(n: float) -> datetime:
    """The moment ``n`` minutes after the history's first entry."""
    return START + timedelta(minutes=n)


def history(url: str) -> Ledger:
    """Write the 14 entries every forgery starts from, one a minute, through ``Ledger``:

    0 charter enrols itself; 1 secretariat, 2 government enrolled; 3 the clerk (a secretariat
    key valid from minute 5 until minute 10); 4 the retired key (secretariat); 5 the clerk writes
    at minute 5, the first moment of its validity; 6 the retired key writes; 7 the charter
    revokes it; 8, 9 panel events; 10 the government answers; 11 a panel event; 12 the only
    event of stream LONE; 13 a panel event.
    """
    clock = Clock(START)
    ledger = Ledger.create(url, POLICY, CHARTER, name="Charter", clock=clock)

    def tick() -> datetime:
        return clock.advance(minutes=1)

    tick()
    ledger.enrol(CHARTER, SECRETARIAT.public_key, role="secretariat", name="Secretariat")
    tick()
    ledger.enrol(CHARTER, GOVERNMENT.public_key, role="government", name="Minister of Climate")
    tick()
    ledger.enrol(
        CHARTER,
        CLERK.public_key,
        role="secretariat",
        name="Clerk on a fixed term",
        valid_from=minute(5),
        valid_until=minute(10),
    )
    tick()
    ledger.enrol(CHARTER, RETIRED.public_key, role="secretariat", name="Retired clerk")
    writes = [
        (CLERK, CLERKS, 0, CONVENED),
        (RETIRED, RETIREES, 0, CONVENED),
        None,  # the revocation
        (SECRETARIAT, PANELS, 0, CONVENED),
        (SECRETARIAT, PANELS, 1, CONVENED),
        (GOVERNMENT, ANSWERS, 0, RESPONDED),
        (SECRETARIAT, PANELS, 2, CONVENED),
        (SECRETARIAT, LONE, 0, CONVENED),
        (SECRETARIAT, PANELS, 3, CONVENED),
    ]
    for number, write in enumerate(writes):
        now = tick()
        if write is None:
            ledger.revoke(CHARTER, RETIRED.key_id, reason="Left the secretariat")
            continue
        signer, stream, version, event_type = write
        ledger.append_new(signer, stream, version, [NewEvent(event_type, {"number": number}, now)])
    return ledger


def rows_of(ledger: Ledger) -> list[tuple[Any, ...]]:
    """The ledger's rows as ``verify`` reads them from the database."""
    return [tuple(row) for rows in ledger.recorder.scan() for row in rows]


@dataclass
class Row:
    """One entry as the verifier reads it."""

    seq: int
    position: int
    prev: bytes
    sig: bytes
    recorded_at: str
    hash: bytes
    body: bytes | None
    stream: Any
    version: int
    topic: str

    @property
    def fields(self) -> dict[str, Any]:
        assert self.body is not None
        return parse_body(self.body)

    def rehashed(self) -> Row:
        """The same entry with the hash its bytes give."""
        assert self.body is not None
        digest = entry_hash(
            seq=self.seq, prev=self.prev, body=self.body, sig=self.sig, recorded_at=self.recorded_at
        )
        return replace(self, hash=digest)


class Forgery:
    """A ledger's rows, changed in memory; ``verify`` runs ``ledger.verify`` over them."""

    def __init__(self, rows: Sequence[Sequence[Any]]) -> None:
        self.rows = [Row(*(bytes(v) if isinstance(v, memoryview) else v for v in r)) for r in rows]

    def __getitem__(self, seq: int) -> Row:
        return self.rows[seq]

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def head(self) -> Head:
        return Head(len(self.rows) - 1, self.rows[-1].hash)

    def verify(
        self, *, expect: Sequence[Head] = (), orphan_seq: int | None = None, batch: int = 1000
    ) -> Walked:
        values = [astuple(row) for row in self.rows]
        batches = [values[start : start + batch] for start in range(0, len(values), batch)]
        return verify_rows(batches, POLICY, expect=expect, orphan_seq=orphan_seq)

    # --- signing, as the holder of an enrolled key --------------------------------------------

    def _bound(self) -> dict[str, str]:
        # A ledger that names itself in every signed body (a v2 signing context) must be named
        # by the forged bodies too, or another rule than the one under test would catch them.
        ledger = parse_body(self.rows[0].body).get("ledger") if self.rows else None
        return {} if ledger is None else {"ledger": ledger}

    def sign(
        self,
        signer: Signer,
        stream: uuid.UUID,
        version: int,
        event_type: str = CONVENED,
        payload: Mapping[str, Any] | None = None,
        *,
        occurred_at: datetime,
    ) -> SignedEvent:
        """Sign one event at ``version`` of ``stream`` as ``signer``."""
        event = NewEvent(event_type, payload or {"number": 99}, occurred_at)
        [signed] = sign_events(signer, stream, version - 1, [event], **self._bound())
        return signed

    def fields_of(self, signed: SignedEvent) -> dict[str, Any]:
        """A signed event's fields, to change and sign again with ``sign_fields``."""
        return dict(parse_body(signed.body))

    def sign_fields(self, signer: Signer, fields: Mapping[str, Any]) -> SignedEvent:
        """Sign a body of the given fields, canonical but perhaps not of the entry format."""
        body = canonical_bytes(dict(fields))
        return SignedEvent(body=body, sig=signer.sign(body), fields=dict(fields))

    # --- writing rows -------------------------------------------------------------------------

    def row_of(self, seq: int, signed: SignedEvent, *, prev: bytes, recorded_at: str) -> Row:
        fields = signed.fields
        try:
            stream = uuid.UUID(str(fields.get("stream")))
        except ValueError:
            stream = uuid.UUID(int=0)  # the stream column holds a UUID, whatever the body says
        row = Row(
            seq=seq,
            position=self._next_position(),
            prev=prev,
            sig=signed.sig,
            recorded_at=recorded_at,
            hash=b"",
            body=signed.body,
            stream=stream.bytes,
            version=fields.get("version", 1),
            topic=fields.get("type", CONVENED),
        )
        return row.rehashed()

    def _next_position(self) -> int:
        return max((row.position for row in self.rows), default=0) + 1

    def next_time(self) -> str:
        """A minute after the last entry's recording."""
        return format_time(parse_time(self.rows[-1].recorded_at) + timedelta(minutes=1))

    def append(self, signed: SignedEvent, *, recorded_at: str | None = None) -> int:
        """Append a well-linked, well-hashed entry for ``signed``; return its seq."""
        seq = len(self.rows)
        prev = self.rows[-1].hash if self.rows else bytes(32)
        when = recorded_at or self.next_time()
        self.rows.append(self.row_of(seq, signed, prev=prev, recorded_at=when))
        return seq

    def replace_event(self, seq: int, signed: SignedEvent) -> None:
        """Put another signed event in entry ``seq`` (its hash is left as it was)."""
        self.rows[seq] = replace(
            self.rows[seq], body=signed.body, sig=signed.sig, topic=signed.fields["type"]
        )

    def rehash(self, seq: int) -> None:
        """Recompute entry ``seq``'s hash from its bytes (its prev is left as it is)."""
        self.rows[seq] = self.rows[seq].rehashed()

    def relink(self, start: int) -> None:
        """Recompute prev and hash of every entry from ``start`` on, as a careful attacker would."""
        for seq in range(start, len(self.rows)):
            prev = self.rows[seq - 1].hash if seq else bytes(32)
            self.rows[seq] = replace(self.rows[seq], prev=prev).rehashed()

    def remove(self, seq: int) -> None:
        """Take entry ``seq`` out and number the later entries down (hashes left as they were)."""
        del self.rows[seq]
        for later in range(seq, len(self.rows)):
            self.rows[later] = replace(self.rows[later], seq=later)


def failure(seq: int, reason: str) -> str:
    """The whole sentence of a failed verification at ``seq``, as a regular expression."""
    return "^" + re.escape(f"Verification failed at seq {seq}: {reason}.") + "$"
