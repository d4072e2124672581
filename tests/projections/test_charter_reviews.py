"""The read side follows the charter's review appointments, however many there are, and reads
implementation and joint statements honestly."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

import projections.runner as runner
from domain import commands
from domain.charter import Chartered
from domain.government import Implementation, ImplementationReported
from domain.responses import Position
from domain.statement import StatementGiven
from projections.board import deadlines, overdue_reviews
from projections.dashboard import TOTAL, dashboard
from projections.status import Status, fold
from tests.domain.conftest import HANDED_OVER, Office, step
from tests.projections.conftest import answer, history

SIX_MONTHS = Chartered(
    name="Assembly",
    region="Scotland",
    languages=("fr", "nl"),
    review_offsets=("P6M",),
    theme_group_size=5,
)
THREE_REVIEWS = Chartered(
    name="Assembly",
    region="Brussels-Capital",
    languages=("fr", "nl"),
    review_offsets=("P3M", "P12M", "P24M"),
    theme_group_size=5,
)
TWELVE_MONTHS_ON = date(2027, 3, 2)


def answering(office: Office) -> Office:
    office.clock.now = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
    return office


def state_of(office: Office) -> Status:
    return fold(Status(), history(office.ledger))


@pytest.mark.parametrize("assembly_charter", [SIX_MONTHS])
def test_with_one_review_at_six_months_nothing_answered_is_overdue_at_twelve_months(
    recommended: Office,
) -> None:
    office = answering(recommended)
    office.do("government", step(commands.respond, answer(1, 1, Position.ACCEPTED)))
    referred = answer(2, 1, Position.NOT_COMPETENT, referred_to="The UK Government")
    office.do("government", step(commands.respond, referred))
    state = state_of(office)

    assert state.offsets == (6,)
    first = state.recommendations[(1, 1)]
    (only,) = deadlines(state, first, as_of=TWELVE_MONTHS_ON)
    assert (only.review, only.due, only.overdue) == (1, date(2026, 9, 2), False)
    late = {rec.key for rec, _ in overdue_reviews(state, as_of=TWELVE_MONTHS_ON)}
    assert late == {(1, 3), (1, 4)}  # handed over, never answered


@pytest.mark.parametrize("assembly_charter", [THREE_REVIEWS])
def test_each_of_the_charters_appointments_has_its_deadline(recommended: Office) -> None:
    state = state_of(recommended)
    rec = state.recommendations[(1, 1)]
    dues = [deadline.due for deadline in deadlines(state, rec, as_of=HANDED_OVER)]
    assert dues == [date(2026, 6, 2), date(2027, 3, 2), date(2028, 3, 2)]


def test_a_recommendation_referred_to_whoever_is_competent_is_still_followed_up_later(
    recommended: Office,
) -> None:
    # The charter asks for two answers: the second says what became of the referral, as the
    # previous release judged it. A process that asks for one answer has one appointment.
    office = answering(recommended)
    referred = answer(1, 1, Position.NOT_COMPETENT, referred_to="The federal government")
    office.do("government", step(commands.respond, referred))
    state = state_of(office)
    rec = state.recommendations[(1, 1)]
    found = deadlines(state, rec, as_of=date(2028, 1, 1))
    assert [(deadline.review, deadline.overdue) for deadline in found] == [(1, False), (2, True)]


def test_implementation_is_not_applicable_after_a_rejection(recommended: Office) -> None:
    office = answering(recommended)
    office.do("government", step(commands.respond, answer(1, 1, Position.REJECTED)))
    state = state_of(office)
    assert state.recommendations[(1, 1)].implementation == "not_applicable"
    assert state.recommendations[(1, 2)].implementation == "not_started"
    counts = {
        (count.axis, count.value): count.count
        for count in dashboard(state, as_of=date(2026, 4, 2)).of(TOTAL)
    }
    assert counts[("implementation", "not_applicable")] == 1


def test_progress_unknown_stays_unknown_on_the_read_side(recommended: Office) -> None:
    office = answering(recommended)
    office.do("government", step(commands.respond, answer(1, 1, Position.ACCEPTED)))
    unknown = ImplementationReported(panel=1, number=1, status=Implementation.IN_PROGRESS)
    office.do("government", step(commands.report, unknown))
    (said,) = state_of(office).recommendations[(1, 1)].reports
    assert said.payload["progress"] is None


def test_a_joint_statement_is_kept_once_and_counted_once_per_recommendation(
    recommended: Office,
) -> None:
    office = answering(recommended)
    given = StatementGiven(
        id="fr-2020-06-29",
        text={"fr": "Je reprends les propositions de la Convention. " * 5},
        on=date(2026, 4, 1),
        by="Présidence de la République",
        covers=("1/1", "1/2", "1/3"),
    )
    answers = [
        answer(1, 1, Position.ACCEPTED, statement=given.id),
        answer(2, 1, Position.ACCEPTED, statement=given.id),
        answer(3, 1, Position.POSTPONED, statement=given.id),
    ]
    office.do("government", step(commands.answer_jointly, given, answers))
    state = state_of(office)

    assert list(state.statements) == [given.id]
    for number in (1, 2, 3):
        (said,) = state.recommendations[(1, number)].answers
        shown = state.statement(said)
        assert shown is not None and shown["text"] == given.text
    counts = {
        (count.axis, count.value): count.count
        for count in dashboard(state, as_of=date(2026, 4, 2)).of(TOTAL)
    }
    assert counts[("position", "accepted")] == 2
    assert counts[("position", "postponed")] == 1
    assert counts[("position", "awaiting_response")] == 2  # 4 and 5


@pytest.mark.parametrize("assembly_charter", [SIX_MONTHS])
def test_the_stored_tables_keep_the_appointments_and_the_statements_one_entry_at_a_time(
    recommended: Office,
) -> None:
    office = answering(recommended)
    given = StatementGiven(
        id="scot-goal-1",
        text={"fr": "Réponse par objectif. " * 5},
        on=date(2026, 4, 1),
        by="Scottish Government",
        covers=("1/1",),
    )
    office.do(
        "government",
        step(commands.answer_jointly, given, [answer(1, 1, Position.ACCEPTED, statement=given.id)]),
    )
    runner.catch_up(office.ledger, batch=1)
    stored = runner.stored(office.ledger)
    assert stored.offsets == (6,)
    assert dict(stored.statements[given.id])["by"] == "Scottish Government"
    assert stored == replace(state_of(office), seq=stored.seq)
    late = runner.stored_after(
        office.ledger, after=None, where={}, limit=10, overdue_on=TWELVE_MONTHS_ON
    )
    assert sorted(late.recommendations) == [(1, 2), (1, 3), (1, 4)]
