"""The government's side: what each position and implementation status must carry, when reports
may follow, deadline suspensions, and the role table (who may write what)."""

from __future__ import annotations

from datetime import date

import pytest

from cli.store import LedgerStore
from domain import commands
from domain.charter import Chartered
from domain.errors import AlreadyDone, JustificationTooShort, MissingDetail, NotAllowed, NotYet
from domain.government import (
    Assessed,
    DeadlineResumed,
    DeadlineSuspended,
    ImplementationReported,
    ResponsibilityTransferred,
)
from domain.recommendation import Recommendation, recommendation_stream
from domain.responses import Responded
from ledger.errors import RoleNotAllowed
from tests.domain.conftest import DETAILED, Office, step

EVIDENCE = "sha256:" + "cd" * 32
LENIENT = Chartered(
    name="Assembly",
    region="Brussels-Capital",
    languages=("fr", "nl"),
    min_justification=50,
    theme_group_size=5,
)
ELECTIONS = "Regional elections and the forming of a new government."


def answer(number: int, position: str, review: int = 1, **fields: object) -> Responded:
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


def report(
    number: int, status: str, progress: int = 50, **fields: object
) -> ImplementationReported:
    return ImplementationReported.model_validate(
        {"panel": 1, "number": number, "status": status, "progress": progress, **fields}
    )


def verdict(number: int, said: str, **fields: object) -> Assessed:
    return Assessed.model_validate({"panel": 1, "number": number, "verdict": said, **fields})


def respond(office: Office, event: Responded) -> None:
    office.do("government", step(commands.respond, event))


# -- positions ------------------------------------------------------------------------------


@pytest.mark.parametrize("position", ["rejected", "accepted_in_part"])
def test_declining_or_changing_a_recommendation_needs_the_charters_minimum_justification(
    recommended: Office, position: str
) -> None:
    recommended.refuses(
        "government",
        step(commands.respond, answer(1, position, justification="x" * 199)),
        JustificationTooShort,
        match=rf"A response '{position}' needs a justification of at least 200 characters "
        r"\(this one has 199\): explain the choice in detail",
    )
    respond(recommended, answer(1, position, justification=DETAILED))


@pytest.mark.parametrize("assembly_charter", [LENIENT])
@pytest.mark.parametrize("position", ["rejected", "accepted_in_part"])
def test_a_charter_may_set_another_minimum_justification(
    recommended: Office, assembly_charter: Chartered, position: str
) -> None:
    recommended.refuses(
        "government",
        step(commands.respond, answer(1, position, justification="x" * 49)),
        JustificationTooShort,
        match=r"at least 50 characters \(this one has 49\)",
    )
    respond(recommended, answer(1, position, justification="x" * 50))


def test_blank_padding_is_not_a_justification(recommended: Office) -> None:
    recommended.refuses(
        "government",
        step(commands.respond, answer(1, "rejected", justification=" " * 300 + "no")),
        JustificationTooShort,
        match=r"\(this one has 2\)",
    )


def test_under_study_needs_a_decision_date(recommended: Office) -> None:
    recommended.refuses(
        "government",
        step(commands.respond, answer(1, "under_study")),
        MissingDetail,
        match=r"A response 'under_study' needs the date by which a decision will be taken "
        r"\(decision_date\)",
    )
    respond(recommended, answer(1, "under_study", decision_date=date(2026, 12, 31)))


def test_not_competent_needs_whom_it_was_referred_to(recommended: Office) -> None:
    recommended.refuses(
        "government",
        step(commands.respond, answer(1, "not_competent", referred_to="  ")),
        MissingDetail,
        match=r"A response 'not_competent' needs whom the recommendation was referred to "
        r"\(referred_to\)",
    )
    respond(recommended, answer(1, "not_competent", referred_to="Federal Public Service Mobility"))


def test_already_in_place_needs_an_evidence_digest(recommended: Office) -> None:
    recommended.refuses(
        "government",
        step(commands.respond, answer(1, "already_in_place", evidence_digest="see the website")),
        MissingDetail,
        match=r"A response 'already_in_place' needs the SHA-256 digest of the evidence "
        r"\(sha256:<64 hex>\)",
    )
    respond(recommended, answer(1, "already_in_place", evidence_digest=EVIDENCE))


# -- implementation -------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["completed_modified", "abandoned"])
def test_changing_or_dropping_a_measure_needs_the_charters_minimum_justification(
    recommended: Office, status: str
) -> None:
    respond(recommended, answer(1, "accepted"))
    recommended.refuses(
        "government",
        step(commands.report, report(1, status, 100, justification="Budget cuts.")),
        JustificationTooShort,
        match=rf"An implementation '{status}' needs a justification of at least 200 characters "
        r"\(this one has 12\)",
    )
    recommended.do(
        "government", step(commands.report, report(1, status, 100, justification=DETAILED))
    )


@pytest.mark.parametrize("assembly_charter", [LENIENT])
def test_the_charters_minimum_applies_to_implementation_too(
    recommended: Office, assembly_charter: Chartered
) -> None:
    respond(recommended, answer(1, "accepted"))
    recommended.refuses(
        "government",
        step(commands.report, report(1, "abandoned", justification="x" * 49)),
        JustificationTooShort,
        match="at least 50 characters",
    )
    recommended.do(
        "government", step(commands.report, report(1, "abandoned", justification="x" * 50))
    )


@pytest.mark.parametrize(
    "taken_on",
    [
        answer(1, "accepted"),
        answer(1, "accepted_in_part", justification=DETAILED),
        answer(1, "already_in_place", evidence_digest=EVIDENCE),
    ],
    ids=["accepted", "accepted_in_part", "already_in_place"],
)
def test_implementation_is_reported_once_the_government_took_the_recommendation_on(
    recommended: Office, taken_on: Responded
) -> None:
    respond(recommended, taken_on)
    recommended.do("government", step(commands.report, report(1, "in_progress", 40)))
    stream = recommendation_stream(1, 1)
    loaded = Recommendation.load(stream, LedgerStore(recommended.ledger, None).load(stream))
    assert loaded.reports == 1


@pytest.mark.parametrize(
    ("answered", "position"),
    [
        (answer(1, "rejected", justification=DETAILED), "rejected"),
        (answer(1, "under_study", decision_date=date(2026, 12, 31)), "under_study"),
        (answer(1, "not_competent", referred_to="The federal government"), "not_competent"),
        (None, "no answer yet"),
    ],
    ids=["rejected", "under_study", "not_competent", "no answer"],
)
def test_no_implementation_report_without_acceptance(
    recommended: Office, answered: Responded | None, position: str
) -> None:
    if answered is not None:
        respond(recommended, answered)
    recommended.refuses(
        "government",
        step(commands.report, report(1, "in_progress", 10)),
        NotYet,
        match=f"Recommendation 1/1 cannot have an implementation report: its position is "
        f"{position}, and reports follow only accepted, accepted_in_part or already_in_place",
    )


def test_no_implementation_report_before_the_hand_over(recommended: Office) -> None:
    recommended.refuses(
        "government",
        step(commands.report, report(5, "in_progress", 10)),
        NotYet,
        match="Recommendation 1/5 has not been handed over to the government, so it cannot be "
        "reported on yet",
    )


@pytest.mark.parametrize(
    ("status", "progress", "problem"),
    [
        ("in_progress", 101, "Progress is a percentage from 0 to 100, not 101"),
        ("in_progress", -1, "Progress is a percentage from 0 to 100, not -1"),
        ("completed", 90, "A completed implementation is at 100%, not 90%"),
    ],
)
def test_progress_is_a_percentage_and_completion_is_at_100(
    recommended: Office, status: str, progress: int, problem: str
) -> None:
    respond(recommended, answer(1, "accepted"))
    recommended.refuses(
        "government",
        step(commands.report, report(1, status, progress)),
        NotAllowed,
        match=problem,
    )


def test_responsibility_moves_from_the_portfolio_that_holds_it(recommended: Office) -> None:
    def transfer(source: str, target: str) -> ResponsibilityTransferred:
        return ResponsibilityTransferred(
            panel=1, number=1, from_portfolio=source, to_portfolio=target, reason="Reshuffle."
        )

    recommended.refuses(
        "government",
        step(commands.transfer, transfer("mobility", "climate")),
        NotAllowed,
        match="Recommendation 1/1 is the responsibility of climate, not mobility",
    )
    recommended.refuses(
        "government",
        step(commands.transfer, transfer("climate", "climate")),
        NotAllowed,
        match="Recommendation 1/1 is already with climate",
    )
    recommended.do("government", step(commands.transfer, transfer("climate", "mobility")))
    recommended.do("government", step(commands.transfer, transfer("mobility", "housing")))


# -- the commission -------------------------------------------------------------------------


def test_the_commission_gives_reasons_when_it_disputes(recommended: Office) -> None:
    recommended.refuses(
        "commission",
        step(commands.assess, verdict(1, "disputes", reasons=" ")),
        MissingDetail,
        match="A verdict 'disputes' needs the commission's reasons",
    )
    recommended.refuses(
        "commission",
        step(commands.assess, verdict(1, "agrees", score=11)),
        NotAllowed,
        match="The score is a number from 0 to 10 with at most one decimal, such as 2.8, not '11'",
    )
    recommended.do("commission", step(commands.assess, verdict(1, "disputes", reasons="No plan.")))


def test_the_commission_assesses_only_what_was_handed_over(recommended: Office) -> None:
    recommended.refuses(
        "commission",
        step(commands.assess, verdict(5, "agrees")),
        NotYet,
        match="Recommendation 1/5 has not been handed over to the government, so it cannot be "
        "assessed yet",
    )


# -- the role table -------------------------------------------------------------------------


def test_the_secretariat_may_not_respond_for_the_government(recommended: Office) -> None:
    recommended.refuses(
        "secretariat",
        step(commands.respond, answer(1, "accepted")),
        RoleNotAllowed,  # type: ignore[arg-type]
        match="role 'secretariat', which may not write assembly.government.responded",
    )


def test_the_government_may_not_assess(recommended: Office) -> None:
    recommended.refuses(
        "government",
        step(commands.assess, verdict(1, "agrees")),
        RoleNotAllowed,  # type: ignore[arg-type]
        match="role 'government', which may not write assembly.commission.assessed",
    )


def test_the_commission_may_not_report_implementation(recommended: Office) -> None:
    respond(recommended, answer(1, "accepted"))
    recommended.refuses(
        "commission",
        step(commands.report, report(1, "in_progress")),
        RoleNotAllowed,  # type: ignore[arg-type]
        match="may not write assembly.government.implementation_reported",
    )


# -- deadline suspensions -------------------------------------------------------------------


@pytest.mark.parametrize("role", ["secretariat", "commission", "charter"])
def test_only_the_government_suspends_the_deadlines(chartered: Office, role: str) -> None:
    chartered.refuses(
        role,
        step(commands.suspend, date(2026, 5, 10), ELECTIONS),
        RoleNotAllowed,  # type: ignore[arg-type]
        match=f"role '{role}', which may not write assembly.government.deadline_suspended",
    )


def test_only_the_government_resumes_the_deadlines(chartered: Office) -> None:
    chartered.do("government", step(commands.suspend, date(2026, 5, 10), ELECTIONS))
    chartered.refuses(
        "secretariat",
        step(commands.resume, date(2026, 7, 18)),
        RoleNotAllowed,  # type: ignore[arg-type]
        match="may not write assembly.government.deadline_resumed",
    )


def test_a_suspension_needs_a_reason(chartered: Office) -> None:
    chartered.refuses(
        "government",
        step(commands.suspend, date(2026, 5, 10), "   "),
        MissingDetail,
        match="A deadline suspension needs a reason",
    )


def test_the_deadlines_are_suspended_only_under_a_charter(office: Office) -> None:
    office.refuses(
        "government",
        step(commands.suspend, date(2026, 5, 10), ELECTIONS),
        NotYet,
        match="The assembly has no charter yet",
    )


def test_suspensions_never_overlap(chartered: Office) -> None:
    chartered.do("government", step(commands.suspend, date(2026, 5, 10), ELECTIONS))
    chartered.refuses(
        "government",
        step(commands.suspend, date(2026, 6, 1), ELECTIONS),
        AlreadyDone,
        match="already suspended since 2026-05-10; suspensions never overlap: resume them first",
    )
    chartered.do("government", step(commands.resume, date(2026, 7, 18)))
    chartered.refuses(
        "government",
        step(commands.suspend, date(2026, 7, 17), ELECTIONS),
        NotAllowed,
        match="A suspension from 2026-07-17 would overlap the last one, which ended on 2026-07-18",
    )
    chartered.do("government", step(commands.suspend, date(2026, 7, 18), "A second election."))
    store = LedgerStore(chartered.ledger, None)
    assert [r.event for r in store.of_type(DeadlineSuspended.TYPE)] == [
        DeadlineSuspended(since=date(2026, 5, 10), reason=ELECTIONS),
        DeadlineSuspended(since=date(2026, 7, 18), reason="A second election."),
    ]


def test_the_deadlines_resume_not_before_the_suspension_began(chartered: Office) -> None:
    chartered.refuses(
        "government",
        step(commands.resume, date(2026, 7, 18)),
        NotYet,
        match="The deadlines are not suspended, so they cannot be resumed",
    )
    chartered.do("government", step(commands.suspend, date(2026, 5, 10), ELECTIONS))
    chartered.refuses(
        "government",
        step(commands.resume, date(2026, 5, 9)),
        NotAllowed,
        match="The deadlines cannot resume on 2026-05-09, before the suspension began",
    )
    chartered.do("government", step(commands.resume, date(2026, 5, 10)))
    (resumed,) = LedgerStore(chartered.ledger, None).of_type(DeadlineResumed.TYPE)
    assert resumed.event == DeadlineResumed(on=date(2026, 5, 10))
