"""What a panel hears and decides: evidence once per document, sessions once, votes whose counts
fit the seated panel and whose majority outcome follows from them."""

from __future__ import annotations

from datetime import date

import pytest

from cli.store import LedgerStore
from domain import commands
from domain.deliberation import (
    BriefingPublished,
    Method,
    ReportSubmitted,
    SessionHeld,
    VoteHeld,
)
from domain.errors import AlreadyDone, NotAllowed, NotFound, NotYet
from domain.panel import WithdrawalReason
from ledger.errors import RoleNotAllowed
from tests.domain.conftest import PANEL_SIZE, Office, step, vote

DIGEST = "sha256:" + "ab" * 32


def briefing(digest: str = DIGEST) -> BriefingPublished:
    return BriefingPublished(
        panel=1,
        title="Heat pumps in Brussels housing",
        author="Independent expert (synthetic)",
        digest=digest,
        published_at="https://assembly.example/briefings/1.pdf",
    )


def test_a_document_is_on_record_once(convened: Office) -> None:
    convened.do("secretariat", step(commands.add_evidence, briefing()))
    same = ReportSubmitted.model_validate({**briefing().model_dump(), "title": "Again"})
    convened.refuses(
        "secretariat",
        step(commands.add_evidence, same),
        AlreadyDone,
        match=f"A document with digest {DIGEST} is already on record",
    )


def test_evidence_needs_a_convened_panel(chartered: Office) -> None:
    chartered.refuses(
        "secretariat",
        step(commands.add_evidence, briefing()),
        NotFound,
        match="This panel has not been convened",
    )


def test_a_session_is_on_record_once(convened: Office) -> None:
    held = SessionHeld(panel=1, session=1, on=date(2026, 2, 7), topic="Heat pumps")
    convened.do("secretariat", step(commands.hold_session, held))
    convened.refuses(
        "secretariat",
        step(commands.hold_session, held.model_copy(update={"topic": "Insulation"})),
        AlreadyDone,
        match="Session 1 of panel 1 is on record",
    )


def test_a_panel_votes_only_once_seated(panel_announced: Office) -> None:
    panel_announced.refuses(
        "secretariat",
        step(commands.record_vote, vote("V-1")),
        NotYet,
        match="Panel 1 is not seated yet, so it cannot vote",
    )


@pytest.mark.parametrize(
    ("counts", "name"),
    [((-1, 2, 1), "for"), ((9, -2, 1), "against"), ((9, 2, -1), "abstaining")],
)
def test_vote_counts_cannot_be_negative(
    seated: Office, counts: tuple[int, int, int], name: str
) -> None:
    votes_for, against, abstaining = counts
    negative = vote("V-1", votes_for=votes_for, against=against, abstaining=abstaining)
    seated.refuses(
        "secretariat",
        step(commands.record_vote, negative),
        NotAllowed,
        match=f"The count {name} is -[12]: vote counts cannot be negative",
    )


def test_a_vote_counts_no_more_votes_than_the_panel_has_seated_members(seated: Office) -> None:
    seated.refuses(
        "secretariat",
        step(commands.record_vote, vote("V-1", votes_for=10, against=2, abstaining=1)),
        NotAllowed,
        match=f"Vote V-1 counts 13 votes, more than the panel's {PANEL_SIZE} seated members",
    )
    seated.do(
        "secretariat",
        step(commands.record_vote, vote("V-1", votes_for=10, against=2, abstaining=0)),
    )


def test_a_member_who_withdrew_no_longer_votes(seated: Office, members: tuple[str, ...]) -> None:
    seated.do("secretariat", step(commands.withdraw, 1, members[0], WithdrawalReason.UNREACHABLE))
    seated.refuses(
        "secretariat",
        step(commands.record_vote, vote("V-1", votes_for=10, against=2, abstaining=0)),
        NotAllowed,
        match="counts 12 votes, more than the panel's 11 seated members",
    )


@pytest.mark.parametrize(
    ("votes_for", "against", "adopted", "said"),
    [
        (5, 6, True, r"By majority, vote V-1 is not adopted \(5 for, 6 against\): fix 'adopted'"),
        (5, 5, True, r"is not adopted \(5 for, 5 against\)"),
        (7, 4, False, r"By majority, vote V-1 is adopted \(7 for, 4 against\): fix 'adopted'"),
    ],
)
def test_a_majority_vote_is_adopted_exactly_when_more_voted_for_than_against(
    seated: Office, votes_for: int, against: int, adopted: bool, said: str
) -> None:
    inconsistent = vote("V-1", votes_for=votes_for, against=against, abstaining=0).model_copy(
        update={"adopted": adopted}
    )
    seated.refuses("secretariat", step(commands.record_vote, inconsistent), NotAllowed, match=said)


def test_a_consensus_is_recorded_as_the_panel_says(seated: Office) -> None:
    consensus = VoteHeld(
        panel=1,
        vote="C-1",
        subject="Recommendation 1",
        votes_for=0,
        votes_against=0,
        abstentions=0,
        method=Method.CONSENSUS,
        adopted=True,
    )
    seated.do("secretariat", step(commands.record_vote, consensus))
    (recorded,) = LedgerStore(seated.ledger, None).of_type(VoteHeld.TYPE)
    assert recorded.event == consensus


def test_a_vote_is_on_record_once(seated: Office) -> None:
    seated.do("secretariat", step(commands.record_vote, vote("V-1")))
    seated.refuses(
        "secretariat",
        step(commands.record_vote, vote("V-1", votes_for=2, against=9)),
        AlreadyDone,
        match="Vote V-1 of panel 1 is already on record",
    )


def test_only_the_secretariat_records_votes(seated: Office) -> None:
    seated.refuses(
        "government",
        step(commands.record_vote, vote("V-1")),
        RoleNotAllowed,  # type: ignore[arg-type]
        match="may not write assembly.deliberation.vote_held",
    )
