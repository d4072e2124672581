"""The one append path: signed events to a stream at an expected version, checked, then chained."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Iterator, Sequence
from datetime import UTC, date, datetime

from eventsourcing.persistence import IntegrityError, PersistenceError, StoredEvent
from sqlalchemy.exc import SQLAlchemyError

from ledger.canonical import format_time
from ledger.entry import (
    KEY_ID,
    Entry,
    Head,
    NewEvent,
    SignedEvent,
    check_entry_size,
    sign_events,
)
from ledger.errors import (
    BadSignature,
    InvalidEvent,
    LedgerIsACopy,
    LedgerRuleBroken,
    StreamVersionConflict,
    UnknownSigner,
    WrongLedger,
)
from ledger.faults import storage_fault
from ledger.history import history_before
from ledger.identity import IDENTITY_STREAM, IdentityBook, declaration, new_identity
from ledger.keys import PublicKey, Signer, verify_signature
from ledger.policy import CHARTER_ROLE, RolePolicy
from ledger.signers import (
    ENROLLED,
    REVOKED,
    SignerBook,
    SignerRecord,
    enrolment,
    revocation,
    signer_stream,
)
from ledger.storage import AppendPoint, LedgerRecorder, open_recorder

Clock = Callable[[], datetime]
NewBatch = tuple[uuid.UUID, int, Sequence[NewEvent]]
SignedBatch = tuple[uuid.UUID, int, Sequence[SignedEvent]]


def utc_now() -> datetime:
    """The ledger's default clock."""
    return datetime.now(UTC)


class Ledger:
    """A signed, hash-chained ledger on one database."""

    def __init__(self, recorder: LedgerRecorder, policy: RolePolicy, *, clock: Clock = utc_now):
        self.recorder = recorder
        self.policy = policy
        self.clock = clock
        # Enrolments never change: a signer's record is kept while it is not revoked (the append
        # transaction still checks its stream for a revocation).
        self._signers: dict[str, SignerRecord] = {}
        self._identity: str | None = None  # read when first needed
        self._history: tuple[date | None] | None = None  # entry 0 never changes: read once
        self._at_home = False  # checked before the first write
        recorder.clock = lambda: format_time(self.clock())

    @classmethod
    def open(cls, location: str, policy: RolePolicy, *, clock: Clock = utc_now) -> Ledger:
        """Open an existing ledger (a database URL or a SQLite file path)."""
        return cls(open_recorder(location), policy, clock=clock)

    @classmethod
    def create(
        cls,
        location: str,
        policy: RolePolicy,
        charter: Signer,
        *,
        name: str,
        clock: Clock = utc_now,
        identity: str | None = None,
        valid_from: datetime | None = None,
    ) -> Ledger:
        """Create a ledger whose entry 0 is the charter key enrolling itself, naming the new
        ledger's identity (random unless given). The charter key is valid from now, or from
        ``valid_from`` for a ledger that records history (``ledger.history``)."""
        ledger = cls(open_recorder(location, create=True), policy, clock=clock)
        ledger.recorder.record_home(ledger.recorder.place())
        ledger._identity = identity or new_identity()
        now = clock()
        if valid_from is not None and valid_from > now:
            raise InvalidEvent(
                f"The charter key's validity starts {format_time(valid_from)}, after now: give a "
                "start on or before today."
            )
        genesis = enrolment(
            charter.public_key,
            role=CHARTER_ROLE,
            name=name,
            valid_from=valid_from or now,
            occurred_at=now,
        )
        ledger.append_new(charter, signer_stream(charter.key_id), 0, [genesis])
        return ledger

    def close(self) -> None:
        engine = self.recorder.datastore.engine
        if engine is not None:
            engine.dispose()  # type: ignore[union-attr]

    # -- writing --------------------------------------------------------------------------

    def append_new(
        self, signer: Signer, stream: uuid.UUID, expected_version: int, events: Sequence[NewEvent]
    ) -> list[Entry]:
        """Sign new events with ``signer`` and append them (see ``append``)."""
        return self.append_new_batches(signer, [(stream, expected_version, events)])

    def append_new_batches(
        self, signer: Signer, batches: Sequence[NewBatch], *, dry_run: bool = False
    ) -> list[Entry]:
        """Sign new events for several streams with ``signer`` and append them in one
        transaction: every stream at its expected version and every event admitted, or nothing
        written. Entries follow the order of the batches. With ``dry_run``, every check runs
        in the transaction, which is then rolled back: it raises what the append would, and
        returns no entries."""
        for attempt in (1, 2):
            identity = self.identity()
            signed = [
                (
                    stream,
                    expected,
                    sign_events(signer, stream, expected, events, ledger=identity, dry_run=dry_run),
                )
                for stream, expected, events in batches
            ]
            try:
                # The signatures were just made by the key whose id they name: nothing to check.
                return self._append(signed, signatures_checked=True, dry_run=dry_run)
            except WrongLedger:
                if attempt == 2:
                    raise
                self._identity = None  # another process declared a new identity: read it again
        raise AssertionError("unreachable")

    def append(
        self, stream: uuid.UUID, expected_version: int, events: Sequence[SignedEvent]
    ) -> list[Entry]:
        """Append signed events to ``stream``, which must be at ``expected_version``.

        Checks, before anything is written: every signature verifies; the signer is enrolled,
        valid at each ``occurred_at``, not revoked, and its role may write each event type; the
        stream is at the expected version; no event is dated after the ledger's clock. Any
        failure raises an AppendRefused error and writes nothing.
        """
        return self.append_batches([(stream, expected_version, events)])

    def append_batches(
        self, batches: Sequence[SignedBatch], *, dry_run: bool = False
    ) -> list[Entry]:
        """Append signed events to several streams in one transaction, with every check of
        ``append`` for each: all written, in the order of the batches, or nothing. With
        ``dry_run``, the events are signed for a rehearsal (``ledger.canonical``) and every check
        runs in the transaction, which is then rolled back: it raises what the append would,
        and returns no entries."""
        return self._append(batches, signatures_checked=False, dry_run=dry_run)

    def _append(
        self,
        batches: Sequence[SignedBatch],
        *,
        signatures_checked: bool,
        dry_run: bool = False,
        away_from_home: bool = False,
    ) -> list[Entry]:
        if not batches:
            raise InvalidEvent("Nothing to append: give at least one event.")
        if len({stream for stream, _, _ in batches}) != len(batches):
            raise InvalidEvent("A stream appears twice in one append: give its events together.")
        for stream, expected_version, batch in batches:
            self._check_shape(stream, expected_version, batch)
        events = [event for _, _, batch in batches for event in batch]
        signer_id = _one_signer(events)
        if not signatures_checked:
            self.check_signatures(events, dry_run=dry_run)
        if not away_from_home:
            self._check_home()

        def admit(at: AppendPoint) -> None:
            identity = IdentityBook(at.identity(), moved_on=True)
            book = SignerBook(self.policy)
            known = self._signers.get(signer_id)
            touches_signers = any(event.type.startswith("ledger.") for event in events)
            if known is not None and at.signer_events == 1 and not touches_signers:
                # The signer's stream holds its enrolment alone: enrolled, never revoked.
                book.records[signer_id] = known
            else:
                subjects = {signer_id, *(key for event in events if (key := _subject(event)))}
                for fields in at.lookup(subjects):
                    # Only whether a key was enrolled or revoked matters for the next entry,
                    # not where: -1 stands for "earlier in the ledger".
                    book.learn(-1, fields)
                if signer_id in book.records and book.records[signer_id].revoked_seq is None:
                    self._signers[signer_id] = book.records[signer_id]
            for offset, event in enumerate(events):
                book.admit(at.seq + offset, event.fields)
                identity.admit(at.seq + offset, event.fields, b"")
                if event.occurred_at > at.recorded_at:
                    raise InvalidEvent(
                        f"{event.type} is dated {event.occurred_at}, after the ledger's clock "
                        f"({at.recorded_at}); an event cannot be recorded before it happens."
                    )
            if dry_run:
                raise _Rehearsed  # every check passed: roll the transaction back

        stored = [
            StoredEvent(
                originator_id=event.stream,
                originator_version=event.version,
                topic=event.type,
                state=event.body,
            )
            for event in events
        ]
        first_expected = batches[0][1]
        written: list[Entry] = []
        try:
            self.recorder.insert_events(
                stored,
                signed=events,
                expected_version=first_expected,
                also=[(stream, expected, len(batch)) for stream, expected, batch in batches[1:]],
                signer_stream=signer_stream(signer_id),
                admit=admit,
                out=written,
            )
        except _Rehearsed:
            return []
        except IntegrityError:
            streams = ", ".join(str(stream) for stream, _, _ in batches)
            raise StreamVersionConflict(streams, first_expected) from None
        except (PersistenceError, SQLAlchemyError) as exc:
            raise storage_fault(exc, self.recorder.location) from None
        return written

    def check_signatures(self, events: Sequence[SignedEvent], *, dry_run: bool = False) -> None:
        """Raise unless the events are all signed by one key, enrolled here, over their own
        bytes (in the dry-run context for a rehearsal): the cheap first check of untrusted
        input; the append checks the signer's validity, revocation and role in its
        transaction."""
        signer_id = _one_signer(events)
        public_key = self._public_key(signer_id, events[0])
        for event in events:
            if not verify_signature(public_key, event.sig, event.body, dry_run=dry_run):
                raise BadSignature(signer_id, event.type)

    def _check_home(self) -> None:
        """Refuse writes to a database that is not where the ledger lives (a copy)."""
        if self._at_home:
            return
        here, home = self.recorder.place(), self.recorder.home()
        if home is None:  # a ledger of an earlier release: it lives where it is first written
            self.recorder.record_home(here)
        elif home != here:
            raise LedgerIsACopy(home, here)
        self._at_home = True

    def _check_shape(
        self, stream: uuid.UUID, expected_version: int, events: Sequence[SignedEvent]
    ) -> None:
        if not events:
            raise InvalidEvent("Nothing to append: give at least one event.")
        for offset, event in enumerate(events, start=1):
            check_entry_size(event)
            if event.stream != stream:
                raise InvalidEvent(
                    f"{event.type} is signed for stream {event.stream}, not {stream}."
                )
            if event.version != expected_version + offset:
                raise StreamVersionConflict(str(stream), expected_version + offset - 1)

    def _public_key(self, signer_id: str, first: SignedEvent) -> bytes:
        record = self._signers.get(signer_id)
        if record is None:
            book = SignerBook(self.policy)
            for entry in self.recorder.read_stream(signer_stream(signer_id)):
                book.learn(entry.seq, entry.event)
            record = book.records.get(signer_id)
        if record is not None:
            return record.public_key
        if self.recorder.head() is None and first.type == ENROLLED:
            # Entry 0: the charter key enrols itself; the book checks the rest.
            return PublicKey.from_text(str(first.fields["payload"]["public_key"])).raw
        raise UnknownSigner(signer_id)

    def enrol(
        self,
        charter: Signer,
        public_key: PublicKey,
        *,
        role: str,
        name: str,
        valid_from: datetime | None = None,
        valid_until: datetime | None = None,
    ) -> Entry:
        """Enrol a key with a role, signed by a charter key."""
        now = self.clock()
        event = enrolment(
            public_key,
            role=role,
            name=name,
            valid_from=valid_from or now,
            valid_until=valid_until,
            occurred_at=now,
        )
        return self.append_new(charter, signer_stream(public_key.key_id), 0, [event])[0]

    def revoke(self, charter: Signer, key_id: str, *, reason: str) -> Entry:
        """Revoke a key from this point of the ledger on, signed by a charter key."""
        if not KEY_ID.match(key_id):
            raise LedgerRuleBroken(f"{key_id!r} is not a key id (32 hexadecimal characters).")
        event = revocation(key_id, reason=reason, occurred_at=self.clock())
        stream = signer_stream(key_id)
        found = self.recorder.read_stream(stream)
        if not found:
            raise LedgerRuleBroken(f"Key {key_id} cannot be revoked: it was never enrolled.")
        if len(found) > 1:  # its enrolment, then its revocation
            raise LedgerRuleBroken(
                f"Key {key_id} was revoked at entry {found[1].seq}: a key is revoked once."
            )
        return self.append_new(charter, stream, 1, [event])[0]

    def declare_identity(self, charter: Signer, *, reason: str) -> Entry:
        """Give this ledger a new random identity from the next entry on, signed by a charter
        key, and make where it is now its home: what a copy of a ledger does before it takes
        writes (nothing signed for the original is then taken here, nor the other way round)."""
        identity = self.identity()
        stream_version = len(self.recorder.read_stream(IDENTITY_STREAM))
        event = declaration(new_identity(), reason=reason, occurred_at=self.clock())
        signed = sign_events(charter, IDENTITY_STREAM, stream_version, [event], ledger=identity)
        [entry] = self._append(
            [(IDENTITY_STREAM, stream_version, signed)],
            signatures_checked=True,
            away_from_home=True,
        )
        self.recorder.record_home(self.recorder.place())
        self._identity, self._at_home = None, False
        return entry

    def moved_here(self) -> None:
        """Record that this ledger, the same one, now lives where it was opened."""
        self.recorder.record_home(self.recorder.place())
        self._at_home = False

    # -- reading --------------------------------------------------------------------------

    def identity(self) -> str:
        """Return the ledger's identity, which every new signature names."""
        if self._identity is None:
            found = self.recorder.identity()
            if found is None:
                raise InvalidEvent("The ledger is empty: it has no identity yet.")
            self._identity = found
        return self._identity

    def history_before(self) -> date | None:
        """The day before which entries are history recorded after the fact, or None when
        the ledger records only what it sees happen (``ledger.history``)."""
        if self._history is None:
            found = self.recorder.read_entries(start=0, limit=1)
            genesis = found[0] if found and found[0].seq == 0 else None
            self._history = (
                None if genesis is None else history_before(genesis.event, genesis.recorded_at),
            )
        return self._history[0]

    def head(self) -> Head | None:
        """Return the last entry's seq and hash, or None for an empty ledger."""
        found = self.recorder.head()
        return None if found is None else Head(*found)

    def entries(self, *, start: int = 0, batch: int = 1000) -> Iterator[Entry]:
        """Yield every entry from ``start`` in seq order, a batch at a time."""
        while True:
            chunk = self.recorder.read_entries(start=start, limit=batch)
            yield from chunk
            if len(chunk) < batch:
                return
            start = chunk[-1].seq + 1

    def stream(self, stream: uuid.UUID) -> list[Entry]:
        """Return one stream's entries in version order."""
        return self.recorder.read_stream(stream)

    def streams(self, streams: Sequence[uuid.UUID]) -> list[Entry]:
        """Return the entries of several streams together, in seq order."""
        return self.recorder.read_streams(streams)

    def entries_at(self, seqs: Collection[int]) -> list[Entry]:
        """Return the entries at ``seqs`` (those the ledger holds), in seq order."""
        return self.recorder.read_seqs(seqs)

    def entries_of_types(self, *names: str) -> list[Entry]:
        """Return the entries whose event type is one of ``names``, in seq order (indexed)."""
        return self.recorder.read_types(*names)

    def signers(self) -> list[SignerRecord]:
        """Return every enrolled key, revoked or not, in enrolment order."""
        book = SignerBook(self.policy)
        for entry in self.entries_of_types(ENROLLED, REVOKED):
            book.learn(entry.seq, entry.event)
        return sorted(book.records.values(), key=lambda record: record.enrolled_seq)

    def count(self) -> int:
        return self.recorder.count()


def _one_signer(events: Sequence[SignedEvent]) -> str:
    if not events:
        raise InvalidEvent("Nothing to append: give at least one event.")
    if len({event.signer for event in events}) != 1:
        raise InvalidEvent("One append is signed by one signer.")
    return events[0].signer


class _Rehearsed(Exception):
    """Raised inside a dry-run append once it is admitted, to roll it back."""


def _subject(event: SignedEvent) -> str | None:
    """The key a revocation is about (its stream holds the enrolment the rules need)."""
    key_id = event.fields["payload"].get("key_id") if event.type == REVOKED else None
    return key_id if isinstance(key_id, str) else None
