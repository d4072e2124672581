"""The value types of the ledger: events to append, signed events, stored entries, heads."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic_core import from_json

from ledger.canonical import (
    MAX_ENTRY_BYTES,
    canonical_bytes,
    check_canonical,
    entry_bytes,
    entry_hash,
    format_time,
    is_timestamp,
)
from ledger.errors import (
    BadHead,
    CanonicalizationError,
    InvalidEvent,
    NotCanonical,
    StreamVersionConflict,
)
from ledger.keys import Signer

EVENT_TYPE = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+\Z")
_HEAD = re.compile(r"(?P<seq>[0-9]+):(?P<hash>[0-9a-fA-F]{64})\Z")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
KEY_ID = re.compile(r"[0-9a-f]{32}\Z")
LEDGER_ID = re.compile(r"[0-9a-f]{32}\Z")
# A v1 body (earlier releases) has these members; a v2 body also names its ledger.
LEGACY_BODY_FIELDS = frozenset(
    {"type", "schema", "stream", "version", "occurred_at", "payload", "signer"}
)
BODY_FIELDS = LEGACY_BODY_FIELDS | {"ledger"}


@dataclass(frozen=True)
class NewEvent:
    """An event a caller wants to append: what happened, when, and its payload."""

    type: str
    payload: Mapping[str, Any]
    occurred_at: datetime
    schema: int = 1


@dataclass(frozen=True)
class SignedEvent:
    """The canonical body of an event and its author's signature over it."""

    body: bytes
    sig: bytes
    fields: Mapping[str, Any] = field(compare=False)

    @property
    def type(self) -> str:
        return str(self.fields["type"])

    @property
    def stream(self) -> uuid.UUID:
        return uuid.UUID(self.fields["stream"])

    @property
    def version(self) -> int:
        return int(self.fields["version"])

    @property
    def occurred_at(self) -> str:
        return str(self.fields["occurred_at"])

    @property
    def signer(self) -> str:
        return str(self.fields["signer"])

    @property
    def ledger(self) -> str | None:
        """The identity of the ledger the event was signed for (None: a v1 body)."""
        found = self.fields.get("ledger")
        return None if found is None else str(found)

    @classmethod
    def from_parts(cls, body: bytes, sig: bytes) -> SignedEvent:
        """Rebuild a signed event from received bytes, which must be their canonical form."""
        return cls(body=body, sig=sig, fields=parse_body(body))


def parse_body(body: bytes, *, canonical: bool = True) -> dict[str, Any]:
    """Parse an event body and check that it has exactly the fields of the format and, unless
    ``canonical`` is False (reading what an earlier release stored), that the bytes are their own
    RFC 8785 form: NotCanonical says what is not."""
    try:  # pydantic-core's parser (jiter): three times the speed of the json module's
        fields = from_json(body)
    except ValueError as exc:  # also bad UTF-8 and lone surrogates, which RFC 8785 never writes
        raise InvalidEvent(f"The event body is not JSON: {exc}.") from None
    if not isinstance(fields, dict) or (
        set(fields) != BODY_FIELDS and set(fields) != LEGACY_BODY_FIELDS
    ):
        raise InvalidEvent("The event body does not have the fields of the entry format.")
    if not ("ledger" not in fields or _known_form(fields["ledger"], LEDGER_ID)) or not (
        _known_form(fields["type"], EVENT_TYPE)
        and _positive_int(fields["schema"])
        and _positive_int(fields["version"])
        and isinstance(fields["stream"], str)
        and _UUID.match(fields["stream"])
        and is_timestamp(fields["occurred_at"])
        and isinstance(fields["payload"], dict)
        and _known_form(fields["signer"], KEY_ID)
    ):
        raise InvalidEvent("The event body has a field of the wrong form.")
    if canonical:
        try:
            check_canonical(body, fields)
        except CanonicalizationError as exc:
            raise NotCanonical(exc.sentence()) from None
    return fields


_checked_forms: dict[re.Pattern[str], set[str]] = {
    EVENT_TYPE: set(),
    KEY_ID: set(),
    LEDGER_ID: set(),
}


def _known_form(value: object, form: re.Pattern[str]) -> bool:
    # Types and key ids repeat across a ledger: the verifier checks each distinct one once.
    seen = _checked_forms[form]
    if value in seen:
        return True
    if not isinstance(value, str) or form.match(value) is None:
        return False
    if len(seen) < 65536:
        seen.add(value)
    return True


def _positive_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def body_of(event: NewEvent, *, ledger: str, stream: uuid.UUID, version: int, signer: str) -> bytes:
    """Return the canonical body of a new event for a ledger, at a stream position, by a signer."""
    return _canonical_body(
        _fields_of(event, ledger=ledger, stream=stream, version=version, signer=signer)
    )


def _fields_of(
    event: NewEvent, *, ledger: str, stream: uuid.UUID, version: int, signer: str
) -> dict[str, Any]:
    if not LEDGER_ID.match(ledger):
        raise InvalidEvent(f"{ledger!r} is not a ledger's identity (32 hexadecimal digits).")
    if not EVENT_TYPE.match(event.type):
        raise InvalidEvent(
            f"{event.type!r} is not an event type; use lower-case dotted names like "
            "assembly.government.responded."
        )
    if isinstance(event.schema, bool) or not isinstance(event.schema, int) or event.schema < 1:
        raise InvalidEvent(f"Schema version {event.schema!r} must be a positive integer.")
    try:
        occurred_at = format_time(event.occurred_at)
    except CanonicalizationError as exc:
        raise InvalidEvent(f"{event.type}: {exc.sentence()}") from None
    return {
        "ledger": ledger,
        "type": event.type,
        "schema": event.schema,
        "stream": str(stream),
        "version": version,
        "occurred_at": occurred_at,
        "payload": dict(event.payload),
        "signer": signer,
    }


def _canonical_body(fields: dict[str, Any]) -> bytes:
    try:
        return canonical_bytes(fields)
    except CanonicalizationError as exc:
        raise InvalidEvent(f"{fields['type']}: {exc.sentence()}") from None


def check_entry_size(event: SignedEvent) -> None:
    """Raise InvalidEvent if ``event``'s body leaves its entry no room under 64 KiB: whoever
    signed it (a tile holds an entry of at most 65,535 bytes, a bundle a line of its bytes)."""
    _check_body_size(event.type, event.body)


def _check_body_size(type_name: str, body: bytes) -> None:
    if len(body) > MAX_ENTRY_BYTES - 512:
        raise InvalidEvent(
            f"{type_name} is {len(body)} bytes; an entry stays under 64 KiB, so reference "
            "documents by their SHA-256 digest instead of embedding them."
        )


def sign_events(
    signer: Signer,
    stream: uuid.UUID,
    expected_version: int,
    events: Sequence[NewEvent],
    *,
    ledger: str,
    dry_run: bool = False,
) -> list[SignedEvent]:
    """Sign events for the ledger whose identity is ``ledger``, at the positions after
    ``expected_version`` of a stream; with ``dry_run``, signed for a rehearsal only."""
    if expected_version < 0:
        raise StreamVersionConflict(str(stream), expected_version)
    signed = []
    for offset, event in enumerate(events, start=1):
        fields = _fields_of(
            event,
            ledger=ledger,
            stream=stream,
            version=expected_version + offset,
            signer=signer.key_id,
        )
        body = _canonical_body(fields)
        _check_body_size(event.type, body)
        # The fields were just checked and canonicalised: no need to parse the body back.
        signed.append(SignedEvent(body=body, sig=signer.sign(body, dry_run=dry_run), fields=fields))
    return signed


@dataclass(frozen=True)
class Entry:
    """One stored ledger entry: a signed event at its place in the chain."""

    seq: int
    prev: bytes
    body: bytes
    sig: bytes
    recorded_at: str
    hash: bytes

    @property
    def event(self) -> dict[str, Any]:
        # Read as stored: an earlier release may have stored a body that is not canonical,
        # which `verify` reports; reading must still work.
        return parse_body(self.body, canonical=False)

    def canonical_bytes(self) -> bytes:
        """The entry's canonical bytes: what its hash is the leaf hash of."""
        return entry_bytes(
            seq=self.seq, prev=self.prev, body=self.body, sig=self.sig, recorded_at=self.recorded_at
        )

    def computed_hash(self) -> bytes:
        """Recompute this entry's hash from its bytes."""
        return entry_hash(
            seq=self.seq, prev=self.prev, body=self.body, sig=self.sig, recorded_at=self.recorded_at
        )


@dataclass(frozen=True)
class Head:
    """The last entry of a ledger as someone saw it: its seq and hash."""

    seq: int
    hash: bytes

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash.hex()}"

    @classmethod
    def parse(cls, text: str) -> Head:
        """Read a head written as ``SEQ:HASH`` (hash in hex)."""
        found = _HEAD.match(text.strip())
        if found is None:
            raise BadHead(text)
        return cls(int(found["seq"]), bytes.fromhex(found["hash"]))
