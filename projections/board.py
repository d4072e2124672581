"""Each recommendation's review deadlines as of a date: due, answered, late by how much.

Computed on reading, never stored (DESIGN.md 4, 6): from the status model's hand-over date,
the charter's offsets and the suspensions. A review is *overdue* on a date when its due date has
passed with no answer by then; it was *answered late* when the answer came after the due date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from projections.deadlines import due_dates
from projections.status import RecommendationStatus, Status


@dataclass(frozen=True)
class Deadline:
    """One review of one recommendation, as of a date."""

    review: int  # 1 or 2
    due: date
    answered: date | None  # the answer's own date (as signed), if it was answered by the as-of date
    recorded: date | None  # the day the ledger recorded that answer
    late: int  # days overdue on the as-of date: 0 unless unanswered past the due date
    answered_late: int  # days after the due date the answer is dated: 0 if on time or unanswered
    recorded_late: int  # days after the due date the ledger recorded it: a backdated answer shows

    @property
    def overdue(self) -> bool:
        return self.late > 0


def deadlines(state: Status, rec: RecommendationStatus, *, as_of: date) -> tuple[Deadline, ...]:
    """Both reviews' deadlines of ``rec`` as of ``as_of`` (none before the hand-over)."""
    if rec.handed_over is None:
        return ()
    dues = due_dates(rec.handed_over, state.offsets, state.suspensions, as_of=as_of)
    found = []
    for review, due in enumerate(dues, start=1):
        said = rec.answer(review)
        answered = recorded = None
        if said is not None and said.change.at.date() <= as_of:  # else not answered on that day
            answered = said.change.at.date()
            recorded = (said.change.recorded or said.change.at).date()
        late = 0 if answered is not None or as_of <= due else (as_of - due).days
        found.append(
            Deadline(review, due, answered, recorded, late, *_after(due, answered, recorded))
        )
    return tuple(found)


def _after(due: date, *days: date | None) -> list[int]:
    return [0 if day is None else max(0, (day - due).days) for day in days]


def overdue_reviews(state: Status, *, as_of: date) -> list[tuple[RecommendationStatus, Deadline]]:
    """Every review overdue on ``as_of``, the longest overdue first."""
    late = [
        (rec, deadline)
        for rec in ordered(state)
        for deadline in deadlines(state, rec, as_of=as_of)
        if deadline.overdue
    ]
    late.sort(key=lambda pair: -pair[1].late)
    return late


def ordered(state: Status) -> list[RecommendationStatus]:
    """The recommendations by panel, then number."""
    return [state.recommendations[key] for key in sorted(state.recommendations)]
