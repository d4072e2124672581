"""What the server checks of a signed submission before it writes it (``web.submissions``):
first that every event is signed by one enrolled key (the cheapest check, so that unsigned junk
costs a lookup and a verification, not a replay of the domain), then no replay, every stream at
its expected version, the domain's own step replayed against the server's state deciding
exactly what was signed (``web.steps``), then every check of the ledger's own append, in one
transaction for every stream. The ledger's own signer events (an enrolment, a revocation) have
no domain step: the append's rules (a charter key writes them, the key's form, its validity,
enrolled once and revoked once) are their whole check. Each refusal is an error whose sentence
the client is shown, and ``status_for`` its HTTP status."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from domain.catalogue import event_types
from domain.errors import NotAllowed, RuleBroken, UnknownEventType
from domain.events import Pending, Recorded, decode, moment, recorded_from
from domain.process import Batch, Session
from ledger import Entry, Ledger, SignedEvent
from ledger.canonical import format_time
from ledger.errors import (
    AppendRefused,
    BadSignature,
    LedgerError,
    RoleNotAllowed,
    SignerNotValid,
    SignerRevoked,
    StorageError,
    StreamVersionConflict,
    UnknownSigner,
)
from ledger.signers import ENROLLED, REVOKED
from web.steps import STEPS

SignedBatch = tuple[uuid.UUID, int, list[SignedEvent]]
NOT_THIS_SIGNER = (UnknownSigner, BadSignature, RoleNotAllowed, SignerRevoked, SignerNotValid)
KNOWN_TYPES = event_types()  # importing the catalogue registers every type ``decode`` reads
LEDGER_OWN = frozenset({ENROLLED, REVOKED})  # checked by the ledger's append alone


class Replayed(AppendRefused):
    """The exact signed event is already in the ledger: a submission is applied once."""

    def __init__(self, event_type: str, seq: int) -> None:
        super().__init__(event_type, seq)
        self.event_type = event_type
        self.seq = seq

    def sentence(self) -> str:
        return (
            f"This {self.event_type} is already in the ledger at seq {self.seq}: a signed "
            "event is written once, and submitting it again is a replay."
        )


def admit(book: Ledger, batches: Sequence[SignedBatch], *, dry_run: bool = False) -> list[Entry]:
    """Append a submission after every check; raise the first that fails, writing nothing.
    With ``dry_run``, write nothing either way and return no entries."""
    book.check_signatures([event for _, _, batch in batches for event in batch], dry_run=dry_run)
    check_positions(book, batches)
    check_rules(book, batches)
    return book.append_batches(batches, dry_run=dry_run)


def check_positions(book: Ledger, batches: Sequence[SignedBatch]) -> None:
    """Refuse a replayed event, then a stream that is not at the expected version."""
    for stream, expected, events in batches:
        stored = book.stream(stream)
        for event in events:
            if 1 <= event.version <= len(stored):
                there = stored[event.version - 1]
                if there.body == event.body:
                    raise Replayed(event.type, there.seq)
        if len(stored) != expected:
            raise StreamVersionConflict(str(stream), expected, len(stored))


def check_rules(book: Ledger, batches: Sequence[SignedBatch]) -> None:
    """Replay the domain step of each event against the ledger and require that it decides
    exactly the submitted events, in the same streams, at the same versions and times. A
    signer event has no domain step: it is left to the ledger's own rules."""
    events = [event for _, _, batch in batches for event in batch if event.type not in LEDGER_OWN]
    if not events:
        return
    session = Session(_Reader(book, events[0].signer))
    for event in events:
        known = KNOWN_TYPES.get(event.type)
        if known is None:
            raise UnknownEventType(event.type)
        step = STEPS.get(known)
        if step is None:
            raise AssertionError(f"{event.type} has no step in web.steps.STEPS")
        decoded = decode(event.type, int(event.fields["schema"]), event.fields["payload"])
        step(session, decoded, moment(event.occurred_at))
    if _decided(session.pending()) != _submitted(batches):
        raise NotAllowed(
            f"The submitted {events[0].type} is not what the assembly's rules decide from the "
            "server's state (its stream, version, time or payload differ): run the step again "
            "and sign what it decides."
        )


def _decided(batches: Sequence[Batch]) -> dict[uuid.UUID, list[Mapping[str, Any]]]:
    return {
        stream: [_fields(pending, version + offset) for offset, pending in enumerate(events, 1)]
        for stream, version, events in batches
    }


def _fields(pending: Pending, version: int) -> Mapping[str, Any]:
    """What a signer of this pending event signs, apart from its own key id."""
    event = pending.event
    return {
        "type": event.TYPE,
        "schema": event.SCHEMA,
        "version": version,
        "occurred_at": format_time(pending.occurred_at),
        "payload": event.to_payload(),
    }


def _submitted(batches: Sequence[SignedBatch]) -> dict[uuid.UUID, list[Mapping[str, Any]]]:
    return {
        stream: [
            {name: event.fields[name] for name in ("type", "schema", "version", "occurred_at")}
            | {"payload": event.fields["payload"]}
            for event in events
            if event.type not in LEDGER_OWN
        ]
        for stream, _, events in batches
        if any(event.type not in LEDGER_OWN for event in events)
    }


def status_for(error: LedgerError | RuleBroken) -> int:
    """The HTTP status of a refusal: who may write 403, where it goes 409, what it says 422."""
    if isinstance(error, NOT_THIS_SIGNER):
        return 403
    if isinstance(error, StreamVersionConflict | Replayed):
        return 409
    if isinstance(error, StorageError):
        return 503
    return 422


class _Reader:
    """The domain's store port, read-only, for replaying a submitted step: the role is that of
    the key that signed the submission, and nothing is ever appended through it."""

    def __init__(self, book: Ledger, signer: str) -> None:
        self.book = book
        self.signer = signer
        self._roles = {record.key_id: record.role for record in book.signers()}

    @property
    def role(self) -> str:
        role = self._roles.get(self.signer)
        if role is None:
            raise UnknownSigner(self.signer)
        return role

    def load(self, stream: uuid.UUID) -> list[Recorded]:
        return [self._recorded(entry) for entry in self.book.stream(stream)]

    def find(self, seq: int) -> Recorded | None:
        found = self.book.recorder.read_entries(start=seq, limit=1)
        if not found or found[0].seq != seq or found[0].event["type"] not in KNOWN_TYPES:
            return None
        return self._recorded(found[0])

    def of_type(self, type_name: str) -> list[Recorded]:
        return [self._recorded(entry) for entry in self.book.recorder.read_types(type_name)]

    def append(self, batches: Sequence[Batch]) -> list[int]:
        raise AssertionError("a replayed step is compared with the submission, never committed")

    def _recorded(self, entry: Entry) -> Recorded:
        fields = entry.event
        role = self._roles.get(fields["signer"])
        return recorded_from(
            fields,
            seq=entry.seq,
            recorded_at=entry.recorded_at,
            role=role,
            history_before=self.book.history_before(),
        )
