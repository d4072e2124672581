"""What follows an answer: implementation reports, transfers of responsibility, the
commission's verdicts, and suspensions of the review deadlines.

Implementation statuses that change or drop a recommendation (``completed_modified``,
``abandoned``) must be explained like a refusal. Deadline suspensions (an election, a new
government) are the government's to declare, with a reason, and never overlap.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import Field

from domain.aggregate import Aggregate, stream_id
from domain.errors import (
    AlreadyDone,
    JustificationTooShort,
    MissingDetail,
    NotAllowed,
    NotYet,
    WrongStream,
)
from domain.events import Event, register, upcaster

DEADLINES = stream_id("deadlines")
PORTFOLIO = r"^[a-z][a-z0-9_-]{0,63}$"


class Implementation(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    STALLED = "stalled"
    COMPLETED = "completed"
    COMPLETED_MODIFIED = "completed_modified"
    ABANDONED = "abandoned"


EXPLAINED = frozenset({Implementation.COMPLETED_MODIFIED, Implementation.ABANDONED})


@register
class ImplementationReported(Event):
    TYPE = "assembly.government.implementation_reported"

    panel: int = Field(ge=1)
    number: int = Field(ge=1)
    status: Implementation
    progress: int
    milestone: str = Field(default="", max_length=2000)
    justification: str = Field(default="", max_length=20000)
    evidence_digest: str | None = Field(default=None, pattern=r"^sha256:[0-9a-f]{64}$")


def check_implementation(report: ImplementationReported, *, min_justification: int) -> None:
    """Raise the rule an implementation report breaks, if any."""
    if not 0 <= report.progress <= 100:
        raise NotAllowed(f"Progress is a percentage from 0 to 100, not {report.progress}.")
    if report.status in EXPLAINED:
        length = len(report.justification.strip())
        if length < min_justification:
            raise JustificationTooShort(
                f"An implementation '{report.status.value}'", length, min_justification
            )
    if report.status is Implementation.COMPLETED and report.progress != 100:
        raise NotAllowed(f"A completed implementation is at 100%, not {report.progress}%.")


@register
class ResponsibilityTransferred(Event):
    TYPE = "assembly.government.responsibility_transferred"

    panel: int = Field(ge=1)
    number: int = Field(ge=1)
    from_portfolio: str = Field(pattern=PORTFOLIO)
    to_portfolio: str = Field(pattern=PORTFOLIO)
    reason: str = Field(min_length=1, max_length=2000)


class Verdict(StrEnum):
    AGREES = "agrees"
    DISPUTES = "disputes"
    INSUFFICIENT_INFORMATION = "insufficient_information"


@register
class Assessed(Event):
    """The commission's verdict. Schema 2 added the optional score (0-10)."""

    TYPE = "assembly.commission.assessed"
    SCHEMA = 2

    panel: int = Field(ge=1)
    number: int = Field(ge=1)
    verdict: Verdict
    reasons: str = Field(default="", max_length=20000)
    score: int | None = None


@upcaster(Assessed.TYPE, 1)
def _assessed_v1(payload: dict[str, Any]) -> dict[str, Any]:
    """Schema 1 had no score: an old verdict simply gave none."""
    return {**payload, "score": None}


def check_assessment(assessment: Assessed) -> None:
    """Raise the rule a verdict breaks, if any."""
    if assessment.verdict is Verdict.DISPUTES and not assessment.reasons.strip():
        raise MissingDetail("A verdict 'disputes'", "the commission's reasons")
    if assessment.score is not None and not 0 <= assessment.score <= 10:
        raise NotAllowed(f"A score is from 0 to 10, not {assessment.score}.")


@register
class DeadlineSuspended(Event):
    TYPE = "assembly.government.deadline_suspended"

    since: date
    reason: str = Field(min_length=1, max_length=2000)


@register
class DeadlineResumed(Event):
    TYPE = "assembly.government.deadline_resumed"

    on: date


class Deadlines(Aggregate):
    """The periods during which the review clocks stand still, one after another."""

    def __init__(self, stream: uuid.UUID = DEADLINES) -> None:
        super().__init__(stream)
        self.open_since: date | None = None
        self.last_end: date | None = None

    def suspend(self, since: date, reason: str, *, at: datetime) -> None:
        if self.open_since is not None:
            raise AlreadyDone(
                f"The deadlines are already suspended since {self.open_since}; suspensions "
                "never overlap: resume them first."
            )
        if self.last_end is not None and since < self.last_end:
            raise NotAllowed(
                f"A suspension from {since} would overlap the last one, which ended on "
                f"{self.last_end}."
            )
        if not reason.strip():
            raise MissingDetail("A deadline suspension", "a reason")
        self.trigger(DeadlineSuspended(since=since, reason=reason), at=at)

    def resume(self, on: date, *, at: datetime) -> None:
        if self.open_since is None:
            raise NotYet("The deadlines are not suspended, so they cannot be resumed.")
        if on < self.open_since:
            raise NotAllowed(f"The deadlines cannot resume on {on}, before the suspension began.")
        self.trigger(DeadlineResumed(on=on), at=at)

    def apply(self, event: Event, *, at: datetime, seq: int | None) -> None:
        if isinstance(event, DeadlineSuspended):
            self.open_since = event.since
        elif isinstance(event, DeadlineResumed):
            self.open_since = None
            self.last_end = event.on
        else:
            raise WrongStream(event.TYPE, "the deadlines")
