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

from collections.abc import Mapping
from datetime import date
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
