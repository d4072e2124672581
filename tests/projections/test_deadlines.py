"""Due dates are computed: months after the hand-over (clamped at month ends), extended by
suspensions; overdue flips the day after the due date when no answer was given by then."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from projections.deadlines import (
    Suspension,
    add_months,
    due_date,
    due_dates,
    first_not_overdue,
    overdue,
)

HANDED = date(2026, 3, 2)
LATER = date(2030, 1, 1)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 8, 31), 3, date(2026, 11, 30)),
        (date(2026, 3, 2), 12, date(2027, 3, 2)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
    ],
)
def test_months_are_added_on_the_calendar_using_the_last_day_when_it_does_not_exist(
    start: date, months: int, expected: date
) -> None:
    assert add_months(start, months) == expected


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2900, 1, 1)), st.integers(0, 240))
def test_adding_months_keeps_the_day_unless_the_month_is_shorter(start: date, months: int) -> None:
    moved = add_months(start, months)
    assert (moved.year * 12 + moved.month) - (start.year * 12 + start.month) == months
    assert moved.day == start.day or (moved.day < start.day and (moved + timedelta(1)).day == 1)


def test_without_suspensions_the_reviews_are_due_3_and_12_months_after_the_hand_over() -> None:
    assert due_dates(HANDED, (3, 12), [], as_of=LATER) == (date(2026, 6, 2), date(2027, 3, 2))


def test_a_suspension_before_the_due_date_moves_it_by_its_days() -> None:
    ten_days = Suspension(date(2026, 5, 1), date(2026, 5, 11))
    assert due_dates(HANDED, (3, 12), [ten_days], as_of=LATER) == (
        date(2026, 6, 12),
        date(2027, 3, 12),
    )


def test_a_suspension_after_the_first_due_date_moves_only_the_second() -> None:
    later = Suspension(date(2026, 9, 1), date(2026, 9, 21))
    assert due_dates(HANDED, (3, 12), [later], as_of=LATER) == (
        date(2026, 6, 2),
        date(2027, 3, 22),
    )


def test_only_the_days_after_the_hand_over_count() -> None:
    straddling = Suspension(date(2026, 2, 20), date(2026, 3, 12))
    assert due_date(HANDED, 3, [straddling], as_of=LATER) == date(2026, 6, 12)
    before = Suspension(date(2026, 1, 1), date(2026, 2, 1))
    assert due_date(HANDED, 3, [before], as_of=LATER) == date(2026, 6, 2)


def test_an_extension_can_bring_a_later_suspension_into_the_period() -> None:
    first = Suspension(date(2026, 5, 1), date(2026, 5, 31))  # due moves to 2026-07-02
    second = Suspension(date(2026, 6, 20), date(2026, 6, 25))
    assert due_date(HANDED, 3, [second, first], as_of=LATER) == date(2026, 7, 7)


def test_an_open_suspension_extends_up_to_the_as_of_date() -> None:
    open_one = Suspension(date(2026, 5, 1))
    assert due_date(HANDED, 3, [open_one], as_of=date(2026, 5, 21)) == date(2026, 6, 22)
    assert due_date(HANDED, 3, [open_one], as_of=date(2026, 4, 1)) == date(2026, 6, 2)


def test_a_suspension_is_counted_as_it_stood_on_the_as_of_date() -> None:
    resumed = Suspension(date(2026, 5, 1), date(2026, 5, 31))
    assert due_date(HANDED, 3, [resumed], as_of=date(2026, 5, 11)) == date(2026, 6, 12)


def test_overdue_flips_the_day_after_the_due_date() -> None:
    due = date(2026, 6, 2)
    assert not overdue(due, None, as_of=due)
    assert overdue(due, None, as_of=due + timedelta(days=1))


def test_an_answer_given_by_the_as_of_date_is_not_overdue() -> None:
    due = date(2026, 6, 2)
    late = date(2026, 6, 10)
    assert not overdue(due, date(2026, 6, 1), as_of=date(2026, 7, 1))
    assert overdue(due, late, as_of=date(2026, 6, 9))
    assert not overdue(due, late, as_of=late)


def test_while_the_deadlines_stand_still_nothing_becomes_overdue() -> None:
    open_one = [Suspension(date(2026, 5, 1))]
    for days in (0, 40, 400):
        as_of = date(2026, 5, 1) + timedelta(days=days)
        assert not overdue(due_date(HANDED, 3, open_one, as_of=as_of), None, as_of=as_of)


@given(
    as_of=st.dates(min_value=date(2001, 1, 1), max_value=date(2099, 12, 31)),
    months=st.sampled_from([1, 3, 6, 12, 24]),
    shift=st.integers(min_value=-70, max_value=70),
)
def test_a_review_can_be_overdue_only_if_handed_over_before_the_first_day_it_cannot_be(
    as_of: date, months: int, shift: int
) -> None:
    cutoff = first_not_overdue(as_of, months)
    handed_over = cutoff + timedelta(days=shift)
    due = add_months(handed_over, months)  # no suspension: the earliest it can be due
    assert (due < as_of) == (handed_over < cutoff)
