"""No backdating past the rules: each step is dated no earlier than the step it follows, as
their authors date them (an answer or a verdict not before the hand-over, a report not before
the answer that accepted the recommendation, a hand-over not before the adoption), and an answer
names the portfolio responsible for the recommendation. Each refusal writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from cli.store import LedgerStore
from domain import commands
from domain.errors import DatedTooEarly, NotAllowed
from domain.government import Assessed, ImplementationReported, ResponsibilityTransferred
from domain.process import Session
from domain.recommendation import Adopted
from domain.responses import Responded
from tests.domain.conftest import HANDED_OVER, Office, Step, adopted, vote

DAY_BEFORE = datetime(2026, 3, 1, 15, 0, tzinfo=UTC)  # the day before HANDED_OVER


def answer(number: int, *, portfolio: str = "climate", review: int = 1) -> Responded:
    return Responded(
        panel=1, number=number, review=review, position="accepted", portfolio=portfolio
    )


def report(number: int) -> ImplementationReported:
    return ImplementationReported(panel=1, number=number, status="in_progress", progress=20)


def dated(at: datetime, command: Callable[..., object], *args: object) -> Step:
    """``command(session, *args)`` dated ``at`` by its author, whatever the ledger's clock."""

    def run_it(session: Session, now: datetime) -> None:
        command(session, *args, at=at)

    return run_it


def adoption_day(office: Office, number: int) -> date:
    """The day the adoption of recommendation ``number`` is dated (its ``occurred_at``)."""
    for found in LedgerStore(office.ledger, None).of_type(Adopted.TYPE):
        if isinstance(found.event, Adopted) and found.event.number == number:
            return found.occurred_at.date()
    raise AssertionError(f"recommendation 1/{number} was not adopted")


def test_an_answer_dated_before_the_hand_over_is_refused(recommended: Office) -> None:
    recommended.refuses(
        "government",
        dated(DAY_BEFORE, commands.respond, answer(1)),
        DatedTooEarly,
        match="The answer to recommendation 1/1 at review 1 is dated 2026-03-01, before its "
        "hand-over on 2026-03-02: date it on or after 2026-03-02.",
    )
    on_the_day = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    recommended.do("government", dated(on_the_day, commands.respond, answer(1)))


def test_a_verdict_dated_before_the_hand_over_is_refused(recommended: Office) -> None:
    verdict = Assessed(panel=1, number=2, verdict="insufficient_information")
    recommended.refuses(
        "commission",
        dated(DAY_BEFORE, commands.assess, verdict),
        DatedTooEarly,
        match="The commission's verdict on recommendation 1/2 is dated 2026-03-01, before its "
        "hand-over on 2026-03-02: date it on or after 2026-03-02.",
    )


def test_a_report_dated_before_the_answer_that_accepted_the_recommendation_is_refused(
    recommended: Office,
) -> None:
    accepted_on = recommended.clock.advance(days=10)  # 2026-03-12
    recommended.do("government", dated(accepted_on, commands.respond, answer(1)))
    recommended.refuses(
        "government",
        dated(accepted_on - timedelta(days=1), commands.report, report(1)),
        DatedTooEarly,
        match="An implementation report on recommendation 1/1 is dated 2026-03-11, before the "
        "answer that accepted it on 2026-03-12: date it on or after 2026-03-12.",
    )
    recommended.do("government", dated(accepted_on, commands.report, report(1)))


def test_a_report_in_the_same_unit_of_work_as_the_acceptance_follows_its_date(
    recommended: Office,
) -> None:
    def both(session: Session, now: datetime) -> None:
        commands.respond(session, answer(2), at=now)
        commands.report(session, report(2), at=now - timedelta(days=1))

    recommended.refuses("government", both, DatedTooEarly, match="before the answer that accepted")


def test_a_hand_over_dated_before_the_adoption_is_refused(recommended: Office) -> None:
    adopted_on = adoption_day(recommended, 5)
    early = adopted_on - timedelta(days=1)
    recommended.refuses(
        "secretariat",
        dated(recommended.clock(), commands.hand_over, 1, 5, early),
        DatedTooEarly,
        match=f"The hand-over of recommendation 1/5 is dated {early}, before its adoption on "
        f"{adopted_on}: date it on or after {adopted_on}.",
    )
    recommended.do("secretariat", dated(recommended.clock(), commands.hand_over, 1, 5, adopted_on))


def test_the_order_of_steps_follows_the_dates_their_authors_gave_not_when_they_were_recorded(
    recommended: Office,
) -> None:
    """An adoption recorded a week after the vote, dated on the day of the vote, may be handed
    over on a day between the two: the rule compares what the authors claim, and whether an
    answer came on time is judged by the day the ledger recorded it instead."""
    voted = recommended.clock() - timedelta(days=7)

    def adopt(session: Session, now: datetime) -> None:
        commands.record_vote(session, vote("V-7"), at=voted)
        commands.adopt(session, adopted(7, vote="V-7"), at=voted)

    recommended.do("secretariat", adopt)
    between = (voted + timedelta(days=3)).date()
    recommended.do("secretariat", dated(recommended.clock(), commands.hand_over, 1, 7, between))


def test_the_fixture_hands_over_on_the_day_the_ledger_records_it(recommended: Office) -> None:
    assert recommended.clock().date() == HANDED_OVER


def test_an_answer_names_the_responsible_portfolio_or_is_refused(recommended: Office) -> None:
    recommended.refuses(
        "government",
        dated(recommended.clock(), commands.respond, answer(1, portfolio="mobility")),
        NotAllowed,
        match="Recommendation 1/1 is the responsibility of climate, so its answer names climate, "
        "not mobility; if mobility has taken it over, record that first with `assembly "
        "transfer`.",
    )
    moved = ResponsibilityTransferred(
        panel=1, number=1, from_portfolio="climate", to_portfolio="mobility", reason="Reshuffle."
    )
    recommended.do("government", dated(recommended.clock(), commands.transfer, moved))
    recommended.do(
        "government", dated(recommended.clock(), commands.respond, answer(1, portfolio="mobility"))
    )
