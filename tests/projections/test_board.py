"""Deadlines as of a date: overdue, answered late, and an answer dated before it was recorded."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import MappingProxyType

from projections.board import deadlines, overdue_reviews
from projections.status import Change, RecommendationStatus, Said, Status

HANDED_OVER = date(2026, 1, 15)  # due 2026-04-15 and 2027-01-15


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


def test_an_answer_after_the_due_date_is_answered_late_and_no_longer_overdue() -> None:
    late = rec((1, date(2026, 4, 20), date(2026, 4, 20)))
    first, _ = deadlines(state(late), late, as_of=date(2026, 5, 1))
    assert (first.answered, first.late, first.answered_late, first.recorded_late) == (
        date(2026, 4, 20),
        0,
        5,
        5,
    )


def test_a_backdated_answer_shows_the_days_between_its_due_date_and_its_recording() -> None:
    backdated = rec((1, date(2026, 4, 14), date(2026, 4, 30)))
    first, _ = deadlines(state(backdated), backdated, as_of=date(2026, 5, 1))
    assert (first.answered_late, first.recorded, first.recorded_late) == (0, date(2026, 4, 30), 15)


def test_as_of_a_day_before_the_answers_date_the_review_is_still_open() -> None:
    answered = rec((1, date(2026, 4, 20), date(2026, 4, 20)))
    first, _ = deadlines(state(answered), answered, as_of=date(2026, 4, 19))
    assert (first.answered, first.late) == (None, 4)
