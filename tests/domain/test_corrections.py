"""Errata: nothing is edited or deleted; a correction supersedes an entry by its seq, says why,
is written by the role that wrote the entry or by the charter key, and any replacement is a
valid payload of the corrected type."""

from __future__ import annotations

import pytest

from cli.store import LedgerStore
from domain import commands
from domain.correction import CorrectionRecorded
from domain.errors import BadPayload, JustificationTooShort, MissingDetail, NotAllowed, NotFound
from domain.panel import Convened
from domain.responses import Position, Responded
from tests.domain.conftest import THEME, Office, step

ANSWER = Responded(panel=1, number=1, review=1, position=Position.ACCEPTED, portfolio="climate")


def seq_of(office: Office, type_name: str) -> int:
    (recorded,) = LedgerStore(office.ledger, None).of_type(type_name)
    return recorded.seq


def corrections(office: Office) -> list[CorrectionRecorded]:
    found = LedgerStore(office.ledger, None).of_type(CorrectionRecorded.TYPE)
    return [r.event for r in found if isinstance(r.event, CorrectionRecorded)]


@pytest.mark.parametrize("role", ["secretariat", "charter"])
def test_the_author_or_the_charter_key_supersedes_an_entry_by_its_seq(
    convened: Office, role: str
) -> None:
    seq = seq_of(convened, Convened.TYPE)
    fixed = {"number": 1, "theme": THEME, "seats": 24, "theme_chosen_by": "government"}
    before = convened.ledger.count()
    convened.do(
        role, step(commands.correct, seq, reason="The panel has 24 seats.", replacement=fixed)
    )
    assert corrections(convened) == [
        CorrectionRecorded(
            supersedes=seq,
            corrected_type=Convened.TYPE,
            reason="The panel has 24 seats.",
            replacement=fixed,
        )
    ]
    assert convened.ledger.count() == before + 1
    (original,) = LedgerStore(convened.ledger, None).of_type(Convened.TYPE)
    assert original.seq == seq and isinstance(original.event, Convened)
    assert original.event.seats == 12


@pytest.mark.parametrize("role", ["government", "commission"])
def test_another_role_may_not_correct_an_entry(convened: Office, role: str) -> None:
    seq = seq_of(convened, Convened.TYPE)
    convened.refuses(
        role,
        step(commands.correct, seq, reason="Wrong theme."),
        NotAllowed,
        match=f"Entry {seq} was written by the secretariat role; only that role or the charter "
        f"key may correct it, not the {role} role",
    )


def test_a_correction_says_why(convened: Office) -> None:
    seq = seq_of(convened, Convened.TYPE)
    convened.refuses(
        "secretariat",
        step(commands.correct, seq, reason="  "),
        MissingDetail,
        match="A correction needs the reason for it",
    )


@pytest.mark.parametrize(
    ("replacement", "problem"),
    [
        ({"number": 1, "theme": THEME}, "seats is required"),
        (
            {"number": 1, "theme": THEME, "seats": 12, "theme_chosen_by": "the mayor"},
            "theme_chosen_by 'the mayor' is not allowed: it must be one of 'government' or "
            "'theme_group'",
        ),
        (
            {"number": 1, "theme": THEME, "seats": 12, "theme_chosen_by": "government", "x": 1},
            "x is not a field of this record",
        ),
    ],
)
def test_a_replacement_is_a_valid_payload_of_the_corrected_type(
    convened: Office, replacement: dict[str, object], problem: str
) -> None:
    seq = seq_of(convened, Convened.TYPE)
    convened.refuses(
        "secretariat",
        step(commands.correct, seq, reason="Typo.", replacement=replacement),
        BadPayload,
        match=f"The payload of {Convened.TYPE} is not valid: {problem}",
    )


def test_a_replacement_answer_keeps_the_rules_of_an_answer(recommended: Office) -> None:
    recommended.do("government", step(commands.respond, ANSWER))
    seq = seq_of(recommended, Responded.TYPE)
    rejected = {**ANSWER.to_payload(), "position": "rejected", "justification": "No."}
    recommended.refuses(
        "government",
        step(commands.correct, seq, reason="Wrong position.", replacement=rejected),
        JustificationTooShort,
        match="A response 'rejected' needs a justification of at least 200 characters",
    )


@pytest.mark.parametrize("seq", [999, -1])
def test_a_correction_of_an_entry_that_does_not_exist_is_refused(
    convened: Office, seq: int
) -> None:
    convened.refuses(
        "charter",
        step(commands.correct, seq, reason="Typo."),
        NotFound,
        match=f"There is no assembly event at seq {seq} to correct",
    )


@pytest.mark.parametrize("seq", [0, 1])
def test_the_ledgers_own_signer_entries_are_not_corrected(convened: Office, seq: int) -> None:
    (entry,) = [e for e in convened.ledger.entries() if e.seq == seq]
    assert entry.event["type"] == "ledger.signer.enrolled"
    convened.refuses(
        "charter",
        step(commands.correct, seq, reason="Wrong name."),
        NotFound,
        match=f"There is no assembly event at seq {seq} to correct",
    )


def test_an_entry_may_be_corrected_again_and_every_erratum_stays(convened: Office) -> None:
    seq = seq_of(convened, Convened.TYPE)
    convened.do("secretariat", step(commands.correct, seq, reason="First erratum."))
    convened.do("charter", step(commands.correct, seq, reason="Second erratum."))
    assert [c.reason for c in corrections(convened)] == ["First erratum.", "Second erratum."]
