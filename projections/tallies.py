"""What the scoreboards count, counted by the database (issue 15): a few aggregate queries over
the narrow indexes of the status tables (``projections.tables``), never the wide rows, so a
scoreboard costs about the same on a board of sixty recommendations as on one of a million.

Overdue is judged as ``projections.board`` judges it, on due dates that no suspension moved:
when a suspension is recorded these return None for what it may move, and the caller judges
the rows themselves (``projections.scoreboard``); so they do while the tables lack entries of
the ledger (``projections.runner.settled``), whose rows the reads fold in memory.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, and_, case, false, func, or_, select

from ledger import Ledger
from projections.deadlines import add_months, first_not_overdue
from projections.runner import reading, settings_only, settled
from projections.tables import current

AXES = ("position", "implementation", "verdict")
Tally = dict[str, dict[str, int]]  # axis: value: how many


@dataclass(frozen=True)
class Counted:
    """A set of recommendations counted: how many have each value of each axis, and how many
    are overdue at each review (None when a suspension may have moved a due date, or an
    answer was given after the day counted on: the caller judges the rows)."""

    tally: Tally
    late: dict[int, int] | None
    answered_by: bool = True  # whether every answer was given by the day counted on


def stored_tally(
    ledger: Ledger,
    *,
    where: Mapping[str, object],
    on: date,
    words: Sequence[str] = (),
    overdue: bool = False,
    late_at: int | None = None,
) -> Counted | None:
    """The stored rows whose columns equal ``where`` and that pass the board's other filters
    (``words``, folded, all in the row's search column; ``overdue``, a review overdue on
    ``on``; ``late_at``, review ``late_at`` overdue then), counted on ``on`` in one query: each
    axis's values, and per review the rows awaiting its answer past its due date (a review is
    overdue exactly when it awaits an answer and was handed over before ``first_not_overdue``,
    while no suspension is recorded and every answer was given by ``on``, as always today).
    Otherwise None when the filters ask for overdue rows: the caller judges the rows."""
    if not settled(ledger):
        return None
    column = current().recommendations.c
    with reading(ledger) as conn:
        state = settings_only(conn)
        answered_by = _answered_by(conn, on)
        exact = answered_by and not state.suspensions
        if not exact and (overdue or late_at is not None):
            return None
        late_at_review = {
            review: and_(
                column.awaiting.contains(f",{review},"),
                column.handed_over < first_not_overdue(on, months).isoformat(),
            )
            for review, months in enumerate(state.offsets, start=1)
        }
        late = (
            []
            if state.suspensions
            else [func.sum(case((condition, 1), else_=0)) for condition in late_at_review.values()]
        )
        axes = [column[axis] for axis in AXES]
        query = select(*axes, func.count(), *late).group_by(*axes)
        for name, value in where.items():
            query = query.where(column[name] == value)
        for word in words:
            query = query.where(column.words.contains(word, autoescape=True))
        if overdue:
            query = query.where(or_(false(), *late_at_review.values()))
        if late_at is not None:
            query = query.where(late_at_review.get(late_at, false()))
        tally: Tally = {axis: {} for axis in AXES}
        counted = dict.fromkeys(range(1, len(late) + 1), 0)
        for row in conn.execute(query):
            count = int(row[len(AXES)])
            for axis, value in zip(AXES, row, strict=False):
                tally[axis][str(value)] = tally[axis].get(str(value), 0) + count
            for review in counted:
                counted[review] += int(row[len(AXES) + review] or 0)
    return Counted(tally, counted if exact else None, answered_by)


def _answered_by(conn: Connection, on: date) -> bool:
    """Whether every answer the stored reviews hold was given by ``on`` (an indexed maximum)."""
    return bool(
        (conn.execute(select(func.max(current().reviews.c.answered))).scalar() or "")
        <= on.isoformat()
    )


@dataclass(frozen=True)
class PortfolioCounted:
    """One portfolio counted on a day: its axes, how many of its answers given by that day came
    how many days after their due date (0: on time), and how many of its reviews were still
    unanswered that day past their due date, by how many days."""

    tally: Tally
    answered_late: dict[int, int]  # days late: how many answers
    overdue_by: dict[int, int]  # days overdue: how many reviews


def stored_portfolios(
    ledger: Ledger, *, code: str | None, on: date
) -> dict[str, PortfolioCounted] | None:
    """Each portfolio's counts on ``on`` (``code``'s alone if given), by portfolio code; None
    when a suspension is recorded."""
    if not settled(ledger):
        return None
    column, review = current().recommendations.c, current().reviews.c
    found: dict[str, PortfolioCounted] = {}

    def of(name: str) -> PortfolioCounted:
        return found.setdefault(name, PortfolioCounted({axis: {} for axis in AXES}, {}, {}))

    with reading(ledger) as conn:
        if settings_only(conn).suspensions:
            return None
        axes = [column[axis] for axis in AXES]
        query = select(column.portfolio, *axes, func.count()).group_by(column.portfolio, *axes)
        day = on.isoformat()
        answered = select(review.portfolio, review.days_late, func.count()).where(
            review.days_late.is_not(None)
        )
        unanswered = select(review.portfolio, review.due, func.count()).where(review.due < day)
        if _answered_by(conn, on):
            # Every answer was given by ``on`` (always, for today): each count is a range of
            # the index, in the order it groups.
            unanswered = unanswered.where(review.days_late.is_(None))
        else:  # a day in the past: the answers given after it count as not given yet
            answered = answered.where(review.answered <= day)
            unanswered = unanswered.where(or_(review.answered.is_(None), review.answered > day))
        answered = answered.group_by(review.portfolio, review.days_late)
        unanswered = unanswered.group_by(review.portfolio, review.due)
        if code is not None:
            query = query.where(column.portfolio == code)
            answered = answered.where(review.portfolio == code)
            unanswered = unanswered.where(review.portfolio == code)
        for name, *values, count in conn.execute(query):
            tally = of(name).tally
            for axis, value in zip(AXES, values, strict=True):
                tally[axis][str(value)] = tally[axis].get(str(value), 0) + int(count)
        for name, days, count in conn.execute(answered):
            of(name).answered_late[int(days)] = int(count)
        for name, due, count in conn.execute(unanswered):
            days = (on - date.fromisoformat(due)).days
            late = of(name).overdue_by
            late[days] = late.get(days, 0) + int(count)
    return found


def stored_review_days(ledger: Ledger, *, code: str | None) -> list[tuple[int, date]] | None:
    """Each review and the day after the latest due date of that review among the stored
    recommendations (``code``'s alone if given), as ``projections.scoreboard.review_days``;
    None when a suspension is recorded. Due dates grow with the hand-over day, so the latest
    is the latest hand-over's (an indexed maximum)."""
    if not settled(ledger):
        return None
    column = current().recommendations.c
    with reading(ledger) as conn:
        state = settings_only(conn)
        if state.suspensions:
            return None
        query = select(func.max(column.handed_over))
        if code is not None:
            query = query.where(column.portfolio == code)
        latest = conn.execute(query).scalar()
    if latest is None:
        return []
    last = date.fromisoformat(latest)
    return [
        (review, date.fromordinal(add_months(last, months).toordinal() + 1))
        for review, months in enumerate(state.offsets, start=1)
    ]


def weighted_median(counts: Mapping[int, int]) -> int | None:
    """The median of a multiset of days given as day: how many, rounded down to a whole day as
    ``projections.scoreboard.median`` (None of none)."""
    total = sum(counts.values())
    if not total:
        return None
    ranked: Sequence[tuple[int, int]] = sorted(counts.items())

    def at(index: int) -> int:
        seen = 0
        for day, count in ranked:
            seen += count
            if index < seen:
                return day
        raise IndexError(index)

    middle = total // 2
    return at(middle) if total % 2 else (at(middle - 1) + at(middle)) // 2
