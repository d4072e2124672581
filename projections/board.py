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
    answered: date | None  # the day the answer was recorded, if it was by the as-of date
    late: int  # days overdue on the as-of date: 0 unless unanswered past the due date
    answered_late: int  # days after the due date the answer came: 0 if on time or unanswered

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
        answered = said.change.at.date() if said is not None else None
        if answered is not None and answered > as_of:
            answered = None  # not yet answered on the day asked
        late = 0 if answered is not None or as_of <= due else (as_of - due).days
        after = 0 if answered is None else max(0, (answered - due).days)
        found.append(Deadline(review, due, answered, late, after))
    return tuple(found)


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
