"""A small real ledger for the read side: panel 1's recommendations handed over (the domain
tests' ``recommended`` stage), then answered, reported on, assessed, suspended and corrected."""

from __future__ import annotations

from datetime import date

import pytest

from cli.store import LedgerStore
from domain import commands
from domain.events import Recorded
from domain.government import Assessed, Implementation, ImplementationReported, Verdict
from domain.government import ResponsibilityTransferred as Transferred
from domain.responses import Position, Responded
from ledger import Ledger
from projections.status import recorded
from tests.domain.conftest import (  # noqa: F401  (fixtures reused from the domain tests)
    DETAILED,
    Office,
    assembly_charter,
    recommended,
    small_draws,
    snapshots,
    step,
)


def answer(number: int, review: int, position: Position, **fields: object) -> Responded:
    """The government's answer to recommendation 1/``number`` at ``review``."""
    if position in (Position.REJECTED, Position.ACCEPTED_IN_PART):
        fields.setdefault("justification", DETAILED)
    return Responded.model_validate(
        {
            "panel": 1,
            "number": number,
            "review": review,
            "position": position,
            "portfolio": "climate",
            **fields,
        }
    )


def report(number: int, status: Implementation, progress: int) -> ImplementationReported:
    return ImplementationReported(panel=1, number=number, status=status, progress=progress)


def verdict(number: int, found: Verdict) -> Assessed:
    reasons = "The measures announced do not match the text." if found is Verdict.DISPUTES else ""
    return Assessed(panel=1, number=number, verdict=found, reasons=reasons)


def history(ledger: Ledger) -> list[Recorded]:
    """Every assembly event of the ledger, decoded, in seq order."""
    return [found for entry in ledger.entries() if (found := recorded(entry)) is not None]


@pytest.fixture
def answered(recommended: Office) -> Office:  # noqa: F811
    """... then: 1 accepted, reported on and assessed, revised at review 2; 2 rejected and its
    answer corrected to accepted in part; 3 moved to another portfolio; the deadlines suspended
    from 2026-05-01 to 2026-05-11."""
    office = recommended
    office.do("government", step(commands.respond, answer(1, 1, Position.ACCEPTED)))
    office.do("government", step(commands.report, report(1, Implementation.IN_PROGRESS, 40)))
    office.do("commission", step(commands.assess, verdict(1, Verdict.AGREES)))
    (rejected,) = office.do("government", step(commands.respond, answer(2, 1, Position.REJECTED)))
    office.do("government", step(commands.suspend, date(2026, 5, 1), "Regional elections."))
    office.do("government", step(commands.resume, date(2026, 5, 11)))
    moved = Transferred(
        panel=1, number=3, from_portfolio="climate", to_portfolio="energy", reason="Reshuffle."
    )
    office.do("government", step(commands.transfer, moved))
    office.do("government", step(commands.respond, answer(1, 2, Position.ACCEPTED_IN_PART)))
    fixed = answer(2, 1, Position.ACCEPTED_IN_PART).to_payload()
    office.do(
        "government",
        step(commands.correct, rejected, reason="The wrong answer was sent.", replacement=fixed),
    )
    return office


def store(office: Office) -> LedgerStore:
    return LedgerStore(office.ledger, None)
