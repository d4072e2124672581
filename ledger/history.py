"""History recorded after the fact: entries dated before the ledger began, on a ledger opened
to record them.

The rule (README, "Past cycles"): a ledger records history when its entry 0 enrols the charter
key with a validity that starts before entry 0 itself is dated (``assembly init --valid-from``).
On such a ledger, an entry is *recorded after the fact* when the day its author dated it (its
``occurred_at``) comes before the day the ledger recorded entry 0 (its start). Every other
entry is what the ledger saw happen.

Why it cannot be gamed by a live cycle: the start is entry 0's ``recorded_at``, the ledger's
own clock, which no author sets, and whether the ledger takes history at all is fixed by the
charter key's enrolment in entry 0, which nothing later can change. A live step is dated no
earlier than the step it follows, and live steps follow entries recorded after the start; so
an office that backdates a live answer before the start is refused by the rules of order, not
turned into history. A ledger made without ``--valid-from`` (every earlier release's) holds no
history: its backdated entries stay backdated, judged on the day they were recorded.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from ledger.signers import ENROLLED


def history_before(genesis: Mapping[str, Any], recorded_at: str) -> date | None:
    """The ledger's start day, before which entries are history recorded after the fact, or
    None when the ledger records only what it sees happen; from entry 0's body fields and its
    ``recorded_at``."""
    payload = genesis.get("payload")
    if genesis.get("type") != ENROLLED or not isinstance(payload, Mapping):
        return None
    valid_from = payload.get("valid_from")
    occurred_at = genesis.get("occurred_at")
    if not isinstance(valid_from, str) or not isinstance(occurred_at, str):
        return None
    # Both are the ledger's UTC timestamps, in one form: as text they sort as they happen.
    if valid_from >= occurred_at:
        return None
    return date.fromisoformat(recorded_at[:10])


def after_the_fact(occurred_at: str, before: date | None) -> bool:
    """Whether an entry dated ``occurred_at`` is history recorded after the fact on a ledger
    whose history ends ``before`` (see ``history_before``)."""
    return before is not None and date.fromisoformat(occurred_at[:10]) < before


# A stored body in canonical form (keys sorted) opens with its ``occurred_at``.
_DATED = b'{"occurred_at":"'


def dated(body: bytes) -> str:
    """The ``occurred_at`` of a stored entry's body: read from its first bytes when it is in
    canonical form, so a reader can pass over an entry without parsing it; else parsed."""
    if body.startswith(_DATED):
        end = body.find(b'"', len(_DATED))
        if end > 0:
            return body[len(_DATED) : end].decode("ascii")
    occurred_at = json.loads(body).get("occurred_at")
    return occurred_at if isinstance(occurred_at, str) else ""


def counts_from(occurred_at: str, recorded_at: str, before: date | None) -> str:
    """The moment an entry counts from in "as of DAY" (time travel): for history recorded
    after the fact, the moment its author gave, since the ledger's clock then says only when
    the history was loaded; for every other entry, when the ledger recorded it, which no
    author can backdate."""
    return occurred_at if occurred_at and after_the_fact(occurred_at, before) else recorded_at


def counted_before(
    recorded_at: str, body: bytes, until: datetime | None, before: date | None
) -> bool:
    """Whether an entry (recorded at ``recorded_at``, stored as ``body``) is in "as of" a
    moment ``until`` (every entry when None) on a ledger whose history ends ``before``: by
    ``counts_from``. An entry recorded by then is, whatever it is (history is dated before
    it was recorded); a later one is read only on a ledger that records history, and then
    only its first bytes (``dated``)."""
    if until is None or datetime.fromisoformat(recorded_at) < until:
        return True
    if before is None:
        return False
    return datetime.fromisoformat(counts_from(dated(body), recorded_at, before)) < until
