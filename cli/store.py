"""The domain's EventStore port over the ledger, signing with the acting key.

This is where the domain's events become ledger events: ``Pending`` -> ``NewEvent`` (type
name, schema, JSON payload) on the way in, entries -> ``Recorded`` (decoded, upcast) on the way
out, with each signer's role from the ledger's own enrolments.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from domain.catalogue import event_types
from domain.events import Pending, Recorded, recorded_from
from domain.process import Batch
from ledger import Entry, Ledger, NewEvent, Signer
from ledger.errors import UnknownSigner

KNOWN_TYPES = event_types()


class LedgerStore:
    """The assembly's events in a ledger, appended by one key."""

    def __init__(self, ledger: Ledger, signer: Signer | None) -> None:
        self.ledger = ledger
        self.signer = signer
        self._roles = {record.key_id: record.role for record in ledger.signers()}
        self.written: list[Entry] = []

    @property
    def role(self) -> str:
        if self.signer is None:
            raise AssertionError("a read-only store has no role")
        role = self._roles.get(self.signer.key_id)
        if role is None:
            raise UnknownSigner(self.signer.key_id)
        return role

    def load(self, stream: uuid.UUID) -> list[Recorded]:
        return [self.recorded(entry) for entry in self.ledger.stream(stream)]

    def find(self, seq: int) -> Recorded | None:
        found = self.ledger.recorder.read_entries(start=seq, limit=1)
        if not found or found[0].seq != seq:
            return None
        entry = found[0]
        if entry.event["type"] not in KNOWN_TYPES:
            return None
        return self.recorded(entry)

    def of_type(self, type_name: str) -> list[Recorded]:
        return [self.recorded(entry) for entry in self.ledger.recorder.read_types(type_name)]

    def append(self, batches: Sequence[Batch]) -> list[int]:
        written = self._append(batches, dry_run=False)
        self.written.extend(written)
        return [entry.seq for entry in written]

    def rehearse(self, batches: Sequence[Batch]) -> None:
        """Run every check of ``append`` (signatures, role, versions) and write nothing."""
        self._append(batches, dry_run=True)

    def _append(self, batches: Sequence[Batch], *, dry_run: bool) -> list[Entry]:
        if self.signer is None:
            raise AssertionError("a read-only store cannot append")
        new = [
            (stream, expected, [new_event(pending) for pending in events])
            for stream, expected, events in batches
        ]
        return self.ledger.append_new_batches(self.signer, new, dry_run=dry_run)

    def recorded(self, entry: Entry) -> Recorded:
        """Decode one ledger entry into the domain's event."""
        fields = entry.event
        role = self._roles.get(fields["signer"])
        return recorded_from(
            fields,
            seq=entry.seq,
            recorded_at=entry.recorded_at,
            role=role,
            history_before=self.ledger.history_before(),
        )


def new_event(pending: Pending) -> NewEvent:
    event = pending.event
    return NewEvent(
        type=event.TYPE,
        payload=event.to_payload(),
        occurred_at=pending.occurred_at,
        schema=event.SCHEMA,
    )
