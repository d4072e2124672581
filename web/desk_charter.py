"""The charter keeper's key steps on the desk: enrolling a key and revoking one.

These are the ledger's own events (``ledger.signers``), not the domain's: each form's fields
become the event through the function ``Ledger.enrol`` and ``Ledger.revoke`` use
(``enrolment``, ``revocation``), at the stream and version those methods write to, and the
ledger's own rules (``SignerBook.learn``) decide whether it may be written; a refusal is shown
beside the field it concerns. The public key is read as base64 text only: never as a path, as
``PublicKey.from_text`` would for the command line.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ledger import NewEvent, PublicKey
from ledger.canonical import is_timestamp
from ledger.entry import KEY_ID
from ledger.errors import LedgerRuleBroken, UnknownRole
from ledger.keys import key_id_of
from ledger.signers import ENROLLED, REVOKED, SignerBook, enrolment, revocation, signer_stream
from web.desk_steps import FormProblem, given, text
from web.i18n import format_moment, translations

Build = Callable[[Mapping[str, str], datetime], tuple[uuid.UUID, int, NewEvent]]


@dataclass(frozen=True)
class LedgerStep:
    """A step that writes one of the ledger's own events: its name on the desk, the event
    type, and how a form becomes the event with its stream and the stream's expected version."""

    name: str
    event_type: str
    build: Build


def _public_key(fields: Mapping[str, str]) -> PublicKey:
    found = given(fields, "public_key") or ""
    try:
        raw = base64.b64decode(found, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise FormProblem(
            "public_key is an Ed25519 public key in base64 (44 characters), as the .pub file "
            "written by assembly keys new holds it.",
            "public_key",
        )
    return PublicKey(raw)


def _moment(fields: Mapping[str, str], name: str) -> datetime | None:
    """A day (YYYY-MM-DD, from midnight UTC) or a UTC timestamp; None when left empty."""
    found = given(fields, name)
    if found is None:
        return None
    try:
        if len(found) == 10:
            return datetime.fromisoformat(found).replace(tzinfo=UTC)
        if is_timestamp(found):
            return datetime.fromisoformat(found.replace("Z", "+00:00"))
    except ValueError:
        pass
    raise FormProblem(f"{name} is a day, such as 2026-03-01, or a UTC time.", name)


def _enrol(fields: Mapping[str, str], at: datetime) -> tuple[uuid.UUID, int, NewEvent]:
    public_key = _public_key(fields)
    event = enrolment(
        public_key,
        role=given(fields, "role") or "",
        name=text(fields, "name"),
        valid_from=_moment(fields, "valid_from") or at,
        valid_until=_moment(fields, "valid_until"),
        occurred_at=at,
    )
    return signer_stream(public_key.key_id), 0, event  # as Ledger.enrol writes it


def _revoke(fields: Mapping[str, str], at: datetime) -> tuple[uuid.UUID, int, NewEvent]:
    key_id = (given(fields, "key_id") or "").lower()
    if not KEY_ID.match(key_id):
        raise FormProblem("key_id is a key id: 32 hexadecimal characters.", "key_id")
    event = revocation(key_id, reason=text(fields, "reason"), occurred_at=at)
    return signer_stream(key_id), 1, event  # as Ledger.revoke writes it


CHARTER_STEPS: dict[str, LedgerStep] = {
    step.name: step
    for step in (LedgerStep("enrol", ENROLLED, _enrol), LedgerStep("revoke", REVOKED, _revoke))
}

# Which field a sentence of the ledger's rules is about (``ledger.signers``).
_RULE_FIELDS = (
    ("32-byte", "public_key"),
    ("already enrolled", "public_key"),
    ("display name", "name"),
    ("validity", "valid_from"),
    ("never enrolled", "key_id"),
    ("revoked once", "key_id"),
    ("needs a reason", "reason"),
)


def check_signer_event(signers: SignerBook, fields: Mapping[str, Any]) -> None:
    """Raise unless the ledger's own rules admit the signer event ``fields`` next, given every
    key ``signers`` knows; a refusal beside the field it concerns."""
    try:
        signers.learn(-1, fields)
    except UnknownRole as error:
        raise FormProblem(error.sentence(), "role") from None
    except LedgerRuleBroken as error:
        sentence = error.sentence()
        field = next((name for words, name in _RULE_FIELDS if words in sentence), None)
        raise FormProblem(sentence, field) from None


HEADLINES = {
    ENROLLED: "Key %(key)s is enrolled with the role %(role)s",
    REVOKED: "Key %(key)s is revoked: nothing it signs after this entry is written",
}
# Each role in words (message ids); a role the policy adds later is shown by its name.
ROLE_WORDS = {
    "charter": "charter keeper",
    "secretariat": "secretariat",
    "government": "government",
    "commission": "follow-up commission",
    "log": "log keeper (checkpoints)",
}
NAMES = {
    "public_key": "Public key (base64)",
    "role": "Role",
    "name": "Name of the key's holder",
    "valid_from": "Valid from",
    "valid_until": "Valid until",
    "key_id": "Key id",
    "reason": "Reason",
}


def summary_of_signer(event: NewEvent, *, lang: str) -> dict[str, Any]:
    """The headline and lines of what a signer event will record, in ``lang``."""
    gettext = translations(lang).gettext
    payload = event.payload
    key_id = payload.get("key_id") or key_id_of(base64.b64decode(payload["public_key"]))
    role = str(payload.get("role", ""))
    role = gettext(ROLE_WORDS[role]) if role in ROLE_WORDS else role
    headline = gettext(HEADLINES[event.type]) % {"key": key_id, "role": role}
    lines = []
    for name, value in payload.items():
        if value in (None, ""):
            continue
        if name.startswith("valid_"):
            shown = format_moment(lang, value)
        else:
            shown = role if name == "role" else str(value)
        lines.append({"name": gettext(NAMES[name]), "value": shown})
    lines.append({"name": gettext("Dated"), "value": format_moment(lang, event.occurred_at)})
    return {"headline": headline, "type": event.type, "lines": lines}
