"""Deadlines as of a date: overdue and answered late judged by the day the ledger recorded an
answer, the date its author gave shown beside it and flagged when much earlier."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import MappingProxyType

from projections.board import CLAIM_GRACE_DAYS, deadlines, overdue_reviews
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
