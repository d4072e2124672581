"""Deadlines as of a date: overdue and answered late judged by the day the ledger recorded an
answer, the date its author gave shown beside it and flagged when much earlier."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from types import MappingProxyType

from domain import commands
from domain.responses import Responded
from projections import board
from projections.board import CLAIM_GRACE_DAYS, deadlines, overdue_reviews
from projections.status import Change, RecommendationStatus, Said, Status, fold
from projections.view import view_at
from tests.domain.conftest import Office
from tests.projections.conftest import history

HANDED_OVER = date(2026, 1, 15)  # due 2026-04-15 and 2027-01-15
ANSWER = Responded(panel=1, number=1, review=1, position="accepted", portfolio="climate")


def moment(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=UTC)


def rec(*answers: tuple[int, date, date]) -> RecommendationStatus:
    """Recommendation 1/1, handed over, with answers (review, dated, recorded)."""
    said = tuple(
        Said(
            MappingProxyType({"review": review, "position": "accepted"}),
            Change(10 + n, "gov", moment(dated), moment(recorded)),
        )
        for n, (review, dated, recorded) in enumerate(answers)
    )
    return RecommendationStatus(
        panel=1,
        number=1,
        title=MappingProxyType({"fr": "R"}),
        portfolio="climate",
        priority="high",
        adopted=Change(1, "sec", moment(date(2026, 1, 10))),
        handed_over=HANDED_OVER,
        answers=said,
    )


def state(one: RecommendationStatus) -> Status:
    return Status(MappingProxyType({one.key: one}))


def test_an_unanswered_review_is_overdue_by_the_days_since_it_was_due() -> None:
    first, second = deadlines(state(rec()), rec(), as_of=date(2026, 4, 25))
    assert (first.due, first.late, first.overdue) == (date(2026, 4, 15), 10, True)
    assert (second.due, second.late, second.overdue) == (date(2027, 1, 15), 0, False)
    assert [
        (r.key, d.review) for r, d in overdue_reviews(state(rec()), as_of=date(2026, 4, 25))
    ] == [((1, 1), 1)]


def test_an_answer_recorded_after_the_due_date_is_answered_late_and_no_longer_overdue() -> None:
    late = rec((1, date(2026, 4, 20), date(2026, 4, 20)))
    first, _ = deadlines(state(late), late, as_of=date(2026, 5, 1))
    assert (first.recorded, first.claimed, first.late, first.answered_late) == (
        date(2026, 4, 20),
        date(2026, 4, 20),
        0,
        5,
    )
    assert (first.answered, first.claimed_early, first.backdated) == (True, 0, False)


def test_an_answer_dated_on_time_but_recorded_late_is_late_by_its_recording_and_flagged() -> None:
    backdated = rec((1, date(2026, 4, 14), date(2026, 4, 30)))
    first, _ = deadlines(state(backdated), backdated, as_of=date(2026, 5, 1))
    assert (first.claimed, first.recorded, first.answered_late) == (
        date(2026, 4, 14),
        date(2026, 4, 30),
        15,
    )
    assert (first.claimed_early, first.backdated) == (16, True)


def test_an_answer_dated_a_few_days_before_its_recording_is_not_flagged() -> None:
    weekend = rec((1, date(2026, 4, 10), date(2026, 4, 14)))
    first, _ = deadlines(state(weekend), weekend, as_of=date(2026, 5, 1))
    assert (first.answered_late, first.claimed_early, first.backdated) == (0, 4, False)


def test_the_flag_starts_after_the_grace_days() -> None:
    def flagged(days: int) -> bool:
        recorded = date(2026, 4, 14)
        one = rec((1, recorded - timedelta(days=days), recorded))
        return deadlines(state(one), one, as_of=recorded)[0].backdated

    assert (flagged(CLAIM_GRACE_DAYS), flagged(CLAIM_GRACE_DAYS + 1)) == (False, True)


def test_as_of_a_day_before_the_answer_was_recorded_the_review_is_still_open() -> None:
    backdated = rec((1, date(2026, 4, 14), date(2026, 4, 20)))
    first, _ = deadlines(state(backdated), backdated, as_of=date(2026, 4, 17))
    assert (first.recorded, first.claimed, first.late, first.overdue) == (None, None, 2, True)


def test_a_review_answered_on_time_by_its_recording_day_is_not_late() -> None:
    on_time = rec((1, date(2026, 4, 15), date(2026, 4, 15)))
    first, _ = deadlines(state(on_time), on_time, as_of=date(2026, 5, 1))
    assert (first.answered, first.late, first.answered_late, first.backdated) == (
        True,
        0,
        0,
        False,
    )


def test_on_a_real_ledger_an_answer_is_judged_by_the_day_it_was_recorded(
    recommended: Office,
) -> None:
    """Handed over on 2026-03-02 (due 2026-06-02); the answer, dated 2026-05-20 by its author,
    is recorded on 2026-06-10: late by 8 days, and flagged. The stored read model and a fold
    of the ledger at a past day say the same."""
    claimed = datetime(2026, 5, 20, 9, tzinfo=UTC)
    recommended.clock.now = datetime(2026, 6, 10, 9, tzinfo=UTC)
    recommended.do("government", lambda s, now: commands.respond(s, ANSWER, at=claimed))
    today = date(2026, 6, 11)
    folded = fold(Status(), history(recommended.ledger))
    first, _ = deadlines(folded, folded.recommendations[(1, 1)], as_of=today)
    assert (first.claimed, first.recorded, first.answered_late) == (
        date(2026, 5, 20),
        date(2026, 6, 10),
        8,
    )
    assert (first.claimed_early, first.backdated, first.overdue) == (21, True, False)
    stored = view_at(recommended.ledger, today=today)
    assert stored.deadlines(stored.state.recommendations[(1, 1)])[0] == first
    before = view_at(recommended.ledger, as_of=date(2026, 6, 9), today=today)
    assert before.deadlines(before.state.recommendations[(1, 1)])[0].late == 7


def test_deadlines_are_worked_out_once_per_record_charter_and_day() -> None:
    """A record read again from an unchanged row is the same object: its deadlines are kept,
    and worked out again for another day, another charter or another record."""
    one = rec()
    kept = deadlines(state(one), one, as_of=date(2026, 4, 25))
    assert deadlines(state(one), one, as_of=date(2026, 4, 25)) is kept
    later = deadlines(state(one), one, as_of=date(2026, 4, 26))
    assert later is not kept and later[0].late == kept[0].late + 1
    once = replace(state(one), offsets=(3,))  # a charter of one review
    assert [d.review for d in deadlines(once, one, as_of=date(2026, 4, 26))] == [1]
    answered = rec((1, date(2026, 4, 20), date(2026, 4, 20)))  # another record, the same key
    assert deadlines(state(answered), answered, as_of=date(2026, 4, 25))[0].answered
    for _ in range(board.KEPT_DEADLINES + 10):
        other = rec()
        deadlines(state(other), other, as_of=date(2026, 4, 25))
    assert len(board._KEPT) == board.KEPT_DEADLINES  # the oldest dropped
