"""The status board as the API gives it, a page at a time."""

from __future__ import annotations

from datetime import date

from projections.board import Deadline
from projections.status import RecommendationStatus
from web.models.base import (
    IMPLEMENTATION,
    POSITION,
    VERDICT,
    ImplementationValue,
    PositionValue,
    Strict,
    VerdictValue,
    ref,
    title,
)


class BoardRow(Strict):
    """One recommendation on the board: its three axes, due dates and overdue flag."""

    ref: str
    reference: str | None  # the assembly's own (SD-E2); ``ref`` stays PANEL/NUMBER
    panel: int
    number: int
    title: str
    titles: dict[str, str]
    group: str | None  # the code of the group (objective, goal) it belongs to
    portfolio: str
    position: PositionValue
    implementation: ImplementationValue
    verdict: VerdictValue
    due_review_1: date | None
    due_review_2: date | None
    overdue: bool
    last_seq: int | None

    @classmethod
    def of(cls, rec: RecommendationStatus, dues: tuple[Deadline, ...]) -> BoardRow:
        due = {deadline.review: deadline.due for deadline in dues}
        return cls(
            ref=ref(rec),
            reference=rec.reference,
            panel=rec.panel,
            number=rec.number,
            title=title(rec),
            titles=dict(rec.title),
            group=rec.group,
            portfolio=rec.portfolio,
            position=POSITION.validate_python(rec.position),
            implementation=IMPLEMENTATION.validate_python(rec.implementation),
            verdict=VERDICT.validate_python(rec.verdict),
            due_review_1=due.get(1),
            due_review_2=due.get(2),
            overdue=any(deadline.overdue for deadline in dues),
            last_seq=rec.last_change.seq if rec.last_change else None,
        )


class Board(Strict):
    """A page of the status board as of a day, read at ledger entry ``seq`` (-1: an empty
    ledger); ``next_after`` is the ``after`` of the next page, null on the last."""

    as_of: date
    seq: int
    recommendations: list[BoardRow]
    next_after: str | None
