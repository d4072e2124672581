"""Each recommendation's review deadlines as of a date: due, answered, late by how much.

Computed on reading, never stored (docs/design.md 4, 6): from the status model's hand-over date,
the charter's offsets and the suspensions. A review is *overdue* on a date when its due date has
passed with no answer recorded by then; it was *answered late* when the ledger recorded the
answer after the due date. The day the ledger recorded an answer decides, not the date its
author gave it (its ``occurred_at``), which anyone holding the key can set: that date is shown
beside it, and flagged when it comes more than ``CLAIM_GRACE_DAYS`` before the recording.

History recorded after the fact (a past cycle loaded later, ``ledger.history``) is the one
exception: the ledger's day there says only when the history was loaded, so its answers are
judged on the dates their authors gave, and marked ``after_the_fact`` wherever they are shown.
No live answer can be: it is dated after the ledger began (``ledger.history``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from threading import Lock

from projections.deadlines import Suspension, due_dates
from projections.status import RecommendationStatus, Status

# An answer signed on a Friday and entered on the Monday, or held up by a week's leave, is dated
# a few days before the ledger recorded it in good faith; beyond a week, a reader is told.
CLAIM_GRACE_DAYS = 7


@dataclass(frozen=True)
class Deadline:
    """One review of one recommendation, as of a date."""

    review: int  # 1 for the charter's first appointment, and so on
    due: date
    recorded: date | None  # the day the ledger recorded the answer, if it had by the as-of date
    claimed: date | None  # the day the answer's author dated it (shown, never judged by)
    late: int  # days overdue on the as-of date: 0 unless unanswered past the due date
    answered_late: int  # days after the due date the ledger recorded the answer: 0 if on time
    claimed_early: int  # days the author's date comes before the recording: 0 if the same day
    # History recorded after the fact: judged on ``claimed``, never flagged as backdated.
    after_the_fact: bool = False

    @property
    def overdue(self) -> bool:
        return self.late > 0

    @property
    def answered(self) -> bool:
        """Whether the ledger had recorded an answer by the as-of date (for history recorded
        after the fact, whether its author dated it by then)."""
        return self.recorded is not None

    @property
    def answered_on(self) -> date | None:
        """The day the answer counts from: the recording day, or for history recorded after
        the fact the day its author gave."""
        return self.claimed if self.after_the_fact else self.recorded

    @property
    def backdated(self) -> bool:
        """Whether the answer is dated more than ``CLAIM_GRACE_DAYS`` before it was recorded."""
        return self.claimed_early > CLAIM_GRACE_DAYS


def deadlines(state: Status, rec: RecommendationStatus, *, as_of: date) -> tuple[Deadline, ...]:
    """The deadlines of ``rec``'s reviews as of ``as_of`` (none before the hand-over): one per
    appointment of the charter.

    Worked out once per record, charter and day while the record is kept (``_KEPT``): a record
    read again from an unchanged row is the same object (``projections.tables.from_row``), and
    a board's page works out the deadlines of its hundred rows on every request."""
    if rec.handed_over is None:
        return ()
    charter = (tuple(state.offsets), tuple(state.suspensions), as_of)
    kept = _KEPT.get(id(rec))
    if kept is not None and kept[0] is rec and kept[1] == charter:
        return kept[2]
    found = _worked_out(state, rec, as_of=as_of)
    with _KEEPING:
        _KEPT[id(rec)] = (rec, charter, found)  # holding ``rec``: its id is given to no other
        while len(_KEPT) > KEPT_DEADLINES:
            del _KEPT[next(iter(_KEPT))]  # the first put
    return found


# The deadlines worked out, by the id of the record they are of: with the record, the charter
# and the day they were worked out for (a board's page, in three languages, is about 300).
KEPT_DEADLINES = 2048
_KEPT: dict[int, tuple[RecommendationStatus, tuple[object, ...], tuple[Deadline, ...]]] = {}
_KEEPING = Lock()


def _worked_out(state: Status, rec: RecommendationStatus, *, as_of: date) -> tuple[Deadline, ...]:
    assert rec.handed_over is not None
    due_reviews = rec.due_reviews(len(state.offsets))
    dues = _due_dates(
        rec.handed_over, tuple(state.offsets[: len(due_reviews)]), tuple(state.suspensions), as_of
    )
    found = []
    for review, due in enumerate(dues, start=1):
        said = rec.answer(review)
        recorded = claimed = None
        history = said is not None and said.change.after_the_fact
        if said is not None:
            day = (said.change.recorded or said.change.at).date()
            counted = said.change.at.date() if history else day
            if counted <= as_of:  # else the ledger did not hold it on that day
                recorded, claimed = day, said.change.at.date()
        late = 0 if recorded is not None or as_of <= due else (as_of - due).days
        answered_late = _days(due, claimed if history else recorded)
        early = 0 if claimed is None or history else _days(claimed, recorded)
        found.append(Deadline(review, due, recorded, claimed, late, answered_late, early, history))
    return tuple(found)


@lru_cache(maxsize=4096)  # a panel hands its recommendations over on a few days
def _due_dates(
    handed_over: date, months: tuple[int, ...], suspensions: tuple[Suspension, ...], as_of: date
) -> tuple[date, ...]:
    return due_dates(handed_over, months, suspensions, as_of=as_of)


def _days(start: date, day: date | None) -> int:
    """Days from ``start`` on to ``day`` (0 if ``day`` is None or not after ``start``)."""
    return 0 if day is None else max(0, (day - start).days)


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
