"""A ledger's identity: what every signature names, so nothing signed for one ledger is taken
by another (docs/design.md 3.5; the signing contexts are in ``ledger.canonical``).

- A ledger made by this release takes 16 random bytes at ``init`` as its identity (32 hex
  digits); the body of entry 0 names it, as every later body does.
- A ledger made by an earlier release, whose entry 0 is a v1 body, is identified by the first 16
  bytes of entry 0's hash, in hex: every copy of it computes the same.
- ``ledger.identity.declared``, written by a charter key in ``IDENTITY_STREAM``, gives the ledger
  a new identity from the next entry on: what a copy (a staging or test copy of a database) does
  before it accepts writes, so that nothing written to the copy can be replayed to the original
  and the other way round. Its body names the identity it replaces; its payload, the new one and
  why.

Every entry meets these rules, on the append path and in the verifier alike (``IdentityBook``):
a v2 body names the ledger's identity at its place; a v1 body is taken only before the ledger's
first v2 entry (where earlier releases wrote them), and the append path takes none.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ledger.entry import LEDGER_ID, NewEvent, parse_body
from ledger.errors import LedgerRuleBroken, WrongLedger

IDENTITY_DECLARED = "ledger.identity.declared"
IDENTITY_STREAM = uuid.UUID(bytes=bytes(12) + b"IDNT")
_IDENTITY_STREAM_TEXT = str(IDENTITY_STREAM)


def new_identity() -> str:
    """Return a fresh random identity for a ledger."""
    return os.urandom(16).hex()


def legacy_identity(genesis_hash: bytes) -> str:
    """Return the identity of a ledger whose entry 0 an earlier release wrote."""
    return genesis_hash[:16].hex()


def declaration(identity: str, *, reason: str, occurred_at: datetime) -> NewEvent:
    """Return the event that gives the ledger the identity ``identity`` from the next entry on."""
    return NewEvent(
        type=IDENTITY_DECLARED,
        occurred_at=occurred_at,
        payload={"ledger": identity, "reason": reason},
    )


def identity_of(genesis_body: bytes, genesis_hash: bytes, declarations: list[bytes]) -> str:
    """Return a ledger's identity from its entry 0 and its identity declarations, in order."""
    named = parse_body(genesis_body, canonical=False).get("ledger")
    current = legacy_identity(genesis_hash) if named is None else str(named)
    for body in declarations:
        current = str(parse_body(body, canonical=False)["payload"]["ledger"])
    return current


class IdentityBook:
    """The ledger's identity at some point, and the rule each next entry meets."""

    def __init__(self, current: str | None = None, *, moved_on: bool = False) -> None:
        self.current = current
        # Set once the ledger holds a v2 entry (or, on the append path, always): from then on
        # a v1 body is refused.
        self.moved_on = moved_on

    def admit(self, seq: int, fields: Mapping[str, Any], digest: bytes) -> None:
        """Check the entry at ``seq`` (``digest``: its hash) and learn from it."""
        named = fields.get("ledger")
        in_stream = fields["stream"] == _IDENTITY_STREAM_TEXT
        if (fields["type"] == IDENTITY_DECLARED) != in_stream:
            raise LedgerRuleBroken(
                f"Stream {IDENTITY_STREAM} holds the ledger's identity declarations and "
                f"nothing else; {fields['type']} cannot be written there."
                if in_stream
                else f"{IDENTITY_DECLARED} belongs in stream {IDENTITY_STREAM}."
            )
        if named is None:
            if self.moved_on:
                raise WrongLedger(
                    f"{fields['type']} is signed under the signing context of an earlier "
                    "release, which names no ledger; sign it again with this release."
                )
            if in_stream:
                raise LedgerRuleBroken("An identity declaration must name the ledger it is for.")
            if seq == 0:
                self.current = legacy_identity(digest)
            return
        if seq == 0:
            self.current = named
        elif named != self.current:
            raise WrongLedger(
                f"{fields['type']} was signed for ledger {named}, and this is ledger "
                f"{self.current}: an event signed for one ledger, or for a copy of it, is "
                "never taken by another; sign it for this ledger."
            )
        self.moved_on = True
        if in_stream:
            self._declare(fields)

    def _declare(self, fields: Mapping[str, Any]) -> None:
        payload = fields["payload"]
        if not isinstance(payload, dict) or set(payload) != {"ledger", "reason"}:
            raise LedgerRuleBroken(f"A {IDENTITY_DECLARED} payload holds exactly ledger, reason.")
        identity, reason = payload["ledger"], payload["reason"]
        if not isinstance(identity, str) or not LEDGER_ID.match(identity):
            raise LedgerRuleBroken("A new identity is 32 hexadecimal digits.")
        if identity == self.current:
            raise LedgerRuleBroken(f"The ledger already has the identity {identity}.")
        if not isinstance(reason, str) or not reason.strip():
            raise LedgerRuleBroken("An identity declaration needs a reason.")
        self.current = identity
