"""Signers as ledger events: enrolment and revocation, and the rules every signed entry meets.

Each key has its own stream (``signer_stream``): version 1 enrols it, version 2 revokes it. Entry 0
of every ledger is the charter key enrolling itself; after that only a charter key enrols or
revokes. A revocation takes effect at its place in the ledger: no entry after it may carry the
revoked key's signature, whatever ``occurred_at`` its author wrote.

The same ``SignerBook`` serves the append path (built from the few entries of one key's stream)
and the verifier (built entry by entry), so both apply the same rules.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from ledger.canonical import format_time, is_timestamp
from ledger.entry import NewEvent
from ledger.errors import (
    LedgerRuleBroken,
    RoleNotAllowed,
    SignerNotValid,
    SignerRevoked,
    UnknownRole,
    UnknownSigner,
)
from ledger.identity import IDENTITY_DECLARED
from ledger.keys import PublicKey, key_id_of
from ledger.policy import CHARTER_ROLE, RolePolicy

ENROLLED = "ledger.signer.enrolled"
REVOKED = "ledger.signer.revoked"
# A signer stream's id is the first 12 bytes of the key id followed by b"SIGN", so any entry
# can tell whether its stream is one: only enrolments and revocations may be written there
# (otherwise a key could fill its own revocation slot, or block another key's enrolment).
_SIGNER_MARK = b"SIGN"
_SIGNER_MARK_HEX = _SIGNER_MARK.hex()


def signer_stream(key_id: str) -> uuid.UUID:
    """Return the stream that holds a key's enrolment and revocation."""
    return uuid.UUID(bytes=bytes.fromhex(key_id)[:12] + _SIGNER_MARK)


def is_signer_stream(stream: str) -> bool:
    """Tell whether a stream id (text form) is a signer stream."""
    return stream.endswith(_SIGNER_MARK_HEX)


def enrolment(
    public_key: PublicKey,
    *,
    role: str,
    name: str,
    valid_from: datetime,
    valid_until: datetime | None = None,
    occurred_at: datetime,
) -> NewEvent:
    """Return the event that enrols a key with a role and a validity window."""
    return NewEvent(
        type=ENROLLED,
        occurred_at=occurred_at,
        payload={
            "public_key": public_key.b64,
            "role": role,
            "name": name,
            "valid_from": format_time(valid_from),
            "valid_until": format_time(valid_until) if valid_until else None,
        },
    )


def revocation(key_id: str, *, reason: str, occurred_at: datetime) -> NewEvent:
    """Return the event that revokes a key from its place in the ledger on."""
    return NewEvent(
        type=REVOKED, occurred_at=occurred_at, payload={"key_id": key_id, "reason": reason}
    )


@dataclass(frozen=True)
class SignerRecord:
    """What the ledger knows of one key."""

    key_id: str
    public_key: bytes
    role: str
    name: str
    valid_from: str
    valid_until: str | None
    enrolled_seq: int
    revoked_seq: int | None = None
    revoked_at: str | None = None
    revocation_reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "key_id": self.key_id,
            "public_key": base64.b64encode(self.public_key).decode(),
            "role": self.role,
            "name": self.name,
            "valid_from": self.valid_from,
            "valid_until": self.valid_until,
            "enrolled_seq": self.enrolled_seq,
            "revoked_seq": self.revoked_seq,
            "revoked_at": self.revoked_at,
            "revocation_reason": self.revocation_reason,
        }


class SignerBook:
    """The signers known at some point of the ledger, and the rules for the next entry."""

    def __init__(self, policy: RolePolicy) -> None:
        self.policy = policy
        self.records: dict[str, SignerRecord] = {}

    def get(self, key_id: str) -> SignerRecord:
        try:
            return self.records[key_id]
        except KeyError:
            raise UnknownSigner(key_id) from None

    def check_may_sign(self, key_id: str, event_type: str, occurred_at: str) -> SignerRecord:
        """Raise unless ``key_id`` may sign an event of ``event_type`` dated ``occurred_at``."""
        record = self.get(key_id)
        if record.revoked_seq is not None:
            raise SignerRevoked(key_id, record.revoked_at or "?")
        if occurred_at < record.valid_from or (
            record.valid_until is not None and occurred_at >= record.valid_until
        ):
            raise SignerNotValid(key_id, occurred_at, record.valid_from, record.valid_until)
        if not self.policy.may_write(record.role, event_type):
            raise RoleNotAllowed(key_id, record.role, event_type)
        return record

    def admit(self, seq: int, fields: Mapping[str, Any]) -> SignerRecord:
        """Check the entry at ``seq`` against the rules, learn from it, return its signer."""
        if seq == 0:
            self._check_genesis(fields)
            self.learn(seq, fields)
            return self.check_may_sign(fields["signer"], fields["type"], fields["occurred_at"])
        signer = self.check_may_sign(fields["signer"], fields["type"], fields["occurred_at"])
        if not fields["type"].startswith("ledger.") and is_signer_stream(fields["stream"]):
            raise LedgerRuleBroken(
                f"Stream {fields['stream']} belongs to a signer's enrolment and revocation; "
                f"{fields['type']} cannot be written there."
            )
        self.learn(seq, fields)
        return signer

    def learn(self, seq: int, fields: Mapping[str, Any]) -> None:
        """Take in an enrolment or revocation already admitted; other events change nothing."""
        event_type = fields["type"]
        if event_type == ENROLLED:
            self._enrol(seq, fields)
        elif event_type == REVOKED:
            self._revoke(seq, fields)
        elif event_type.startswith("ledger.") and event_type != IDENTITY_DECLARED:
            raise LedgerRuleBroken(f"{event_type} is not an event type of the ledger.")

    def _check_genesis(self, fields: Mapping[str, Any]) -> None:
        payload = fields["payload"]
        if (
            fields["type"] != ENROLLED
            or not isinstance(payload, dict)
            or payload.get("role") != CHARTER_ROLE
            or _key_id(payload.get("public_key")) != fields["signer"]
        ):
            raise LedgerRuleBroken(
                "Entry 0 must be the charter key enrolling itself (ledger.signer.enrolled, "
                "role charter, signed by the key it enrols)."
            )

    def _enrol(self, seq: int, fields: Mapping[str, Any]) -> None:
        payload = _payload(fields, {"public_key", "role", "name", "valid_from", "valid_until"})
        key_id = _key_id(payload["public_key"])
        if key_id is None:
            raise LedgerRuleBroken("The enrolment does not hold a 32-byte Ed25519 public key.")
        if fields["stream"] != str(signer_stream(key_id)) or fields["version"] != 1:
            raise LedgerRuleBroken(f"An enrolment of {key_id} belongs at version 1 of its stream.")
        if key_id in self.records:
            raise LedgerRuleBroken(f"Key {key_id} is already enrolled.")
        role = payload["role"]
        if role not in self.policy.roles:
            raise UnknownRole(str(role), self.policy.roles)
        name = payload["name"]
        if not isinstance(name, str) or not name.strip():
            raise LedgerRuleBroken("An enrolment needs the display name of the key's holder.")
        valid_from, valid_until = payload["valid_from"], payload["valid_until"]
        if not is_timestamp(valid_from) or not (valid_until is None or is_timestamp(valid_until)):
            raise LedgerRuleBroken("The validity of an enrolment must be UTC timestamps.")
        if valid_until is not None and valid_until <= valid_from:
            raise LedgerRuleBroken("A key's validity must end after it starts.")
        self.records[key_id] = SignerRecord(
            key_id=key_id,
            public_key=base64.b64decode(payload["public_key"]),
            role=role,
            name=name,
            valid_from=valid_from,
            valid_until=valid_until,
            enrolled_seq=seq,
        )

    def _revoke(self, seq: int, fields: Mapping[str, Any]) -> None:
        payload = _payload(fields, {"key_id", "reason"})
        key_id = payload["key_id"]
        record = self.records.get(key_id) if isinstance(key_id, str) else None
        if record is None:
            raise LedgerRuleBroken(f"Key {key_id} cannot be revoked: it was never enrolled.")
        if record.revoked_seq is not None:
            raise LedgerRuleBroken(
                f"Key {key_id} {_revoked_at(record.revoked_seq)}: a key is revoked once."
            )
        if fields["stream"] != str(signer_stream(key_id)) or fields["version"] != 2:
            raise LedgerRuleBroken(f"A revocation of {key_id} belongs at version 2 of its stream.")
        reason = payload["reason"]
        if not isinstance(reason, str) or not reason.strip():
            raise LedgerRuleBroken("A revocation needs a reason.")
        self.records[key_id] = replace(
            record, revoked_seq=seq, revoked_at=fields["occurred_at"], revocation_reason=reason
        )


def _revoked_at(seq: int) -> str:
    """When a key was revoked, in words: at which entry, unless its book learnt it as earlier
    history (seq -1, as an append's check learns the entries before it)."""
    return "is already revoked" if seq < 0 else f"was revoked at entry {seq}"


def _payload(fields: Mapping[str, Any], names: set[str]) -> dict[str, Any]:
    payload = fields["payload"]
    if not isinstance(payload, dict) or set(payload) != names:
        raise LedgerRuleBroken(
            f"A {fields['type']} payload holds exactly {', '.join(sorted(names))}."
        )
    return payload


def _key_id(public_key_b64: object) -> str | None:
    if not isinstance(public_key_b64, str):
        return None
    try:
        raw = base64.b64decode(public_key_b64, validate=True)
    except (binascii.Error, ValueError):
        return None
    return key_id_of(raw) if len(raw) == 32 else None
