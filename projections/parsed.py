"""Entries as the status fold reads them: the type, the payload and the change each one makes.

An entry read back from the ledger was validated as its event type when it was appended, and
``assembly verify`` checks its chain and signature: folding it again needs its payload, not a
pydantic model. ``parsed_body`` therefore builds a model only for the types the fold reads as
models (the charter, corrections, suspensions, joint statements: a handful per cycle) and for
payloads stored at an older schema, which are upcast and validated as before; the entries about
one recommendation, nearly all of a ledger, are folded from their parsed JSON. Nothing here
writes: every write path validates its payload (``domain.events.decode``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, NamedTuple

from pydantic_core import from_json

import domain.catalogue  # noqa: F401  (registers every event type before decoding)
from domain.events import REGISTRY, Event, Recorded, moment, recorded_from
from domain.government import Assessed, ImplementationReported, ResponsibilityTransferred
from domain.recommendation import Adopted, HandedOver
from domain.responses import Responded
from ledger.history import after_the_fact
from projections.errors import Inconsistent


class Change(NamedTuple):  # named tuples: made once per event, at a third of a dataclass's cost
    """Which entry made a change: its seq, its signer's key id, when it happened as its author
    signed (``occurred_at``), and when the ledger recorded it (its clock; None if not known)."""

    seq: int
    signer: str
    at: datetime
    recorded: datetime | None = None
    # History recorded after the fact (``ledger.history``): judged on ``at``, marked as such.
    after_the_fact: bool = False


class Parsed(NamedTuple):
    """One entry for the fold: its event type, its payload in the current schema, the change it
    makes, and its validated event where the fold reads one (None: folded from the payload)."""

    type: str
    payload: Mapping[str, Any]
    change: Change
    event: Event | None = None

    @property
    def seq(self) -> int:
        return self.change.seq


# The entries about one recommendation (its adoption aside), found by their ``panel`` and
# ``number``.
ABOUT_ONE = frozenset(
    cls.TYPE
    for cls in (HandedOver, Responded, ImplementationReported, ResponsibilityTransferred, Assessed)
)
ADOPTED = Adopted.TYPE
FROM_PAYLOAD = ABOUT_ONE | {ADOPTED}  # the types the fold reads from their payloads


def parsed_body(
    seq: int, recorded_at: str, body: bytes, *, history_before: date | None = None
) -> Parsed | None:
    """The entry at ``seq`` from its stored body and time, or None for the ledger's own entries
    (``history_before``: the ledger's, see ``Ledger.history_before``).

    For the entries of ``FROM_PAYLOAD`` at their current schema no model is built: the fold
    trusts what was validated when it was written. Others are decoded and validated, so a
    ``domain.errors.RuleBroken`` may come from them as from ``recorded_from``.
    """
    return parsed_fields(seq, recorded_at, body_fields(seq, body), history_before=history_before)


def parsed_fields(
    seq: int, recorded_at: str, fields: dict[str, Any], *, history_before: date | None = None
) -> Parsed | None:
    """``parsed_body`` of a body already parsed, for a reader that parsed it itself (the
    monitor, reading each entry from its bytes once)."""
    name = fields["type"]
    cls = REGISTRY.get(name)
    if cls is None:
        return None
    if name not in FROM_PAYLOAD or fields["schema"] != cls.SCHEMA:
        return parsed(
            recorded_from(fields, seq=seq, recorded_at=recorded_at, history_before=history_before)
        )
    occurred_at = fields["occurred_at"]
    change = Change(
        seq,
        fields["signer"],
        moment(occurred_at),
        moment(recorded_at),
        after_the_fact(occurred_at, history_before),
    )
    return Parsed(name, fields["payload"], change)


def parsed(item: Recorded) -> Parsed:
    """A decoded event as the fold reads it."""
    change = Change(item.seq, item.signer, item.occurred_at, item.recorded_at, item.after_the_fact)
    return Parsed(item.event.TYPE, item.payload, change, item.event)


def body_fields(seq: int, body: bytes) -> dict[str, Any]:
    """The fields of a stored body, parsed (its envelope was checked when it was appended)."""
    try:
        fields: dict[str, Any] = from_json(body)
    except ValueError as exc:
        raise Inconsistent(seq, f"the entry's body is not JSON: {exc}") from None
    return fields
