"""Review due dates, computed from the hand-over date, the charter's offsets and suspensions.

Due dates and ``overdue`` are not stored as facts (docs/design.md 4, 6): they are computed here, as
of a date, from what the ledger holds. Review ``n`` is due ``offsets[n - 1]`` months after the
hand-over (on the last day of the month when that day does not exist), plus the days of every
suspension that overlaps the period from the hand-over to the due date: while the deadlines are
suspended, the review clocks stand still. A suspension not yet resumed counts up to the as-of
date; one that had not begun by then counts for nothing.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Suspension:
    """A period during which the review clocks stand still: from ``since`` to ``until``
    (the day the deadlines resumed), or still open when ``until`` is None."""

    since: date
    until: date | None = None

    def days(self, *, start: date, as_of: date) -> int:
        """How many of its days fall after ``start``, as known on ``as_of``."""
        end = as_of if self.until is None else min(self.until, as_of)
        return max(0, (end - max(self.since, start)).days)


def add_months(day: date, months: int) -> date:
    """``day`` moved ``months`` calendar months on, clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def first_not_overdue(as_of: date, months: int) -> date:
    """The first hand-over day whose review, ``months`` on, is not overdue on ``as_of`` when no
    suspension moved it: an unanswered review can be overdue only if it was handed over before
    this day (suspensions only move due dates later)."""
    day = add_months(as_of, -months) - timedelta(days=4)  # below it, whatever the clamping
    while add_months(day, months) < as_of:
        day += timedelta(days=1)
    return day


def due_date(
    handed_over: date, months: int, suspensions: Iterable[Suspension], *, as_of: date
) -> date:
    """The day by which an answer is due, ``months`` after ``handed_over``, as of ``as_of``."""
    due = add_months(handed_over, months)
    # In order of start: extending the due date may bring a later suspension into the period.
    for suspension in sorted(suspensions, key=lambda found: found.since):
        if suspension.since <= due:
            due += timedelta(days=suspension.days(start=handed_over, as_of=as_of))
    return due


def due_dates(
    handed_over: date,
    offsets: Sequence[int],
    suspensions: Iterable[Suspension],
    *,
    as_of: date,
) -> tuple[date, ...]:
    """The due date of each review (its offset in months, first to last), as of ``as_of``."""
    periods = tuple(suspensions)
    return tuple(due_date(handed_over, months, periods, as_of=as_of) for months in offsets)


def overdue(due: date, answered_on: date | None, *, as_of: date) -> bool:
    """True when ``due`` has passed on ``as_of`` with no answer given by then."""
    answered = answered_on is not None and answered_on <= as_of
    return as_of > due and not answered
